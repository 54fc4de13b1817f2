/*
 * token - CSPRNG tokens, their hashes, constant-time comparison.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "token.h"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

int
token_random(void *out, size_t n)
{
	unsigned char *p = out;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

void
token_base32(const unsigned char *in, size_t n, char *out)
{
	unsigned int acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

int
token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];

	if (token_random(raw, sizeof(raw)) != 0)
		return -1;
	token_base32(raw, sizeof(raw), out);
	return 0;
}

bool
token_well_formed(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (strchr(b32, tolower((unsigned char)s[n])) == NULL)
			return false;
	return n == TOKEN_LEN;
}

void
token_hash(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	token_hash_md(NULL, token, out);
}

void
token_hash_md(const EVP_MD *sha256, const char *token,
    char out[TOKEN_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], low[64];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 0;

	/* Hash the whole input, lower-cased, so no prefix can match a token. */
	EVP_DigestInit_ex(ctx, sha256 != NULL ? sha256 : EVP_sha256(), NULL);
	for (const char *p = token; *p; p++) {
		low[n++] = (unsigned char)tolower((unsigned char)*p);
		if (n == sizeof(low)) {
			EVP_DigestUpdate(ctx, low, n);
			n = 0;
		}
	}
	EVP_DigestUpdate(ctx, low, n);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[TOKEN_HASH_LEN] = '\0';
}

bool
token_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

static bool
ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

size_t
token_scrub(const char *base, const char *s, size_t n, struct buf *out)
{
	size_t k = base != NULL ? strlen(base) : 0, from = 0, hits = 0;
	const char *h;

	while (k > 0 && n - from >= k &&
	    (h = memmem(s + from, n - from, base, k)) != NULL) {
		size_t t = (size_t)(h - s) + k, run = 0;

		while (t + run < n && ascii_alnum(s[t + run]))
			run++;
		if (out != NULL)
			buf_add(out, s + from, t - from);
		from = t;
		if (run != TOKEN_LEN)
			continue;
		if (out != NULL)
			buf_puts(out, "...");
		from = t + run;
		hits++;
	}
	if (out != NULL)
		buf_add(out, s + from, n - from);
	return hits;
}
