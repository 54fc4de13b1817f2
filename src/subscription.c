/*
 * subscription - carrying out mail commands (see subscription.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "archive.h"
#include "archive_mail.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "log.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "subscription.h"
#include "token.h"
#include "xmem.h"

#define HOUR 3600
#define DAY (24 * HOUR)

void
result_clear(struct result *r)
{
	free(r->list_name);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

static const struct kr_ctx *
ctx_of(const struct request *rq)
{
	return rq->n->ctx;
}

static bool
by_web(const struct request *rq)
{
	return rq->via != NULL && strcmp(rq->via, "web") == 0;
}

/* The consent source and log details of a confirmation, by the way it came. */
static const char *
consent_of(const struct request *rq)
{
	return by_web(rq) ? "web" : "mail";
}

static const char *
confirmed_how(const struct request *rq)
{
	return by_web(rq) ? "confirmed on the web" : "confirmed by mail";
}

static void
set_list(struct result *out, const struct list *l, const char *id)
{
	snprintf(out->list_id, sizeof(out->list_id), "%s", l ? l->id : id);
	free(out->list_name);
	out->list_name = xstrdup(l ? l->name : "");
}

static void
list_vars(struct render_vars *v, const struct list *l)
{
	render_vars_set(v, "list_id", l->id);
	render_vars_set(v, "list_name", l->name);
	render_vars_set(v, "list_description", l->description);
}

/* 1 and *l (list_clear it), 0 no such list, -1 error. */
static int
get_list(const struct request *rq, const char *id, struct list *l,
    struct err *e)
{
	return store_list_get(ctx_of(rq)->st, id, l, e);
}

static void
lists_free(struct list *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		list_clear(&v[i]);
	free(v);
}

/* The lists a person is in, not the ones they left (lists_free them). */
static int
member_lists(const struct request *rq, int64_t person_id, struct list **out,
    size_t *n, struct err *e)
{
	struct store_membership *m;

	*out = NULL;
	if (store_person_memberships(ctx_of(rq)->st, person_id, &m, n, e) != 0)
		return -1;
	if (*n > 0)
		*out = xcalloc(*n, sizeof(**out));
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = m[i].list;       /* moved: m's lists are not freed */
	free(m);
	return 0;
}

/*
 * Mail a confirmation request for action (on list l, or every list in
 * all[] when l is NULL): 1 sent, 0 not sent because the address had
 * its confirm_limit of them in the last 24 hours, or (a request, not an
 * invitation) the site its confirm_per_hour in the last hour.
 */
/*
 * Whole: the limits, the token and the mail of one request, in the order a
 * crash must see them.
 */
