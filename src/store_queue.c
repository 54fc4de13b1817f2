/*
 * store_queue - campaigns, messages and the durable send queue.
 *
 * The queue is the only record of what has left kring.  A row moves
 * queued -> sending (claimed by a sender) -> sent | deferred | failed; a
 * deferred row is claimed again when due.  Claims and recoveries run in
 * transactions of their own, taken with BEGIN IMMEDIATE, so two senders
 * (kringd and `kring send`, or two threads) never hold the same row.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

void
q_campaign_clear(struct q_campaign *c)
{
	free(c->list_id);
	free(c->subject);
	memset(c, 0, sizeof(*c));
}

void
q_message_clear(struct q_message *m)
{
	free(m->from_name);
	free(m->from_addr);
	free(m->reply_to);
	free(m->subject);
	free(m->in_reply_to);
	free(m->refs);
	free(m->text);
	free(m->html);
	free(m->body);
	free(m->personal);
	free(m->msgid);
	memset(m, 0, sizeof(*m));
}

void
q_rows_free(struct q_row **rows, size_t n)
{
	if (*rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*rows)[i].rcpt);
		free((*rows)[i].name);
	}
	free(*rows);
	*rows = NULL;
}

/* Run an INSERT; *id = the new row.  0/-1. */
static int
insert(struct store *st, const char *sql, const char *what, int64_t *id,
    struct err *e, size_t n, const struct store_val *v)
{
	if (store_run(st, sql, what, NULL, NULL, e, n, v) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_campaign_add(struct store *st, const struct q_campaign *c, int64_t *id,
    struct err *e)
{
	return insert(st, "INSERT INTO campaigns(kind, list_id, subject, "
	    "created, not_before) VALUES (?1, ?2, ?3, ?4, ?5)", "add campaign",
	    id, e, STORE_VALS(STORE_T(campaign_kind_name(c->kind)),
	    STORE_T(c->list_id), STORE_T(c->subject ? c->subject : ""),
	    STORE_I(c->created), STORE_I(c->not_before)));
}

static int
row_to_campaign(sqlite3_stmt *s, void *arg)
{
	struct q_campaign *c = arg;

	c->id = sqlite3_column_int64(s, 0);
	campaign_kind_parse((const char *)sqlite3_column_text(s, 1), &c->kind);
	c->list_id = store_col_text(s, 2);
	c->subject = store_col_text(s, 3);
	c->created = sqlite3_column_int64(s, 4);
	c->not_before = sqlite3_column_int64(s, 5);
	return 0;
}

int
store_campaign_get(struct store *st, int64_t id, struct q_campaign *out,
    struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT id, kind, list_id, subject, created, "
	    "not_before FROM campaigns WHERE id = ?1", "get campaign",
	    row_to_campaign, out, e, STORE_VALS(STORE_I(id)));
}

int
store_message_add(struct store *st, const struct q_message *m, int64_t *id,
    struct err *e)
{
	return insert(st, "INSERT INTO messages(campaign_id, from_name, "
	    "from_addr, reply_to, subject, in_reply_to, refs, text, html, "
	    "created, body, personal, msgid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13)", "add message", id, e,
	    STORE_VALS(STORE_I(m->campaign_id),
	    STORE_T(m->from_name ? m->from_name : ""), STORE_T(m->from_addr),
	    STORE_T(m->reply_to), STORE_T(m->subject ? m->subject : ""),
	    STORE_T(m->in_reply_to), STORE_T(m->refs),
	    STORE_T(m->text ? m->text : ""), STORE_T(m->html),
	    STORE_I(m->created), m->body != NULL ?
	    STORE_B(m->body, m->body_len) : STORE_T(NULL),
	    STORE_T(m->personal), STORE_T(m->msgid)));
}

static int
message_row(sqlite3_stmt *s, void *arg)
{
	struct q_message *out = arg;

	out->id = sqlite3_column_int64(s, 0);
	out->campaign_id = sqlite3_column_int64(s, 1);
	out->from_name = store_col_text(s, 2);
	out->from_addr = store_col_text(s, 3);
	out->reply_to = store_col_text(s, 4);
	out->subject = store_col_text(s, 5);
	out->in_reply_to = store_col_text(s, 6);
	out->refs = store_col_text(s, 7);
	out->text = store_col_text(s, 8);
	out->html = store_col_text(s, 9);
	out->created = sqlite3_column_int64(s, 10);
	if (sqlite3_column_type(s, 11) == SQLITE_BLOB)
		out->body = store_col_blob(s, 11, &out->body_len);
	out->personal = store_col_text(s, 12);
	out->msgid = store_col_text(s, 13);
	return 0;
}

int
store_message_get(struct store *st, int64_t id, struct q_message *out,
    struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT id, campaign_id, from_name, from_addr, "
	    "reply_to, subject, in_reply_to, refs, text, html, created, body, "
	    "personal, msgid FROM messages WHERE id = ?1", "get message",
	    message_row, out, e, STORE_VALS(STORE_I(id)));
}

