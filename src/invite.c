/*
 * invite - inviting imported people (see invite.h).
 */
#include "autoconf.h"

#include <string.h>

#include "ctx.h"
#include "err.h"
#include "invite.h"
#include "notify.h"
#include "store.h"
#include "subscription.h"

/* One invitation; the list is loaded once per run of the same list. */
static int
invite_one(struct notifier *n, const struct store_invite *iv, struct list *l,
    int64_t *sent, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct request rq;
	int r;

	if (l->id == NULL || strcmp(l->id, iv->list_id) != 0) {
		list_clear(l);
		if ((r = store_list_get(ctx->st, iv->list_id, l, e)) <= 0)
			return r;       /* 0: the list went meanwhile */
	}
	memset(&rq, 0, sizeof(rq));
	rq.n = n;
	rq.lang = l->lang;
	rq.addr = iv->email;
	rq.name = iv->name ? iv->name : "";
	rq.person_id = iv->person_id;
	if ((r = subscription_invite(&rq, l, iv->mode, e)) < 0)
		return -1;
	*sent += r;
	return store_invite_sent(ctx->st, iv->list_id, iv->person_id, ctx->now,
	    e);
}

int
invite_pending(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, size_t max, int64_t *sent, bool *more,
    struct err *e)
{
	struct notifier n = { ctx, key, tpl, CAMPAIGN_NOTICE, 0 };
	struct store_invite *v;
	struct list l;
	size_t cnt;
	int rc = 0;

	*sent = 0;
	*more = false;
	if (store_begin(ctx->st, e) != 0)
		return -1;
	if (store_invites_due(ctx->st, max, &v, &cnt, e) != 0) {
		store_rollback(ctx->st);
		return -1;
	}
	memset(&l, 0, sizeof(l));
	for (size_t i = 0; i < cnt && rc == 0; i++)
		rc = invite_one(&n, &v[i], &l, sent, e);
	list_clear(&l);
	store_invites_free(v, cnt);
	if (rc != 0 || store_commit(ctx->st, e) != 0) {
		store_rollback(ctx->st);
		*sent = 0;
		return -1;
	}
	*more = cnt == max;
	return 0;
}
