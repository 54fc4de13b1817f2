/*
 * web_archive - the pages of a CoP's archive on kringd's web endpoint
 * (see web_archive.h).
 *
 * /a/TOKEN: the person's CoPs.  /a/public/LIST and below: the same
 * pages of a list whose archive is public (kring list set --archive),
 * without a token.  /a/TOKEN/LIST: its months and the
 * threads of the latest, or with ?q= the search's hits.
 * /a/TOKEN/LIST/YYYY-MM: the threads of a month, latest first.
 * /a/TOKEN/LIST/t/N: thread N, its posts oldest first, with their
 * attachments.  /a/TOKEN/LIST/p/N/K: attachment K of post N, with its
 * own type and Content-Disposition: attachment, so it is saved, never
 * shown as a page of this site.
 *
 * Only GET and HEAD; nothing is written.  The token's person must be an
 * active member of a CoP (of the CoP, for its pages), else a 403 page
 * that shows nothing of the archive: a member who left, was disabled
 * or erased (their link went with them) is refused.  Only accepted
 * posts are shown (store_archive.c); an erased author is "(removed)",
 * a post's address never appears, only a name or local part.  Every
 * value from a post is escaped; the search marks are the only HTML
 * made from a post's words.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "http.h"
#include "langpref.h"
#include "log.h"
#include "mime_attach.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "token.h"
#include "units.h"
#include "web_archive.h"
#include "xmem.h"

#define THREADS_MAX 200
#define HITS_MAX 20
#define SEGMENTS_MAX 5
#define SEGMENT_MAX 64

enum phrase {
	T_ARCHIVE, T_YOUR_COPS, T_SEARCH, T_MONTHS, T_POSTS, T_HITS,
	T_NO_HITS, T_REMOVED, T_FORBIDDEN, T_FORBIDDEN_TEXT, T_NOT_FOUND,
	T_NO_POSTS, T_BACK, T_BAD_METHOD, T_FAILED, T_POST,
	T_COUNT
};

static const char *const phrases[2][T_COUNT] = {
	[LANG_NL] = {
		"Archief", "Je CoP's", "Zoeken", "Maanden", "berichten",
		"Gevonden", "Niets gevonden.", "(verwijderd)",
		"Geen toegang",
		"Deze link geeft geen toegang (meer). Het archief is alleen "
		"voor leden; vraag een nieuwe link aan als je lid bent.",
		"Pagina niet gevonden", "Nog geen berichten.", "Terug",
		"Niet toegestaan", "Er ging iets mis", "bericht",
	},
	[LANG_EN] = {
		"Archive", "Your CoPs", "Search", "Months", "posts",
		"Found", "Nothing found.", "(removed)",
		"No access",
		"This link gives no access (any more). The archive is for "
		"members only; ask for a new link if you are a member.",
		"Page not found", "No posts yet.", "Back",
		"Not allowed", "Something went wrong", "post",
	},
};

static const char style[] =
	"body{margin:0;background:#eef2f5;color:#1f2933;font:17px/1.55 "
	"system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,"
	"sans-serif}main{box-sizing:border-box;max-width:48rem;margin:2rem "
	"auto;padding:2rem;background:#fff;border-top:6px solid #1d4e89;"
	"border-radius:4px}h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:"
	"1.15rem}a{color:#1d4e89}ul{padding-left:1.2rem}li{margin:.3rem 0}"
	".meta{color:#52606d;font-size:.9rem}article{border-top:1px solid "
	"#d9e2ec;padding:1rem 0}pre{white-space:pre-wrap;font:inherit;"
	"margin:.5rem 0 0}mark{background:#f0b429}input{font:inherit;padding:"
	".4rem;width:60%}button{font:inherit;padding:.4rem 1rem}";

struct page {
	const struct config *cfg;
	struct store *st;
	const struct http_req *rq;
	enum lang lang;
	char seg[SEGMENTS_MAX][SEGMENT_MAX + 1];
	size_t nseg;
	char *base;                      /* the link: URL/a/TOKEN */
	struct store_membership *m;
	size_t nm;
	const struct list *list;         /* the CoP of the page, or NULL */
	struct list pub;                 /* a public archive's list */
};

static const char *
T(const struct page *pg, enum phrase p)
{
	return phrases[pg->lang == LANG_EN ? LANG_EN : LANG_NL][p];
}

