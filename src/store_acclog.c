/*
 * store_acclog - the sender's acceptance log (see store.h).
 *
 * A copy the server has taken must be on disk before the next message
 * of its connection goes out, and that is one write per message.  In the
 * shared store such a commit takes the WAL and shared-memory locks of
 * every connection and costs about as much as the SMTP exchange around
 * it.  So the log is a file of its own that only its process writes: a
 * header, then one fixed-size record per copy, each added by a single
 * write(2) and checked by its own sum, so a record torn by a crash of
 * the machine reads as the end of the log.  Like the store's WAL
 * commits (synchronous=NORMAL) it is not synced: what it guards against
 * is the sender dying, not the power failing.  The log lives as long as
 * one send pass and is read only when something went wrong: a batch
 * whose outcomes the store refused is filed from it at the end of the
 * pass, and a log left behind by a sender that died on recovery.
 * Logs of older kring versions were SQLite databases; recovery still
 * files them.
 *
 * A log is named by its sender's owner, 128 random bits made when the
 * pass starts, and holds an flock(2) from before it has that name
 * until it is gone.  That lock is the only test of whether its sender
 * lives: the kernel drops it with the process, however it dies, where
 * a pid can come back (reused, or the same pid 1 in a new container).
 * The rows a sender claims carry its owner (store_queue_claim), so its
 * rows stay its own while its log exists, however long it takes.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "store_int.h"
#include "token.h"
#include "xmem.h"

#define ACCLOG_SUFFIX "-accepted-"
/* A log on its way to its name; removed when found unlocked. */
#define ACCLOG_NEW ".new"
/* The first bytes of a log, and of an older one (a SQLite database). */
#define ACCLOG_MAGIC "kring accepted 1"
#define ACCLOG_MAGIC_LEN 16
#define ACCLOG_SQLITE "SQLite format 3"
/*
 * A record: queue id and time (8 octets each), reply code and sum (4
 * each), little-endian.  The sum is FNV-1a over the first 20 octets.
 */
#define ACCLOG_REC 24
/* Records read at a time when a log is filed. */
#define ACCLOG_READ 2048

struct store_acclog {
	char *path;
	int fd;                      /* appends; holds the flock */
	char owner[STORE_OWNER_LEN + 1];
};

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
rec_sum(const unsigned char *p)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < ACCLOG_REC - 4; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Whether s is an owner as store_acclog_open makes them. */
static bool
owner_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == STORE_OWNER_LEN;
}

/*
 * Create the log's file, locked, under its final name: made and locked
 * under a name recovery does not file, then renamed, so no recovery can
 * find it unlocked while its sender lives.  The fd, or -1 with e.
 */
static int
acclog_create(const char *path, struct err *e)
{
	char *tmp = xasprintf("%s%s", path, ACCLOG_NEW);
	int fd, saved = 0;

	/* Made by us, like the store, so the umask cannot open it to others. */
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		saved = errno;
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		err_set(e, EX_CANTCREAT, "acceptance log %s: cannot create: %s",
		    path, strerror(saved));
	free(tmp);
	return fd;
}

static int
acclog_errno(const char *path, const char *what, int saved, struct err *e)
{
	return err_set(e, EX_IOERR, "acceptance log %s: %s: %s", path, what,
	    saved != 0 ? strerror(saved) : "cut short");
}

/* The log's file and the two SQLite keeps an older log had beside it. */
static void
acclog_unlink(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char name[4096];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, ext[i]) <
		    sizeof(name) && unlink(name) != 0 && errno != ENOENT)
			log_event(LV_WARN, "event=send result=stale file=%s "
			    "error=%s", name, strerror(errno));
}

int
store_acclog_open(const char *store_path, struct store_acclog **out,
    struct err *e)
{
	struct store_acclog *a = xcalloc(1, sizeof(*a));
	unsigned char raw[STORE_OWNER_LEN / 2];