int
store_queue_add(struct store *st, int64_t campaign_id, int64_t message_id,
    const char *rcpt, const char *name, int64_t person_id,
    int64_t next_attempt, int64_t now, int *added, struct err *e)
{
	if (store_run(st, "INSERT INTO queue(campaign_id, message_id, rcpt, "
	    "name, person_id, next_attempt, created) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7) ON CONFLICT(message_id, rcpt) DO NOTHING", "queue",
	    NULL, NULL, e, STORE_VALS(STORE_I(campaign_id),
	    STORE_I(message_id), STORE_T(rcpt), STORE_T(name ? name : ""),
	    STORE_ID(person_id), STORE_I(next_attempt), STORE_I(now))) != 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_unsub_token_put(struct store *st, const char *hash, int64_t person_id,
    const char *list_id, int64_t now, struct err *e)
{
	return store_run(st, "INSERT INTO tokens(hash, kind, action, "
	    "person_id, list_id, created) VALUES (?1, 'unsubscribe', "
	    "'unsubscribe', ?2, ?3, ?4) ON CONFLICT(hash) DO NOTHING",
	    "keep token", NULL, NULL, e, STORE_VALS(STORE_T(hash),
	    STORE_I(person_id), STORE_T(list_id), STORE_I(now)));
}

/* The SQL function tick(): counts the rows of a statement for progress. */
struct ticker {
	store_progress_fn *fn;
	void *arg;
	size_t done, n;
};

static void
sql_tick(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct ticker *t = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	if (t->fn != NULL && ++t->done % 1024 == 0)
		t->fn(t->arg, t->done, t->n);
	sqlite3_result_int(ctx, 1);
}

/* The delivery mode mode (an enum sub_mode, or -1 for any) for SQL. */
static const char *
mode_name(int mode)
{
	return mode < 0 ? NULL : sub_mode_name((enum sub_mode)mode);
}

/*
 * The statement sql, which calls the SQL function name: the function
 * exists only until step_once has run it, as its data lives on the
 * caller's stack.  NULL with e set.
 */
static sqlite3_stmt *
with_function(struct store *st, const char *name, int nargs,
    void (*fn)(sqlite3_context *, int, sqlite3_value **), void *data,
    const char *sql, struct err *e)
{
	sqlite3_stmt *s;

	if (sqlite3_create_function(st->db, name, nargs, SQLITE_UTF8 |
	    SQLITE_DIRECTONLY, data, fn, NULL, NULL) != SQLITE_OK) {
		store_fail(st, e, "register a function");
		return NULL;
	}
	if ((s = store_stmt(st, sql, e)) == NULL)
		sqlite3_create_function(st->db, name, nargs, SQLITE_UTF8, NULL,
		    NULL, NULL, NULL);
	return s;
}

/* Run s (from with_function) to its end, then remove the function. */
static int
step_once(struct store *st, sqlite3_stmt *s, const char *name, int nargs,
    int64_t *changes, const char *what, struct err *e)
{
	int rc = sqlite3_step(s);

	store_done(s);
	if (rc == SQLITE_DONE && changes != NULL)
		*changes = sqlite3_changes64(st->db);
	if (rc != SQLITE_DONE)
		store_fail(st, e, what);
	sqlite3_create_function(st->db, name, nargs, SQLITE_UTF8, NULL, NULL,
	    NULL, NULL);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_bulk(struct store *st, bool on, struct err *e)
{
	struct err ignore = { 0, "" };

	return store_exec(st, on ? "PRAGMA cache_size = -16384" :
	    "PRAGMA cache_size = -2000", e != NULL ? e : &ignore);
}

int
store_members_count(struct store *st, const char *list_id, int mode,
    int64_t *n, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM subscriptions "
	    "WHERE list_id = ?1 AND state = 'active' AND (?2 IS NULL OR "
	    "mode = ?2)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, mode_name(mode));
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "count members");
}

int
store_queue_add_members(struct store *st, int64_t campaign_id,
    int64_t message_id, const char *list_id, int mode, int64_t next_attempt,
    int64_t now, store_progress_fn *progress, void *arg, int64_t *queued,
    struct err *e)
{
	/* One statement: no cursor stays open while rows are written. */
	static const char add_sql[] = "INSERT INTO queue(campaign_id, "
	    "message_id, rcpt, name, person_id, next_attempt, created) "
	    "SELECT ?3, ?4, p.email, p.name, p.id, ?5, ?6 "
	    "FROM subscriptions s JOIN people p ON p.id = s.person_id "
	    "WHERE s.list_id = ?1 AND s.state = 'active' AND (?2 IS NULL OR "
	    "s.mode = ?2) AND kring_tick() ORDER BY s.rowid "
	    "ON CONFLICT(message_id, rcpt) DO NOTHING";
	struct ticker t = { progress, arg, 0, 0 };
	sqlite3_stmt *s;
	int64_t n;

	*queued = 0;
	if (store_members_count(st, list_id, mode, &n, e) != 0)
		return -1;
	t.n = (size_t)n;
	if (progress != NULL)
		progress(arg, 0, t.n);
	if ((s = with_function(st, "kring_tick", 0, sql_tick, &t, add_sql,
	    e)) == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, mode_name(mode));
	store_bind_int(s, 3, campaign_id);
	store_bind_int(s, 4, message_id);
	store_bind_int(s, 5, next_attempt);
	store_bind_int(s, 6, now);
	if (step_once(st, s, "kring_tick", 0, queued, "queue members", e) != 0)
		return -1;
	if (progress != NULL)
		progress(arg, t.n, t.n);
	return 0;
}

/* The SQL function kring_token_hash(person_id). */
struct hasher {
	store_token_hash_fn *fn;
	void *arg;
};

static void
sql_token_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hasher *h = sqlite3_user_data(ctx);
	char out[TOKEN_HASH_LEN + 1];

	(void)argc;
	h->fn(sqlite3_value_int64(argv[0]), out, h->arg);
	sqlite3_result_text(ctx, out, TOKEN_HASH_LEN, SQLITE_TRANSIENT);
}

int
store_unsub_tokens_put_members(struct store *st, const char *list_id,
    int mode, store_token_hash_fn *hash, void *arg, int64_t now,
    struct err *e)
{
	static const char sql[] = "INSERT INTO tokens(hash, kind, action, "
	    "person_id, list_id, created) SELECT kring_token_hash(person_id) "
	    "AS h, 'unsubscribe', 'unsubscribe', person_id, ?1, ?3 "
	    "FROM subscriptions WHERE list_id = ?1 AND state = 'active' AND "
	    "(?2 IS NULL OR mode = ?2) ORDER BY h ON CONFLICT(hash) DO NOTHING";
	struct hasher h = { hash, arg };
	sqlite3_stmt *s;
	int rc = -1;

	/*
	 * Without foreign-key checks: each row's person and list come from
	 * a subscription, whose own keys hold in this write transaction, and
	 * checking the person of every row, in hash order, reads the people
	 * table at random (a quarter of queueing to a million).  Unlike the
	 * PRAGMA, sqlite3_db_config works inside a transaction; each change
	 * makes SQLite prepare the statements again, so only this one runs
	 * without the checks.
	 */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, (int *)NULL);
	if ((s = with_function(st, "kring_token_hash", 1, sql_token_hash, &h,
	    sql, e)) != NULL) {
		store_bind_text(s, 1, list_id);
		store_bind_text(s, 2, mode_name(mode));
		store_bind_int(s, 3, now);
		rc = step_once(st, s, "kring_token_hash", 1, NULL, "keep tokens",
		    e);
	}
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, (int *)NULL);
	return rc;
}

