/*
 * web_news - newsletter archive, feed and web versions (see
 * web_news.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "http.h"
#include "langpref.h"
#include "log.h"
#include "model.h"
#include "newsletter.h"
#include "newsletter_pics.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "web_news.h"
#include "xmem.h"

/* An archive longer than this shows the newest only. */
#define ARCHIVE_MAX 500
#define FEED_MAX 50
#define PART_MAX 64

/* The parts of a path under /n/: LIST, then ID, then a picture's name. */
struct where {
	char list[PART_MAX + 1];
	long long id;            /* 0: the archive */
	bool feed;
	char pic[PART_MAX + 1];  /* "" none */
};

static bool
copy_part(const char *s, size_t n, char *out)
{
	if (n == 0 || n > PART_MAX)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

static bool
number(const char *s, size_t n, long long *out)
{
	long long v = 0;

	if (n == 0 || n > 15 || *s == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "1.png": what keep_web_version names pictures, and nothing else. */
static bool
pic_name(const char *s)
{
	const char *dot = strchr(s, '.');
	long long n;

	return dot != NULL && number(s, (size_t)(dot - s), &n) &&
	    (strcmp(dot, ".png") == 0 || strcmp(dot, ".jpg") == 0 ||
	    strcmp(dot, ".gif") == 0);
}

/* 1 a /n/ path, 0 not one; w->list "" when it names nothing. */
static int
route(const char *path, struct where *w)
{
	const char *p, *slash;

	memset(w, 0, sizeof(*w));
	if (strncmp(path, "/n/", 3) != 0)
		return strcmp(path, "/n") == 0;
	p = path + 3;
	slash = strchr(p, '/');
	if (!copy_part(p, slash ? (size_t)(slash - p) : strlen(p), w->list) ||
	    !addr_list_id_ok(w->list)) {
		w->list[0] = '\0';
		return 1;
	}
	if (slash == NULL)
		return 1;
	p = slash + 1;
	if (strcmp(p, "feed.xml") == 0) {
		w->feed = true;
		return 1;
	}
	slash = strchr(p, '/');
	if (!number(p, slash ? (size_t)(slash - p) : strlen(p), &w->id) ||
	    (slash != NULL && (!copy_part(slash + 1, strlen(slash + 1),
	    w->pic) || !pic_name(w->pic))))
		w->list[0] = '\0';
	return 1;
}

static void
day(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d",
	    &tm) == 0)
		snprintf(out, len, "?");
}

static void
rfc3339(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "1970-01-01T00:00:00Z");
}

struct gather {
	const struct config *cfg;
	struct render_vars *v;   /* the archive page, or NULL */
	struct buf *feed;        /* the feed, or NULL */
	int64_t newest;
};

static int
on_issue(const struct news_page *p, void *arg)
{
	struct gather *g = arg;
	char *url = newsletter_web_url(g->cfg, p->list_id, p->campaign_id);
	char when[40];

	if (g->v != NULL) {
		struct render_vars *it = render_vars_item(g->v, "issues");

		day(p->date, when, sizeof(when));
		render_vars_set(it, "subject", p->subject);
		render_vars_set(it, "date", when);
		render_vars_set(it, "url", url);
	} else {
		if (p->date > g->newest)
			g->newest = p->date;
		rfc3339(p->date, when, sizeof(when));
		buf_puts(g->feed, "<entry>\n<title>");
		render_escape(RENDER_HTML, p->subject, g->feed);
		buf_puts(g->feed, "</title>\n<id>");
		render_escape(RENDER_HTML, url, g->feed);
		buf_puts(g->feed, "</id>\n<link rel=\"alternate\" "
		    "type=\"text/html\" href=\"");
		render_escape(RENDER_HTML, url, g->feed);
		buf_printf(g->feed, "\"/>\n<updated>%s</updated>\n</entry>\n",
		    when);
	}
	free(url);
	return 0;
}

/* The Atom feed (RFC 4287) of the list's newest newsletters. */
static int
feed(struct store *st, const struct config *cfg, const struct list *l,
    struct http_answer *out, struct err *e)
{
	struct buf entries = BUF_INIT;
	struct gather g = { cfg, NULL, &entries, 0 };
	char *home = newsletter_web_url(cfg, l->id, 0), when[40];
	int rc;

