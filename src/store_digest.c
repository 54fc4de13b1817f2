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
	int64_t n;

	if (store_row_int(st, "SELECT coalesce(max(issue), 0) + 1 FROM digests "
	    "WHERE list_id = ?1 AND volume = ?2", "number digest", &n, e,
	    STORE_VALS(STORE_T(list_id), STORE_I(volume))) != 0)
		return -1;
	*issue = (int)n;
	return 0;
}

int
store_digest_add(struct store *st, const struct store_digest *d, int64_t *id,
    struct err *e)
{
	return store_row_int(st, "INSERT INTO digests(list_id, volume, issue, "
	    "period, created, campaign_id, posts) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7) RETURNING id", "add digest", id, e,
	    STORE_VALS(STORE_T(d->list_id), STORE_I(d->volume),
	    STORE_I(d->issue), STORE_T(d->period), STORE_I(d->created),
	    STORE_ID(d->campaign_id),
	    STORE_I(d->posts)));
}

int
store_post_digested(struct store *st, int64_t post_id, int64_t digest_id,
    struct err *e)
{
	if (store_run(st, "UPDATE posts SET digest_id = ?2 WHERE id = ?1 AND "
	    "digest_id IS NULL", "put post in digest", NULL, NULL, e,
	    STORE_VALS(STORE_I(post_id), STORE_I(digest_id))) != 0)
		return -1;
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
	return store_one(st, "SELECT 1 FROM schedule_runs WHERE list_id = ?1 "
	    "AND what = ?2 AND period = ?3", "look up schedule", NULL, NULL, e,
	    STORE_VALS(STORE_T(list_id), STORE_T(what), STORE_T(period)));
}

int
store_schedule_claim(struct store *st, const char *list_id, const char *what,
    const char *period, int64_t now, struct err *e)
{
	if (store_run(st, "INSERT INTO schedule_runs(list_id, what, period, "
	    "at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	    "claim schedule", NULL, NULL, e, STORE_VALS(STORE_T(list_id),
	    STORE_T(what), STORE_T(period), STORE_I(now))) != 0)
		return -1;
	return sqlite3_changes(st->db) == 1 ? 1 : 0;
}

int
store_digest_waiting(struct store *st, const char *list_id, int64_t *n,
    struct err *e)
{
	return store_row_int(st, "SELECT count(*) FROM posts WHERE list_id = ?1 "
	    "AND state = 'accepted' AND digest_id IS NULL", "count posts", n, e,
	    STORE_VALS(STORE_T(list_id)));
}