static int
confirm_request(const struct request *rq, enum token_action action,
    const struct list *l, enum sub_mode mode, const struct list *all,
    size_t nall, bool invited, struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	const struct config *cfg = ctx->cfg;
	struct store_token t;
	struct render_vars *v;
	struct notify_to to = { rq->addr, rq->name, rq->person_id };
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1], when[64];
	char *confirm_addr, *url = NULL;
	int64_t sent;
	time_t expires = (time_t)(ctx->now + cfg->confirm_ttl);
	struct tm tm;
	int rc;

	if (store_confirm_count(ctx->st, rq->person_id, ctx->now - DAY, &sent,
	    e) != 0)
		return -1;
	if (sent >= cfg->confirm_limit) {
		log_event(LV_WARN, "event=confirm-limit addr=%s list=%s: %lld "
		    "confirmation mails in 24 hours; request dropped", rq->addr,
		    l ? l->id : "*", (long long)sent);
		return store_event(ctx->st, ctx->now, "confirm-limit",
		    l ? l->id : NULL, rq->addr, "dropped", NULL, e);
	}
	if (!invited && store_confirm_count(ctx->st, 0, ctx->now - HOUR, &sent,
	    e) != 0)
		return -1;
	if (!invited && sent >= cfg->confirm_per_hour) {
		log_event(LV_WARN, "event=confirm-ceiling addr=%s list=%s: "
		    "%lld confirmation mails from the site in an hour; request "
		    "dropped", rq->addr, l ? l->id : "*", (long long)sent);
		return store_event(ctx->st, ctx->now, "confirm-ceiling",
		    l ? l->id : NULL, rq->addr, "dropped", NULL, e);
	}
	if (token_new(token) != 0)
		return err_set(e, EX_OSERR, "no randomness for a token");
	token_hash(token, hash);
	memset(&t, 0, sizeof(t));
	t.action = action;
	t.person_id = rq->person_id;
	t.list_id = l ? l->id : NULL;
	t.mode = mode;
	t.lang = rq->lang;
	t.request_msgid = (char *)rq->msgid;
	t.created = ctx->now;
	t.expires = (int64_t)expires;
	if (store_token_add(ctx->st, hash, &t, e) != 0 ||
	    store_confirm_note(ctx->st, rq->person_id, ctx->now, invited,
	    e) != 0)
		return -1;
	localtime_r(&expires, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	confirm_addr = notify_sub_address(cfg, "confirm-", token);
	url = notify_web_url(cfg, "c", token);
	v = render_vars_new();
	render_vars_set(v, "token", token);
	render_vars_set(v, "confirm_address", confirm_addr);
	render_vars_set(v, "confirm_url", url);
	render_vars_set(v, "expires", when);
	render_vars_flag(v, "subscribe", action == TOKEN_SUBSCRIBE);
	render_vars_flag(v, "unsubscribe", action == TOKEN_UNSUBSCRIBE && l);
	render_vars_flag(v, "unsubscribe_all", action == TOKEN_UNSUBSCRIBE &&
	    !l);
	render_vars_flag(v, "digest", mode == MODE_DIGEST);
	render_vars_flag(v, "invited", invited);
	if (l != NULL)
		list_vars(v, l);
	else
		list_vars(v, &(struct list){ .id = "", .name = "",
		    .description = "" });
	render_vars_list(v, "lists");
	for (size_t i = 0; i < nall; i++)
		notify_list_item(cfg, v, "lists", &all[i]);
	rc = notify_mail(rq->n, rq->lang, "confirm.txt", v, &to, confirm_addr,
	    rq->thread, e);
	render_vars_free(&v);
	free(confirm_addr);
	free(url);
	if (rc != 0 || store_event(ctx->st, ctx->now, "confirm-sent",
	    l ? l->id : NULL, rq->addr, NULL, action == TOKEN_SUBSCRIBE ?
	    "subscribe" : "unsubscribe", e) != 0)
		return -1;
	return 1;
}

static int
welcome(const struct request *rq, enum lang lang, const struct person *p,
    const struct list *l, enum sub_mode mode, struct err *e)
{
	const struct config *cfg = ctx_of(rq)->cfg;
	struct render_vars *v = render_vars_new();
	struct notify_to to = { p->email, p->name, p->id };
	char *post = notify_sub_address(cfg, l->id, "");
	char *unsub = notify_sub_address(cfg, l->id, "-unsubscribe");
	bool can_post = l->kind == LIST_COP && l->policy != POLICY_CLOSED;
	char *archive = NULL;
	int rc;

	/* A CoP's new member gets their link to what was said before. */
	if (l->kind == LIST_COP && archive_link(ctx_of(rq)->st, cfg,
	    rq->n->key, p->id, ctx_of(rq)->now, &archive, e) != 0) {
		render_vars_free(&v);
		free(post);
		free(unsub);
		return -1;
	}
	render_vars_set(v, "archive_url", archive);
	free(archive);
	list_vars(v, l);
	render_vars_flag(v, "digest", mode == MODE_DIGEST);
	render_vars_flag(v, "newsletter", l->kind == LIST_NEWSLETTER);
	render_vars_flag(v, "moderated", l->policy == POLICY_MODERATED);
	render_vars_set(v, "post_address", can_post ? post : "");
	render_vars_set(v, "unsubscribe_address", unsub);
	rc = notify_mail(rq->n, lang, "welcome.txt", v, &to, NULL,
	    rq->thread, e);
	render_vars_free(&v);
	free(post);
	free(unsub);
	return rc;
}

