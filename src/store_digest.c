/*
 * store_digest - digests (their numbers and the posts they took) and
 * the schedules that must run once per period.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "store_int.h"

int
store_digest_next_issue(struct store *st, const char *list_id, int volume,
    int *issue, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT coalesce(max(issue), 0) + 1 "
	    "FROM digests WHERE list_id = ?1 AND volume = ?2", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_int(s, 2, volume);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*issue = sqlite3_column_int(s, 0);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "number digest");
}

int
store_digest_add(struct store *st, const struct store_digest *d, int64_t *id,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO digests(list_id, volume, "
	    "issue, period, created, campaign_id, posts) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7) RETURNING id", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, d->list_id);
	store_bind_int(s, 2, d->volume);
	store_bind_int(s, 3, d->issue);
	store_bind_text(s, 4, d->period);
	store_bind_int(s, 5, d->created);
	if (d->campaign_id > 0)
		store_bind_int(s, 6, d->campaign_id);
	store_bind_int(s, 7, d->posts);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "add digest");
}

int
store_post_digested(struct store *st, int64_t post_id, int64_t digest_id,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE posts SET digest_id = ?2 "
	    "WHERE id = ?1 AND digest_id IS NULL", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, post_id);
	store_bind_int(s, 2, digest_id);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "put post in digest");
	/* Two digests taking one post would send it twice. */
	if (sqlite3_changes(st->db) != 1)
		return err_set(e, EX_SOFTWARE, "post %lld is in a digest "
		    "already, or gone", (long long)post_id);
	return 0;
}

int
store_schedule_ran(struct store *st, const char *list_id, const char *what,
    const char *period, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM schedule_runs WHERE "
	    "list_id = ?1 AND what = ?2 AND period = ?3", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, what);
	store_bind_text(s, 3, period);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "look up schedule");
}

int
store_schedule_claim(struct store *st, const char *list_id, const char *what,
    const char *period, int64_t now, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO schedule_runs(list_id, "
	    "what, period, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	    e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, what);
	store_bind_text(s, 3, period);
	store_bind_int(s, 4, now);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "claim schedule");
	return sqlite3_changes(st->db) == 1 ? 1 : 0;
}

int
store_digest_waiting(struct store *st, const char *list_id, int64_t *n,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM posts WHERE "
	    "list_id = ?1 AND state = 'accepted' AND digest_id IS NULL", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "count posts");
}
