/*
 * post - posts to lists and their moderation (see post.h).
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "archive.h"
#include "buf.h"
#include "compose.h"
#include "compose_post.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "mime.h"
#include "notify.h"
#include "post.h"
#include "queue.h"
#include "render.h"
#include "reply.h"
#include "store.h"
#include "subscription.h"
#include "token.h"
#include "xmem.h"

/* Bytes of the author's Subject kept, leaving room for the list's tag. */
#define SUBJECT_KEEP 900

/* ---- the copies to the members ---- */

/* s cut to at most max bytes, never inside a UTF-8 character. */
static size_t
cut_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* The Subject of the copies: "[LIST] " before it, unless it has the tag. */
static char *
list_subject(const char *subject, const char *list_id)
{
	const char *s = subject != NULL ? subject : "";
	size_t n = cut_utf8(s, SUBJECT_KEEP), k = strlen(list_id);

	for (size_t i = 0; i + k + 2 <= n; i++)
		if (s[i] == '[' && s[i + k + 1] == ']' &&
		    strncasecmp(s + i + 1, list_id, k) == 0)
			return xstrndup(s, n);
	if (n == 0)
		return xasprintf("[%s]", list_id);
	return xasprintf("[%s] %.*s", list_id, (int)n, s);
}

/* "NAME via LIST NAME": the author's name, else their address's local part. */
static char *
via_name(const struct post *p, const struct list *l)
{
	const char *at;

	if (p->from_name != NULL && *p->from_name != '\0')
		return xasprintf("%s via %s", p->from_name, l->name);
	at = strrchr(p->from_addr, '@');
	return xasprintf("%.*s via %s", at ? (int)(at - p->from_addr) :
	    (int)strlen(p->from_addr), p->from_addr, l->name);
}

static void
list_vars(const struct config *cfg, const struct list *l,
    struct render_vars *v)
{
	char *post = notify_sub_address(cfg, l->id, "");
	char *unsub = notify_sub_address(cfg, l->id, "-unsubscribe");

	render_vars_set(v, "list_id", l->id);
	render_vars_set(v, "list_name", l->name);
	render_vars_set(v, "post_address", post);
	render_vars_set(v, "unsubscribe_address", unsub);
	free(post);
	free(unsub);
}

/*
 * The post's body for the members: its own, with the list footer.  When
 * the footer carries each member's own archive link, *personal: the
 * body holds archive_atom(atom) where the sender puts their token.
 */
static int
members_body(struct notifier *n, const struct list *l, const struct post *p,
    const char *atom, bool *personal, struct buf *body, struct err *e)
{
	const struct config *cfg = n->ctx->cfg;
	struct render_vars *v = render_vars_new();
	struct notify_to nobody = { "", "", 0 };
	struct buf text = BUF_INIT;
	struct compose_footer f;
	char *head = xasprintf("%s%s", cfg->local, cfg->recipient_delimiter);
	char *tail = xasprintf("-unsubscribe@%s", cfg->domain);
	char *base = notify_web_url(cfg, "a", "");
	int rc;

	notify_common_vars(cfg, &nobody, v);
	list_vars(cfg, l, v);
	*personal = archive_list_vars(n->ctx->st, cfg, l->id, atom, v);
	rc = render(n->tpl, l->lang, "post_footer.txt", v, &text, e);
	f.text = buf_str(&text);
	f.mark_head = head;
	f.mark_tail = tail;
	f.atom = *personal ? atom : NULL;
	f.link_base = base;
	if (rc == 0 && compose_post_body(p->raw, p->raw_len, &f,
	    (uint64_t)p->id, body, e) != 0)
		rc = err_prefix(e, "post %lld", (long long)p->id);
	render_vars_free(&v);
	buf_free(&text);
	free(head);
	free(tail);
	free(base);
	return rc;
}

/* Every member in mode each an archive link, for their copy's footer. */
static int
member_links(struct notifier *n, const struct list *l, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct queue_rcpts mem = { NULL, 0, 0 };
	int rc;

	rc = queue_rcpts_members(ctx->st, l->id, MODE_EACH, &mem, e);
	if (rc == 0)
		rc = archive_links(ctx->st, ctx->cfg, n->key, &mem, ctx->now, e);
	queue_rcpts_free(&mem);
	return rc;
}

/*
 * Queue accepted post p (raw loaded, message_id set) to the members of
 * l in mode each, in one campaign of its own; m is p parsed.
 */
