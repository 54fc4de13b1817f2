/*
 * queue - queueing outgoing mail and the retry ladder (see queue.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "queue.h"
#include "store.h"
#include "xmem.h"

void
queue_unsub_token(const struct hmac_key *key, const char *list_id,
    int64_t person_id, char out[TOKEN_LEN + 1])
{
	unsigned char mac[32];
	char data[LIST_ID_MAX + 64];
	int n = snprintf(data, sizeof(data), "unsubscribe:%s:%lld", list_id,
	    (long long)person_id);

	if (n < 0 || (size_t)n >= sizeof(data))
		n = (int)sizeof(data) - 1;
	hmac_raw(key, data, (size_t)n, mac);
	/* 128 bits: the shape token_well_formed() accepts. */
	token_base32(mac, TOKEN_BYTES, out);
}

/* The campaign (new unless c->id) and message m of it: *cid, *mid. */
static int
campaign_message(struct store *st, const struct q_campaign *c,
    const struct q_message *m, int64_t *cid, int64_t *mid, struct err *e)
{
	struct q_message msg = *m;

	if (c->id > 0)
		*cid = c->id;
	else if (store_campaign_add(st, c, cid, e) != 0)
		return -1;
	msg.campaign_id = *cid;
	return store_message_add(st, &msg, mid, e);
}

int
queue_add(struct store *st, const struct hmac_key *key,
    const struct q_campaign *c, const struct q_message *m,
    const struct queue_rcpt *rcpts, size_t n, int64_t now,
    int64_t *campaign_id, int64_t *queued, struct err *e)
{
	int64_t cid, mid;
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];

	*queued = 0;
	if (campaign_message(st, c, m, &cid, &mid, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int added;

		if (store_queue_add(st, cid, mid, rcpts[i].addr, rcpts[i].name,
		    rcpts[i].person_id, c->not_before, now, &added, e) != 0)
			return err_prefix(e, "queue for %s", rcpts[i].addr);
		*queued += added;
		if (!added || c->list_id == NULL || rcpts[i].person_id <= 0)
			continue;
		queue_unsub_token(key, c->list_id, rcpts[i].person_id, token);
		token_hash_md(key->sha256, token, hash);
		if (store_unsub_token_put(st, hash, rcpts[i].person_id,
		    c->list_id, now, e) != 0)
			return -1;
	}
	if (campaign_id != NULL)
		*campaign_id = cid;
	return 0;
}

struct token_of {
	const struct hmac_key *key;
	const char *list_id;
};

static void
member_token_hash(int64_t person_id, char out[TOKEN_HASH_LEN + 1],
    void *arg)
{
	const struct token_of *t = arg;
	char token[TOKEN_LEN + 1];

	queue_unsub_token(t->key, t->list_id, person_id, token);
	token_hash_md(t->key->sha256, token, out);
}

int
queue_add_members(struct store *st, const struct hmac_key *key,
    const struct q_campaign *c, const struct q_message *m, int mode,
    int64_t now, queue_progress_fn *progress, void *arg,
    int64_t *campaign_id, int64_t *queued, struct err *e)
{
	struct token_of t = { key, c->list_id };
	int64_t cid, mid;

	int rc;

	*queued = 0;
	if (campaign_message(st, c, m, &cid, &mid, e) != 0 ||
	    store_bulk(st, true, e) != 0)
		return -1;
	rc = store_queue_add_members(st, cid, mid, c->list_id, mode,
	    c->not_before, now, progress, arg, queued, e) != 0 ||
	    store_unsub_tokens_put_members(st, c->list_id, mode,
	    member_token_hash, &t, now, e) != 0 ? -1 : 0;
	if (store_bulk(st, false, rc == 0 ? e : NULL) != 0 || rc != 0)
		return -1;
	if (campaign_id != NULL)
		*campaign_id = cid;
	return 0;
}

int64_t
queue_retry_at(const struct config *cfg, int attempts, int64_t created,
    int64_t now)
{
	size_t step = attempts > 0 ? (size_t)attempts - 1 : 0;

	if (now >= created + cfg->queue.max_age)
		return -1;
	if (step >= cfg->queue.nretry)
		step = cfg->queue.nretry - 1;
	return now + cfg->queue.retry[step];
}


struct gather {
	struct queue_rcpts *r;
	int mode;
};

static int
gather(const struct sub *s, void *arg)
{
	struct gather *g = arg;
	struct queue_rcpts *r = g->r;

	if (g->mode >= 0 && s->mode != (enum sub_mode)g->mode)
		return 0;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->n].addr = xstrdup(s->email);
	r->v[r->n].name = xstrdup(s->name ? s->name : "");
	r->v[r->n].person_id = s->person_id;
	r->n++;
	return 0;
}

int
queue_rcpts_members(struct store *st, const char *list_id, int mode,
    struct queue_rcpts *r, struct err *e)
{
	struct gather g = { r, mode };

	return store_sub_each(st, list_id, SUB_ACTIVE, gather, &g, e);
}

void
queue_rcpts_free(struct queue_rcpts *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((char *)r->v[i].addr);
		free((char *)r->v[i].name);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
