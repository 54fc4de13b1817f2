/*
 * digest - making, queueing and scheduling digests (see digest.h).
 *
 * A digest is composed once: its table of contents carries a fresh
 * placeholder where each copy's one-click token goes, and the sender
 * fills in every recipient's own (q_message.personal), so one stored
 * body serves every member.  The posts are copied out of the store
 * while it is read (store_post_each's callback may not use the store)
 * and written back as "in this digest" once the digest has its number.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "addr.h"
#include "archive.h"
#include "buf.h"
#include "compose.h"
#include "compose_digest.h"
#include "config.h"
#include "ctx.h"
#include "digest.h"
#include "err.h"
#include "hmac.h"
#include "log.h"
#include "notify.h"
#include "queue.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "token.h"
#include "units.h"
#include "xmem.h"

#define SCHEDULE_WHAT "digest"
/* The fictitious member of a preview (RFC 2606 reserves the domain). */
#define PREVIEW_RCPT "member@example.org"

/* One post of a digest, copied out of the store. */
struct item {
	int64_t id;
	char *from_addr, *from_name, *subject;
	int64_t created;
	char *raw;               /* NULL when too large to carry */
	size_t raw_len;
	bool too_large;
	enum compose_unfit unfit;
	char *note;              /* what stands in its place, or NULL */
};

struct batch {
	struct item *v;
	size_t n, cap;
	size_t bytes;            /* of the posts carried whole */
};

static void
batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->v[i];

		free(it->from_addr);
		free(it->from_name);
		free(it->subject);
		free(it->raw);
		free(it->note);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Take posts in order while they fit the limits; the rest wait. */
static int
collect_cb(const struct post *p, void *arg)
{
	struct batch *b = arg;
	bool big = p->raw_len > DIGEST_POST_MAX;
	struct item *it;

	if (b->n == DIGEST_POSTS_MAX ||
	    (!big && b->n > 0 && b->bytes + p->raw_len > DIGEST_BYTES_MAX))
		return 1;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	it = &b->v[b->n++];
	memset(it, 0, sizeof(*it));
	it->id = p->id;
	it->from_addr = xstrdup(p->from_addr ? p->from_addr : "");
	it->from_name = xstrdup(p->from_name ? p->from_name : "");
	it->subject = xstrdup(p->subject ? p->subject : "");
	it->created = p->created;
	it->too_large = big;
	if (!big) {
		it->raw = xmalloc(p->raw_len + 1);
		memcpy(it->raw, p->raw, p->raw_len);
		it->raw[p->raw_len] = '\0';
		it->raw_len = p->raw_len;
		it->unfit = compose_digest_unfit(it->raw, it->raw_len);
		b->bytes += p->raw_len;
	}
	return 0;
}

static int
collect(const struct kr_ctx *ctx, const struct list *l, struct batch *b,
    struct err *e)
{
	memset(b, 0, sizeof(*b));
	return store_post_each(ctx->st, l->id, POST_ACCEPTED, true, true,
	    collect_cb, b, e);
}

static int
number(const struct kr_ctx *ctx, const struct list *l, int *volume,
    int *issue, struct err *e)
{
	struct tm tm;
	time_t now = ctx->now;

	if (localtime_r(&now, &tm) == NULL)
		return err_set(e, EX_SOFTWARE, "no local time for %lld",
		    (long long)now);
	*volume = tm.tm_year + 1900;
	return store_digest_next_issue(ctx->st, l->id, *volume, issue, e);
}

static void
local_time(int64_t t, const char *fmt, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(out, n, fmt, &tm) == 0)
		snprintf(out, n, "?");
}

static void
item_vars(struct render_vars *v, const struct item *it, size_t number)
{
	char when[32];

	local_time(it->created, "%Y-%m-%d %H:%M", when, sizeof(when));
	render_vars_setf(v, "number", "%zu", number);
	render_vars_set(v, "subject", it->subject);
	render_vars_set(v, "from_name", it->from_name);
	render_vars_set(v, "from_addr", it->from_addr);
	render_vars_set(v, "date", when);
}

/* The note of every post that cannot go in whole. */
static int
render_notes(const struct render_set *tpl, const struct list *l,
    struct batch *b, size_t *left_out, struct err *e)
{
	char max[32];

	units_format_size(DIGEST_POST_MAX, max, sizeof(max));
	*left_out = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->v[i];
		struct render_vars *v;
		struct buf note = BUF_INIT;
		int rc;

