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
	*id = 0;
	return store_int(st, "SELECT id FROM inbound WHERE digest = ?1 OR "
	    "(source = ?2 AND source_uid = ?3)", "find inbound message", id, e,
	    STORE_VALS(STORE_T(in->digest), STORE_T(in->source),
	    STORE_T(in->source_uid))) < 0 ? -1 : 0;
}

int
store_inbound_add(struct store *st, const struct store_inbound *in,
    int64_t *id, struct err *e)
{
	int added;

	*id = 0;
	if (store_begin(st, e) != 0)
		return -1;
	if (store_run(st, "INSERT INTO inbound (received, source, source_uid, "
	    "envelope_rcpt, message_id, digest, size, raw, full_size) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0)) ON CONFLICT DO "
	    "NOTHING", "store inbound message", NULL, NULL, e,
	    STORE_VALS(STORE_I(in->received), STORE_T(in->source),
	    STORE_T(in->source_uid), STORE_T(in->envelope_rcpt),
	    STORE_T(in->message_id), STORE_T(in->digest), STORE_I(in->size),
	    STORE_B(in->raw, in->size), STORE_I(in->full_size))) != 0) {
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

/* id, received, source, rcpt, raw, full_size. */
static int
inbound_row(sqlite3_stmt *s, void *arg)
{
	struct store_inbound_row *out = arg;

	out->id = sqlite3_column_int64(s, 0);
	out->received = sqlite3_column_int64(s, 1);
	out->source = store_col_text(s, 2);
	out->envelope_rcpt = store_col_text(s, 3);
	out->raw = store_col_blob(s, 4, &out->size);
	out->full_size = sqlite3_column_int64(s, 5);
	return 0;
}

#define ROW_COLS "SELECT id, received, source, envelope_rcpt, raw, " \
	"full_size FROM inbound WHERE "

int
store_inbound_next(struct store *st, int64_t after,
    struct store_inbound_row *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, ROW_COLS "state = 'new' AND id > ?1 ORDER BY id "
	    "LIMIT 1", "read inbound message", inbound_row, out, e,
	    STORE_VALS(STORE_I(after)));
}

int
store_inbound_get(struct store *st, int64_t id, struct store_inbound_row *out,
    struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, ROW_COLS "id = ?1", "read inbound message",
	    inbound_row, out, e, STORE_VALS(STORE_I(id)));
}

int
store_inbound_attempt(struct store *st, int64_t id, int delta,
    int64_t *attempts, struct err *e)
{
	*attempts = 0;
	if (store_begin(st, e) != 0)
		return -1;
	if (store_int(st, "UPDATE inbound SET attempts = max(attempts + ?2, 0) "
	    "WHERE id = ?1 RETURNING attempts", "count an attempt", attempts, e,
	    STORE_VALS(STORE_I(id), STORE_I(delta))) < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, e);
}

struct inbound_walk {
	store_inbound_cb *cb;
	void *arg;
};

static int
info_row(sqlite3_stmt *s, void *arg)
{
	struct inbound_walk *w = arg;
	struct store_inbound_info in;

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
	return w->cb(&in, w->arg) != 0;
}

int
store_inbound_each(struct store *st, const char *state, store_inbound_cb *cb,
    void *arg, struct err *e)
{
	struct inbound_walk w = { cb, arg };

	return store_run(st, "SELECT id, received, source, envelope_rcpt, "
	    "message_id, coalesce(full_size, size), state, route, result, "
	    "attempts FROM inbound WHERE ?1 = 'all' OR state = ?1 OR "
	    "(?1 IN ('kept', 'office') AND office = 'kept') OR "
	    "(?1 = 'office' AND state = 'failed') ORDER BY id",
	    "list inbound mail", info_row, &w, e, STORE_VALS(STORE_T(state)))
	    < 0 ? -1 : 0;
}

int
store_inbound_done(struct store *st, int64_t id, const char *state,
    const char *route, const char *result, int64_t now, struct err *e)
{
	return store_run(st, "UPDATE inbound SET state = ?2, route = ?3, "
	    "result = ?4, processed_at = ?5 WHERE id = ?1",
	    "record inbound result", NULL, NULL, e, STORE_VALS(STORE_I(id),
	    STORE_T(state), STORE_T(route), STORE_T(result), STORE_I(now)));
}

int
store_inbound_known(struct store *st, const char *source,
    const char *source_uid, struct err *e)
{
	return store_one(st, "SELECT 1 FROM inbound WHERE source = ?1 AND "
	    "source_uid = ?2 UNION ALL SELECT 1 FROM inbound_gone WHERE "
	    "source = ?1 AND source_uid = ?2", "look up inbound message", NULL,
	    NULL, e,
	    STORE_VALS(STORE_T(source), STORE_T(source_uid)));
}

int
store_inbound_prune(struct store *st, int64_t before, int64_t *n,
    struct err *e)
{
	*n = 0;
	if (store_run(st, "DELETE FROM inbound WHERE state <> 'new' AND "
	    "office IS NULL AND coalesce(processed_at, received) < ?1",
	    "prune inbound mail", NULL, NULL, e,
	    STORE_VALS(STORE_I(before))) != 0)
		return -1;
	*n = sqlite3_changes(st->db);
	return 0;
}

int
store_inbound_keep(struct store *st, int64_t id, struct err *e)
{
	return store_run(st, "UPDATE inbound SET office = 'kept' WHERE id = ?1",
	    "keep inbound message", NULL, NULL, e, STORE_VALS(STORE_I(id)));
}
