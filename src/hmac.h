/*
 * hmac - keyed one-way hashes (HMAC-SHA-256, OpenSSL libcrypto).
 *
 * Used where kring must recognise a value later without being able to
 * recover it: erased people's addresses on the suppression list, and the
 * signature in VERP return paths.  The site key is 32 random bytes made by
 * `kring init` and kept in a file of mode 0600 beside the store
 * (STORE.key); hmac_key_load refuses a key file that group or others can
 * read.
 *
 * A loaded key also holds SHA-256 fetched once from OpenSSL's provider
 * and the hash states after the key's inner and outer pad blocks, so each
 * hash copies a state instead of fetching the algorithm again (which
 * OpenSSL 3's one-shot HMAC() does at every call: most of its cost).
 * After hmac_key_set or hmac_key_load the key is only read, so threads
 * may share it; hmac_key_free releases it.
 */
#ifndef KRING_HMAC_H
#define KRING_HMAC_H

#include <stddef.h>

#include <openssl/types.h>

#define HMAC_KEY_BYTES 32
#define HMAC_HEX_LEN 64

struct err;

struct hmac_key {
	unsigned char k[HMAC_KEY_BYTES];
	EVP_MD *sha256;              /* fetched once; also for plain hashes */
	EVP_MD_CTX *inner, *outer;   /* SHA-256 of k ^ ipad, of k ^ opad */
};

/* Path of the key file for a store path, newly allocated: "STORE.key". */
char *hmac_key_path(const char *store_path);
/* Create the key file if it does not exist (mode 0600, O_EXCL). 0/-1. */
int hmac_key_create(const char *path, struct err *e);
/*
 * Read it: -1 with e (EX_NOINPUT, EX_CONFIG for bad mode, EX_DATAERR,
 * EX_SOFTWARE when OpenSSL has no SHA-256).  On 0 the caller owns the key
 * and ends it with hmac_key_free.
 */
int hmac_key_load(const char *path, struct hmac_key *key, struct err *e);
/* The key from its raw bytes, as hmac_key_load; 0/-1 with e. */
int hmac_key_set(struct hmac_key *key, const unsigned char k[HMAC_KEY_BYTES],
    struct err *e);
/* Release what the key holds and wipe it; harmless on a zeroed key. */
void hmac_key_free(struct hmac_key *key);

/* Lower-case hex HMAC-SHA-256 of data: out[HMAC_HEX_LEN + 1]. */
void hmac_hex(const struct hmac_key *key, const void *data, size_t n,
    char out[HMAC_HEX_LEN + 1]);
/* Raw HMAC-SHA-256: out[32]. */
void hmac_raw(const struct hmac_key *key, const void *data, size_t n,
    unsigned char out[32]);

#endif
