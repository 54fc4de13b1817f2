/*
 * token - secrets that people carry in addresses and links.
 *
 * A token is 128 bits from getrandom() (the kernel CSPRNG), written as 26
 * characters of lower-case RFC 4648 base32 without padding, so it survives
 * case-folding mail systems and fits in an address's local part.  The
 * store keeps only token_hash() of a token, so a copy of the database
 * cannot confirm or unsubscribe anyone.  Pure functions apart from the
 * random source.
 */
#ifndef KRING_TOKEN_H
#define KRING_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/types.h>

struct buf;

#define TOKEN_BYTES 16
#define TOKEN_LEN 26           /* base32 characters */
#define TOKEN_HASH_LEN 64      /* hex SHA-256 */

/* Fill out[TOKEN_LEN + 1].  0 ok, -1 when the kernel gives no randomness. */
int token_new(char out[TOKEN_LEN + 1]);

/* true when s has the shape of a token (length and alphabet), any case. */
bool token_well_formed(const char *s);

/* Lower-case hex SHA-256 of the lower-cased token: out[TOKEN_HASH_LEN + 1]. */
void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);
/*
 * The same with SHA-256 already fetched (a loaded hmac_key's sha256), for
 * loops over many tokens: token_hash() makes OpenSSL 3 look the algorithm
 * up at every call.
 */
void token_hash_md(const EVP_MD *sha256, const char *token,
    char out[TOKEN_HASH_LEN + 1]);

/* Compare n bytes in time independent of where they differ. */
bool token_equal(const void *a, const void *b, size_t n);

/*
 * Lower-case RFC 4648 base32 of in[0..n), no padding: out needs
 * (n * 8 + 4) / 5 + 1 bytes.  Tokens, VERP signatures and derived
 * unsubscribe tokens all use this one alphabet.
 */
void token_base32(const unsigned char *in, size_t n, char *out);

/*
 * Append s[0..n) to out (NULL: only count), with every token that
 * follows base in it (a run of exactly TOKEN_LEN ASCII letters and
 * digits, any case) made "..." (ASCII: right in any charset); how many
 * there were.  For the personal links of a site (base "URL/a/") in
 * text that goes to others.  base NULL: s as it is.
 */
size_t token_scrub(const char *base, const char *s, size_t n,
    struct buf *out);

/* Random bytes for keys; 0 ok, -1 failure. */
int token_random(void *out, size_t n);

#endif
