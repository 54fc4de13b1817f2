/*
 * store_bounce - bounces and what they do to a person: the bounce rows
 * (kept as evidence with the inbound report that caused them), the
 * person's score, the queue rows a bounce may name, and the
 * subscriptions paused.  The rules of scoring are bounce.c's; this file
 * only counts and writes.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

int
store_bounce_add(struct store *st, const struct store_bounce *b, int64_t now,
    struct err *e)
{
	return store_run(st, "INSERT INTO bounces(person_id, list_id, "
	    "queue_id, inbound_id, kind, status, diagnostic, score, created) "
	    "VALUES (?1, (SELECT id FROM lists WHERE id = ?2), (SELECT id FROM "
	    "queue WHERE id = ?3), (SELECT id FROM inbound WHERE id = ?4), ?5, "
	    "?6, ?7, ?8, ?9)", "add bounce", NULL, NULL, e,
	    STORE_VALS(STORE_I(b->person_id), STORE_T(b->list_id),
	    STORE_I(b->queue_id), STORE_I(b->inbound_id), STORE_T(b->kind),
	    STORE_T(b->status), STORE_T(b->diagnostic), STORE_R(b->score),
	    STORE_I(now)));
}

int
store_bounce_counted(struct store *st, int64_t queue_id, struct err *e)
{
	return store_one(st, "SELECT 1 FROM bounces WHERE queue_id = ?1",
	    "bounce of a copy", NULL, NULL, e, STORE_VALS(STORE_I(queue_id)));
}

/* A real and an integer: the first two columns. */
struct real_int {
	double *r;
	int64_t *i;
};

static int
real_int_row(sqlite3_stmt *s, void *arg)
{
	struct real_int *ri = arg;

	*ri->r = sqlite3_column_double(s, 0);
	*ri->i = sqlite3_column_int64(s, 1);
	return 0;
}

int
store_bounce_score(struct store *st, int64_t person_id, int64_t since,
    int64_t clean_before, double *score, int64_t *count, struct err *e)
{
	struct real_int ri = { score, count };
	int r;

	*score = 0;
	*count = 0;
	/*
	 * ?2: the window's start.  The last clean copy: accepted after the
	 * person's previous bounce, before ?3, and never bounced itself.
	 */
	r = store_one(st, "SELECT coalesce(sum(score), 0), count(*) FROM "
	    "bounces WHERE person_id = ?1 AND score > 0 AND created >= ?2 AND "
	    "created > coalesce((SELECT max(q.done_at) FROM queue q WHERE "
	    "q.person_id = ?1 AND q.state = 'sent' AND q.done_at > "
	    "coalesce((SELECT bounce_at FROM people WHERE id = ?1), 0) AND "
	    "q.done_at <= ?3 AND NOT EXISTS (SELECT 1 FROM bounces b WHERE "
	    "b.queue_id = q.id)), -1)", "bounce score", real_int_row, &ri, e,
	    STORE_VALS(STORE_I(person_id), STORE_I(since),
	    STORE_I(clean_before)));
	return r == 1 ? 0 : r < 0 ? -1 : store_fail(st, e, "bounce score");
}

int
store_person_bounce_set(struct store *st, int64_t person_id, double score,
    int64_t at, int64_t notice, struct err *e)
{
	return store_run(st, "UPDATE people SET bounce_score = ?2, bounce_at = "
	    "CASE WHEN ?3 > 0 THEN ?3 ELSE bounce_at END, bounce_notice = CASE "
	    "WHEN ?4 < 0 THEN bounce_notice WHEN ?4 = 0 THEN NULL ELSE ?4 END "
	    "WHERE id = ?1", "person bounce score", NULL, NULL, e,
	    STORE_VALS(STORE_I(person_id), STORE_R(score), STORE_I(at),
	    STORE_I(notice)));
}

int
store_person_bounce_get(struct store *st, int64_t person_id, double *score,
    int64_t *at, struct err *e)
{
	struct real_int ri = { score, at };

	*score = 0;
	*at = 0;
	return store_one(st, "SELECT bounce_score, coalesce(bounce_at, 0) FROM "
	    "people WHERE id = ?1", "person bounce score", real_int_row, &ri, e,
	    STORE_VALS(STORE_I(person_id)));
}

void
store_queue_info_clear(struct store_queue_info *q)
{
	free(q->rcpt);
	free(q->list_id);
	memset(q, 0, sizeof(*q));
}

static int
queue_info_row(sqlite3_stmt *s, void *arg)
{
	struct store_queue_info *out = arg;

	out->id = sqlite3_column_int64(s, 0);
	out->person_id = sqlite3_column_int64(s, 1);
	out->rcpt = store_col_text(s, 2);
	out->list_id = store_col_text(s, 3);
	queue_state_parse((const char *)sqlite3_column_text(s, 4), &out->state);
	out->done_at = sqlite3_column_int64(s, 5);
	campaign_kind_parse((const char *)sqlite3_column_text(s, 6),
	    &out->kind);
	return 0;
}

int
store_queue_info(struct store *st, int64_t id, struct store_queue_info *out,
    struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT q.id, coalesce(q.person_id, 0), q.rcpt, "
	    "c.list_id, q.state, coalesce(q.done_at, 0), c.kind FROM queue q "
	    "JOIN campaigns c ON c.id = q.campaign_id WHERE q.id = ?1",
	    "queue row", queue_info_row, out, e, STORE_VALS(STORE_I(id)));
}

int
store_sub_disable_active(struct store *st, int64_t person_id, int64_t now,
    int64_t *n, struct err *e)
{
	*n = 0;
	if (store_run(st, "UPDATE subscriptions SET state = 'disabled', "
	    "updated = ?2 WHERE person_id = ?1 AND state = 'active'",
	    "pause subscriptions", NULL, NULL, e,
	    STORE_VALS(STORE_I(person_id), STORE_I(now))) != 0)
		return -1;
	*n = sqlite3_changes(st->db);
	return 0;
}

static int
id_read(sqlite3_stmt *s, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 0;
}

int
store_bounce_notices_due(struct store *st, size_t max, int64_t **ids,
    size_t *n, struct err *e)
{
	void *v = NULL;

	*ids = NULL;
	*n = 0;
	if (store_all(st, "SELECT id FROM people WHERE bounce_notice IS NOT "
	    "NULL ORDER BY bounce_notice, id LIMIT ?1", "bounce notices",
	    sizeof(**ids), id_read, &v, n, e, STORE_VALS(STORE_I(max))) != 0) {
		free(v);
		*n = 0;
		return -1;
	}
	*ids = v;
	return 0;
}