static void
esc(struct buf *b, const char *s)
{
	render_escape(RENDER_HTML, s ? s : "", b);
}

static void
head(const struct page *pg, struct buf *b, const char *title)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\">\n<meta name=\"robots\" "
	    "content=\"noindex, nofollow\">\n<title>", lang_name(pg->lang));
	esc(b, title);
	buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>", style);
	esc(b, title);
	buf_puts(b, "</h1>\n");
}

static void
foot(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

static void
date(struct buf *b, int64_t t)
{
	char s[32];

	units_format_time((time_t)t, s, sizeof(s));
	buf_puts(b, s);
}

static void
author(const struct page *pg, struct buf *b, const struct archive_post *a)
{
	esc(b, a->erased ? T(pg, T_REMOVED) : a->author);
}

/* A page that says only what went wrong. */
static void
refuse(struct page *pg, int status, enum phrase title, enum phrase text,
    struct http_answer *out)
{
	out->status = status;
	head(pg, &out->body, T(pg, title));
	if (text != T_COUNT) {
		buf_puts(&out->body, "<p>");
		esc(&out->body, T(pg, text));
		buf_puts(&out->body, "</p>\n");
	}
	foot(&out->body);
}

/* Whether a member of m reads its archive: 1 yes, 0 no, -1. */
static int
readable(struct page *pg, const struct store_membership *m, struct err *e)
{
	enum list_archive a;

	if (m->state != SUB_ACTIVE || m->list.kind != LIST_COP)
		return 0;
	if (store_list_archive(pg->st, m->list.id, &a, e) < 0)
		return -1;
	return a != ARCHIVE_NONE;
}

static void
lists_page(struct page *pg, struct buf *b)
{
	head(pg, b, T(pg, T_YOUR_COPS));
	buf_puts(b, "<ul>\n");
	for (size_t i = 0; i < pg->nm; i++) {
		const struct list *l = &pg->m[i].list;

		struct err e = { 0, "" };

		if (readable(pg, &pg->m[i], &e) != 1)
			continue;
		buf_printf(b, "<li><a href=\"");
		esc(b, pg->base);
		buf_puts(b, "/");
		esc(b, l->id);
		buf_puts(b, "\">");
		esc(b, l->name);
		buf_puts(b, "</a></li>\n");
	}
	buf_puts(b, "</ul>\n");
	foot(b);
}

static void
link_to(const struct page *pg, struct buf *b, const char *tail)
{
	buf_puts(b, "<a href=\"");
	esc(b, pg->base);
	buf_puts(b, "/");
	esc(b, pg->list->id);
	esc(b, tail);
	buf_puts(b, "\">");
}

static void
search_form(const struct page *pg, struct buf *b)
{
	buf_puts(b, "<form method=\"get\" action=\"");
	esc(b, pg->base);
	buf_puts(b, "/");
	esc(b, pg->list->id);
	buf_puts(b, "\"><input type=\"search\" name=\"q\" value=\"");
	esc(b, pg->rq->query ? pg->rq->query : "");
	buf_puts(b, "\"> <button>");
	esc(b, T(pg, T_SEARCH));
	buf_puts(b, "</button></form>\n");
}

static void
thread_rows(const struct page *pg, struct buf *b,
    const struct archive_post *a, size_t n)
{
	char tail[48];

	if (n == 0) {
		buf_printf(b, "<p>%s</p>\n", T(pg, T_NO_POSTS));
		return;
	}
	buf_puts(b, "<ul>\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(tail, sizeof(tail), "/t/%lld", (long long)a[i].thread_id);
		buf_puts(b, "<li>");
		link_to(pg, b, tail);
		esc(b, a[i].subject[0] ? a[i].subject : "-");
		buf_puts(b, "</a> <span class=\"meta\">");
		author(pg, b, &a[i]);
		buf_printf(b, " · %lld %s · ", (long long)a[i].count,
		    T(pg, a[i].count == 1 ? T_POST : T_POSTS));
		date(b, a[i].last);
		buf_puts(b, "</span></li>\n");
	}
	buf_puts(b, "</ul>\n");
}

/* The snippet, escaped, its marks made <mark>. */
static void
snippet(struct buf *b, const char *s)
{
	struct buf t;

	buf_init(&t, 0);
	esc(&t, s);
	for (size_t i = 0; i < t.len; i++) {
		if (t.data[i] == ARCHIVE_MARK_ON[0])
			buf_puts(b, "<mark>");
		else if (t.data[i] == ARCHIVE_MARK_OFF[0])
			buf_puts(b, "</mark>");
		else
			buf_putc(b, t.data[i]);
	}
	buf_free(&t);
}

static int
search_page(struct page *pg, struct buf *b, struct err *e)
{
	struct archive_post *a;
	size_t n;
	char tail[48];

	if (store_archive_search(pg->st, pg->list->id, pg->rq->query,
	    HITS_MAX, &a, &n, e) != 0)
		return -1;
	head(pg, b, pg->list->name);
	search_form(pg, b);
	buf_printf(b, "<h2>%s</h2>\n", T(pg, n ? T_HITS : T_NO_HITS));
	buf_puts(b, "<ul>\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(tail, sizeof(tail), "/t/%lld#p%lld",
		    (long long)a[i].thread_id, (long long)a[i].id);
		buf_puts(b, "<li>");
		link_to(pg, b, tail);
		esc(b, a[i].subject[0] ? a[i].subject : "-");
		buf_puts(b, "</a> <span class=\"meta\">");
		author(pg, b, &a[i]);
		buf_puts(b, " · ");
		date(b, a[i].created);
		buf_puts(b, "</span><br>");
		snippet(b, a[i].text);
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
	foot(b);
	archive_posts_free(a, n);
	return 0;
}

/* [from, to) of month "YYYY-MM" in local time; false when no month. */
static bool
month_span(const char *m, int64_t *from, int64_t *to)
{
	struct tm tm;
	int y, mo;
	char extra;

	if (strlen(m) != 7 || sscanf(m, "%4d-%2d%c", &y, &mo, &extra) != 2 ||
	    y < 1970 || y > 9999 || mo < 1 || mo > 12)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	*from = (int64_t)mktime(&tm);
	tm.tm_mon++;
	tm.tm_isdst = -1;
	*to = (int64_t)mktime(&tm);
	return true;
}

static int
list_page(struct page *pg, struct buf *b, const char *month, struct err *e)
{
	struct archive_month *ms;
	struct archive_post *a = NULL;
	size_t nms, n = 0;
	int64_t from, to;
	char tail[16];

	if (store_archive_months(pg->st, pg->list->id, &ms, &nms, e) != 0)
		return -1;
	if (month == NULL && nms > 0)
		month = ms[0].month;
	if (month != NULL && month_span(month, &from, &to) &&
	    store_archive_threads(pg->st, pg->list->id, from, to, THREADS_MAX,
	    &a, &n, e) != 0) {
		free(ms);
		return -1;
	}
	head(pg, b, pg->list->name);
	search_form(pg, b);
	if (month != NULL) {
		buf_puts(b, "<h2>");
		esc(b, month);
		buf_puts(b, "</h2>\n");
	}
	thread_rows(pg, b, a, n);
	buf_printf(b, "<h2>%s</h2>\n<ul>\n", T(pg, T_MONTHS));
	for (size_t i = 0; i < nms; i++) {
		snprintf(tail, sizeof(tail), "/%s", ms[i].month);
		buf_puts(b, "<li>");
		link_to(pg, b, tail);
		esc(b, ms[i].month);
		buf_puts(b, "</a></li>\n");
	}
	buf_puts(b, "</ul>\n");
	foot(b);
	free(ms);
	archive_posts_free(a, n);
	return 0;
}

/* The links to post id's attachments, if it has any. */
static int
files_of(const struct page *pg, struct buf *b, int64_t id, struct err *e)
{
	struct archive_post p;
	struct mime_file *f = NULL;
	size_t n = 0;
	char tail[64];
	int r;

	if ((r = store_archive_raw(pg->st, pg->list->id, id, &p, e)) <= 0)
		return r;
	if (mime_files(p.raw, p.raw_len, SIZE_MAX, NULL, &f, &n) != 0)
		n = 0;
	if (n > 0)
		buf_puts(b, "<ul class=\"files\">\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(tail, sizeof(tail), "/p/%lld/%zu", (long long)id, i);
		buf_puts(b, "<li>");
		link_to(pg, b, tail);
		esc(b, f[i].name);
		buf_printf(b, "</a> <span class=\"meta\">%zu KiB</span></li>\n",
		    (f[i].size + 1023) / 1024);
	}
	if (n > 0)
		buf_puts(b, "</ul>\n");
	mime_files_free(f, n);
	archive_post_clear(&p);
	return 0;
}

/* Content-Disposition for name: an ASCII name and the UTF-8 one. */
static void
disposition(const char *name, char *out, size_t len)
{
	struct buf b;

	buf_init(&b, len - 1);
	buf_puts(&b, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		buf_putc(&b, *p < 0x80 && *p != '\\' && *p != '"' ? (char)*p :
		    '_');
	buf_puts(&b, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	/* Cut, it is still a header: a cut escape is no harm to a name. */
	snprintf(out, len, "%s", b.overflow ? "attachment" : buf_str(&b));
	buf_free(&b);
}

/* Attachment k of post id as the answer: 1, 0 none, -1. */
static int
file_page(struct page *pg, struct http_answer *out, int64_t id, size_t k,
    struct err *e)
{
	struct archive_post p;
	struct mime_file *f = NULL;
	size_t n = 0;
	int r;

	if ((r = store_archive_raw(pg->st, pg->list->id, id, &p, e)) <= 0)
		return r;
	buf_reset(&out->body);
	if (mime_files(p.raw, p.raw_len, k, &out->body, &f, &n) != 0)
		r = err_set(e, EX_OSERR, "reading an attachment: out of memory");
	else if (k >= n)
		r = 0;
	else {
		snprintf(out->type, sizeof(out->type), "%s", f[k].type);
		disposition(f[k].name, out->disposition,
		    sizeof(out->disposition));
	}
	mime_files_free(f, n);
	archive_post_clear(&p);
	return r;
}

/* 1 shown, 0 no such thread, -1 error. */
static int
thread_page(struct page *pg, struct buf *b, int64_t id, struct err *e)
{
	struct archive_post *a;
	size_t n;

	if (store_archive_thread(pg->st, pg->list->id, id, &a, &n, e) != 0)
		return -1;
	if (n == 0)
		return 0;
	head(pg, b, a[0].subject[0] ? a[0].subject : pg->list->name);
	buf_puts(b, "<p>");
	link_to(pg, b, "");
	esc(b, pg->list->name);
	buf_puts(b, "</a></p>\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "<article id=\"p%lld\"><div class=\"meta\">",
		    (long long)a[i].id);
		author(pg, b, &a[i]);
		buf_puts(b, " · ");
		date(b, a[i].created);
		buf_puts(b, "</div>\n<pre>");
		esc(b, a[i].text);
		buf_puts(b, "</pre>\n");
		if (files_of(pg, b, a[i].id, e) != 0) {
			archive_posts_free(a, n);
			return -1;
		}
		buf_puts(b, "</article>\n");
	}
	foot(b);
	archive_posts_free(a, n);
	return 1;
}

/* The path's segments after "/a/"; false when there are too many. */
static bool
split(const char *path, struct page *pg)
{
	const char *p = path + 3;

	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (pg->nseg == SEGMENTS_MAX || n > SEGMENT_MAX)
			return false;
		memcpy(pg->seg[pg->nseg], p, n);
		pg->seg[pg->nseg++][n] = '\0';
		p += n;
		if (*p == '/')
			p++;
	}
	return pg->nseg > 0;
}

/* The person of the token, with their lists; 1 may read, 0 not, -1. */
static int
who(struct page *pg, struct err *e)
{
	char tok[SEGMENT_MAX + 1], hash[TOKEN_HASH_LEN + 1];
	int64_t person = 0;
	int r;

	for (size_t i = 0; i <= strlen(pg->seg[0]); i++)
		tok[i] = (char)tolower((unsigned char)pg->seg[0][i]);
	token_hash(tok, hash);
	if ((r = store_archive_link_get(pg->st, hash, &person, e)) <= 0)
		return r;
	if (!token_well_formed(tok))
		return 0;
	if (store_person_memberships(pg->st, person, &pg->m, &pg->nm, e) != 0)
		return -1;
	pg->base = notify_web_url(pg->cfg, "a", tok);
	if (pg->base == NULL)
		pg->base = xasprintf("/a/%s", tok);
	for (size_t i = 0; i < pg->nm; i++) {
		if ((r = readable(pg, &pg->m[i], e)) < 0)
			return -1;
		if (r == 1 && (pg->nseg < 2 ||
		    strcmp(pg->m[i].list.id, pg->seg[1]) == 0)) {
			if (pg->nseg >= 2)
				pg->list = &pg->m[i].list;
			return 1;
		}
	}
	return 0;
}

/* /a/public/LIST...: 1 a list whose archive is public, 0 not, -1. */
static int
public(struct page *pg, struct err *e)
{
	enum list_archive a;
	int r;

	if (pg->nseg < 2)
		return 0;
	if ((r = store_list_archive(pg->st, pg->seg[1], &a, e)) <= 0 ||
	    a != ARCHIVE_PUBLIC)
		return r < 0 ? -1 : 0;
	if ((r = store_list_get(pg->st, pg->seg[1], &pg->pub, e)) <= 0)
		return r;
	pg->list = &pg->pub;
	pg->base = notify_web_url(pg->cfg, "a", "public");
	if (pg->base == NULL)
		pg->base = xstrdup("/a/public");
	return 1;
}

/* The page of a reader who may read; 404 for a path of no page. */
static int
serve(struct page *pg, struct http_answer *out, struct err *e)
{
	int r = 1;
	char *end;
	long long id, k;

	out->status = 200;
	if (pg->nseg == 1)
		lists_page(pg, &out->body);
	else if (pg->nseg == 2 && pg->rq->query != NULL &&
	    pg->rq->query[strspn(pg->rq->query, " \t")] != '\0')
		r = search_page(pg, &out->body, e) == 0 ? 1 : -1;
	else if (pg->nseg == 2)
		r = list_page(pg, &out->body, NULL, e) == 0 ? 1 : -1;
	else if (pg->nseg == 3 && isdigit((unsigned char)pg->seg[2][0]))
		r = list_page(pg, &out->body, pg->seg[2], e) == 0 ? 1 : -1;
	else if (pg->nseg == 4 && strcmp(pg->seg[2], "t") == 0 &&
	    (id = strtoll(pg->seg[3], &end, 10)) > 0 && *end == '\0')
		r = thread_page(pg, &out->body, id, e);
	else if (pg->nseg == 5 && strcmp(pg->seg[2], "p") == 0 &&
	    (id = strtoll(pg->seg[3], &end, 10)) > 0 && *end == '\0' &&
	    (k = strtoll(pg->seg[4], &end, 10)) >= 0 && *end == '\0' &&
	    isdigit((unsigned char)pg->seg[4][0]))
		r = file_page(pg, out, id, (size_t)k, e);
	else
		r = 0;
	return r;
}

void
web_archive_answer(struct store *st, const struct config *cfg,
    const struct http_req *rq, struct http_answer *out)
{
	struct page pg;
	struct err e = { 0, "" };
	int r;

	memset(&pg, 0, sizeof(pg));
	pg.cfg = cfg;
	pg.st = st;
	pg.rq = rq;
	if (!langpref_pick(rq->accept_language, &pg.lang))
		pg.lang = cfg->language;
	out->lang = pg.lang;
	/*
	 * No time floor: the status says whether a link works (200 or
	 * 403), so its time cannot say more; 128 bits are not guessed.
	 */
	out->floor = false;
	buf_reset(&out->body);
	if (rq->method != HTTP_GET && rq->method != HTTP_HEAD) {
		out->allow = true;
		refuse(&pg, 405, T_BAD_METHOD, T_COUNT, out);
		return;
	}
	if (!split(rq->path, &pg))
		r = 0;
	else if (strcmp(pg.seg[0], "public") == 0)
		r = public(&pg, &e);
	else if ((r = who(&pg, &e)) == 0)
		refuse(&pg, 403, T_FORBIDDEN, T_FORBIDDEN_TEXT, out);
	if (r == 1)
		r = serve(&pg, out, &e);
	if (r == 0 && out->status != 403) {
		buf_reset(&out->body);
		refuse(&pg, 404, T_NOT_FOUND, T_COUNT, out);
	}
	if (r < 0) {
		log_event(LV_ERROR, "event=web action=archive result=failed "
		    "error=\"%s\"",
		    e.msg);
		buf_reset(&out->body);
		refuse(&pg, 500, T_FAILED, T_COUNT, out);
	}
	store_memberships_free(pg.m, pg.nm);
	list_clear(&pg.pub);
	free(pg.base);
}
