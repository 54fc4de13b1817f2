/*
 * hmac - the site key and keyed hashes.  The key file is the one secret
 * of a site: created exclusively, mode 0600, and refused when others can
 * read it.
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
#include <openssl/hmac.h>

#include "err.h"
#include "hmac.h"
#include "token.h"
#include "xmem.h"

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
	struct stat sb;
	ssize_t n;
	int fd;

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
		return err_set(e, EX_DATAERR, "key %s: too short", path);
	for (size_t i = 0; i < HMAC_KEY_BYTES; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return err_set(e, EX_DATAERR, "key %s: not hexadecimal", path);
		key->k[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void
hmac_raw(const struct hmac_key *key, const void *data, size_t n,
    unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key->k, HMAC_KEY_BYTES, data, n, out, &len);
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
