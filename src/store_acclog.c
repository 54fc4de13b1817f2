/*
 * store_acclog - the sender's acceptance log (see store.h).
 *
 * A copy the server has taken must be on disk before the next message
 * of its connection goes out, and that is one write per message.  In the
 * shared store such a commit takes the WAL and shared-memory locks of
 * every connection and costs about as much as the SMTP exchange around
 * it; in a database that only its process ever opens, in exclusive
 * locking mode, it is one append to the WAL.  The log lives as long as
 * one send pass: what is in it is filed into the store with each batch,
 * and a log left behind by a sender that died is applied on recovery.
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

struct store_acclog {
	sqlite3 *db;
	sqlite3_stmt *add;
	char *path;
	int lockfd;                  /* holds the flock while the log lives */
	char owner[STORE_OWNER_LEN + 1];
};

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
acclog_fail(sqlite3 *db, const char *path, const char *what, struct err *e)
{
	return err_set(e, EX_IOERR, "acceptance log %s: %s: %s", path, what,
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(SQLITE_NOMEM));
}

/* The log's file and the two SQLite keeps beside it. */
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
	/*
	 * Exclusive locking before the first access keeps the WAL index in
	 * our own memory and the file locked until close: no other process
	 * reads a log whose sender still runs.  The log is written, never
	 * read back while it lives: a small cache keeps the sender's memory
	 * from growing with the number of messages.
	 */
	static const char setup[] = "PRAGMA locking_mode=EXCLUSIVE;"
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA cache_size=-128;"
	    "CREATE TABLE accepted (queue_id INTEGER PRIMARY KEY, "
	    "code INTEGER NOT NULL, at INTEGER NOT NULL) STRICT;";
	struct store_acclog *a = xcalloc(1, sizeof(*a));
	unsigned char raw[STORE_OWNER_LEN / 2];

	*out = NULL;
	a->lockfd = -1;
	if (token_random(raw, sizeof(raw)) != 0) {
		free(a);
		return err_set(e, EX_OSERR, "acceptance log: no randomness "
		    "for its name: %s", strerror(errno));
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(a->owner + 2 * i, 3, "%02x", raw[i]);
	a->path = xasprintf("%s%s%s", store_path, ACCLOG_SUFFIX, a->owner);
	if ((a->lockfd = acclog_create(a->path, e)) < 0) {
		free(a->path);
		free(a);
		return -1;
	}
	if (sqlite3_open_v2(a->path, &a->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    /* Should a recovery ever hold it for a moment (acclog_apply). */
	    sqlite3_busy_timeout(a->db, STORE_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(a->db, setup, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO accepted "
	    "VALUES (?1, ?2, ?3)", -1, &a->add, NULL) != SQLITE_OK) {
		acclog_fail(a->db, a->path, "cannot create", e);
		store_acclog_close(&a, false);
		return -1;
	}
	*out = a;
	return 0;
}

int
store_acclog_add(struct store_acclog *a, int64_t queue_id, int code,
    int64_t at, struct err *e)
{
	int rc;

	sqlite3_bind_int64(a->add, 1, queue_id);
	sqlite3_bind_int64(a->add, 2, code);
	sqlite3_bind_int64(a->add, 3, at);
	rc = sqlite3_step(a->add);
	sqlite3_reset(a->add);
	return rc == SQLITE_DONE ? 0 : acclog_fail(a->db, a->path, "append", e);
}

void
store_acclog_close(struct store_acclog **ap, bool keep)
{
	struct store_acclog *a = *ap;

	if (a == NULL)
		return;
	sqlite3_finalize(a->add);
	sqlite3_close(a->db);
	if (keep)
		log_event(LV_ERROR, "event=send result=unfiled log=%s",
		    a->path);
	else
		acclog_unlink(a->path);
	/* Last: while the lock holds, the log is nobody else's to file. */
	if (a->lockfd >= 0)
		close(a->lockfd);
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

/*
 * File the rows of the log open in db into st, in one transaction: the
 * `sending` rows it names become `sent`; a row already filed is left as
 * it is.  A log without its table (its sender died creating it) names
 * nothing: 0.  -1 the store failed (e set), -2 the log cannot be read.
 */
static int
acclog_file(struct store *st, sqlite3 *db, const char *path, int64_t *n,
    struct err *e)
{
	sqlite3_stmt *rd = NULL;
	int64_t count = 0;
	int rc, ret = -1;

	(void)path;
	if (sqlite3_prepare_v2(db, "SELECT queue_id, code, at FROM accepted",
	    -1, &rd, NULL) != SQLITE_OK)
		return sqlite3_errcode(db) == SQLITE_ERROR ? 0 : -2;
	if (store_begin(st, e) != 0)
		goto fail;
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
		if (store_run(st, "UPDATE queue SET state = 'sent', "
		    "last_code = ?2, last_enh = NULL, last_text = 'accepted; "
		    "filed after an interruption', done_at = ?3, lease_until = "
		    "NULL, lease_pid = NULL, lease_owner = NULL WHERE id = ?1 AND "
		    "state = 'sending'", "file acceptance log", NULL, NULL, e,
		    STORE_VALS(STORE_I(sqlite3_column_int64(rd, 0)),
		    STORE_I(sqlite3_column_int64(rd, 1)),
		    STORE_I(sqlite3_column_int64(rd, 2)))) != 0)
			goto rollback;
		count += sqlite3_changes(st->db);
	}
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
	rc = acclog_file(st, a->db, a->path, n, e);
	if (rc == -2)
		return acclog_fail(a->db, a->path, "read", e);
	return rc;
}

/*
 * File one dead sender's log into st and remove it: 1 done, 0 its
 * sender lives (the log is locked) or it was set aside, -1 the store
 * failed.  A log is taken by its flock first; SQLite's own lock
 * (BEGIN EXCLUSIVE) then still keeps out a sender of an older kring,
 * which held no flock.  The flock is the guard: closing fd drops the
 * fcntl locks SQLite holds on a live log of this process (kringd's
 * send thread), and that is harmless only because nobody opens a log
 * without the flock.
 */
static int
acclog_apply(struct store *st, const char *path, int64_t *n, struct err *e)
{
	sqlite3 *db = NULL;
	int fd, rc;

	if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return 0;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
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
		close(fd);
		return 0;
	}
	rc = acclog_file(st, db, path, n, e);
	if (rc == -2)
		set_aside(path, sqlite3_errmsg(db));
	sqlite3_close(db);
	if (rc == 0)
		acclog_unlink(path);
	close(fd);
	return rc == -1 ? -1 : 1;
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