static int
goodbye(const struct request *rq, enum lang lang, const struct person *p,
    const struct list *left, size_t n, struct err *e)
{
	const struct config *cfg = ctx_of(rq)->cfg;
	struct render_vars *v = render_vars_new();
	struct notify_to to = { p->email, p->name, p->id };
	int rc;

	render_vars_list(v, "lists");
	for (size_t i = 0; i < n; i++)
		notify_list_item(cfg, v, "lists", &left[i]);
	rc = notify_mail(rq->n, lang, "goodbye.txt", v, &to, NULL,
	    rq->thread, e);
	render_vars_free(&v);
	return rc;
}

/* The subscription of person to list: 1 with its state and mode, 0 none, -1. */
static int
sub_state(const struct request *rq, const char *list, int64_t person_id,
    enum sub_state *state, enum sub_mode *mode, struct err *e)
{
	struct sub s;
	int r = store_sub_get(ctx_of(rq)->st, list, person_id, &s, e);

	if (r <= 0)
		return r;
	*state = s.state;
	*mode = s.mode;
	sub_clear(&s);
	return 1;
}

/* The same, but someone who left the list is no member: 1, 0, -1. */
static int
member(const struct request *rq, const char *list, int64_t person_id,
    enum sub_state *state, enum sub_mode *mode, struct err *e)
{
	int r = sub_state(rq, list, person_id, state, mode, e);

	return r == 1 && *state == SUB_UNSUBSCRIBED ? 0 : r;
}

static int
do_subscribe(const struct request *rq, const struct command *c,
    const struct list *l, struct result *out, struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	enum sub_state state;
	enum sub_mode mode, want;
	int r;

	want = c->digest && l->digest != DIGEST_NONE ? MODE_DIGEST : MODE_EACH;
	out->digest = want == MODE_DIGEST;
	if ((r = sub_state(rq, l->id, rq->person_id, &state, &mode, e)) < 0)
		return -1;
	if (r == 1 && state == SUB_ACTIVE) {
		out->flag = "already_subscribed";
		out->digest = mode == MODE_DIGEST;
		return 0;
	}
	/* A new address shows as pending until it confirms (`which`). */
	if (r == 0 && store_sub_put(ctx->st, l->id, rq->person_id, SUB_PENDING,
	    want, NULL, ctx->now, e) != 0)
		return -1;
	if ((r = confirm_request(rq, TOKEN_SUBSCRIBE, l, want, NULL, 0, false,
	    e)) < 0)
		return -1;
	out->flag = r ? "subscribe_confirm_sent" : NULL;
	out->mailed = true;
	return 0;
}

static int
do_unsubscribe(const struct request *rq, const struct list *l,
    struct result *out, struct err *e)
{
	enum sub_state state;
	enum sub_mode mode;
	int r;

	if ((r = member(rq, l->id, rq->person_id, &state, &mode, e)) <= 0) {
		out->flag = "not_subscribed";
		return r;
	}
	if ((r = confirm_request(rq, TOKEN_UNSUBSCRIBE, l, mode, NULL, 0,
	    false, e)) < 0)
		return -1;
	out->flag = r ? "unsubscribe_confirm_sent" : NULL;
	out->mailed = true;
	return 0;
}

static int
do_unsubscribe_all(const struct request *rq, struct result *out,
    struct err *e)
{
	struct list *all;
	size_t n;
	int r;

	if (member_lists(rq, rq->person_id, &all, &n, e) != 0)
		return -1;
	if (n == 0) {
		out->flag = "not_subscribed_any";
		free(all);
		return 0;
	}
	r = confirm_request(rq, TOKEN_UNSUBSCRIBE, NULL, MODE_EACH, all, n,
	    false, e);
	lists_free(all, n);
	if (r < 0)
		return -1;
	out->flag = r ? "unsubscribe_all_confirm_sent" : NULL;
	out->mailed = true;
	return 0;
}

