/*
 * store_post - posts to lists: what arrived, what a moderator decided,
 * which campaign sent it and which digest took it.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

#define POST_COLS "id, list_id, inbound_id, person_id, from_addr, " \
	"from_name, subject, message_id, state, reason, created, " \
	"decided_at, digest_id, campaign_id, "

static int64_t
col_id(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(s, col);
}

static void
row_to_post(sqlite3_stmt *s, bool with_raw, struct post *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	p->list_id = store_col_text(s, 1);
	p->inbound_id = col_id(s, 2);
	p->person_id = col_id(s, 3);
	p->from_addr = store_col_text(s, 4);
	p->from_name = store_col_text(s, 5);
	p->subject = store_col_text(s, 6);
	p->message_id = store_col_text(s, 7);
	post_state_parse((const char *)sqlite3_column_text(s, 8), &p->state);
	p->reason = store_col_text(s, 9);
	p->created = sqlite3_column_int64(s, 10);
	p->decided_at = col_id(s, 11);
	p->digest_id = col_id(s, 12);
	p->campaign_id = col_id(s, 13);
	if (with_raw) {
		size_t n = (size_t)sqlite3_column_bytes(s, 14);

		p->raw = xmalloc(n + 1);
		if (n > 0)
			memcpy(p->raw, sqlite3_column_blob(s, 14), n);
		p->raw[n] = '\0';
		p->raw_len = n;
	}
}

static int
bind_id(sqlite3_stmt *s, int idx, int64_t v)
{
	return v > 0 ? store_bind_int(s, idx, v) : sqlite3_bind_null(s, idx);
}

int
store_post_add(struct store *st, const struct post *p, int64_t *id,
    struct err *e)
{
	sqlite3_stmt *s;
	struct store_thread th;
	bool own;
	int rc;

	if (store_post_thread(st, p, &th, e) != 0)
		return -1;
	s = store_stmt(st, "INSERT INTO posts(list_id, "
	    "inbound_id, person_id, from_addr, from_name, subject, message_id, "
	    "raw, state, reason, created, decided_at, body, in_reply_to, refs, "
	    "subject_key, thread_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) RETURNING id", e);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, p->list_id);
	bind_id(s, 2, p->inbound_id);
	bind_id(s, 3, p->person_id);
	store_bind_text(s, 4, p->from_addr);
	store_bind_text(s, 5, p->from_name ? p->from_name : "");
	store_bind_text(s, 6, p->subject ? p->subject : "");
	store_bind_text(s, 7, p->message_id);
	sqlite3_bind_blob64(s, 8, p->raw ? p->raw : "", p->raw ? p->raw_len : 0,
	    SQLITE_STATIC);
	store_bind_text(s, 9, post_state_name(p->state));
	store_bind_text(s, 10, p->reason);
	store_bind_int(s, 11, p->created);
	bind_id(s, 12, p->decided_at);
	store_bind_text(s, 13, th.body);
	store_bind_text(s, 14, p->in_reply_to);
	store_bind_text(s, 15, p->references);
	store_bind_text(s, 16, th.subject_key);
	bind_id(s, 17, th.thread_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	store_done(s);
	own = th.thread_id == 0;
	store_thread_clear(&th);
	if (rc != SQLITE_ROW)
		return store_fail(st, e, "add post");
	/* The first post of a thread is its thread. */
	return own ? store_post_own_thread(st, *id, e) : 0;
}

int
store_post_get(struct store *st, int64_t id, bool with_raw, struct post *out,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " POST_COLS "CASE WHEN ?2 "
	    "THEN raw END FROM posts WHERE id = ?1", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	store_bind_int(s, 2, with_raw);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_to_post(s, with_raw, out);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "get post");
}

int
store_post_decide(struct store *st, int64_t id, enum post_state state,
    const char *reason, int64_t now, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE posts SET state = ?2, "
	    "reason = ?3, decided_at = ?4 WHERE id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	store_bind_text(s, 2, post_state_name(state));
	store_bind_text(s, 3, reason);
	store_bind_int(s, 4, now);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "decide post");
	if (sqlite3_changes(st->db) == 0)
		return err_set(e, EX_DATAERR, "post %lld does not exist",
		    (long long)id);
	return 0;
}

int
store_post_sent(struct store *st, int64_t id, int64_t campaign_id,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE posts SET campaign_id = ?2 "
	    "WHERE id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	bind_id(s, 2, campaign_id);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "mark post sent");
}

int
store_post_each(struct store *st, const char *list_id, int state,
    bool undigested, bool with_raw, store_post_cb *cb, void *arg,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " POST_COLS "CASE WHEN ?4 "
	    "THEN raw END FROM posts WHERE (?1 IS NULL OR list_id = ?1) AND "
	    "(?2 IS NULL OR state = ?2) AND (NOT ?3 OR digest_id IS NULL) "
	    "ORDER BY id", e);
	struct post one;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, state < 0 ? NULL :
	    post_state_name((enum post_state)state));
	store_bind_int(s, 3, undigested);
	store_bind_int(s, 4, with_raw);
	/* Callbacks must not use the store (see store_sub_each). */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		row_to_post(s, with_raw, &one);
		stop = cb(&one, arg);
		post_clear(&one);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "list posts");
}
