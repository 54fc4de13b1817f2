/*
 * web - the unsubscribe and confirmation pages (see web.h).
 */
#include "autoconf.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "addr.h"
#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "http.h"
#include "langpref.h"
#include "log.h"
#include "notify.h"
#include "queue.h"
#include "render.h"
#include "store.h"
#include "subscription.h"
#include "token.h"
#include "web.h"
#include "web_archive.h"
#include "web_news.h"
#include "xmem.h"

/* Every page is padded to a multiple of this, to one size class. */
#define PAGE_CLASS 4096
/* A path's token part longer than this is no token, and not looked up. */
#define TOKEN_PATH_MAX 64

struct web {
	pthread_mutex_t lock;
	const struct config *cfg;
	const struct render_set *tpl;
	const struct hmac_key *key;
	struct store *st;
};

/*
 * The pages of web.html, each a flag of the template, and the status
 * it answers a POST with; a GET of a token page is always 200.
 */
enum page {
	P_ASK_UNSUBSCRIBE, P_ASK_SUBSCRIBE, P_ASK_LEAVE, P_ASK_LEAVE_ALL,
	P_UNSUBSCRIBED, P_SUBSCRIBED, P_LEFT_ALL, P_ALREADY,
	P_UNKNOWN, P_USED, P_EXPIRED,
	P_BUSY, P_FAILED, P_BAD_REQUEST, P_NOT_FOUND, P_BAD_METHOD,
	P_TOO_LARGE, P_TOO_MANY,
	P_COUNT
};

static const struct {
	const char *flag;
	int status;
} pages[P_COUNT] = {
	{ "ask_unsubscribe", 200 }, { "ask_subscribe", 200 },
	{ "ask_leave", 200 }, { "ask_leave_all", 200 },
	{ "unsubscribed", 200 }, { "subscribed", 200 },
	{ "left_all", 200 }, { "already", 200 },
	{ "unknown", 404 }, { "used", 404 }, { "expired", 404 },
	{ "busy", 503 }, { "failed", 500 }, { "bad_request", 400 },
	{ "not_found", 404 }, { "bad_method", 405 }, { "too_large", 413 },
	{ "too_many", 429 },
};

enum what { W_NONE, W_UNSUBSCRIBE, W_CONFIRM };

/* What a token stands for, as far as the page needs to know. */
struct look {
	enum what what;
	enum page page;
	char token[TOKEN_PATH_MAX + 1];   /* lower case, zero-filled */
	struct list l;                    /* the token's list; id NULL = none */
	bool lang_set;
	enum lang lang;                   /* the list's, or the request's */
	bool digest;
	struct store_membership *all;     /* ask_leave_all: the lists */
	size_t nall;
};

