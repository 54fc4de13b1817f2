/*
 * store_int - what the store*.c files share and nobody else may see:
 * the connection, the statement cache and SQLite error mapping.
 *
 * Statements are cached by the address of their SQL text, so every SQL
 * string must be a string literal (or otherwise live as long as the
 * process).  store_stmt() hands out a statement that is reset and has its
 * bindings cleared; callers bind, step, and must store_done() it before
 * doing anything else, so no statement ever holds a read transaction
 * open (which would pin the WAL and make the next write fail with
 * SQLITE_BUSY_SNAPSHOT).
 */
#ifndef KRING_STORE_INT_H
#define KRING_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

#define STORE_STMT_CACHE 256
#define STORE_BUSY_MS 5000

struct store_stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	int flags;
	int tx_depth;
	struct store_stmt_slot cache[STORE_STMT_CACHE];
};

/* A ready statement for sql (a literal), or NULL with e set. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct err *e);
/* Reset a statement taken from store_stmt (NULL is fine). */
void store_done(sqlite3_stmt *stmt);

/* Map the connection's last error to e; `what` says what was being done. */
int store_fail(struct store *st, struct err *e, const char *what);

/* Run literal SQL with no parameters and no result rows. 0/-1. */
int store_exec(struct store *st, const char *sql, struct err *e);

/* Bind helpers: a NULL string binds SQL NULL. Return the sqlite code. */
int store_bind_text(sqlite3_stmt *s, int idx, const char *v);
int store_bind_int(sqlite3_stmt *s, int idx, int64_t v);

/* Column as a new string (NULL column -> NULL). */
char *store_col_text(sqlite3_stmt *s, int col);
/* Column's bytes as a new NUL-terminated copy, *len of them. */
char *store_col_blob(sqlite3_stmt *s, int col, size_t *len);

/*
 * The helpers below are a store function's SQL and its meaning, without
 * the prepare/bind/step/store_done around them: sql (a literal, cached
 * as store_stmt's) gets the values of STORE_VALS(STORE_T(text),
 * STORE_I(integer), STORE_R(real), ...) bound to ?1, ?2, ...; an
 * SQLite error is store_fail(what).
 */
struct store_val {
	char type;           /* 't' text (NULL binds NULL), 'i', 'r', 'b' */
	const char *text;
	int64_t num;
	double real;
};
#define STORE_T(v) ((struct store_val){ 't', (v), 0, 0 })
#define STORE_I(v) ((struct store_val){ 'i', NULL, (int64_t)(v), 0 })
#define STORE_R(v) ((struct store_val){ 'r', NULL, 0, (double)(v) })
/* n bytes at p, which must live until the helper returns. */
#define STORE_B(p, n) ((struct store_val){ 'b', (p), (int64_t)(n), 0 })
/* A row id; 0 (none) binds NULL. */
#define STORE_ID(v) ((v) > 0 ? STORE_I(v) : STORE_T(NULL))
#define STORE_VALS(...) \
	(sizeof((struct store_val[]){ __VA_ARGS__ }) / \
	sizeof(struct store_val)), (struct store_val[]){ __VA_ARGS__ }
#define STORE_NOVALS 0, NULL

/* Called on a result row: 0 goes on, anything else stops the walk. */
typedef int store_row_fn(sqlite3_stmt *s, void *arg);
/* A row fn: the first column as a new string into *(char **)arg. */
int store_row_text(sqlite3_stmt *s, void *arg);

/*
 * Run sql, calling row (NULL: none wanted) on each result row.  0 when
 * it ran to its end, row's nonzero return when that stopped it, -1 with
 * e set on an SQLite error.  row must not use the store itself.
 */
int store_run(struct store *st, const char *sql, const char *what,
    store_row_fn *row, void *arg, struct err *e, size_t n,
    const struct store_val *v);

/*
 * Every row into an array of elements of size bytes: fill is called on
 * each row with a zeroed new element at the end of *all (*count of
 * them, grown as needed; both may hold earlier rows).  0, or -1 with e
 * set, *all and *count then holding what was read (the caller frees).
 */
int store_all(struct store *st, const char *sql, const char *what,
    size_t size, store_row_fn *fill, void **all, size_t *count,
    struct err *e, size_t n, const struct store_val *v);

/* Only the first row: 1 with row called on it, 0 no row, -1 error. */
int store_one(struct store *st, const char *sql, const char *what,
    store_row_fn *row, void *arg, struct err *e, size_t n,
    const struct store_val *v);

/* The first column of the first row: 1 with *out set, 0 none, -1. */
int store_int(struct store *st, const char *sql, const char *what,
    int64_t *out, struct err *e, size_t n, const struct store_val *v);
/*
 * For sql that always yields a row (an aggregate, INSERT ... RETURNING):
 * its first column in *out, 0, or -1 with e set.
 */
int store_row_int(struct store *st, const char *sql, const char *what,
    int64_t *out, struct err *e, size_t n, const struct store_val *v);
/* The same as a new string (NULL for none, or an SQL NULL). */
int store_text(struct store *st, const char *sql, const char *what,
    char **out, struct err *e, size_t n, const struct store_val *v);

/* The FTS5 tokenizer "kring" on db (store_fts.c); an SQLite code. */
int store_fts_register(sqlite3 *db);

/* Where a new post goes in the archive (store_archive.c). */
struct store_thread {
	int64_t thread_id;      /* 0: a thread of its own */
	char *subject_key;      /* the subject without Re:, Fwd:, [tag] */
	char *body;             /* the text as indexed: no marker bytes */
};
int store_post_thread(struct store *st, const struct post *p,
    struct store_thread *out, struct err *e);
void store_thread_clear(struct store_thread *t);
int store_post_own_thread(struct store *st, int64_t id, struct err *e);

/* Schema (store_schema.c). */
int store_schema_migrate(struct store *st, struct err *e);
int store_schema_version_of(sqlite3 *db);

#endif
