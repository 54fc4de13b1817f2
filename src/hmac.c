/*
 * hmac - the site key and keyed hashes.  The key file is the one secret
 * of a site: created exclusively, mode 0600, and refused when others can
 * read it.  HMAC-SHA-256 is RFC 2104 over SHA-256 states keyed once per
 * loaded key: a call copies them, so it neither fetches the algorithm nor
 * changes the key, and threads share one key.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "hmac.h"
#include "log.h"
#include "token.h"
#include "xmem.h"

#define SHA256_BLOCK 64

/* A key no longer than the block is only padded with zeros (RFC 2104). */
_Static_assert(HMAC_KEY_BYTES <= SHA256_BLOCK, "the key fits in one block");

static const char hexd[] = "0123456789abcdef";

char *
hmac_key_path(const char *store_path)
{
	return xasprintf("%s.key", store_path);
}

int
hmac_key_create(const char *path, struct err *e)
{
	unsigned char k[HMAC_KEY_BYTES];
	char text[2 * HMAC_KEY_BYTES + 2];
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return err_set(e, EX_CANTCREAT, "%s: %s", path, strerror(errno));
	}
	if (token_random(k, sizeof(k)) != 0) {
		close(fd);
		unlink(path);
		return err_set(e, EX_OSERR, "%s: no randomness from the kernel", path);
	}
	for (size_t i = 0; i < sizeof(k); i++) {
		text[2 * i] = hexd[k[i] >> 4];
		text[2 * i + 1] = hexd[k[i] & 15];
	}
	text[2 * HMAC_KEY_BYTES] = '\n';
	if (write(fd, text, 2 * HMAC_KEY_BYTES + 1) != 2 * HMAC_KEY_BYTES + 1 ||
	    fsync(fd) != 0) {
		err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0)
		return err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hmac_key_load(const char *path, struct hmac_key *key, struct err *e)
{
	char text[2 * HMAC_KEY_BYTES + 8];
	unsigned char raw[HMAC_KEY_BYTES];
	struct stat sb;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? EX_NOINPUT : EX_IOERR,
		    "key %s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (run kring init)" : "");
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, EX_CONFIG, "key %s: not a regular file", path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return err_set(e, EX_CONFIG, "key %s: mode %04o lets others read "
		    "the site key; chmod 600 %s", path,
		    (unsigned)(sb.st_mode & 07777), path);
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 2 * HMAC_KEY_BYTES)
		rc = err_set(e, EX_DATAERR, "key %s: too short", path);
	for (size_t i = 0; rc == 0 && i < HMAC_KEY_BYTES; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			rc = err_set(e, EX_DATAERR, "key %s: not hexadecimal", path);
		else
			raw[i] = (unsigned char)(hi << 4 | lo);
	}
	if (rc == 0)
		rc = hmac_key_set(key, raw, e);
	explicit_bzero(text, sizeof(text));
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

/* ctx := SHA-256 after the one block k ^ pad. */
static int
pad_state(EVP_MD_CTX *ctx, const EVP_MD *md,
    const unsigned char k[HMAC_KEY_BYTES], unsigned char pad)
{
	unsigned char block[SHA256_BLOCK];
	int ok;

	memset(block, pad, sizeof(block));
	for (size_t i = 0; i < HMAC_KEY_BYTES; i++)
		block[i] ^= k[i];
	ok = EVP_DigestInit_ex(ctx, md, NULL) &&
	    EVP_DigestUpdate(ctx, block, sizeof(block));
	explicit_bzero(block, sizeof(block));
	return ok;
}

int
hmac_key_set(struct hmac_key *key, const unsigned char k[HMAC_KEY_BYTES],
    struct err *e)
{
	unsigned char raw[HMAC_KEY_BYTES];

	memcpy(raw, k, sizeof(raw));    /* k may be key->k */
	memset(key, 0, sizeof(*key));
	memcpy(key->k, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	key->sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	key->inner = EVP_MD_CTX_new();
	key->outer = EVP_MD_CTX_new();
	if (key->sha256 == NULL || key->inner == NULL || key->outer == NULL ||
	    !pad_state(key->inner, key->sha256, key->k, 0x36) ||
	    !pad_state(key->outer, key->sha256, key->k, 0x5c)) {
		hmac_key_free(key);
		return err_set(e, EX_SOFTWARE, "OpenSSL gives no SHA-256");
	}
	return 0;
}

void
hmac_key_free(struct hmac_key *key)
{
	EVP_MD_CTX_free(key->inner);
	EVP_MD_CTX_free(key->outer);
	EVP_MD_free(key->sha256);
	explicit_bzero(key, sizeof(*key));
}

void
hmac_raw(const struct hmac_key *key, const void *data, size_t n,
    unsigned char out[32])
{
	unsigned char inner[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	/* SHA-256(k ^ opad, SHA-256(k ^ ipad, data)), from the pad states. */
	ok = c != NULL && EVP_MD_CTX_copy_ex(c, key->inner) &&
	    EVP_DigestUpdate(c, data, n) && EVP_DigestFinal_ex(c, inner, NULL) &&
	    EVP_MD_CTX_copy_ex(c, key->outer) &&
	    EVP_DigestUpdate(c, inner, sizeof(inner)) &&
	    EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
	explicit_bzero(inner, sizeof(inner));
	if (!ok)
		log_fatal(EX_SOFTWARE, "HMAC-SHA-256 failed: a key not loaded, "
		    "or OpenSSL out of memory");
}

void
hmac_hex(const struct hmac_key *key, const void *data, size_t n,
    char out[HMAC_HEX_LEN + 1])
{
	unsigned char md[32];

	hmac_raw(key, data, n, md);
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hexd[md[i] >> 4];
		out[2 * i + 1] = hexd[md[i] & 15];
	}
	out[HMAC_HEX_LEN] = '\0';
}