static int
do_digest(const struct request *rq, const struct command *c,
    const struct list *l, struct result *out, struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	enum sub_state state;
	enum sub_mode mode;
	int r;

	if ((r = member(rq, l->id, rq->person_id, &state, &mode, e)) <= 0) {
		out->flag = "not_subscribed";
		return r;
	}
	if (l->digest == DIGEST_NONE) {
		out->flag = "no_digest";
		return 0;
	}
	mode = c->on ? MODE_DIGEST : MODE_EACH;
	if (store_sub_put(ctx->st, l->id, rq->person_id, state, mode, NULL,
	    ctx->now, e) != 0 || store_event(ctx->st, ctx->now, c->on ?
	    "digest-on" : "digest-off", l->id, rq->addr, NULL, "by mail",
	    e) != 0)
		return -1;
	out->flag = c->on ? "digest_on" : "digest_off";
	out->digest = c->on;
	return 0;
}

/* Leave list l (person p), stamping the event; the goodbye is the caller's. */
static int
leave(const struct request *rq, const struct person *p, const struct list *l,
    const char *how, struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	enum sub_state state;
	enum sub_mode mode;
	int r;

	if ((r = member(rq, l->id, p->id, &state, &mode, e)) <= 0)
		return r;
	if (store_sub_put(ctx->st, l->id, p->id, SUB_UNSUBSCRIBED, mode, NULL,
	    ctx->now, e) != 0 || store_event(ctx->st, ctx->now, "unsubscribe",
	    l->id, p->email, NULL, how, e) != 0)
		return -1;
	return 1;
}

static int
confirm_subscribe(const struct request *rq, const struct store_token *t,
    const struct person *p, struct result *out, struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	struct list l;
	int r;

	if ((r = get_list(rq, t->list_id, &l, e)) <= 0) {
		if (r == 0)
			out->flag = "confirm_unknown";
		return r;
	}
	set_list(out, &l, NULL);
	out->digest = t->mode == MODE_DIGEST;
	r = store_sub_put(ctx->st, l.id, p->id, SUB_ACTIVE, t->mode,
	    consent_of(rq), ctx->now, e) != 0 || store_sub_consent(ctx->st,
	    l.id, p->id, t->request_msgid, rq->msgid, e) != 0 ||
	    store_event(ctx->st, ctx->now, "subscribe", l.id, p->email, NULL,
	    confirmed_how(rq), e) != 0 || welcome(rq, t->lang, p, &l, t->mode, e) != 0 ? -1 : 0;
	list_clear(&l);
	out->flag = "subscribed";
	out->mailed = true;
	return r;
}

