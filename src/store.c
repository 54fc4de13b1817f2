/*
 * store - the SQLite connection: open, pragmas, transactions, statement
 * cache and error mapping.  The tables and their typed functions live in
 * store_schema.c and store_<area>.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "store_int.h"
#include "xmem.h"

static int
pragma(struct store *st, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, EX_SOFTWARE, "store %s: %s: %s", st->path, sql,
		    msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Create the file ourselves with O_EXCL and mode 0600, so the store is
 * never readable by others whatever the umask (it holds addresses and
 * consent records).
 */
static int
create_file(const char *path, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return err_set(e, errno == ENOENT ? EX_CANTCREAT : EX_CANTCREAT,
		    "store %s: cannot create: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

int
store_open(const char *path, int flags, struct store **out, struct err *e)
{
	struct store *st;
	struct stat sb;
	int oflags, rc;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || !(flags & STORE_CREATE))
			return err_set(e, errno == ENOENT ? EX_NOINPUT : EX_IOERR,
			    "store %s: %s", path, errno == ENOENT ?
			    "does not exist (run kring init)" : strerror(errno));
		if (create_file(path, e) != 0)
			return -1;
	} else if (!S_ISREG(sb.st_mode)) {
		return err_set(e, EX_CONFIG, "store %s: not a regular file", path);
	}

	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->flags = flags;
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	rc = sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, EX_IOERR, "store %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		store_close(&st);
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (store_fts_register(st->db) != SQLITE_OK) {
		err_set(e, EX_SOFTWARE, "store %s: SQLite without FTS5", path);
		store_close(&st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/*
	 * synchronous=FULL: kring deliver's exit 0 promises the row is on
	 * disk.  STORE_SENDER trades that for speed where a lost commit
	 * costs a repeat, never a loss: see store.h.
	 */
	if (pragma(st, "PRAGMA foreign_keys=ON", e) != 0 ||
	    pragma(st, (flags & STORE_SENDER) ? "PRAGMA synchronous=NORMAL" :
	    "PRAGMA synchronous=FULL", e) != 0 ||
	    (!(flags & STORE_READONLY) &&
	     pragma(st, "PRAGMA journal_mode=WAL", e) != 0)) {
		store_close(&st);
		return -1;
	}
	if (!(flags & STORE_READONLY) && store_schema_migrate(st, e) != 0) {
		store_close(&st);
		return -1;
	}
	if (store_schema_version_of(st->db) != store_schema_latest()) {
		err_set(e, EX_CONFIG, "store %s: schema version %d, this kring "
		    "knows %d", path, store_schema_version_of(st->db),
		    store_schema_latest());
		store_close(&st);
		return -1;
	}
	*out = st;
	return 0;
}

void
store_close(struct store **stp)
{
	struct store *st = *stp;

	if (st == NULL)
		return;
	if (st->tx_depth > 0)
		store_rollback(st);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		sqlite3_finalize(st->cache[i].stmt);
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
	*stp = NULL;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

int
store_schema_version(struct store *st)
{
	return store_schema_version_of(st->db);
}

static size_t
slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 7) % STORE_STMT_CACHE;
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql, struct err *e)
{
	size_t i = slot_of(sql);
	sqlite3_stmt *s;

	for (size_t n = 0; n < STORE_STMT_CACHE; n++, i = (i + 1) % STORE_STMT_CACHE) {
		if (st->cache[i].sql == sql) {
			sqlite3_reset(st->cache[i].stmt);
			sqlite3_clear_bindings(st->cache[i].stmt);
			return st->cache[i].stmt;
		}
		if (st->cache[i].sql == NULL)
			break;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		store_fail(st, e, "prepare");
		return NULL;
	}
	if (st->cache[i].sql != NULL) {
		/* Cache full: more distinct statements than slots is a bug. */
		log_fatal(EX_SOFTWARE, "store: statement cache full");
	}
	st->cache[i].sql = sql;
	st->cache[i].stmt = s;
	return s;
}

void
store_done(sqlite3_stmt *stmt)
{
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
}

int
store_fail(struct store *st, struct err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);
	int ex;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		ex = EX_TEMPFAIL;
		break;
	case SQLITE_CONSTRAINT:
		ex = EX_DATAERR;
		break;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		ex = EX_IOERR;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		ex = EX_CANTCREAT;
		break;
	default:
		ex = EX_SOFTWARE;
	}
	return err_set(e, ex, "store %s: %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

int
store_exec(struct store *st, const char *sql, struct err *e)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, e, "exec");
	return 0;
}

int
store_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, idx);
	return sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT);
}

int
store_bind_int(sqlite3_stmt *s, int idx, int64_t v)
{
	return sqlite3_bind_int64(s, idx, v);
}

char *
store_col_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t ? xstrdup((const char *)t) : NULL;
}