int
web_new(const struct config *cfg, const struct render_set *tpl,
    const struct hmac_key *key, struct web **out, struct err *e)
{
	struct web *w = xcalloc(1, sizeof(*w));

	*out = NULL;
	if (store_open(cfg->store, 0, &w->st, e) != 0) {
		free(w);
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	w->cfg = cfg;
	w->tpl = tpl;
	w->key = key;
	*out = w;
	return 0;
}

void
web_swap(struct web *w, const struct config *cfg,
    const struct render_set *tpl)
{
	pthread_mutex_lock(&w->lock);
	w->cfg = cfg;
	w->tpl = tpl;
	pthread_mutex_unlock(&w->lock);
}

void
web_free(struct web **wp)
{
	struct web *w = *wp;

	if (w == NULL)
		return;
	store_close(&w->st);
	pthread_mutex_destroy(&w->lock);
	free(w);
	*wp = NULL;
}

static void
look_clear(struct look *lk)
{
	list_clear(&lk->l);
	store_memberships_free(lk->all, lk->nall);
	lk->all = NULL;
	lk->nall = 0;
}

/* "/u/TOKEN" or "/c/TOKEN" into lk; false for any other path. */
static bool
route(const char *path, struct look *lk)
{
	const char *tok;
	size_t n;

	if (path == NULL || path[0] != '/' || (path[1] != 'u' &&
	    path[1] != 'c') || path[2] != '/')
		return false;
	tok = path + 3;
	n = strlen(tok);
	if (n == 0 || n > TOKEN_PATH_MAX || strchr(tok, '/') != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		lk->token[i] = (char)tolower((unsigned char)tok[i]);
	lk->what = path[1] == 'u' ? W_UNSUBSCRIBE : W_CONFIRM;
	return true;
}

/*
 * The list and the person's subscription to it, looked up also when
 * there is no token (list "" and person 0), so that an unknown token
 * costs what a known one does.  1 member, 0 not, -1 error.
 */
static int
list_and_sub(struct store *st, const char *list_id, int64_t person,
    struct look *lk, struct err *e)
{
	struct sub s;
	int r;

	if (store_list_get(st, list_id ? list_id : "", &lk->l, e) < 0 ||
	    (r = store_sub_get(st, list_id ? list_id : "", person, &s, e)) < 0)
		return -1;
	if (r == 0)
		return 0;
	r = s.state != SUB_UNSUBSCRIBED;
	sub_clear(&s);
	return r;
}

static int
look_unsubscribe(struct web *w, struct look *lk, struct err *e)
{
	struct store_token t;
	char hash[TOKEN_HASH_LEN + 1], expect[TOKEN_LEN + 1];
	bool ok;
	int r, member;

	token_hash(lk->token, hash);
	if ((r = store_token_get(w->st, hash, false, &t, e)) < 0)
		return -1;
	queue_unsub_token(w->key, r && t.list_id ? t.list_id : "",
	    r ? t.person_id : 0, expect);
	ok = token_equal(expect, lk->token, TOKEN_LEN) &&
	    token_well_formed(lk->token) && r == 1 && t.list_id != NULL;
	member = list_and_sub(w->st, r ? t.list_id : "", r ? t.person_id : 0,
	    lk, e);
	store_token_clear(&t);
	if (member < 0)
		return -1;
	if (!ok || lk->l.id == NULL)
		lk->page = P_UNKNOWN;
	else
		lk->page = member ? P_ASK_UNSUBSCRIBE : P_ALREADY;
	if (lk->l.id != NULL) {
		lk->lang = lk->l.lang;
		lk->lang_set = true;
	}
	return 0;
}

static enum page
confirm_page(struct web *w, const struct store_token *t, time_t now,
    struct look *lk, struct err *e)
{
	if (t->used_at != 0)
		return P_USED;
	if (t->expires != 0 && t->expires < now)
		return P_EXPIRED;
	if (t->action == TOKEN_SUBSCRIBE) {
		lk->digest = t->mode == MODE_DIGEST;
		return lk->l.id ? P_ASK_SUBSCRIBE : P_UNKNOWN;
	}
	if (t->action != TOKEN_UNSUBSCRIBE)
		return P_UNKNOWN;
	if (t->list_id != NULL)
		return lk->l.id ? P_ASK_LEAVE : P_UNKNOWN;
	if (store_person_memberships(w->st, t->person_id, &lk->all, &lk->nall,
	    e) != 0)
		return P_FAILED;
	return P_ASK_LEAVE_ALL;
}

static int
look_confirm(struct web *w, time_t now, struct look *lk, struct err *e)
{
	struct store_token t;
	char hash[TOKEN_HASH_LEN + 1];
	int r;

	token_hash(lk->token, hash);
	if ((r = store_token_get(w->st, hash, true, &t, e)) < 0)
		return -1;
	if (list_and_sub(w->st, r ? t.list_id : "", r ? t.person_id : 0, lk,
	    e) < 0) {
		store_token_clear(&t);
		return -1;
	}
	lk->page = r ? confirm_page(w, &t, now, lk, e) : P_UNKNOWN;
	if (r) {
		/* The language the request was made in, as its mail was. */
		lk->lang = t.lang;
		lk->lang_set = true;
	}
	store_token_clear(&t);
	return lk->page == P_FAILED ? -1 : 0;
}

static enum page
page_of_error(const struct err *e, const char *what)
{
	if (e->ex == EX_TEMPFAIL)
		return P_BUSY;
	log_event(LV_ERROR, "event=web action=%s result=failed error=%s", what,
	    e->msg);
	return P_FAILED;
}

/* The page a result flag of subscription.h stands for. */
static enum page
page_of_result(const char *flag)
{
	static const struct {
		const char *flag;
		enum page page;
	} map[] = {
		{ "unsubscribed", P_UNSUBSCRIBED },
		{ "subscribed", P_SUBSCRIBED },
		{ "unsubscribed_all", P_LEFT_ALL },
		{ "not_subscribed", P_ALREADY },
		{ "not_subscribed_any", P_ALREADY },
		{ "confirm_expired", P_EXPIRED },
	};

	for (size_t i = 0; flag != NULL && i < sizeof(map) / sizeof(map[0]);
	    i++)
		if (strcmp(flag, map[i].flag) == 0)
			return map[i].page;
	return P_UNKNOWN;
}

/* Carry out what lk's page asks, in one transaction; the page after. */
static enum page
act(struct web *w, time_t now, struct look *lk)
{
	struct kr_ctx ctx = { w->cfg, w->st, now };
	struct notifier n = { &ctx, w->key, w->tpl, CAMPAIGN_NOTICE, 0 };
	struct request rq;
	struct result res;
	struct err e = { 0, "" };
	const char *what = lk->what == W_UNSUBSCRIBE ? "unsubscribe" :
	    "confirm";
	enum page p;
	int rc;

	memset(&rq, 0, sizeof(rq));
	memset(&res, 0, sizeof(res));
	rq.n = &n;
	rq.lang = lk->l.id ? lk->l.lang : w->cfg->language;
	rq.addr = "";
	rq.name = "";
	rq.via = "web";
	if (store_begin(w->st, &e) != 0)
		return page_of_error(&e, what);
	rc = lk->what == W_UNSUBSCRIBE ?
	    subscription_one_click(&rq, lk->l.id, lk->token, &res, &e) :
	    subscription_confirm(&rq, lk->token, &res, &e);
	if (rc != 0 || store_commit(w->st, &e) != 0) {
		store_rollback(w->st);
		notify_forget(&n);
		result_clear(&res);
		return page_of_error(&e, what);
	}
	p = page_of_result(res.flag);
	log_event(LV_INFO, "event=web action=%s list=%s result=%s", what,
	    res.list_id[0] ? res.list_id : "-", res.flag ? res.flag : "none");
	result_clear(&res);
	return p;
}

static bool
asks(enum page p)
{
	return p <= P_ASK_LEAVE_ALL;
}

static void
pad(struct buf *b)
{
	size_t want = (b->len / PAGE_CLASS + 1) * PAGE_CLASS;

	while (b->len + 1 < want)
		buf_putc(b, ' ');
	buf_putc(b, '\n');
}

static void
page_vars(const struct web *w, const struct look *lk, enum page p,
    struct render_vars *v)
{
	struct notify_to nobody = { "", "", 0 };
	bool unsub = lk->what == W_UNSUBSCRIBE;

	notify_common_vars(w->cfg, &nobody, v);
	for (size_t i = 0; i < P_COUNT; i++)
		render_vars_flag(v, pages[i].flag, i == (size_t)p);
	render_vars_flag(v, "ask", asks(p));
	render_vars_set(v, "form_name", unsub ? "List-Unsubscribe" : "confirm");
	render_vars_set(v, "form_value", unsub ? "One-Click" : "yes");
	render_vars_set(v, "list_id", lk->l.id ? lk->l.id : "");
	render_vars_set(v, "list_name", lk->l.id ? lk->l.name : "");
	render_vars_set(v, "list_description", lk->l.id ?
	    lk->l.description : "");
	render_vars_flag(v, "digest", lk->digest);
	render_vars_list(v, "lists");
	for (size_t i = 0; i < lk->nall; i++)
		notify_list_item(w->cfg, v, "lists", &lk->all[i].list);
}

static void
show(const struct web *w, const struct look *lk, enum page p, enum lang lang,
    struct http_answer *out)
{
	struct render_vars *v = render_vars_new();
	struct err e = { 0, "" };

	page_vars(w, lk, p, v);
	out->status = pages[p].status;
	out->lang = lang;
	if (render(w->tpl, lang, "web.html", v, &out->body, &e) != 0) {
		log_event(LV_ERROR, "event=web result=failed error=%s", e.msg);
		out->status = 500;
		buf_reset(&out->body);
		buf_puts(&out->body, "<!DOCTYPE html>\n<title>500</title>\n");
	}
	render_vars_free(&v);
	pad(&out->body);
}

/* The language of the page: the browser's choice, else the list's. */
static enum lang
lang_of(const struct web *w, const struct http_req *rq, const struct look *lk)
{
	enum lang l;

	if (langpref_pick(rq->accept_language, &l))
		return l;
	return lk->lang_set ? lk->lang : w->cfg->language;
}

/* The answer to a request for a token page; lk->what is set. */
static enum page
token_page(struct web *w, const struct http_req *rq, struct look *lk)
{
	const char *field = lk->what == W_UNSUBSCRIBE ? "List-Unsubscribe" :
	    "confirm";
	const char *want = lk->what == W_UNSUBSCRIBE ? "One-Click" : "yes";
	const char *got;
	struct err e = { 0, "" };
	int r;

	r = lk->what == W_UNSUBSCRIBE ? look_unsubscribe(w, lk, &e) :
	    look_confirm(w, rq->now, lk, &e);
	if (r != 0)
		return page_of_error(&e, "look");
	if (rq->method != HTTP_POST)
		return lk->page;
	got = http_field(rq, field);
	if (rq->not_form || got == NULL || strcmp(got, want) != 0)
		return P_BAD_REQUEST;
	if (!asks(lk->page))
		return lk->page;
	return act(w, rq->now, lk);
}

void
web_answer(void *arg, const struct http_req *rq, struct http_answer *out)
{
	struct web *w = arg;
	struct look lk;
	enum page p;
	int news;

	memset(&lk, 0, sizeof(lk));
	pthread_mutex_lock(&w->lock);
	if (!rq->too_many && !rq->too_large && !rq->head_too_large &&
	    rq->path != NULL && strncmp(rq->path, "/a/", 3) == 0) {
		web_archive_answer(w->st, w->cfg, rq, out);
		pthread_mutex_unlock(&w->lock);
		return;
	}
	if (rq->too_many)
		p = P_TOO_MANY;
	else if (rq->too_large || rq->head_too_large)
		p = P_TOO_LARGE;
	else if ((news = web_news_answer(w->st, w->cfg, w->tpl, rq, out)) != 0)
		p = news == WEB_NEWS_DONE ? P_COUNT : news == WEB_NEWS_FAILED ?
		    P_FAILED : news == WEB_NEWS_BAD_METHOD ? P_BAD_METHOD :
		    P_NOT_FOUND;
	else if (!route(rq->path, &lk))
		p = P_NOT_FOUND;
	else if (rq->method == HTTP_OTHER)
		p = P_BAD_METHOD;
	else
		p = token_page(w, rq, &lk);
	if (p == P_COUNT) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	show(w, &lk, p, lang_of(w, rq, &lk), out);
	/* Only a token's answer may tell by its time what was found. */
	out->floor = lk.what != W_NONE && p != P_BAD_METHOD;
	if (p == P_TOO_LARGE && rq->head_too_large)
		out->status = 431;
	if (p == P_BAD_METHOD)
		out->allow = true;
	if (p == P_BUSY)
		out->retry_after = 30;
	/* A scanner's GET learns nothing from the status either. */
	if (rq->method != HTTP_POST && lk.what != W_NONE &&
	    (p == P_UNKNOWN || p == P_USED || p == P_EXPIRED))
		out->status = 200;
	look_clear(&lk);
	pthread_mutex_unlock(&w->lock);
}
