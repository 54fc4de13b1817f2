/*
 * store_inbound - inbound messages, raw, as they arrive (see intake.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

/* The row of a message already there: by digest, or by source uid. */
static int
find(struct store *st, const struct store_inbound *in, int64_t *id,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM inbound WHERE "
	    "digest = ?1 OR (source = ?2 AND source_uid = ?3)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, in->digest);
	store_bind_text(s, 2, in->source);
	store_bind_text(s, 3, in->source_uid);
	rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	store_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    store_fail(st, e, "find inbound message");
}

int
store_inbound_add(struct store *st, const struct store_inbound *in,
    int64_t *id, struct err *e)
{
	sqlite3_stmt *s;
	int rc, added;

	*id = 0;
	if (store_begin(st, e) != 0)
		return -1;
	s = store_stmt(st, "INSERT INTO inbound (received, source, source_uid, "
	    "envelope_rcpt, message_id, digest, size, raw, full_size) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0)) ON CONFLICT DO "
	    "NOTHING", e);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	store_bind_int(s, 1, in->received);
	store_bind_text(s, 2, in->source);
	store_bind_text(s, 3, in->source_uid);
	store_bind_text(s, 4, in->envelope_rcpt);
	store_bind_text(s, 5, in->message_id);
	store_bind_text(s, 6, in->digest);
	store_bind_int(s, 7, (int64_t)in->size);
	sqlite3_bind_blob64(s, 8, in->raw, (sqlite3_uint64)in->size,
	    SQLITE_STATIC);
	store_bind_int(s, 9, in->full_size);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, e, "store inbound message");
		store_rollback(st);
		return -1;
	}
	added = sqlite3_changes(st->db) > 0;
	if (added)
		*id = sqlite3_last_insert_rowid(st->db);
	else if (find(st, in, id, e) != 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, e) != 0)
		return -1;
	return added;
}

void
store_inbound_row_clear(struct store_inbound_row *r)
{
	free(r->source);
	free(r->envelope_rcpt);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

/* One row of SQL s, bound to ?1: id, received, source, rcpt, raw, full_size. */
static int
row_of(struct store *st, sqlite3_stmt *s, int64_t arg,
    struct store_inbound_row *out, struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, arg);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *raw = sqlite3_column_blob(s, 4);
		size_t n = (size_t)sqlite3_column_bytes(s, 4);

		out->id = sqlite3_column_int64(s, 0);
		out->received = sqlite3_column_int64(s, 1);
		out->source = store_col_text(s, 2);
		out->envelope_rcpt = store_col_text(s, 3);
		out->raw = xmalloc(n + 1);
		if (n > 0)
			memcpy(out->raw, raw, n);
		out->raw[n] = '\0';
		out->size = n;
		out->full_size = sqlite3_column_int64(s, 5);
	}
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "read inbound message");
}

int
store_inbound_next(struct store *st, int64_t after,
    struct store_inbound_row *out, struct err *e)
{
	return row_of(st, store_stmt(st, "SELECT id, received, source, "
	    "envelope_rcpt, raw, full_size FROM inbound WHERE state = 'new' AND "
	    "id > ?1 ORDER BY id LIMIT 1", e), after, out, e);
}

int
store_inbound_get(struct store *st, int64_t id, struct store_inbound_row *out,
    struct err *e)
{
	return row_of(st, store_stmt(st, "SELECT id, received, source, "
	    "envelope_rcpt, raw, full_size FROM inbound WHERE id = ?1", e), id,
	    out, e);
}

int
store_inbound_attempt(struct store *st, int64_t id, int delta,
    int64_t *attempts, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*attempts = 0;
	if (store_begin(st, e) != 0)
		return -1;
	if ((s = store_stmt(st, "UPDATE inbound SET attempts = max(attempts + "
	    "?2, 0) WHERE id = ?1 RETURNING attempts", e)) == NULL) {
		store_rollback(st);
		return -1;
	}
	store_bind_int(s, 1, id);
	store_bind_int(s, 2, delta);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*attempts = sqlite3_column_int64(s, 0);
	store_done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, e, "count an attempt");
		store_rollback(st);
		return -1;
	}
	return store_commit(st, e);
}

int
store_inbound_each(struct store *st, const char *state, store_inbound_cb *cb,
    void *arg, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, received, source, "
	    "envelope_rcpt, message_id, coalesce(full_size, size), state, route, "
	    "result, attempts FROM inbound WHERE ?1 = 'all' OR state = ?1 OR "
	    "(?1 IN ('kept', 'office') AND office = 'kept') OR "
	    "(?1 = 'office' AND state = 'failed') ORDER BY id", e);
	struct store_inbound_info in;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, state);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		in.id = sqlite3_column_int64(s, 0);
		in.received = sqlite3_column_int64(s, 1);
		in.source = (const char *)sqlite3_column_text(s, 2);
		in.envelope_rcpt = (const char *)sqlite3_column_text(s, 3);
		in.message_id = (const char *)sqlite3_column_text(s, 4);
		in.size = sqlite3_column_int64(s, 5);
		in.state = (const char *)sqlite3_column_text(s, 6);
		in.route = (const char *)sqlite3_column_text(s, 7);
		in.result = (const char *)sqlite3_column_text(s, 8);
		in.attempts = sqlite3_column_int64(s, 9);
		if (cb(&in, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "list inbound mail");
}

int
store_inbound_done(struct store *st, int64_t id, const char *state,
    const char *route, const char *result, int64_t now, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE inbound SET state = ?2, "
	    "route = ?3, result = ?4, processed_at = ?5 WHERE id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	store_bind_text(s, 2, state);
	store_bind_text(s, 3, route);
	store_bind_text(s, 4, result);
	store_bind_int(s, 5, now);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "record inbound result");
}

int
store_inbound_known(struct store *st, const char *source,
    const char *source_uid, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM inbound WHERE "
	    "source = ?1 AND source_uid = ?2", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, source_uid);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(st, e, "look up inbound message");
}

int
store_inbound_prune(struct store *st, int64_t before, int64_t *n,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "DELETE FROM inbound WHERE state <> "
	    "'new' AND office IS NULL AND coalesce(processed_at, received) < ?1",
	    e);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, before);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "prune inbound mail");
	*n = sqlite3_changes(st->db);
	return 0;
}

int
store_inbound_keep(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE inbound SET office = 'kept' "
	    "WHERE id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "keep inbound message");
}