/* sql's statement with v bound to ?1..?n, or NULL with e set. */
static sqlite3_stmt *
bound(struct store *st, const char *sql, struct err *e, size_t n,
    const struct store_val *v)
{
	sqlite3_stmt *s = store_stmt(st, sql, e);

	for (size_t i = 0; s != NULL && i < n; i++) {
		if (v[i].type == 't')
			store_bind_text(s, (int)i + 1, v[i].text);
		else if (v[i].type == 'r')
			sqlite3_bind_double(s, (int)i + 1, v[i].real);
		else if (v[i].type == 'b')
			sqlite3_bind_blob64(s, (int)i + 1, v[i].text,
			    (sqlite3_uint64)v[i].num, SQLITE_STATIC);
		else
			store_bind_int(s, (int)i + 1, v[i].num);
	}
	return s;
}

int
store_run(struct store *st, const char *sql, const char *what,
    store_row_fn *row, void *arg, struct err *e, size_t n,
    const struct store_val *v)
{
	sqlite3_stmt *s = bound(st, sql, e, n, v);
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (row != NULL && (stop = row(s, arg)) != 0)
			break;
	store_done(s);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, what);
}

struct rows_read {
	size_t size;
	store_row_fn *fill;
	void **all;
	size_t *count;
};

static int
row_read(sqlite3_stmt *s, void *arg)
{
	struct rows_read *r = arg;
	size_t k = *r->count;
	char *at;

	/* The capacity is a power of two, at least 8: grow when it is full. */
	if (k == 0 || (k >= 8 && (k & (k - 1)) == 0))
		*r->all = xreallocarray(*r->all, k < 8 ? 8 : 2 * k, r->size);
	at = (char *)*r->all + k * r->size;
	memset(at, 0, r->size);
	*r->count = k + 1;
	return r->fill(s, at);
}

int
store_all(struct store *st, const char *sql, const char *what,
    size_t size, store_row_fn *fill, void **all, size_t *count,
    struct err *e, size_t n, const struct store_val *v)
{
	struct rows_read r = { size, fill, all, count };

	return store_run(st, sql, what, row_read, &r, e, n, v) < 0 ? -1 : 0;
}

int
store_one(struct store *st, const char *sql, const char *what,
    store_row_fn *row, void *arg, struct err *e, size_t n,
    const struct store_val *v)
{
	sqlite3_stmt *s = bound(st, sql, e, n, v);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && row != NULL)
		row(s, arg);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, what);
}

static int
first_int(sqlite3_stmt *s, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 0;
}

int
store_int(struct store *st, const char *sql, const char *what,
    int64_t *out, struct err *e, size_t n, const struct store_val *v)
{
	return store_one(st, sql, what, first_int, out, e, n, v);
}

int
store_row_int(struct store *st, const char *sql, const char *what,
    int64_t *out, struct err *e, size_t n, const struct store_val *v)
{
	int r = store_int(st, sql, what, out, e, n, v);

	if (r == 0)
		return store_fail(st, e, what);
	return r < 0 ? -1 : 0;
}

int
store_row_text(sqlite3_stmt *s, void *arg)
{
	*(char **)arg = store_col_text(s, 0);
	return 0;
}

int
store_text(struct store *st, const char *sql, const char *what,
    char **out, struct err *e, size_t n, const struct store_val *v)
{
	*out = NULL;
	return store_one(st, sql, what, store_row_text, out, e, n, v);
}

char *
store_col_blob(sqlite3_stmt *s, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	char *out = xmalloc(n + 1);

	if (n > 0)
		memcpy(out, p, n);
	out[n] = '\0';
	*len = n;
	return out;
}

int
store_begin(struct store *st, struct err *e)
{
	if (st->tx_depth > 0)
		log_fatal(EX_SOFTWARE, "store: nested transaction");
	if (store_exec(st, "BEGIN IMMEDIATE", e) != 0)
		return err_prefix(e, "begin");
	st->tx_depth = 1;
	return 0;
}

int
store_commit(struct store *st, struct err *e)
{
	if (st->tx_depth == 0)
		log_fatal(EX_SOFTWARE, "store: commit without begin");
	if (store_exec(st, "COMMIT", e) != 0) {
		store_rollback(st);
		return err_prefix(e, "commit");
	}
	st->tx_depth = 0;
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->tx_depth == 0)
		return;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->tx_depth = 0;
}

bool
store_in_transaction(const struct store *st)
{
	return st->tx_depth > 0;
}

void
store_checkpoint(struct store *st)
{
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
}

int
store_meta_get(struct store *st, const char *key, char **value, struct err *e)
{
	return store_text(st, "SELECT value FROM meta WHERE key = ?1", "meta",
	    value, e, STORE_VALS(STORE_T(key)));
}

int
store_meta_set(struct store *st, const char *key, const char *value, struct err *e)
{
	return store_run(st, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", "meta",
	    NULL, NULL, e, STORE_VALS(STORE_T(key), STORE_T(value)));
}