	if ((rc = store_news_each(st, l->id, FEED_MAX, on_issue, &g, e)) == 0) {
		rfc3339(g.newest, when, sizeof(when));
		buf_puts(&out->body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
		render_escape(RENDER_HTML, l->name, &out->body);
		buf_puts(&out->body, "</title>\n<id>");
		render_escape(RENDER_HTML, home, &out->body);
		buf_puts(&out->body, "</id>\n<link rel=\"self\" href=\"");
		render_escape(RENDER_HTML, home, &out->body);
		buf_puts(&out->body, "/feed.xml\"/>\n<link rel=\"alternate\" "
		    "type=\"text/html\" href=\"");
		render_escape(RENDER_HTML, home, &out->body);
		buf_printf(&out->body, "\"/>\n<updated>%s</updated>\n"
		    "<author><name>", when);
		render_escape(RENDER_HTML, l->name, &out->body);
		buf_puts(&out->body, "</name></author>\n");
		buf_add(&out->body, entries.data, entries.len);
		buf_puts(&out->body, "</feed>\n");
		snprintf(out->type, sizeof(out->type), "%s",
		    "application/atom+xml; charset=utf-8");
		out->status = 200;
	}
	free(home);
	buf_free(&entries);
	return rc;
}

/* A page of news.html: the archive, or one newsletter (id > 0). */
static int
page(struct store *st, const struct config *cfg,
    const struct render_set *tpl, const struct list *l, long long id,
    enum lang lang, struct http_answer *out, struct err *e)
{
	struct render_vars *v = render_vars_new();
	char *home = newsletter_web_url(cfg, l->id, 0);
	char *feed_url = xasprintf("%s/feed.xml", home);
	char *sub = notify_sub_address(cfg, l->id, "-subscribe");
	struct gather g = { cfg, v, NULL, 0 };
	struct news_page pg;
	char when[40];
	int rc = 1;

	memset(&pg, 0, sizeof(pg));
	render_vars_set(v, "list_id", l->id);
	render_vars_set(v, "list_name", l->name);
	render_vars_set(v, "list_description", l->description);
	render_vars_set(v, "subscribe_address", sub);
	render_vars_set(v, "archive_url", home);
	render_vars_set(v, "feed_url", feed_url);
	if (id > 0) {
		if ((rc = store_news_get(st, l->id, id, &pg, e)) == 1) {
			day(pg.date, when, sizeof(when));
			render_vars_flag(v, "issue", true);
			render_vars_set(v, "subject", pg.subject);
			render_vars_set(v, "date", when);
			/* Made from the Markdown by kring, in cmark's safe mode. */
			render_vars_html(v, "content", pg.content);
			out->own_images = true;
		}
	} else {
		render_vars_flag(v, "archive", true);
		render_vars_list(v, "issues");
		if (store_news_each(st, l->id, ARCHIVE_MAX, on_issue, &g, e) != 0)
			rc = -1;
	}
	if (rc == 1 && (rc = render(tpl, lang, "news.html", v, &out->body,
	    e)) == 0) {
		rc = 1;
		out->status = 200;
		out->lang = lang;
	}
	news_page_clear(&pg);
	render_vars_free(&v);
	free(home);
	free(feed_url);
	free(sub);
	return rc;
}

static int
picture(struct store *st, const struct list *l, const struct where *w,
    struct http_answer *out, struct err *e)
{
	char *type = NULL;
	int r = store_news_pic_get(st, l->id, w->id, w->pic, &type, &out->body,
	    e);

	if (r == 1) {
		/* Known by its bytes when it was kept: one of three types. */
		snprintf(out->type, sizeof(out->type), "%s",
		    strcmp(type, "image/png") == 0 ? "image/png" :
		    strcmp(type, "image/gif") == 0 ? "image/gif" : "image/jpeg");
		out->status = 200;
	}
	free(type);
	return r;
}

int
web_news_answer(struct store *st, const struct config *cfg,
    const struct render_set *tpl, const struct http_req *rq,
    struct http_answer *out)
{
	struct where w;
	struct list l = { 0 };
	struct err e = { 0, "" };
	enum lang lang;
	int r;

	if (!route(rq->path, &w))
		return WEB_NEWS_NOT_MINE;
	if (rq->method != HTTP_GET && rq->method != HTTP_HEAD)
		return WEB_NEWS_BAD_METHOD;
	if (w.list[0] == '\0' || *cfg->unsubscribe_url == '\0' ||
	    *cfg->http.listen == '\0')
		return WEB_NEWS_NOT_FOUND;
	if ((r = store_list_get(st, w.list, &l, &e)) == 1 &&
	    l.kind != LIST_NEWSLETTER)
		r = 0;
	if (r == 1) {
		if (!langpref_pick(rq->accept_language, &lang))
			lang = l.lang;
		if (w.feed)
			r = feed(st, cfg, &l, out, &e) == 0 ? 1 : -1;
		else if (w.pic[0] != '\0')
			r = picture(st, &l, &w, out, &e);
		else
			r = page(st, cfg, tpl, &l, w.id, lang, out, &e);
	}
	list_clear(&l);
	if (r < 0) {
		log_event(LV_ERROR, "event=web result=failed error=\"%s\"", e.msg);
		buf_reset(&out->body);
		out->type[0] = '\0';
		out->own_images = false;
		return WEB_NEWS_FAILED;
	}
	if (r == 0) {
		buf_reset(&out->body);
		out->own_images = false;
		return WEB_NEWS_NOT_FOUND;
	}
	return WEB_NEWS_DONE;
}
