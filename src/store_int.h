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