static int
row_order(const void *a, const void *b)
{
	const struct q_row *x = a, *y = b;

	if (x->message_id != y->message_id)
		return x->message_id < y->message_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Claim with statement sql (binds as in store_queue_claim) up to max
 * rows more into *rows, inside the caller's transaction.  0/-1.
 */
static int
claimed_row(sqlite3_stmt *s, void *arg)
{
	struct q_row *r = arg;

	r->id = sqlite3_column_int64(s, 0);
	r->campaign_id = sqlite3_column_int64(s, 1);
	r->message_id = sqlite3_column_int64(s, 2);
	r->person_id = sqlite3_column_int64(s, 3);
	r->rcpt = store_col_text(s, 4);
	r->name = store_col_text(s, 5);
	r->attempts = sqlite3_column_int(s, 6);
	r->created = sqlite3_column_int64(s, 7);
	return 0;
}

/* Claim up to max rows by sql, after the *n in *rows already. */
static int
claim_some(struct store *st, const char *sql, int64_t now, const char *owner,
    int64_t pid, size_t max, struct q_row **rows, size_t *n, struct err *e)
{
	void *v = *rows;
	int rc = store_all(st, sql, "claim", sizeof(**rows), claimed_row, &v,
	    n, e, STORE_VALS(STORE_T(owner), STORE_I(pid), STORE_I(now),
	    STORE_I(max)));

	*rows = v;
	return rc;
}

int
store_queue_claim(struct store *st, int64_t now, const char *owner,
    int64_t pid, size_t max, bool urgent_only, struct q_row **rows,
    size_t *n, struct err *e)
{
#define CLAIM_SET "UPDATE queue SET state = 'sending', lease_owner = ?1, " \
	"lease_until = NULL, lease_pid = ?2, attempts = attempts + 1 "
#define CLAIM_RETURNING " RETURNING id, campaign_id, message_id, " \
	"person_id, rcpt, name, attempts, created"
	/*
	 * Mail to one person who waits for it (a reply, a notice) goes
	 * before list mail that is due, however big the newsletter ahead of
	 * it: the few campaigns of those kinds lead to their rows by index.
	 */
	static const char first[] = CLAIM_SET "WHERE id IN (SELECT q.id FROM "
	    "campaigns c CROSS JOIN queue q ON q.campaign_id = c.id WHERE "
	    "c.kind IN ('reply', 'notice') AND q.state IN ('queued', "
	    "'deferred') AND q.next_attempt <= ?3 LIMIT ?4)" CLAIM_RETURNING;
	/*
	 * No ORDER BY: the index on (state, next_attempt) already yields
	 * due rows oldest first within each state, and sorting every due
	 * row of a 100,000-recipient newsletter on each claim would make
	 * a send quadratic.
	 */
	static const char rest[] = CLAIM_SET "WHERE id IN (SELECT id FROM "
	    "queue WHERE state IN ('queued', 'deferred') AND next_attempt <= ?3 "
	    "LIMIT ?4)" CLAIM_RETURNING;
#undef CLAIM_SET
#undef CLAIM_RETURNING
	*rows = NULL;
	*n = 0;
	if (store_begin(st, e) != 0)
		return -1;
	if (claim_some(st, first, now, owner, pid, max, rows, n, e) != 0 ||
	    (*n < max && !urgent_only && claim_some(st, rest, now, owner, pid,
	    max - *n, rows, n, e) != 0) || store_commit(st, e) != 0) {
		store_rollback(st);
		q_rows_free(rows, *n);
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*rows, *n, sizeof(**rows), row_order);
	return 0;
}

int
store_queue_result(struct store *st, int64_t id, const struct q_result *r,
    int64_t now, struct err *e)
{
	bool deferred = r->state == QUEUE_DEFERRED;

	return store_run(st, "UPDATE queue SET state = ?2, next_attempt = "
	    "coalesce(?3, next_attempt), lease_until = NULL, lease_pid = NULL, "
	    "lease_owner = NULL, last_code = ?4, last_enh = ?5, last_text = ?6, "
	    "done_at = ?7 WHERE id = ?1 AND state <> 'sent'", "record delivery",
	    NULL, NULL, e, STORE_VALS(STORE_I(id),
	    STORE_T(queue_state_name(r->state)),
	    deferred ? STORE_I(r->next_attempt) : STORE_T(NULL),
	    STORE_ID(r->code), STORE_T(r->enh), STORE_T(r->text),
	    deferred ? STORE_T(NULL) : STORE_I(now)));
}

int
store_queue_release(struct store *st, const char *owner, const int64_t *ids,
    size_t n, struct err *e)
{
	if (n == 0)
		return 0;
	if (store_begin(st, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (store_run(st, "UPDATE queue SET state = CASE WHEN attempts "
		    "> 1 THEN 'deferred' ELSE 'queued' END, attempts = attempts "
		    "- 1, lease_until = NULL, lease_pid = NULL, lease_owner = "
		    "NULL WHERE id = ?1 AND state = 'sending' AND lease_owner "
		    "IS ?2", "release", NULL, NULL, e, STORE_VALS(STORE_I(ids[i]),
		    STORE_T(owner))) != 0) {
			store_rollback(st);
			return -1;
		}
	return store_commit(st, e);
}

int
store_queue_recover(struct store *st, store_owner_alive_fn *alive, void *arg,
    int64_t *n, struct err *e)
{
	void *v = NULL;
	char **owners;
	size_t nowners = 0;
	int rc;

	*n = 0;
	if (store_begin(st, e) != 0)
		return -1;
	rc = store_all(st, "SELECT DISTINCT lease_owner FROM queue WHERE "
	    "state = 'sending'", "recover", sizeof(*owners), store_row_text, &v,
	    &nowners, e, STORE_NOVALS);
	owners = v;
	for (size_t i = 0; rc == 0 && i < nowners; i++) {
		if (alive(owners[i], arg))
			continue;
		rc = store_run(st, "UPDATE queue SET state = 'deferred', "
		    "lease_until = NULL, lease_pid = NULL, lease_owner = NULL "
		    "WHERE state = 'sending' AND lease_owner IS ?1", "recover",
		    NULL, NULL, e, STORE_VALS(STORE_T(owners[i])));
		if (rc == 0)
			*n += sqlite3_changes(st->db);
	}
	for (size_t i = 0; i < nowners; i++)
		free(owners[i]);
	free(owners);
	if (rc != 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, e);
}

/* The first column when it is not NULL: 1, else 0. */
static int
int_not_null(sqlite3_stmt *s, void *arg)
{
	if (sqlite3_column_type(s, 0) == SQLITE_NULL)
		return 0;
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 1;
}

int
store_queue_next_due(struct store *st, int64_t *when, struct err *e)
{
	/* An aggregate: always one row, NULL when nothing waits. */
	return store_run(st, "SELECT min(next_attempt) FROM queue WHERE state "
	    "IN ('queued', 'deferred')", "next due", int_not_null, when, e,
	    STORE_NOVALS);
}

static int
two_ints(sqlite3_stmt *s, void *arg)
{
	int64_t **v = arg;

	*v[0] = sqlite3_column_int64(s, 0);
	*v[1] = sqlite3_column_int64(s, 1);
	return 0;
}

int
store_queue_pending(struct store *st, int64_t now, int64_t *due,
    int64_t *waiting, struct err *e)
{
	int64_t *v[2] = { due, waiting };
	int r = store_one(st, "SELECT count(*) FILTER (WHERE next_attempt <= "
	    "?1), count(*) FILTER (WHERE next_attempt > ?1) FROM queue WHERE "
	    "state IN ('queued', 'deferred')", "count queue", two_ints, v, e,
	    STORE_VALS(STORE_I(now)));

	return r == 1 ? 0 : r < 0 ? -1 : store_fail(st, e, "count queue");
}

/*
 * Rows come grouped by campaign; a campaign is handed over when the next
 * one starts.  The callback must not use the store: the statement is
 * still being stepped.
 */
struct campaign_walk {
	struct q_campaign c;
	struct q_campaign_stats cs;
	store_campaign_cb *cb;
	void *arg;
};

static int
campaign_row(sqlite3_stmt *s, void *arg)
{
	struct campaign_walk *w = arg;
	enum queue_state qs;
	int stop;

	if (w->c.id != sqlite3_column_int64(s, 0)) {
		if (w->c.id != 0 && (stop = w->cb(&w->cs, w->arg)) != 0)
			return stop;
		q_campaign_clear(&w->c);
		memset(w->cs.count, 0, sizeof(w->cs.count));
		row_to_campaign(s, &w->c);
	}
	if (queue_state_parse((const char *)sqlite3_column_text(s, 6), &qs) == 0)
		w->cs.count[qs] = sqlite3_column_int64(s, 7);
	return 0;
}

int
store_campaign_each(struct store *st, store_campaign_cb *cb, void *arg,
    struct err *e)
{
	struct campaign_walk w;
	int r;

	memset(&w, 0, sizeof(w));
	w.cs.c = &w.c;
	w.cb = cb;
	w.arg = arg;
	r = store_run(st, "SELECT c.id, c.kind, c.list_id, c.subject, "
	    "c.created, c.not_before, q.state, count(*) FROM campaigns c JOIN "
	    "queue q ON q.campaign_id = c.id GROUP BY c.id, q.state "
	    "ORDER BY c.id", "list campaigns", campaign_row, &w, e,
	    STORE_NOVALS);
	if (r == 0 && w.c.id != 0)
		cb(&w.cs, arg);
	q_campaign_clear(&w.c);
	return r < 0 ? -1 : 0;
}

int
store_queue_prune(struct store *st, int64_t before, int64_t *n, struct err *e)
{
	static const char *const sql[] = {
		/* A newsletter's web page stays when its sent rows go. */
		"UPDATE news_pages SET sent = 1 WHERE sent = 0 AND campaign_id "
		"IN (SELECT campaign_id FROM queue WHERE state = 'sent' AND "
		"coalesce(done_at, created) < ?1)",
		"DELETE FROM queue WHERE state IN ('sent', 'failed', "
		"'cancelled') AND coalesce(done_at, created) < ?1",
		"DELETE FROM messages WHERE created < ?1 AND NOT EXISTS "
		"(SELECT 1 FROM queue WHERE message_id = messages.id)",
		"DELETE FROM campaigns WHERE created < ?1 AND NOT EXISTS "
		"(SELECT 1 FROM messages WHERE campaign_id = campaigns.id)",
	};

	*n = 0;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (store_run(st, sql[i], "prune queue", NULL, NULL, e,
		    STORE_VALS(STORE_I(before))) != 0)
			return -1;
		if (i == 1)
			*n = sqlite3_changes(st->db);
	}
	return 0;
}

static int
state_count_row(sqlite3_stmt *s, void *arg)
{
	int64_t *counts = arg;
	enum queue_state qs;

	if (queue_state_parse((const char *)sqlite3_column_text(s, 0), &qs) == 0)
		counts[qs] = sqlite3_column_int64(s, 1);
	return 0;
}

int
store_campaign_cancel(struct store *st, int64_t id, int64_t now,
    int64_t *cancelled, int64_t counts[6], struct err *e)
{
	if (store_run(st, "UPDATE queue SET state = 'cancelled', done_at = ?2, "
	    "lease_until = NULL, lease_pid = NULL, lease_owner = NULL "
	    "WHERE campaign_id = ?1 AND state IN ('queued', 'deferred')",
	    "cancel campaign", NULL, NULL, e,
	    STORE_VALS(STORE_I(id), STORE_I(now))) != 0)
		return -1;
	*cancelled = sqlite3_changes(st->db);
	if (store_run(st, "UPDATE campaigns SET cancelled_at = "
	    "coalesce(cancelled_at, ?2) WHERE id = ?1", "cancel campaign",
	    NULL, NULL, e, STORE_VALS(STORE_I(id), STORE_I(now))) != 0)
		return -1;
	memset(counts, 0, 6 * sizeof(counts[0]));
	return store_run(st, "SELECT state, count(*) FROM queue WHERE "
	    "campaign_id = ?1 GROUP BY state", "count campaign",
	    state_count_row, counts, e, STORE_VALS(STORE_I(id)));
}
