/*
 * reply - the answer to a command mail (see reply.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "err.h"
#include "notify.h"
#include "render.h"
#include "reply.h"
#include "store.h"
#include "xmem.h"

struct fill {
	const struct config *cfg;
	struct render_vars *v;
};

static int
one_list(const struct list *l, void *arg)
{
	struct fill *f = arg;

	notify_list_item(f->cfg, f->v, "lists", l);
	return 0;
}

/* The sender's subscriptions, except the ones they left. */
static int
subscriptions(const struct request *rq, struct render_vars *v, struct err *e)
{
	const struct kr_ctx *ctx = rq->n->ctx;
	struct store_membership *m;
	size_t n;

	if (store_person_memberships(ctx->st, rq->person_id, &m, &n, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct render_vars *it = render_vars_item(v, "subscriptions");
		char *un = notify_sub_address(ctx->cfg, m[i].list.id,
		    "-unsubscribe");

		render_vars_set(it, "id", m[i].list.id);
		render_vars_set(it, "name", m[i].list.name);
		render_vars_set(it, "unsubscribe_address", un);
		render_vars_flag(it, "digest", m[i].mode == MODE_DIGEST);
		render_vars_flag(it, "pending", m[i].state == SUB_PENDING);
		render_vars_flag(it, "disabled", m[i].state == SUB_DISABLED);
		free(un);
	}
	store_memberships_free(m, n);
	return 0;
}

/* Some result wants one of these flags' extras (the lists, the sender's). */
static bool
wanted(const struct result *res, size_t n, const char *a, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if (res[i].flag != NULL && (strcmp(res[i].flag, a) == 0 ||
		    (b != NULL && strcmp(res[i].flag, b) == 0)))
			return true;
	return false;
}

bool
reply_needed(const struct result *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (res[i].flag != NULL && !res[i].mailed)
			return true;
	return false;
}

int
reply_send(const struct request *rq, const struct command *cmds,
    const struct result *res, size_t n, bool too_many, struct err *e)
{
	const struct kr_ctx *ctx = rq->n->ctx;
	struct render_vars *v = render_vars_new();
	struct notify_to to = { rq->addr, rq->name, rq->person_id };
	struct fill f = { ctx->cfg, v };
	int rc = -1;

	render_vars_list(v, "results");
	for (size_t i = 0; i < n; i++) {
		struct render_vars *it;

		if (res[i].flag == NULL)
			continue;
		it = render_vars_item(v, "results");
		render_vars_set(it, "command", cmds[i].text);
		render_vars_set(it, "list_id", res[i].list_id);
		render_vars_set(it, "list_name", res[i].list_name);
		render_vars_flag(it, "digest", res[i].digest);
		render_vars_set(it, "archive_text", res[i].text);
		render_vars_set(it, "number", res[i].number);
		render_vars_flag(it, res[i].flag, true);
	}
	render_vars_list(v, "lists");
	render_vars_list(v, "subscriptions");
	render_vars_flag(v, "too_many_commands", too_many);
	render_vars_flag(v, "letter", rq->letter);
	render_vars_setf(v, "max_commands", "%d", COMMAND_MAX);
	/* Only the results that show them need the store read for them. */
	if ((!wanted(res, n, "show_lists", "unknown_list") ||
	    store_list_each(ctx->st, one_list, &f, e) == 0) &&
	    (!wanted(res, n, "show_which", NULL) ||
	    subscriptions(rq, v, e) == 0))
		rc = notify_mail(rq->n, rq->lang, "reply.txt", v, &to, NULL,
		    rq->thread, e);
	render_vars_free(&v);
	return rc;
}