static int
confirm_unsubscribe(const struct request *rq, const struct store_token *t,
    const struct person *p, struct result *out, struct err *e)
{
	struct list *left = NULL, one;
	size_t n = 0;
	int r;

	if (t->list_id == NULL) {
		if (member_lists(rq, p->id, &left, &n, e) != 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (leave(rq, p, &left[i], confirmed_how(rq), e) < 0) {
				lists_free(left, n);
				return -1;
			}
		out->flag = n ? "unsubscribed_all" : "not_subscribed_any";
	} else {
		if ((r = get_list(rq, t->list_id, &one, e)) <= 0) {
			if (r == 0)
				out->flag = "confirm_unknown";
			return r;
		}
		set_list(out, &one, NULL);
		if ((r = leave(rq, p, &one, confirmed_how(rq), e)) < 0) {
			list_clear(&one);
			return -1;
		}
		out->flag = r ? "unsubscribed" : "not_subscribed";
		if (r) {
			left = xmalloc(sizeof(*left));
			left[0] = one;
			n = 1;
		} else {
			list_clear(&one);
		}
	}
	r = n > 0 ? goodbye(rq, t->lang, p, left, n, e) : 0;
	out->mailed = n > 0;
	lists_free(left, n);
	return r;
}

static int
do_confirm(const struct request *rq, const char *token, struct result *out,
    struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	struct store_token t;
	struct person p;
	char hash[TOKEN_HASH_LEN + 1];
	int r;

	token_hash(token, hash);
	if ((r = store_token_get(ctx->st, hash, true, &t, e)) < 0)
		return -1;
	if (r == 0 || t.used_at != 0) {
		out->flag = "confirm_unknown";
		if (r)
			store_token_clear(&t);
		return 0;
	}
	if (t.expires != 0 && t.expires < ctx->now) {
		out->flag = "confirm_expired";
		store_token_clear(&t);
		return 0;
	}
	if ((r = store_person_get(ctx->st, t.person_id, &p, e)) <= 0) {
		if (r == 0)
			out->flag = "confirm_unknown";
		store_token_clear(&t);
		return r;
	}
	if ((r = store_token_use(ctx->st, hash, ctx->now, e)) > 0)
		r = t.action == TOKEN_SUBSCRIBE ?
		    confirm_subscribe(rq, &t, &p, out, e) :
		    confirm_unsubscribe(rq, &t, &p, out, e);
	else if (r == 0)
		out->flag = "confirm_unknown";
	person_clear(&p);
	store_token_clear(&t);
	return r < 0 ? -1 : 0;
}

int
subscription_run(const struct request *rq, const struct command *c,
    struct result *out, struct err *e)
{
	struct list l;
	int r;

	memset(out, 0, sizeof(*out));
	out->list_name = xstrdup("");
	switch (c->verb) {
	case CMD_CONFIRM:
		return do_confirm(rq, c->token, out, e);
	case CMD_LISTS:
		out->flag = "show_lists";
		return 0;
	case CMD_WHICH:
		out->flag = "show_which";
		return 0;
	case CMD_HELP:
		out->flag = "show_help";
		return 0;
	case CMD_UNKNOWN:
		out->flag = "unknown_command";
		return 0;
	case CMD_ARCHIVE:
	case CMD_GET:
	case CMD_SEARCH:
		return archive_mail_run(rq, c, out, e);
	case CMD_UNSUBSCRIBE:
		if (c->all)
			return do_unsubscribe_all(rq, out, e);
		break;
	default:
		break;
	}
	if ((r = get_list(rq, c->list, &l, e)) <= 0) {
		set_list(out, NULL, c->list);
		if (r == 0)
			out->flag = "unknown_list";
		return r;
	}
	set_list(out, &l, NULL);
	switch (c->verb) {
	case CMD_SUBSCRIBE:
		r = do_subscribe(rq, c, &l, out, e);
		break;
	case CMD_UNSUBSCRIBE:
		r = do_unsubscribe(rq, &l, out, e);
		break;
	default:
		r = do_digest(rq, c, &l, out, e);
		break;
	}
	list_clear(&l);
	return r;
}

int
subscription_confirm(const struct request *rq, const char *token,
    struct result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->list_name = xstrdup("");
	return do_confirm(rq, token, out, e);
}

int
subscription_one_click(const struct request *rq, const char *list,
    const char *token, struct result *out, struct err *e)
{
	const struct kr_ctx *ctx = ctx_of(rq);
	struct store_token t;
	struct person p;
	struct list l;
	char hash[TOKEN_HASH_LEN + 1];
	int r;

	memset(out, 0, sizeof(*out));
	out->list_name = xstrdup("");
	snprintf(out->list_id, sizeof(out->list_id), "%s", list);
	token_hash(token, hash);
	if ((r = store_token_get(ctx->st, hash, false, &t, e)) <= 0) {
		out->flag = "confirm_unknown";
		return r;
	}
	/* The token names its list: a token of another list is no token. */
	if (t.list_id == NULL || strcmp(t.list_id, list) != 0 ||
	    (r = store_person_get(ctx->st, t.person_id, &p, e)) == 0) {
		out->flag = "confirm_unknown";
		store_token_clear(&t);
		return 0;
	}
	store_token_clear(&t);
	if (r < 0)
		return -1;
	if ((r = get_list(rq, list, &l, e)) <= 0) {
		if (r == 0)
			out->flag = "confirm_unknown";
		person_clear(&p);
		return r;
	}
	set_list(out, &l, NULL);
	if ((r = leave(rq, &p, &l, by_web(rq) ? "one-click on the web" :
	    "one-click by mail", e)) > 0) {
		out->flag = "unsubscribed";
		out->mailed = true;
		r = goodbye(rq, rq->lang, &p, &l, 1, e);
	} else if (r == 0) {
		out->flag = "not_subscribed";
	}
	list_clear(&l);
	person_clear(&p);
	return r < 0 ? -1 : 0;
}

int
subscription_invite(const struct request *rq, const struct list *l,
    enum sub_mode mode, struct err *e)
{
	return confirm_request(rq, TOKEN_SUBSCRIBE, l, mode, NULL, 0, true, e);
}
