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
	return store_run(st, "INSERT INTO events(at, event, list_id, addr, "
	    "result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", "log event",
	    NULL, NULL, e, STORE_VALS(STORE_I(at), STORE_T(event),
	    STORE_T(list_id), STORE_T(addr), STORE_T(result ? result : "ok"),
	    STORE_T(detail)));
}

struct event_walk {
	store_event_cb *cb;
	void *arg;
};

static int
event_row(sqlite3_stmt *s, void *arg)
{
	struct event_walk *w = arg;
	struct store_event_rec ev;

	ev.at = sqlite3_column_int64(s, 0);
	ev.event = (const char *)sqlite3_column_text(s, 1);
	ev.list_id = (const char *)sqlite3_column_text(s, 2);
	ev.addr = (const char *)sqlite3_column_text(s, 3);
	ev.result = (const char *)sqlite3_column_text(s, 4);
	ev.detail = (const char *)sqlite3_column_text(s, 5);
	return w->cb(&ev, w->arg) != 0;
}

int
store_log_each(struct store *st, int64_t since, store_event_cb *cb, void *arg,
    struct err *e)
{
	struct event_walk w = { cb, arg };

	return store_run(st, "SELECT at, event, list_id, addr, result, detail "
	    "FROM events WHERE at >= ?1 ORDER BY at, id", "read event log",
	    event_row, &w, e, STORE_VALS(STORE_I(since))) < 0 ? -1 : 0;
}

int
store_prune(struct store *st, int64_t now, int64_t retention,
    int64_t *n_events, int64_t *n_tokens, struct err *e)
{
	*n_events = *n_tokens = 0;
	if (store_run(st, "DELETE FROM events WHERE at < ?1", "prune events",
	    NULL, NULL, e, STORE_VALS(STORE_I(now - retention))) != 0)
		return -1;
	*n_events = sqlite3_changes(st->db);
	if (store_run(st, "DELETE FROM tokens WHERE kind = 'confirm' AND "
	    "((used_at IS NULL AND expires < ?1) OR used_at < ?2)",
	    "prune tokens", NULL, NULL, e,
	    STORE_VALS(STORE_I(now), STORE_I(now - retention))) != 0)
		return -1;
	*n_tokens = sqlite3_changes(st->db);
	/* Only the last 24 hours count for confirm_limit. */
	return store_run(st, "DELETE FROM confirm_sent WHERE at < ?1",
	    "prune confirmations", NULL, NULL, e,
	    STORE_VALS(STORE_I(now - 2 * 24 * 3600)));
}

int
store_event_count(struct store *st, const char *event, const char *addr,
    int64_t since, int64_t *n, struct err *e)
{
	*n = 0;
	return store_row_int(st, "SELECT count(*) FROM events WHERE at >= ?1 "
	    "AND event = ?2 AND addr = ?3 COLLATE NOCASE", "count events", n, e,
	    STORE_VALS(STORE_I(since), STORE_T(event), STORE_T(addr)));
}