static int
send_post(struct notifier *n, const struct list *l, const struct post *p,
    const struct mime_msg *m, int64_t *queued, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct buf body = BUF_INIT;
	struct q_campaign c;
	struct q_message msg;
	char atom[TOKEN_LEN + 1];
	bool personal = false;
	int64_t cid;
	int rc = -1;

	*queued = 0;
	if (token_new(atom) != 0)
		return err_set(e, EX_OSERR, "no randomness for a post");
	if (members_body(n, l, p, atom, &personal, &body, e) != 0 ||
	    (personal && member_links(n, l, e) != 0))
		goto out;
	memset(&c, 0, sizeof(c));
	c.kind = CAMPAIGN_POST;
	c.list_id = l->id;
	c.subject = p->subject;
	c.created = ctx->now;
	c.not_before = ctx->now;
	memset(&msg, 0, sizeof(msg));
	msg.from_name = via_name(p, l);
	msg.from_addr = notify_sub_address(ctx->cfg, l->id, "");
	msg.reply_to = p->from_addr;
	msg.subject = list_subject(p->subject, l->id);
	if (m->in_reply_to != NULL)
		msg.in_reply_to = xasprintf("<%s>", m->in_reply_to);
	msg.refs = m->references;
	msg.text = "";
	msg.body = body.data;
	msg.body_len = body.len;
	/* Each copy's footer gets its member's own archive token. */
	msg.personal = personal ? atom : NULL;
	msg.msgid = p->message_id;
	msg.created = ctx->now;
	rc = queue_add_members(ctx->st, n->key, &c, &msg, MODE_EACH, ctx->now,
	    NULL, NULL, &cid, queued, e);
	if (rc == 0)
		rc = store_post_sent(ctx->st, p->id, cid, e);
	free(msg.from_name);
	free(msg.from_addr);
	free(msg.subject);
	free(msg.in_reply_to);
out:
	buf_free(&body);
	return rc;
}

/* ---- telling the author ---- */

struct notice {
	const char *tpl;
	const char *reason;          /* post_rejected: may be NULL */
	const char *why;             /* a flag of post_held or post_refused */
	const struct notify_thread *thread;
};

/*
 * Mail the author of p about it.  An answer to their mail counts
 * towards the reply limit; a moderator's decision does not.
 */
static int
tell(struct notifier *n, const struct list *l, const struct post *p,
    const struct notice *nt, struct buf *result, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct notify_to to = { p->from_addr, p->from_name, p->person_id };
	struct render_vars *v;
	int rc, r;

	if (n->kind == CAMPAIGN_REPLY) {
		if ((r = notify_reply_allowed(ctx, p->from_addr, e)) <= 0) {
			if (r == 0 && result != NULL)
				buf_puts(result, "; no reply (reply limit)");
			return r;
		}
	}
	v = render_vars_new();
	list_vars(ctx->cfg, l, v);
	render_vars_set(v, "post_subject", p->subject);
	render_vars_set(v, "reason", nt->reason);
	if (nt->why != NULL)
		render_vars_flag(v, nt->why, true);
	rc = notify_mail(n, l->lang, nt->tpl, v, &to, NULL, nt->thread, e);
	render_vars_free(&v);
	if (rc == 0 && n->kind == CAMPAIGN_REPLY)
		rc = store_event(ctx->st, ctx->now, "reply", l->id,
		    p->from_addr, NULL, NULL, e);
	return rc;
}

/* ---- a post arrives ---- */

/* No such list: the answer a command for it gets, with the lists. */
static int
unknown_list(struct notifier *n, const struct post_mail *pm,
    const struct notify_thread *thread, int64_t person_id,
    struct buf *result, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct command cmd;
	struct result res;
	struct request rq;
	char *to = notify_sub_address(ctx->cfg, pm->list_id, "");
	int r;

	buf_printf(result, "no list %s", pm->list_id);
	if ((r = notify_reply_allowed(ctx, pm->addr, e)) <= 0) {
		free(to);
		if (r == 0)
			buf_puts(result, "; no reply (reply limit)");
		return r;
	}
	memset(&cmd, 0, sizeof(cmd));
	snprintf(cmd.text, sizeof(cmd.text), "%s", to);
	snprintf(cmd.list, sizeof(cmd.list), "%s", pm->list_id);
	free(to);
	memset(&res, 0, sizeof(res));
	res.flag = "unknown_list";
	snprintf(res.list_id, sizeof(res.list_id), "%s", pm->list_id);
	memset(&rq, 0, sizeof(rq));
	rq.n = n;
	rq.lang = ctx->cfg->language;
	rq.addr = pm->addr;
	rq.name = pm->m->from.name ? pm->m->from.name : "";
	rq.person_id = person_id;
	rq.msgid = pm->m->message_id;
	rq.thread = thread;
	r = reply_send(&rq, &cmd, &res, 1, false, e);
	result_clear(&res);
	if (r != 0)
		return -1;
	return store_event(ctx->st, ctx->now, "reply", NULL, pm->addr, NULL,
	    NULL, e);
}

