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
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO bounces(person_id, "
	    "list_id, queue_id, inbound_id, kind, status, diagnostic, score, "
	    "created) VALUES (?1, (SELECT id FROM lists WHERE id = ?2), "
	    "(SELECT id FROM queue WHERE id = ?3), (SELECT id FROM inbound "
	    "WHERE id = ?4), ?5, ?6, ?7, ?8, ?9)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, b->person_id);
	store_bind_text(s, 2, b->list_id);
	store_bind_int(s, 3, b->queue_id);
	store_bind_int(s, 4, b->inbound_id);
	store_bind_text(s, 5, b->kind);
	store_bind_text(s, 6, b->status);
	store_bind_text(s, 7, b->diagnostic);
	sqlite3_bind_double(s, 8, b->score);
	store_bind_int(s, 9, now);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "add bounce");
}

int
store_bounce_counted(struct store *st, int64_t queue_id, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM bounces WHERE "
	    "queue_id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, queue_id);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "bounce of a copy");
}

int
store_bounce_score(struct store *st, int64_t person_id, int64_t since,
    int64_t clean_before, double *score, int64_t *count, struct err *e)
{
	/*
	 * ?2: the window's start.  The last clean copy: accepted after the
	 * person's previous bounce, before ?3, and never bounced itself.
	 */
	sqlite3_stmt *s = store_stmt(st, "SELECT coalesce(sum(score), 0), "
	    "count(*) FROM bounces WHERE person_id = ?1 AND score > 0 AND "
	    "created >= ?2 AND created > coalesce((SELECT max(q.done_at) "
	    "FROM queue q WHERE q.person_id = ?1 AND q.state = 'sent' AND "
	    "q.done_at > coalesce((SELECT bounce_at FROM people WHERE id = ?1), "
	    "0) AND q.done_at <= ?3 AND NOT EXISTS (SELECT 1 FROM bounces b "
	    "WHERE b.queue_id = q.id)), -1)", e);
	int rc;

	*score = 0;
	*count = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_int(s, 2, since);
	store_bind_int(s, 3, clean_before);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*score = sqlite3_column_double(s, 0);
		*count = sqlite3_column_int64(s, 1);
	}
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "bounce score");
}

int
store_person_bounce_set(struct store *st, int64_t person_id, double score,
    int64_t at, int64_t notice, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE people SET bounce_score = ?2, "
	    "bounce_at = CASE WHEN ?3 > 0 THEN ?3 ELSE bounce_at END, "
	    "bounce_notice = CASE WHEN ?4 < 0 THEN bounce_notice WHEN ?4 = 0 "
	    "THEN NULL ELSE ?4 END WHERE id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	sqlite3_bind_double(s, 2, score);
	store_bind_int(s, 3, at);
	store_bind_int(s, 4, notice);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "person bounce score");
}

int
store_person_bounce_get(struct store *st, int64_t person_id, double *score,
    int64_t *at, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT bounce_score, "
	    "coalesce(bounce_at, 0) FROM people WHERE id = ?1", e);
	int rc;

	*score = 0;
	*at = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*score = sqlite3_column_double(s, 0);
		*at = sqlite3_column_int64(s, 1);
	}
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "person bounce score");
}

void
store_queue_info_clear(struct store_queue_info *q)
{
	free(q->rcpt);
	free(q->list_id);
	memset(q, 0, sizeof(*q));
}

int
store_queue_info(struct store *st, int64_t id, struct store_queue_info *out,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT q.id, coalesce(q.person_id, "
	    "0), q.rcpt, c.list_id, q.state, coalesce(q.done_at, 0), c.kind "
	    "FROM queue q JOIN campaigns c ON c.id = q.campaign_id "
	    "WHERE q.id = ?1", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->person_id = sqlite3_column_int64(s, 1);
		out->rcpt = store_col_text(s, 2);
		out->list_id = store_col_text(s, 3);
		queue_state_parse((const char *)sqlite3_column_text(s, 4),
		    &out->state);
		out->done_at = sqlite3_column_int64(s, 5);
		campaign_kind_parse((const char *)sqlite3_column_text(s, 6),
		    &out->kind);
	}
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "queue row");
}

int
store_sub_disable_active(struct store *st, int64_t person_id, int64_t now,
    int64_t *n, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE subscriptions SET state = "
	    "'disabled', updated = ?2 WHERE person_id = ?1 AND state = 'active'",
	    e);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_int(s, 2, now);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "pause subscriptions");
	*n = sqlite3_changes(st->db);
	return 0;
}

int
store_bounce_notices_due(struct store *st, size_t max, int64_t **ids,
    size_t *n, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM people WHERE "
	    "bounce_notice IS NOT NULL ORDER BY bounce_notice, id LIMIT ?1", e);
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, (int64_t)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	store_done(s);
	if (rc == SQLITE_DONE)
		return 0;
	free(*ids);
	*ids = NULL;
	*n = 0;
	return store_fail(st, e, "bounce notices");
}
