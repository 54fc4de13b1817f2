/*
 * queue - putting mail into the outgoing queue, and the rules for when
 * a delivery is tried again.
 *
 * Everything kring mails goes through here: a campaign, its message and
 * one queue row per recipient, written in the caller's transaction, so a
 * newsletter to 100,000 people is queued whole or not at all, and a reply
 * commits together with the command it answers.  Sending is send.c's.
 */
#ifndef KRING_QUEUE_H
#define KRING_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "token.h"

struct config;
struct err;
struct hmac_key;
struct q_campaign;
struct q_message;
struct store;

struct queue_rcpt {
	const char *addr;        /* normal form (addr_normalize) */
	const char *name;        /* may be NULL */
	int64_t person_id;       /* 0 when kring does not know them */
};

/* Recipients gathered for queue_add; queue_rcpts_free them. */
struct queue_rcpts {
	struct queue_rcpt *v;
	size_t n, cap;
};

/*
 * Append the active subscribers of list_id in delivery mode mode (an
 * enum sub_mode, or -1 for any) to r, in address order: for a caller
 * that needs each of them for more than queueing (queue_add_members
 * queues without holding them).
 */
int queue_rcpts_members(struct store *st, const char *list_id, int mode,
    struct queue_rcpts *r, struct err *e);
void queue_rcpts_free(struct queue_rcpts *r);

/*
 * Queue message m of campaign c (both filled by the caller except ids)
 * for rcpts, inside the caller's transaction.  c->id > 0 adds m to that
 * campaign instead of making a new one (the replies of one run).  c->list_id set: each
 * known recipient's one-click unsubscribe token is kept (hashed) so it
 * can be traced back later.  *queued counts the rows added (a recipient
 * given twice is queued once).  *campaign_id may be NULL.
 */
int queue_add(struct store *st, const struct hmac_key *key,
    const struct q_campaign *c, const struct q_message *m,
    const struct queue_rcpt *rcpts, size_t n, int64_t now,
    int64_t *campaign_id, int64_t *queued, struct err *e);

/*
 * The same for every active member of list c->list_id in delivery mode
 * mode (an enum sub_mode, or -1 for any), in the order they subscribed,
 * each with their token kept.  The members go from the store to the
 * store and are never held in memory: a list of 1,000,000 takes no more
 * memory than one of ten.  progress (may be NULL) hears done of n now
 * and then and at the end.
 */
typedef void queue_progress_fn(void *arg, size_t done, size_t n);
int queue_add_members(struct store *st, const struct hmac_key *key,
    const struct q_campaign *c, const struct q_message *m, int mode,
    int64_t now, queue_progress_fn *progress, void *arg,
    int64_t *campaign_id, int64_t *queued, struct err *e);

/*
 * A person's one-click unsubscribe token for a list: derived from the
 * site key, so every mail of the list carries the same token for the same
 * person and no plain token is ever stored.
 */
void queue_unsub_token(const struct hmac_key *key, const char *list_id,
    int64_t person_id, char out[TOKEN_LEN + 1]);

/*
 * When to try a delivery again after a temporary failure: the
 * queue.retry ladder by attempts made (the last step repeats), or -1
 * when the row is older than queue.max_age and must fail for good.
 */
int64_t queue_retry_at(const struct config *cfg, int attempts,
    int64_t created, int64_t now);

#endif
