/*
 * store - everything kring keeps, in one SQLite database.
 *
 * The store owns the schema (migrated by PRAGMA user_version), the
 * connection settings (WAL, synchronous=FULL, busy_timeout, foreign keys)
 * and every SQL statement: callers see typed functions, never SQL, and
 * every statement is prepared once per connection with its values bound,
 * never pasted.  Only store*.c include <sqlite3.h>.
 *
 * Transactions: a logical change (one CLI command, one inbound message,
 * one claimed batch) is one store_begin()..store_commit(), taken with
 * BEGIN IMMEDIATE so that a read-then-write never fails half-way with a
 * stale snapshot.  Functions that write must be called inside one; those
 * that only read may be called outside.  When another process holds the
 * write lock longer than the busy timeout the error is EX_TEMPFAIL, which
 * kring deliver passes to the MTA so it retries.
 *
 * Errors: -1 with struct err; codes EX_TEMPFAIL (busy), EX_DATAERR
 * (constraint: duplicate, unknown reference), EX_IOERR (disk), EX_NOINPUT
 * (no store: run `kring init`), EX_SOFTWARE (anything else).
 * Lookups return 1 found, 0 not found, -1 error.
 *
 * A store handle belongs to one process and one thread; never carry it
 * across fork().
 */
#ifndef KRING_STORE_H
#define KRING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct err;
struct store;

#define STORE_CREATE   0x1   /* create the file and schema if missing */
#define STORE_READONLY 0x2

/*
 * Open (and with STORE_CREATE create, mode 0600, and migrate) the store at
 * path.  Without STORE_CREATE a missing file is EX_NOINPUT "store PATH
 * does not exist (run kring init)".  A store from a newer kring is
 * refused (EX_CONFIG).
 */
int store_open(const char *path, int flags, struct store **out, struct err *e);
void store_close(struct store **st);
const char *store_path(const struct store *st);
/* Schema version of the open store. */
int store_schema_version(struct store *st);
/* The newest schema version this kring knows. */
int store_schema_latest(void);

int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
/* Safe to call when no transaction is open. */
void store_rollback(struct store *st);
bool store_in_transaction(const struct store *st);

/* Fold the WAL back into the database (kringd's idle loop). */
void store_checkpoint(struct store *st);

/* Key/value settings of the store itself (meta table). 1/0/-1. */
int store_meta_get(struct store *st, const char *key, char **value, struct err *e);
int store_meta_set(struct store *st, const char *key, const char *value, struct err *e);

/* ---- lists (store_list.c) ---- */

/* ---- people and subscriptions (store_sub.c) ---- */

/* ---- privacy: person export/erase, suppression (store_person.c) ---- */

/*
 * 1 when hash (hmac_hex of an address in normal form, see hmac.h) is on
 * the suppression list of erased people, 0 when not, -1 error.
 */
int store_suppressed(struct store *st, const char *hash, struct err *e);

/* ---- event log (store_log.c) ---- */

/*
 * Record one event (inside the caller's transaction when one is open, so
 * the event and the change it describes commit together).  event is a
 * short word ("list-add", "subscribe", "import", "erase", "send"...);
 * list_id, addr and detail may be NULL; result is "ok" when NULL.
 */
int store_event(struct store *st, int64_t at, const char *event,
    const char *list_id, const char *addr, const char *result,
    const char *detail, struct err *e);

#endif