	*out = NULL;
	a->fd = -1;
	if (token_random(raw, sizeof(raw)) != 0) {
		free(a);
		return err_set(e, EX_OSERR, "acceptance log: no randomness "
		    "for its name: %s", strerror(errno));
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(a->owner + 2 * i, 3, "%02x", raw[i]);
	a->path = xasprintf("%s%s%s", store_path, ACCLOG_SUFFIX, a->owner);
	if ((a->fd = acclog_create(a->path, e)) < 0) {
		free(a->path);
		free(a);
		return -1;
	}
	*out = a;
	/* The header tells the log from an older one, and from junk. */
	if (write(a->fd, ACCLOG_MAGIC, ACCLOG_MAGIC_LEN) != ACCLOG_MAGIC_LEN) {
		acclog_errno(a->path, "cannot create", errno, e);
		store_acclog_close(out, false);
		return -1;
	}
	return 0;
}

int
store_acclog_add(struct store_acclog *a, int64_t queue_id, int code,
    int64_t at, struct err *e)
{
	unsigned char r[ACCLOG_REC];
	ssize_t w;

	put_le(r, (uint64_t)queue_id, 8);
	put_le(r + 8, (uint64_t)at, 8);
	put_le(r + 16, (uint64_t)(uint32_t)code, 4);
	put_le(r + 20, rec_sum(r), 4);
	/* One write: a record is all there or, torn, fails its sum. */
	while ((w = write(a->fd, r, sizeof(r))) < 0 && errno == EINTR)
		;
	if (w == (ssize_t)sizeof(r))
		return 0;
	return acclog_errno(a->path, "append", w < 0 ? errno : 0, e);
}

void
store_acclog_close(struct store_acclog **ap, bool keep)
{
	struct store_acclog *a = *ap;

	if (a == NULL)
		return;
	if (keep)
		log_event(LV_ERROR, "event=send result=unfiled log=%s",
		    a->path);
	else
		acclog_unlink(a->path);
	/* Last: while the lock holds, the log is nobody else's to file. */
	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	free(a);
	*ap = NULL;
}

const char *
store_acclog_owner(const struct store_acclog *a)
{
	return a->owner;
}

bool
store_acclog_live(struct store *st, const char *owner)
{
	char *path;
	struct stat sb;
	bool found;

	if (owner == NULL || !owner_ok(owner))
		return false;
	path = xasprintf("%s%s%s", st->path, ACCLOG_SUFFIX, owner);
	found = lstat(path, &sb) == 0;
	free(path);
	return found;
}

/* What follows the prefix in a name beside the store: 1 a log, 0 not. */
static int
acclog_name(const char *rest)
{
	static const char *const not_logs[] = { "-wal", "-shm", "-journal",
	    ".broken", ACCLOG_NEW };
	size_t n = strlen(rest);

	if (n == 0)
		return 0;
	for (size_t i = 0; i < sizeof(not_logs) / sizeof(not_logs[0]); i++) {
		size_t k = strlen(not_logs[i]);

		if (n >= k && strcmp(rest + n - k, not_logs[i]) == 0)
			return 0;
	}
	return 1;
}

/* One accepted copy filed: its row, if still `sending`, becomes `sent`. */
static int
file_one(struct store *st, int64_t id, int64_t code, int64_t at,
    int64_t *count, struct err *e)
{
	if (store_run(st, "UPDATE queue SET state = 'sent', last_code = ?2, "
	    "last_enh = NULL, last_text = 'accepted; filed after an "
	    "interruption', done_at = ?3, lease_until = NULL, lease_pid = "
	    "NULL, lease_owner = NULL WHERE id = ?1 AND state = 'sending'",
	    "file acceptance log", NULL, NULL, e, STORE_VALS(STORE_I(id),
	    STORE_I(code), STORE_I(at))) != 0)
		return -1;
	*count += sqlite3_changes(st->db);
	return 0;
}

/*
 * File the records of the log open at fd into st, in one transaction:
 * the `sending` rows they name become `sent`; a row already filed is
 * left as it is.  The log ends at its last whole record whose sum
 * holds.  -1 the store failed (e set), -2 the log cannot be read.
 */
static int
flat_file(struct store *st, int fd, int64_t *n, struct err *e)
{
	unsigned char *buf = xmalloc((size_t)ACCLOG_READ * ACCLOG_REC);
	off_t off = ACCLOG_MAGIC_LEN;
	int64_t count = 0;
	ssize_t got;
	bool end = false;
	int ret = -1;

	if (store_begin(st, e) != 0)
		goto out;
	while (!end && (got = pread(fd, buf, (size_t)ACCLOG_READ * ACCLOG_REC,
	    off)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			ret = -2;
			goto rollback;
		}
		for (ssize_t i = 0; i + ACCLOG_REC <= got; i += ACCLOG_REC) {
			const unsigned char *r = buf + i;

			if (get_le(r + 20, 4) != rec_sum(r)) {
				end = true;
				break;
			}
			if (file_one(st, (int64_t)get_le(r, 8),
			    (int64_t)get_le(r + 16, 4), (int64_t)get_le(r + 8, 8),
			    &count, e) != 0)
				goto rollback;
		}
		off += got - got % ACCLOG_REC;
		end = end || got % ACCLOG_REC != 0;
	}
	if (store_commit(st, e) == 0) {
		*n += count;
		ret = 0;
	}
	goto out;
rollback:
	store_rollback(st);
out:
	free(buf);
	return ret;
}

/*
 * File a log of an older kring, a SQLite database open in db, as
 * flat_file does.  A log without its table (its sender died creating
 * it) names nothing: 0.
 */
static int
sqlite_file(struct store *st, sqlite3 *db, int64_t *n, struct err *e)
{
	sqlite3_stmt *rd = NULL;
	int64_t count = 0;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(db, "SELECT queue_id, code, at FROM accepted",
	    -1, &rd, NULL) != SQLITE_OK)
		return sqlite3_errcode(db) == SQLITE_ERROR ? 0 : -2;
	if (store_begin(st, e) != 0)
		goto fail;
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW)
		if (file_one(st, sqlite3_column_int64(rd, 0),
		    sqlite3_column_int64(rd, 1), sqlite3_column_int64(rd, 2),
		    &count, e) != 0)
			goto rollback;
	if (rc != SQLITE_DONE) {
		ret = -2;
		goto rollback;
	}
	sqlite3_finalize(rd);
	if (store_commit(st, e) != 0)
		return -1;
	*n += count;
	return 0;
