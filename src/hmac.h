/*
 * hmac - keyed one-way hashes (HMAC-SHA-256, OpenSSL libcrypto).
 *
 * Used where kring must recognise a value later without being able to
 * recover it: erased people's addresses on the suppression list, and the
 * signature in VERP return paths.  The site key is 32 random bytes made by
 * `kring init` and kept in a file of mode 0600 beside the store
 * (STORE.key); hmac_key_load refuses a key file that group or others can
 * read.
 */
#ifndef KRING_HMAC_H
#define KRING_HMAC_H

#include <stddef.h>

#define HMAC_KEY_BYTES 32
#define HMAC_HEX_LEN 64

struct err;

struct hmac_key {
	unsigned char k[HMAC_KEY_BYTES];
};

/* Path of the key file for a store path, newly allocated: "STORE.key". */
char *hmac_key_path(const char *store_path);
/* Create the key file if it does not exist (mode 0600, O_EXCL). 0/-1. */
int hmac_key_create(const char *path, struct err *e);
/* Read it: -1 with e (EX_NOINPUT, EX_CONFIG for bad mode, EX_DATAERR). */
int hmac_key_load(const char *path, struct hmac_key *key, struct err *e);

/* Lower-case hex HMAC-SHA-256 of data: out[HMAC_HEX_LEN + 1]. */
void hmac_hex(const struct hmac_key *key, const void *data, size_t n,
    char out[HMAC_HEX_LEN + 1]);
/* Raw HMAC-SHA-256: out[32]. */
void hmac_raw(const struct hmac_key *key, const void *data, size_t n,
    unsigned char out[32]);

#endif
