/*
 * source_maildir - a local Maildir (new/ and cur/) through libetpan's
 * low-level maildir API.
 *
 * Each fetch scans afresh: libetpan caches the directories' mtimes in
 * whole seconds, so a kept handle would miss mail delivered in the same
 * second as the last scan.  Messages are taken in file-name order (the
 * delivery time comes first in a Maildir name); the uid is the name
 * without its ":2,FLAGS" info.  keep takes what is not yet seen and
 * moves it to cur/ with S; delete takes everything and unlinks it,
 * except what was set aside (empty, hence flagged S).  Of a message
 * over max_message_size only the start is read: intake keeps its
 * header.  A file that cannot be read is logged once and left.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "intake.h"
#include "source_int.h"
#include "xmem.h"

static int
by_uid(const void *a, const void *b)
{
	const struct maildir_msg *x = *(struct maildir_msg *const *)a;
	const struct maildir_msg *y = *(struct maildir_msg *const *)b;

	return strcmp(x->msg_uid, y->msg_uid);
}

/*
 * Read the message file into *raw (caller frees): whole, or when it is
 * larger than max its first INTAKE_HEAD_MAX bytes, which hold the
 * header intake keeps of it.  *size is the file's.
 */
static int
read_file(const char *path, int64_t max, char **raw, size_t *len,
    uint64_t *size, struct err *e)
{
	struct stat sb;
	size_t got = 0, want;
	int fd;

	*raw = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, EX_NOINPUT, "%s", strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, EX_NOINPUT, "not a regular file");
	}
	*size = (uint64_t)sb.st_size;
	want = (size_t)sb.st_size;
	if (max > 0 && sb.st_size > max && want > INTAKE_HEAD_MAX)
		want = INTAKE_HEAD_MAX;
	*raw = xmalloc(want + 1);
	while (got < want) {
		ssize_t n = read(fd, *raw + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, EX_NOINPUT, "%s", n < 0 ? strerror(errno) :
			    "file shrank while read");
			close(fd);
			free(*raw);
			*raw = NULL;
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

/*
 * Mark a taken (or set-aside) message: seen in cur/, or gone.  libetpan
 * ignores a failed link() in change_flags, so the result is checked.
 */
static int
mark(struct source *src, struct maildir *md, struct maildir_msg *m,
    bool remove, struct err *e)
{
	char *path;
	int r, flags = (m->msg_flags & ~MAILDIR_FLAG_NEW) | MAILDIR_FLAG_SEEN;

	if (remove) {
		if ((r = maildir_message_remove(md, m->msg_uid)) != MAILDIR_NO_ERROR)
			return err_set(e, EX_IOERR, "%s: remove %s: %s",
			    src->cfg.path, m->msg_filename, strerror(errno));
		return 0;
	}
	if (m->msg_flags == flags)
		return 0;
	r = maildir_message_change_flags(md, m->msg_uid, flags);
	path = r == MAILDIR_NO_ERROR ? maildir_message_get(md, m->msg_uid) : NULL;
	if (path == NULL || access(path, F_OK) != 0) {
		err_set(e, EX_IOERR, "%s: cannot move %s to cur/ as seen",
		    src->cfg.path, m->msg_uid);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* One message: known, too large, unreadable, or taken. */
static int
one(struct source *src, struct maildir *md, struct maildir_msg *m,
    struct err *e)
{
	bool remove = src->cfg.processed == PROCESSED_DELETE;
	char *path, *raw = NULL;
	size_t len = 0;
	uint64_t size = 0;
	int r;

	if ((r = source_known(src, m->msg_uid, e)) < 0)
		return -1;
	if (r == 1) {
		source_count_duplicate(src, m->msg_uid);
		return mark(src, md, m, remove, e);
	}
	if ((path = maildir_message_get(md, m->msg_uid)) == NULL)
		return 0;    /* gone since the scan */
	r = read_file(path, src->max_size, &raw, &len, &size, e);
	free(path);
	if (r != 0) {
		source_note(src, m->msg_uid, e->msg);
		err_clear(e);
		return 0;
	}
	if (len == 0) {
		/* Flagged seen, so neither keep nor delete takes it again. */
		free(raw);
		if (m->msg_flags & MAILDIR_FLAG_SEEN)
			return 0;
		if (source_note(src, m->msg_uid, "empty file"))
			src->stats.set_aside++;
		return mark(src, md, m, false, e);
	}
	r = source_take(src, m->msg_uid, raw, len, size, e);
	free(raw);
	if (r < 0)
		return -1;
	return mark(src, md, m, r == SOURCE_TAKEN && remove, e);
}

static int
maildir_fetch(struct source *src, struct err *e)
{
	struct maildir *md;
	struct maildir_msg **todo;
	unsigned n, ntodo = 0;
	int rc = 0;

	if ((md = maildir_new(src->cfg.path)) == NULL)
		return err_set(e, EX_OSERR, "%s: out of memory", src->cfg.path);
	if (maildir_update(md) != MAILDIR_NO_ERROR) {
		maildir_free(md);
		return err_set(e, EX_NOINPUT, "%s: not a readable Maildir (new/ "
		    "and cur/ must exist)", src->cfg.path);
	}
	n = carray_count(md->mdir_msg_list);
	todo = xcalloc(n ? n : 1, sizeof(*todo));
	for (unsigned i = 0; i < n; i++) {
		struct maildir_msg *m = carray_get(md->mdir_msg_list, i);

		if (src->cfg.processed == PROCESSED_DELETE ||
		    !(m->msg_flags & MAILDIR_FLAG_SEEN))
			todo[ntodo++] = m;
	}
	qsort(todo, ntodo, sizeof(*todo), by_uid);
	for (unsigned i = 0; i < ntodo && rc == 0; i++) {
		if (source_full(src))
			break;
		rc = one(src, md, todo[i], e);
	}
	free(todo);
	maildir_free(md);
	return rc;
}

static void
maildir_disconnect(struct source *src)
{
	(void)src;
}

const struct source_driver source_maildir_driver = {
	"maildir", maildir_fetch, NULL, maildir_disconnect,
};