		if (!it->too_large && it->unfit == UNFIT_NONE)
			continue;
		v = render_vars_new();
		item_vars(v, it, i + 1);
		render_vars_flag(v, "too_large", it->too_large);
		render_vars_flag(v, "empty", it->unfit == UNFIT_EMPTY);
		render_vars_flag(v, "nul", it->unfit == UNFIT_NUL);
		render_vars_flag(v, "long_line", it->unfit == UNFIT_LONG_LINE);
		render_vars_set(v, "max_size", max);
		rc = render(tpl, l->lang, "digest_note.txt", v, &note, e);
		render_vars_free(&v);
		if (rc != 0) {
			buf_free(&note);
			return -1;
		}
		it->note = buf_steal(&note);
		++*left_out;
	}
	return 0;
}

static struct render_vars *
toc_vars(const struct kr_ctx *ctx, const struct list *l,
    const struct batch *b, int volume, int issue, int64_t waiting,
    const char *atom)
{
	const struct config *cfg = ctx->cfg;
	struct render_vars *v = render_vars_new();
	struct notify_to nobody = { "", "", 0 };
	char day[32], *post, *unsub, *what, *url;

	/* One message for every member: nothing of one person in it. */
	notify_common_vars(cfg, &nobody, v);
	render_vars_set(v, "list_id", l->id);
	render_vars_set(v, "list_name", l->name);
	render_vars_set(v, "list_description", l->description);
	render_vars_setf(v, "volume", "%d", volume);
	render_vars_setf(v, "issue", "%d", issue);
	local_time(ctx->now, "%Y-%m-%d", day, sizeof(day));
	render_vars_set(v, "date", day);
	render_vars_setf(v, "count", "%zu", b->n);
	render_vars_list(v, "posts");
	for (size_t i = 0; i < b->n; i++) {
		struct render_vars *it = render_vars_item(v, "posts");

		item_vars(it, &b->v[i], i + 1);
		render_vars_flag(it, "left_out", b->v[i].note != NULL);
	}
	if (waiting > 0)
		render_vars_setf(v, "waiting", "%lld", (long long)waiting);
	else
		render_vars_set(v, "waiting", "");
	post = notify_sub_address(cfg, l->id, "");
	render_vars_set(v, "post_address", l->policy == POLICY_CLOSED ||
	    l->kind == LIST_NEWSLETTER ? "" : post);
	free(post);
	what = xasprintf("-unsubscribe-%s", atom);
	unsub = notify_sub_address(cfg, l->id, what);
	render_vars_set(v, "unsubscribe_address", unsub);
	free(unsub);
	free(what);
	url = notify_web_url(cfg, "u", atom);
	render_vars_set(v, "unsubscribe_url", url);
	free(url);
	archive_list_vars(ctx->st, cfg, l->id, atom, v);
	return v;
}

static bool
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* A digest's Subject and body, its table of contents holding atom. */
struct made {
	struct buf subject, body;
	size_t left_out;
};

static int
make(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct list *l, struct batch *b, int volume, int issue,
    int64_t waiting, const char *atom, struct made *out, struct err *e)
{
	struct render_vars *v;
	struct buf text = BUF_INIT, html = BUF_INIT;
	struct compose_digest_item *items;
	struct compose_digest d;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (render_notes(tpl, l, b, &out->left_out, e) != 0)
		return -1;
	v = toc_vars(ctx, l, b, volume, issue, waiting, atom);
	items = xcalloc(b->n, sizeof(*items));
	if (render_subject(tpl, l->lang, "digest.txt", v, &out->subject,
	    e) != 0 || render(tpl, l->lang, "digest.txt", v, &text, e) != 0 ||
	    render(tpl, l->lang, "digest.html", v, &html, e) != 0)
		goto done;
	for (size_t i = 0; i < b->n; i++) {
		items[i].raw = b->v[i].raw;
		items[i].len = b->v[i].raw_len;
		items[i].note = b->v[i].note;
	}
	memset(&d, 0, sizeof(d));
	d.toc_text = buf_str(&text);
	/* A site's empty digest.html means a text-only table. */
	d.toc_html = blank(buf_str(&html)) ? NULL : buf_str(&html);
	d.items = items;
	d.n = b->n;
	d.atom = atom;
	if (token_random(&d.seed, sizeof(d.seed)) != 0) {
		err_set(e, EX_OSERR, "no randomness for the digest's boundaries");
		goto done;
	}
	rc = compose_digest_body(&d, &out->body, e);
done:
	render_vars_free(&v);
	free(items);
	buf_free(&text);
	buf_free(&html);
	return rc;
}

static void
made_free(struct made *m)
{
	buf_free(&m->subject);
	buf_free(&m->body);
}

