/*
 * digest - a list's digest: the accepted posts no digest has taken yet,
 * numbered, composed once and queued for every active member who takes
 * the list as a digest; and kringd's schedule of them.
 *
 * Numbers: the volume is the local year the digest is made in, the
 * issue counts the list's digests in that volume from 1.  A digest
 * without posts is not made: no number is used, nothing is queued.  A
 * digest takes at most DIGEST_POSTS_MAX posts and DIGEST_BYTES_MAX of
 * their bytes; the rest wait for the next one.  A post that cannot
 * travel inside it (see compose_digest.h), or is over DIGEST_POST_MAX,
 * is named in the table of contents and a note (digest_note.txt)
 * stands in its place.
 *
 * Everything a digest changes (its number, its posts, its queue rows,
 * the event log) is written in the caller's transaction.
 */
#ifndef KRING_DIGEST_H
#define KRING_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct err;
struct hmac_key;
struct kr_ctx;
struct list;
struct render_set;

#define DIGEST_POSTS_MAX 200
#define DIGEST_BYTES_MAX (16 * 1024 * 1024)
#define DIGEST_POST_MAX (8 * 1024 * 1024)

struct digest_result {
	int volume, issue;       /* 0 when no digest was made */
	size_t posts;            /* in this digest */
	size_t left_out;         /* of them, a note instead of the post */
	int64_t waiting;         /* accepted posts left for the next one */
	int64_t queued;          /* copies queued */
	int64_t digest_id;       /* 0: no posts, nothing made */
};

/*
 * Make and queue the digest of list l (inside a transaction).  period
 * is the schedule period it is due for ("2026-12"), or NULL when made
 * by hand.  No posts: 0 with res->digest_id 0.
 */
int digest_queue(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct list *l, const char *period,
    struct digest_result *res, struct err *e);

/*
 * Append the message (header and body, CRLF) one fictitious digest
 * member of l would get if the digest were made now, recording
 * nothing.  No posts: 0 with res->posts 0 and nothing appended.
 */
int digest_preview(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct list *l, struct buf *out, struct digest_result *res,
    struct err *e);

struct digest_due {
	int64_t made;            /* digests queued */
	int64_t empty;           /* periods that ran without posts */
	int64_t failed;          /* lists whose digest failed (logged) */
	time_t next;             /* when the next period of any list begins */
};

/*
 * kringd's schedule: for every list with a weekly or monthly digest
 * whose current period (schedule.h) began after the list was made and
 * has not run, make and queue the digest and record the period as run,
 * in one transaction, so it runs once even across restarts; a period
 * without posts is recorded as run too.  One list's failure is logged
 * and leaves the others alone.  -1 only when the lists cannot be read.
 */
int digest_run_due(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, struct digest_due *due, struct err *e);

#endif
