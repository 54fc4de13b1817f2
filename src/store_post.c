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
	if (with_raw)
		p->raw = store_col_blob(s, 14, &p->raw_len);
}

int
store_post_add(struct store *st, const struct post *p, int64_t *id,
    struct err *e)
{
	struct store_thread th;
	bool own;
	int rc;

	if (store_post_thread(st, p, &th, e) != 0)
		return -1;
	rc = store_row_int(st, "INSERT INTO posts(list_id, inbound_id, "
	    "person_id, from_addr, from_name, subject, message_id, raw, state, "
	    "reason, created, decided_at, body, in_reply_to, refs, subject_key, "
	    "thread_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13, ?14, ?15, ?16, ?17) RETURNING id", "add post", id, e,
	    STORE_VALS(STORE_T(p->list_id), STORE_ID(p->inbound_id),
	    STORE_ID(p->person_id), STORE_T(p->from_addr),
	    STORE_T(p->from_name ? p->from_name : ""),
	    STORE_T(p->subject ? p->subject : ""), STORE_T(p->message_id),
	    STORE_B(p->raw ? p->raw : "", p->raw ? p->raw_len : 0),
	    STORE_T(post_state_name(p->state)), STORE_T(p->reason),
	    STORE_I(p->created), STORE_ID(p->decided_at), STORE_T(th.body),
	    STORE_T(p->in_reply_to), STORE_T(p->references),
	    STORE_T(th.subject_key), STORE_ID(th.thread_id)));
	own = th.thread_id == 0;
	store_thread_clear(&th);
	if (rc != 0)
		return -1;
	/* The first post of a thread is its thread. */
	return own ? store_post_own_thread(st, *id, e) : 0;
}

/* Where a post row goes, and whether its raw text was asked for. */
struct post_walk {
	struct post *one;
	bool with_raw;
	store_post_cb *cb;
	void *arg;
};

static int
post_row(sqlite3_stmt *s, void *arg)
{
	struct post_walk *w = arg;
	int stop;

	row_to_post(s, w->with_raw, w->one);
	if (w->cb == NULL)
		return 0;
	stop = w->cb(w->one, w->arg);
	post_clear(w->one);
	return stop != 0;
}

int
store_post_get(struct store *st, int64_t id, bool with_raw, struct post *out,
    struct err *e)
{
	struct post_walk w = { out, with_raw, NULL, NULL };

	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT " POST_COLS "CASE WHEN ?2 THEN raw END "
	    "FROM posts WHERE id = ?1", "get post", post_row, &w, e,
	    STORE_VALS(STORE_I(id), STORE_I(with_raw)));
}

int
store_post_decide(struct store *st, int64_t id, enum post_state state,
    const char *reason, int64_t now, struct err *e)
{
	if (store_run(st, "UPDATE posts SET state = ?2, reason = ?3, "
	    "decided_at = ?4 WHERE id = ?1", "decide post", NULL, NULL, e,
	    STORE_VALS(STORE_I(id), STORE_T(post_state_name(state)),
	    STORE_T(reason), STORE_I(now))) != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return err_set(e, EX_DATAERR, "post %lld does not exist",
		    (long long)id);
	return 0;
}

int
store_post_sent(struct store *st, int64_t id, int64_t campaign_id,
    struct err *e)
{
	return store_run(st, "UPDATE posts SET campaign_id = ?2 WHERE id = ?1",
	    "mark post sent", NULL, NULL, e,
	    STORE_VALS(STORE_I(id), STORE_ID(campaign_id)));
}

int
store_post_each(struct store *st, const char *list_id, int state,
    bool undigested, bool with_raw, store_post_cb *cb, void *arg,
    struct err *e)
{
	struct post one;
	struct post_walk w = { &one, with_raw, cb, arg };

	/* Callbacks must not use the store (see store_sub_each). */
	return store_run(st, "SELECT " POST_COLS "CASE WHEN ?4 THEN raw END "
	    "FROM posts WHERE (?1 IS NULL OR list_id = ?1) AND (?2 IS NULL OR "
	    "state = ?2) AND (NOT ?3 OR digest_id IS NULL) ORDER BY id",
	    "list posts", post_row, &w, e, STORE_VALS(STORE_T(list_id),
	    STORE_T(state < 0 ? NULL : post_state_name((enum post_state)state)),
	    STORE_I(undigested), STORE_I(with_raw))) < 0 ? -1 : 0;
}