/* Queue the made digest for its members; *cid 0 when there are none. */
static int
enqueue(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct list *l, const struct made *md, const char *atom,
    int64_t *cid, int64_t *queued, struct err *e)
{
	struct queue_rcpts mem = { NULL, 0, 0 };
	struct q_campaign c;
	struct q_message m;
	char *from;
	int rc;

	*cid = 0;
	*queued = 0;
	if (queue_rcpts_members(ctx->st, l->id, MODE_DIGEST, &mem, e) != 0) {
		queue_rcpts_free(&mem);
		return -1;
	}
	if (mem.n == 0)
		return 0;
	if (archive_links(ctx->st, ctx->cfg, key, &mem, ctx->now, e) != 0) {
		queue_rcpts_free(&mem);
		return -1;
	}
	from = notify_sub_address(ctx->cfg, l->id, "");
	memset(&c, 0, sizeof(c));
	c.kind = CAMPAIGN_DIGEST;
	c.list_id = l->id;
	c.subject = (char *)buf_str(&md->subject);
	c.created = ctx->now;
	c.not_before = ctx->now;
	memset(&m, 0, sizeof(m));
	m.from_name = l->name;
	m.from_addr = from;
	m.subject = (char *)buf_str(&md->subject);
	m.body = md->body.data;
	m.body_len = md->body.len;
	m.personal = (char *)atom;
	m.created = ctx->now;
	rc = queue_add(ctx->st, key, &c, &m, mem.v, mem.n, ctx->now, cid,
	    queued, e);
	free(from);
	queue_rcpts_free(&mem);
	return rc;
}

/* Record the digest, its posts and the event (inside the transaction). */
static int
record(const struct kr_ctx *ctx, const struct list *l, const char *period,
    const struct batch *b, struct digest_result *res, int64_t cid,
    struct err *e)
{
	struct store_digest d;
	char detail[160];

	memset(&d, 0, sizeof(d));
	d.list_id = l->id;
	d.volume = res->volume;
	d.issue = res->issue;
	d.period = period;
	d.created = ctx->now;
	d.campaign_id = cid;
	d.posts = (int64_t)b->n;
	if (store_digest_add(ctx->st, &d, &res->digest_id, e) != 0)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		if (store_post_digested(ctx->st, b->v[i].id, res->digest_id,
		    e) != 0)
			return -1;
	if (store_digest_waiting(ctx->st, l->id, &res->waiting, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "%d/%d posts=%zu left_out=%zu "
	    "queued=%lld%s%s", res->volume, res->issue, res->posts,
	    res->left_out, (long long)res->queued, period ? " period=" : "",
	    period ? period : "");
	return store_event(ctx->st, ctx->now, "digest", l->id, NULL, NULL,
	    detail, e);
}

/* Posts, number and body: what queue and preview share. */
static int
prepare(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct list *l, struct batch *b, struct digest_result *res,
    char atom[TOKEN_LEN + 1], struct made *md, struct err *e)
{
	int64_t left;

	memset(res, 0, sizeof(*res));
	memset(md, 0, sizeof(*md));
	if (collect(ctx, l, b, e) != 0)
		return -1;
	if (b->n == 0)
		return 0;
	if (number(ctx, l, &res->volume, &res->issue, e) != 0 ||
	    store_digest_waiting(ctx->st, l->id, &left, e) != 0)
		return -1;
	if (token_new(atom) != 0)
		return err_set(e, EX_OSERR, "no randomness for the digest");
	res->posts = b->n;
	res->waiting = left - (int64_t)b->n;
	if (make(ctx, tpl, l, b, res->volume, res->issue, res->waiting, atom,
	    md, e) != 0)
		return -1;
	res->left_out = md->left_out;
	return 0;
}

int
digest_queue(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct list *l, const char *period,
    struct digest_result *res, struct err *e)
{
	struct batch b;
	struct made md;
	char atom[TOKEN_LEN + 1];
	int64_t cid = 0;
	int rc;

