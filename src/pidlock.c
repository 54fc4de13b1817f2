/*
 * pidlock - the store lock and pid file.  flock(2) rather than a pid
 * file check: the kernel drops the lock when the process dies, so a
 * crashed kringd never blocks its own restart.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "pidlock.h"
#include "xmem.h"

int
pidlock_acquire(const char *store_path, struct err *e)
{
	char *path = xasprintf("%s.lock", store_path);
	char pid[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(e, EX_CANTCREAT, "lock %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int saved = errno;

		if (saved == EWOULDBLOCK) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			err_set(e, EX_TEMPFAIL, "kringd already runs for store %s "
			    "(pid %s)", store_path, pid[0] ? pid : "unknown");
		} else {
			err_set(e, EX_OSERR, "lock %s: %s", path, strerror(saved));
		}
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

void
pidlock_note_pid(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n)
		return;
	/* Only the rival's error message loses the pid; the lock holds. */
}

/*
 * The pid file goes up under a name of our own making, created with
 * O_EXCL so that no file or symlink planted beside it is ever opened,
 * then renamed over the path: a reader sees the old file or the new.
 */
int
pidlock_write_pidfile(const char *path, struct err *e)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	int fd, saved = 0;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		saved = errno;
	else {
		errno = 0;
		if (fchmod(fd, 0644) != 0 || write(fd, pid, (size_t)n) != n)
			saved = errno ? errno : EIO;
		if (close(fd) != 0 && saved == 0)
			saved = errno;
		if (saved == 0 && rename(tmp, path) != 0)
			saved = errno;
		if (saved != 0)
			unlink(tmp);
	}
	if (saved != 0) {
		err_set(e, EX_CANTCREAT, "pid file %s: %s", path, strerror(saved));
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