/* The author as a person (0: unknown) and whether they are an active member. */
static int
author(const struct kr_ctx *ctx, const char *addr, const char *list_id,
    int64_t *pid, bool *member, struct err *e)
{
	struct person who;
	struct sub s;
	int r;

	*pid = 0;
	*member = false;
	if ((r = store_person_find(ctx->st, addr, &who, e)) <= 0)
		return r;
	*pid = who.id;
	person_clear(&who);
	if ((r = store_sub_get(ctx->st, list_id, *pid, &s, e)) < 0)
		return -1;
	if (r == 1) {
		*member = s.state == SUB_ACTIVE;
		sub_clear(&s);
	}
	return 0;
}

/* The Message-ID every copy carries: the author's, or one of ours. */
static int
post_msgid(const struct config *cfg, const char *given, char **out,
    struct err *e)
{
	char tok[TOKEN_LEN + 1];

	if (given != NULL && compose_msgid_ok(given)) {
		*out = xstrdup(given);
		return 0;
	}
	if (token_new(tok) != 0)
		return err_set(e, EX_OSERR, "no randomness for a Message-ID");
	*out = xasprintf("kring.post.%s@%s", tok, cfg->domain);
	return 0;
}

static int
accept_post(struct notifier *n, const struct list *l, struct post *p,
    const struct mime_msg *m, struct buf *result, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	int64_t queued;
	char detail[64];

	p->state = POST_ACCEPTED;
	p->decided_at = ctx->now;
	if (store_post_add(ctx->st, p, &p->id, e) != 0 ||
	    send_post(n, l, p, m, &queued, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "post %lld, %lld copies",
	    (long long)p->id, (long long)queued);
	buf_printf(result, "accepted: %s", detail);
	return store_event(ctx->st, ctx->now, "post", l->id, p->from_addr,
	    NULL, detail, e);
}

/* Held or refused: stored, logged, and the author told why. */
static int
stop(struct notifier *n, const struct list *l, struct post *p,
    const struct notice *nt, const char *event, struct buf *result,
    struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	char detail[64];

	if (p->state == POST_REFUSED)
		p->decided_at = ctx->now;
	if (store_post_add(ctx->st, p, &p->id, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "post %lld%s%s", (long long)p->id,
	    nt->why ? ", " : "", nt->why ? nt->why : "");
	buf_printf(result, "%s: %s", post_state_name(p->state), detail);
	if (store_event(ctx->st, ctx->now, event, l->id, p->from_addr,
	    p->state == POST_REFUSED ? "refused" : NULL, detail, e) != 0)
		return -1;
	return tell(n, l, p, nt, result, e);
}

static int
decide(struct notifier *n, const struct list *l, struct post *p, bool member,
    const struct post_mail *pm, const struct notify_thread *thread,
    struct buf *result, struct err *e)
{
	struct notice nt = { NULL, NULL, NULL, thread };

	if (pm->full_size > 0 || l->kind == LIST_NEWSLETTER ||
	    l->policy == POLICY_CLOSED) {
		p->state = POST_REFUSED;
		p->reason = pm->full_size > 0 ? "too_large" :
		    l->kind == LIST_NEWSLETTER ? "newsletter" : "closed";
		nt.tpl = "post_refused.txt";
		nt.why = p->reason;
		return stop(n, l, p, &nt, "post-refuse", result, e);
	}
	if (l->policy == POLICY_MEMBERS && member)
		return accept_post(n, l, p, pm->m, result, e);
	p->state = POST_HELD;
	nt.tpl = "post_held.txt";
	nt.why = l->policy == POLICY_MODERATED ? "moderated" : "not_member";
	return stop(n, l, p, &nt, "post-held", result, e);
}

int
post_receive(struct notifier *n, const struct post_mail *pm,
    struct buf *result, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	const struct mime_msg *m = pm->m;
	struct notify_thread thread = { m->message_id, m->references,
	    m->in_reply_to };
	struct post p;
	struct list l;
	struct buf text = BUF_INIT;
	char *base;
	bool member;
	int64_t pid;
	int r;

	if ((r = store_list_get(ctx->st, pm->list_id, &l, e)) < 0 ||
	    author(ctx, pm->addr, pm->list_id, &pid, &member, e) != 0) {
		if (r == 1)
			list_clear(&l);
		return -1;
	}
	if (r == 0)
		return unknown_list(n, pm, &thread, pid, result, e);
	base = notify_web_url(ctx->cfg, "a", "");
	memset(&p, 0, sizeof(p));
	p.list_id = l.id;
	p.inbound_id = pm->inbound_id;
	p.person_id = pid;
	p.from_addr = (char *)pm->addr;
	p.from_name = m->from.name;
	p.subject = m->subject;
	/* A member's archive link quoted in it is not the archive's to show. */
	if (m->text != NULL)
		token_scrub(base, m->text, strlen(m->text), &text);
	p.body = m->text != NULL ? buf_str(&text) : NULL;
	p.in_reply_to = m->in_reply_to;
	p.references = m->references;
	p.raw = (char *)pm->raw;
	p.raw_len = pm->len;
	p.created = ctx->now;
	if ((r = post_msgid(ctx->cfg, m->message_id, &p.message_id, e)) == 0)
		r = decide(n, &l, &p, member, pm, &thread, result, e);
	free(p.message_id);
	free(base);
	buf_free(&text);
	list_clear(&l);
	return r;
}

/* ---- a moderator decides ---- */

/* Held post id with its list (post_clear, list_clear them): 0, or -1. */
static int
held(const struct kr_ctx *ctx, int64_t id, struct post *p, struct list *l,
    struct err *e)
{
	int r;

	if ((r = store_post_get(ctx->st, id, true, p, e)) <= 0)
		return r < 0 ? -1 : err_set(e, EX_DATAERR, "post %lld does "
		    "not exist", (long long)id);
	if (p->state != POST_HELD) {
		err_set(e, EX_DATAERR, "post %lld is not held (it is %s)",
		    (long long)id, post_state_name(p->state));
		post_clear(p);
		return -1;
	}
	if ((r = store_list_get(ctx->st, p->list_id, l, e)) <= 0) {
		if (r == 0)
			err_set(e, EX_DATAERR, "post %lld: list %s does not "
			    "exist", (long long)id, p->list_id);
		post_clear(p);
		return -1;
	}
	return 0;
}

int
post_approve(struct notifier *n, int64_t id, int64_t *queued, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct mime_msg m;
	struct post p;
	struct list l;
	struct notify_thread thread;
	struct notice nt = { "post_approved.txt", NULL, NULL, &thread };
	char detail[64];
	int rc;

	if (held(ctx, id, &p, &l, e) != 0)
		return -1;
	memset(&m, 0, sizeof(m));
	thread = (struct notify_thread){ p.message_id, NULL, NULL };
	snprintf(detail, sizeof(detail), "post %lld", (long long)id);
	rc = mime_parse(p.raw, p.raw_len, &m, e);
	if (rc == 0)
		rc = store_post_decide(ctx->st, id, POST_ACCEPTED, NULL,
		    ctx->now, e);
	if (rc == 0)
		rc = send_post(n, &l, &p, &m, queued, e);
	if (rc == 0)
		rc = store_event(ctx->st, ctx->now, "post-approve", l.id,
		    p.from_addr, NULL, detail, e);
	if (rc == 0)
		rc = tell(n, &l, &p, &nt, NULL, e);
	mime_msg_free(&m);
	post_clear(&p);
	list_clear(&l);
	return rc;
}

int
post_reject(struct notifier *n, int64_t id, const char *reason,
    struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct post p;
	struct list l;
	struct notify_thread thread;
	struct notice nt = { "post_rejected.txt", reason, NULL, &thread };
	char detail[64];
	int rc;

	if (reason != NULL && *reason == '\0')
		reason = nt.reason = NULL;
	if (held(ctx, id, &p, &l, e) != 0)
		return -1;
	thread = (struct notify_thread){ p.message_id, NULL, NULL };
	snprintf(detail, sizeof(detail), "post %lld", (long long)id);
	rc = store_post_decide(ctx->st, id, POST_REJECTED, reason, ctx->now, e);
	if (rc == 0)
		rc = store_event(ctx->st, ctx->now, "post-reject", l.id,
		    p.from_addr, NULL, reason ? reason : detail, e);
	if (rc == 0)
		rc = tell(n, &l, &p, &nt, NULL, e);
	post_clear(&p);
	list_clear(&l);
	return rc;
}