rollback:
	store_rollback(st);
fail:
	sqlite3_finalize(rd);
	return ret;
}

/* A log that cannot be read is renamed out of the way and reported. */
static void
set_aside(const char *path, const char *why)
{
	char *to = xasprintf("%s.broken", path);

	log_event(LV_ERROR, "event=send result=unreadable log=%s error=%s "
	    "kept=%s", path, why, to);
	if (rename(path, to) != 0)
		log_event(LV_ERROR, "event=send result=stale file=%s error=%s",
		    path, strerror(errno));
	free(to);
}

int
store_acclog_file(struct store *st, struct store_acclog *a, int64_t *n,
    struct err *e)
{
	int rc;

	*n = 0;
	rc = flat_file(st, a->fd, n, e);
	if (rc == -2)
		return acclog_errno(a->path, "read", errno, e);
	return rc;
}

/*
 * File an older kring's log, at path and flocked, as acclog_apply does.
 * SQLite's own lock (BEGIN EXCLUSIVE) also keeps out a sender of a
 * kring older still, which held no flock.
 */
static int
sqlite_apply(struct store *st, const char *path, int64_t *n, struct err *e)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);

	/* Held until the log is gone. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		bool busy = (rc & 0xff) == SQLITE_BUSY ||
		    (rc & 0xff) == SQLITE_LOCKED;

		if (!busy)
			set_aside(path, db != NULL ? sqlite3_errmsg(db) :
			    sqlite3_errstr(rc));
		sqlite3_close(db);
		return 0;
	}
	rc = sqlite_file(st, db, n, e);
	if (rc == -2)
		set_aside(path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == -2 ? 0 : rc == 0 ? 1 : -1;
}

/*
 * File one dead sender's log into st and remove it: 1 done, 0 its
 * sender lives (the log is locked) or it was set aside, -1 the store
 * failed.  A log is taken by its flock first.  A log shorter than its
 * header is one whose sender died making it: it names nothing.
 */
static int
acclog_apply(struct store *st, const char *path, int64_t *n, struct err *e)
{
	char head[ACCLOG_MAGIC_LEN];
	ssize_t got;
	int fd, rc;

	if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return 0;
	}
	got = pread(fd, head, sizeof(head), 0);
	if (got >= 0 && got < ACCLOG_MAGIC_LEN &&
	    memcmp(head, ACCLOG_MAGIC, (size_t)got) == 0)
		rc = 1;
	else if (got == ACCLOG_MAGIC_LEN &&
	    memcmp(head, ACCLOG_MAGIC, ACCLOG_MAGIC_LEN) == 0) {
		rc = flat_file(st, fd, n, e);
		if (rc == -2)
			set_aside(path, strerror(errno));
		rc = rc == -2 ? 0 : rc == 0 ? 1 : -1;
	} else if (got == ACCLOG_MAGIC_LEN &&
	    memcmp(head, ACCLOG_SQLITE, sizeof(ACCLOG_SQLITE)) == 0)
		rc = sqlite_apply(st, path, n, e);
	else {
		set_aside(path, got < 0 ? strerror(errno) :
		    "not an acceptance log");
		rc = 0;
	}
	if (rc == 1)
		acclog_unlink(path);
	close(fd);
	return rc;
}

/* A log that never got its name: its sender died making it. */
static void
acclog_drop_new(const char *path)
{
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && unlink(path) != 0)
		log_event(LV_WARN, "event=send result=stale file=%s error=%s",
		    path, strerror(errno));
	close(fd);
}

int
store_acclog_recover(struct store *st, int64_t *n, struct err *e)
{
	char *prefix = xasprintf("%s%s", st->path, ACCLOG_SUFFIX);
	char *pattern = xasprintf("%s*", prefix);
	size_t plen = strlen(prefix), k = strlen(ACCLOG_NEW);
	glob_t g;
	int rc = 0;

	*n = 0;
	memset(&g, 0, sizeof(g));
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
			const char *name = g.gl_pathv[i];
			size_t len = strlen(name);

			if (acclog_name(name + plen)) {
				if (acclog_apply(st, name, n, e) < 0)
					rc = -1;
			} else if (len > plen + k &&
			    strcmp(name + len - k, ACCLOG_NEW) == 0)
				acclog_drop_new(name);
		}
	}
	globfree(&g);
	free(pattern);
	free(prefix);
	return rc;
}