	rc = prepare(ctx, tpl, l, &b, res, atom, &md, e);
	if (rc == 0 && b.n > 0 && (enqueue(ctx, key, l, &md, atom, &cid,
	    &res->queued, e) != 0 || record(ctx, l, period, &b, res, cid,
	    e) != 0))
		rc = -1;
	if (rc != 0)
		res->digest_id = 0;
	made_free(&md);
	batch_free(&b);
	return rc != 0 ? err_prefix(e, "digest of %s", l->id) : 0;
}

int
digest_preview(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct list *l, struct buf *out, struct digest_result *res,
    struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct batch b;
	struct made md;
	struct compose_head h;
	char atom[TOKEN_LEN + 1], token[TOKEN_LEN + 1], *from = NULL,
	    *msgid = NULL;
	int rc;

	rc = prepare(ctx, tpl, l, &b, res, atom, &md, e);
	if (rc != 0 || b.n == 0)
		goto done;
	if (token_new(token) != 0) {
		rc = err_set(e, EX_OSERR, "no randomness for the preview");
		goto done;
	}
	from = notify_sub_address(cfg, l->id, "");
	msgid = xasprintf("kring.preview.%s@%s", token, cfg->domain);
	memset(&h, 0, sizeof(h));
	h.kind = CAMPAIGN_DIGEST;
	h.list_id = l->id;
	h.list_name = l->name;
	h.list_post = l->kind == LIST_COP && l->policy != POLICY_CLOSED;
	h.from_name = l->name;
	h.from_addr = from;
	h.to_addr = PREVIEW_RCPT;
	h.subject = buf_str(&md.subject);
	h.message_id = msgid;
	h.unsub_token = token;
	h.date = ctx->now;
	if ((rc = compose_head(cfg, &h, out, e)) == 0) {
		struct buf one = BUF_INIT;
		char aa[TOKEN_LEN + 1];

		/* The made-up member's links: both tokens the preview's own. */
		archive_atom(atom, aa);
		compose_personalise(md.body.data, md.body.len, aa, token, &one);
		compose_personalise(one.data, one.len, atom, token, out);
		buf_free(&one);
	}
done:
	free(from);
	free(msgid);
	made_free(&md);
	batch_free(&b);
	return rc != 0 ? err_prefix(e, "digest of %s", l->id) : 0;
}

/* ---- the schedule ---- */

struct due_run {
	const struct kr_ctx *ctx;
	const struct hmac_key *key;
	const struct render_set *tpl;
	struct digest_due *due;
};

/* The period's digest and its claim, one transaction. */
static int
run_period(struct due_run *r, const struct list *l, const char *period,
    struct digest_result *res, struct err *e)
{
	const struct kr_ctx *ctx = r->ctx;
	int claimed;

	if (store_begin(ctx->st, e) != 0)
		return -1;
	if ((claimed = store_schedule_claim(ctx->st, l->id, SCHEDULE_WHAT,
	    period, ctx->now, e)) < 0 ||
	    (claimed == 1 && digest_queue(ctx, r->key, r->tpl, l, period, res,
	    e) != 0)) {
		store_rollback(ctx->st);
		return -1;
	}
	if (claimed == 0) {
		/* Another process ran it between our look and our claim. */
		store_rollback(ctx->st);
		memset(res, 0, sizeof(*res));
		return 0;
	}
	if (res->digest_id == 0 && store_event(ctx->st, ctx->now, "digest",
	    l->id, NULL, "empty", period, e) != 0) {
		store_rollback(ctx->st);
		return -1;
	}
	return store_commit(ctx->st, e);
}

static int
due_cb(const struct list *l, void *arg)
{
	struct due_run *r = arg;
	const struct kr_ctx *ctx = r->ctx;
	struct schedule_period p;
	struct digest_result res;
	struct err e = { 0, "" };
	int ran;

	if (schedule_period(l->digest, ctx->now, ctx->cfg->digest_time,
	    &p) != 1)
		return 0;
	if (p.next < r->due->next)
		r->due->next = p.next;
	/* A period that began before the list existed is not its own. */
	if (p.due < l->created)
		return 0;
	if ((ran = store_schedule_ran(ctx->st, l->id, SCHEDULE_WHAT, p.key,
	    &e)) == 1)
		return 0;
	if (ran < 0 || run_period(r, l, p.key, &res, &e) != 0) {
		log_event(LV_ERROR, "event=digest list=%s period=%s "
		    "result=failed error=%s", l->id, p.key, e.msg);
		r->due->failed++;
		return 0;
	}
	if (res.digest_id == 0) {
		r->due->empty++;
		log_event(LV_INFO, "event=digest list=%s period=%s result=empty",
		    l->id, p.key);
		return 0;
	}
	r->due->made++;
	log_event(LV_INFO, "event=digest list=%s period=%s volume=%d issue=%d "
	    "posts=%zu left_out=%zu queued=%lld waiting=%lld", l->id, p.key,
	    res.volume, res.issue, res.posts, res.left_out,
	    (long long)res.queued, (long long)res.waiting);
	return 0;
}

int
digest_run_due(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, struct digest_due *due, struct err *e)
{
	struct due_run r = { ctx, key, tpl, due };

	memset(due, 0, sizeof(*due));
	due->next = (time_t)INT32_MAX;
	return store_list_each(ctx->st, due_cb, &r, e);
}
