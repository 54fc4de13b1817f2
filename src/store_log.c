/*
 * store_log - the event log: one row per thing kring did, written in the
 * same transaction as the change it records, so the log never claims a
 * change that was rolled back.
 */
#include "autoconf.h"

#include <string.h>

#include "err.h"
#include "store_int.h"

int
store_event(struct store *st, int64_t at, const char *event,
    const char *list_id, const char *addr, const char *result,
    const char *detail, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO events(at, event, "
	    "list_id, addr, result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, at);
	store_bind_text(s, 2, event);
	store_bind_text(s, 3, list_id);
	store_bind_text(s, 4, addr);
	store_bind_text(s, 5, result ? result : "ok");
	store_bind_text(s, 6, detail);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "log event");
}

int
store_log_each(struct store *st, int64_t since, store_event_cb *cb, void *arg,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT at, event, list_id, addr, "
	    "result, detail FROM events WHERE at >= ?1 ORDER BY at, id", e);
	struct store_event_rec ev;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ev.at = sqlite3_column_int64(s, 0);
		ev.event = (const char *)sqlite3_column_text(s, 1);
		ev.list_id = (const char *)sqlite3_column_text(s, 2);
		ev.addr = (const char *)sqlite3_column_text(s, 3);
		ev.result = (const char *)sqlite3_column_text(s, 4);
		ev.detail = (const char *)sqlite3_column_text(s, 5);
		if (cb(&ev, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "read event log");
}

int
store_prune(struct store *st, int64_t now, int64_t retention,
    int64_t *n_events, int64_t *n_tokens, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*n_events = *n_tokens = 0;
	if ((s = store_stmt(st, "DELETE FROM events WHERE at < ?1", e)) == NULL)
		return -1;
	store_bind_int(s, 1, now - retention);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "prune events");
	*n_events = sqlite3_changes(st->db);
	if ((s = store_stmt(st, "DELETE FROM tokens WHERE kind = 'confirm' AND "
	    "((used_at IS NULL AND expires < ?1) OR used_at < ?2)", e)) == NULL)
		return -1;
	store_bind_int(s, 1, now);
	store_bind_int(s, 2, now - retention);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "prune tokens");
	*n_tokens = sqlite3_changes(st->db);
	/* Only the last 24 hours count for confirm_limit. */
	if ((s = store_stmt(st, "DELETE FROM confirm_sent WHERE at < ?1",
	    e)) == NULL)
		return -1;
	store_bind_int(s, 1, now - 2 * 24 * 3600);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "prune confirmations");
}

int
store_event_count(struct store *st, const char *event, const char *addr,
    int64_t since, int64_t *n, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM events WHERE "
	    "at >= ?1 AND event = ?2 AND addr = ?3 COLLATE NOCASE", e);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, since);
	store_bind_text(s, 2, event);
	store_bind_text(s, 3, addr);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "count events");
}
