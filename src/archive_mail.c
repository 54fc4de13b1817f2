/*
 * archive_mail - the archive's mail commands (see archive_mail.h).
 *
 * The lists in a reply are plain text without words of either
 * language, so reply.txt gives the headings: one line per thread or
 * hit, "  #N  YYYY-MM-DD  Subject (posts)", a hit's snippet below it
 * with the words found between asterisks.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive_mail.h"
#include "buf.h"
#include "ctx.h"
#include "err.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "subscription.h"
#include "units.h"
#include "xmem.h"

/* The day of t: the date of units_format_time, without the time. */
static void
day(struct buf *b, int64_t t)
{
	char s[32];

	units_format_time((time_t)t, s, sizeof(s));
	buf_add(b, s, strcspn(s, " "));
}

/* One line for a; count < 0: no count. */
static void
line(struct buf *b, const struct archive_post *a, int64_t count)
{
	buf_printf(b, "  #%lld  ", (long long)a->id);
	day(b, count >= 0 ? a->last : a->created);
	buf_printf(b, "  %s", a->subject[0] ? a->subject : "-");
	if (count >= 0)
		buf_printf(b, " (%lld)", (long long)count);
	buf_putc(b, '\n');
}

/* 1 rq's sender may read l's archive, 0 not, -1. */
static int
may_read(const struct request *rq, const struct list *l, struct err *e)
{
	const struct kr_ctx *ctx = rq->n->ctx;
	enum list_archive a;
	struct sub s;
	int r;

	if (l->kind != LIST_COP || rq->person_id <= 0)
		return 0;
	if (store_list_archive(ctx->st, l->id, &a, e) < 0 ||
	    (r = store_sub_get(ctx->st, l->id, rq->person_id, &s, e)) < 0)
		return -1;
	if (r == 0)
		return 0;
	r = s.state == SUB_ACTIVE && a != ARCHIVE_NONE;
	sub_clear(&s);
	return r;
}

static int
threads(const struct request *rq, const struct list *l, struct result *out,
    struct err *e)
{
	struct archive_post *a;
	struct buf b = BUF_INIT;
	size_t n;

	if (store_archive_threads(rq->n->ctx->st, l->id, 0, INT64_MAX,
	    ARCHIVE_MAIL_THREADS, &a, &n, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		line(&b, &a[i], a[i].count);
	archive_posts_free(a, n);
	out->flag = n ? "archive_threads" : "archive_empty";
	out->text = xstrdup(buf_str(&b));
	buf_free(&b);
	return 0;
}

static int
hits(const struct request *rq, const struct list *l, const char *words,
    struct result *out, struct err *e)
{
	struct archive_post *a;
	struct buf b = BUF_INIT;
	size_t n;

	if (store_archive_search(rq->n->ctx->st, l->id, words,
	    ARCHIVE_MAIL_HITS, &a, &n, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		line(&b, &a[i], -1);
		buf_puts(&b, "      ");
		for (const char *p = a[i].text; *p; p++)
			buf_putc(&b, *p == ARCHIVE_MARK_ON[0] ||
			    *p == ARCHIVE_MARK_OFF[0] ? '*' : *p == '\n' ? ' ' :
			    *p);
		buf_putc(&b, '\n');
	}
	archive_posts_free(a, n);
	out->flag = n ? "archive_hits" : "archive_no_hits";
	out->text = xstrdup(buf_str(&b));
	buf_free(&b);
	return 0;
}

/* Post p attached to a mail of its own to the sender. */
static int
send_post(const struct request *rq, const struct list *l,
    const struct archive_post *p, struct err *e)
{
	struct notify_to to = { rq->addr, rq->name, rq->person_id };
	struct render_vars *v = render_vars_new();
	int rc;

	render_vars_set(v, "list_id", l->id);
	render_vars_set(v, "list_name", l->name);
	render_vars_setf(v, "number", "%lld", (long long)p->id);
	render_vars_set(v, "post_subject", p->subject[0] ? p->subject : "-");
	rc = notify_mail_attached(rq->n, rq->lang, "archive_post.txt", v, &to,
	    NULL, rq->thread, p->raw, p->raw_len, (uint64_t)p->id, e);
	render_vars_free(&v);
	return rc;
}

static int
get(const struct request *rq, const struct list *l, int64_t id,
    struct result *out, struct err *e)
{
	struct archive_post p;
	int r;

	if ((r = store_archive_raw(rq->n->ctx->st, l->id, id, &p, e)) < 0)
		return -1;
	/* An erased author's post keeps no message to send. */
	if (r == 0 || p.raw_len == 0) {
		out->flag = "archive_no_post";
		r = 0;
	} else {
		r = send_post(rq, l, &p, e);
		out->flag = "archive_post_sent";
	}
	archive_post_clear(&p);
	return r;
}

int
archive_mail_run(const struct request *rq, const struct command *c,
    struct result *out, struct err *e)
{
	struct list l;
	int r;

	snprintf(out->list_id, sizeof(out->list_id), "%s", c->list);
	snprintf(out->number, sizeof(out->number), "%lld",
	    (long long)c->number);
	if ((r = store_list_get(rq->n->ctx->st, c->list, &l, e)) <= 0) {
		if (r == 0)
			out->flag = "unknown_list";
		return r;
	}
	free(out->list_name);
	out->list_name = xstrdup(l.name);
	if ((r = may_read(rq, &l, e)) == 1) {
		if (c->verb == CMD_ARCHIVE)
			r = threads(rq, &l, out, e);
		else if (c->verb == CMD_SEARCH)
			r = hits(rq, &l, c->words, out, e);
		else
			r = get(rq, &l, c->number, out, e);
	} else if (r == 0) {
		out->flag = "archive_members_only";
	}
	list_clear(&l);
	return r < 0 ? -1 : 0;
}
