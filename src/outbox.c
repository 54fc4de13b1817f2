/*
 * outbox - write copies into a Maildir (see outbox.h).
 *
 * File names follow the Maildir convention, time.M<usec>P<pid>Q<tag>.host,
 * so two processes (kringd and `kring send`) never collide.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "outbox.h"
#include "xmem.h"

static int
ensure_dirs(const char *dir, struct err *e)
{
	static const char *const sub[] = { "", "/new", "/cur", "/tmp" };

	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s%s", dir, sub[i]);
		int r = mkdir(p, 0700);

		if (r != 0 && errno != EEXIST) {
			err_set(e, EX_CANTCREAT, "outbox %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* Write all of iov, retrying short writes. */
static int
write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
outbox_deliver(const char *dir, int64_t tag, const char *return_path,
    const char *rcpt, const struct iovec *pieces, size_t n, struct err *e)
{
	char host[64] = "localhost", *name, *tmp, *dst, *env;
	struct timeval tv;
	struct iovec *iov = NULL;
	int fd, ret = -1;

	if (n > (size_t)IOV_MAX - 1)
		return err_set(e, EX_SOFTWARE, "outbox: a copy in %zu pieces",
		    n);
	if (ensure_dirs(dir, e) != 0)
		return -1;
	gettimeofday(&tv, NULL);
	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	name = xasprintf("%lld.M%ldP%ldQ%lld.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), (long long)tag, host);
	tmp = xasprintf("%s/tmp/%s", dir, name);
	dst = xasprintf("%s/new/%s", dir, name);
	env = xasprintf("Return-Path: <%s>\r\nDelivered-To: %s\r\n",
	    return_path, rcpt);
	iov = xcalloc(n + 1, sizeof(*iov));
	iov[0].iov_base = env;
	iov[0].iov_len = strlen(env);
	memcpy(iov + 1, pieces, n * sizeof(*iov));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		err_set(e, EX_CANTCREAT, "outbox %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, iov, (int)n + 1) != 0 || fsync(fd) != 0) {
		err_set(e, EX_IOERR, "outbox %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, dst) != 0) {
		err_set(e, EX_IOERR, "outbox %s: %s", dst, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(name);
	free(tmp);
	free(dst);
	free(env);
	free(iov);
	return ret;
}
