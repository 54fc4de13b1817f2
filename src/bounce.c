/*
 * bounce - counting bounces against people (see bounce.h).
 *
 * Every bounce that counts is tied to one queue row, the copy that
 * bounced, by a signature only the site key makes; and a copy counts
 * once: a second report of it (the same report twice) changes nothing.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "bounce.h"
#include "bounce_read.h"
#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "log.h"
#include "model.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "verp.h"
#include "xmem.h"

/* One failure of one copy, to be counted. */
struct failure {
	int64_t queue_id;
	int64_t inbound_id;
	enum bounce_kind kind;
	const char *status;
	const char *diagnostic;
};

static double
weight(enum bounce_kind k)
{
	return k == BOUNCE_HARD ? 1.0 : k == BOUNCE_SOFT ? 0.5 : 0.0;
}

static int
pause_person(const struct config *cfg, struct store *st,
    const struct store_queue_info *q, double score, int64_t now,
    struct err *e)
{
	char detail[128];
	int64_t n;

	if (store_sub_disable_active(st, q->person_id, now, &n, e) != 0)
		return -1;
	if (n == 0)
		return 0;
	if (store_person_bounce_set(st, q->person_id, score, 0, now, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "score %.1f of %.1f: %lld "
	    "subscription%s disabled", score, cfg->bounce.threshold,
	    (long long)n, n == 1 ? "" : "s");
	log_event(LV_INFO, "event=bounce-disable person=%lld addr=%s detail=%s",
	    (long long)q->person_id, q->rcpt, detail);
	return store_event(st, now, "bounce-disable", NULL, q->rcpt, NULL,
	    detail, e);
}

/* Count failure f of copy q; *score gets the person's new score. */
static int
count(const struct config *cfg, struct store *st,
    const struct store_queue_info *q, const struct failure *f, int64_t now,
    double *score, struct err *e)
{
	struct store_bounce b;
	char detail[BOUNCE_DIAG_MAX + 64];
	int64_t n;

	memset(&b, 0, sizeof(b));
	b.person_id = q->person_id;
	b.list_id = q->list_id;
	b.queue_id = q->id;
	b.inbound_id = f->inbound_id;
	b.kind = bounce_kind_name(f->kind);
	b.status = f->status;
	b.diagnostic = f->diagnostic;
	b.score = weight(f->kind);
	if (store_bounce_add(st, &b, now, e) != 0)
		return -1;
	if (store_bounce_score(st, q->person_id, now - cfg->bounce.window,
	    now - BOUNCE_GRACE, score, &n, e) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "%s %s, score %.1f%s%.200s",
	    b.kind, f->status ? f->status : "", *score,
	    f->diagnostic ? ": " : "", f->diagnostic ? f->diagnostic : "");
	log_event(LV_INFO, "event=bounce queue=%lld addr=%s kind=%s status=%s "
	    "score=%.1f", (long long)q->id, q->rcpt, b.kind,
	    f->status ? f->status : "", *score);
	if (store_event(st, now, "bounce", q->list_id, q->rcpt,
	    f->kind == BOUNCE_POLICY ? "policy" : NULL, detail, e) != 0)
		return -1;
	/* A refusal of the mail says nothing about the address. */
	if (f->kind == BOUNCE_POLICY)
		return 0;
	if (store_person_bounce_set(st, q->person_id, *score, now, -1, e) != 0)
		return -1;
	if (*score + 1e-9 >= cfg->bounce.threshold)
		return pause_person(cfg, st, q, *score, now, e);
	return 0;
}

/*
 * The failure of copy q, if it may count: a copy of a known person,
 * that left, not counted before.  1 counted, 0 not, -1 error.
 */
static int
count_copy(const struct config *cfg, struct store *st,
    const struct store_queue_info *q, const struct failure *f, int64_t now,
    struct buf *summary, struct err *e)
{
	double score = 0;
	int r;

	if (q->person_id == 0 || (q->state != QUEUE_SENT &&
	    q->state != QUEUE_FAILED)) {
		buf_printf(summary, "%s%s: no member's delivery", summary->len ?
		    "; " : "", q->rcpt);
		return 0;
	}
	/* Anyone can make kring answer anyone: no proof of an address. */
	if (q->kind == CAMPAIGN_REPLY) {
		buf_printf(summary, "%s%s: a reply to a mail anyone could have "
		    "sent, not counted", summary->len ? "; " : "", q->rcpt);
		log_event(LV_INFO, "event=bounce result=ignored queue=%lld "
		    "addr=%s reason=\"a reply\"", (long long)q->id, q->rcpt);
		return 0;
	}
	if ((r = store_bounce_counted(st, q->id, e)) != 0) {
		if (r > 0)
			buf_printf(summary, "%s%s: counted already",
			    summary->len ? "; " : "", q->rcpt);
		return r < 0 ? -1 : 0;
	}
	if (count(cfg, st, q, f, now, &score, e) != 0)
		return -1;
	buf_printf(summary, "%s%s %s %s, score %.1f", summary->len ? "; " : "",
	    bounce_kind_name(f->kind), q->rcpt, f->status ? f->status : "",
	    score);
	return 1;
}

/* What the report says of rcpt, else of its first address. */
static const struct bounce_rcpt *
about(const struct bounce_result *r, const char *rcpt)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcasecmp(r->rcpts[i].addr, rcpt) == 0)
			return &r->rcpts[i];
	return r->n > 0 ? &r->rcpts[0] : NULL;
}

/* A bounce through the VERP address: it speaks of row qid alone. */
static int
by_verp(const struct config *cfg, struct store *st, int64_t qid,
    const struct bounce_result *r, int64_t inbound_id, int64_t now,
    struct buf *summary, struct err *e)
{
	struct store_queue_info q;
	const struct bounce_rcpt *br;
	struct failure f;
	int rc;

	if ((rc = store_queue_info(st, qid, &q, e)) <= 0) {
		if (rc == 0)
			buf_puts(summary, "ignored: the copy it names is gone");
		return rc;
	}
	if ((br = about(r, q.rcpt)) == NULL || br->delayed) {
		buf_printf(summary, "ignored: %s of %s in it", br != NULL ?
		    "only a delay, no failure," : "no failure", q.rcpt);
		store_queue_info_clear(&q);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.queue_id = qid;
	f.inbound_id = inbound_id;
	f.kind = br->kind;
	f.status = br->status;
	f.diagnostic = br->diagnostic;
	rc = count_copy(cfg, st, &q, &f, now, summary, e);
	store_queue_info_clear(&q);
	return rc;
}

/*
 * A report bound to no copy: anyone can write one, naming anyone, so it
 * is logged, once, and counts for nothing.
 */
static int
unbound(const struct bounce_result *r, int64_t inbound_id,
    struct buf *summary)
{
	buf_printf(summary, "ignored: bound to no copy kring sent (no signed "
	    "return path or Message-ID); it names %zu address%s%s%.80s", r->n,
	    r->n == 1 ? "" : "es", r->n > 0 ? ", first " : "",
	    r->n > 0 ? r->rcpts[0].addr : "");
	log_event(LV_WARN, "event=bounce result=ignored inbound=%lld "
	    "reason=\"bound to no copy\" addrs=%zu first=%.80s",
	    (long long)inbound_id, r->n, r->n > 0 ? r->rcpts[0].addr : "-");
	return 0;
}

/*
 * The queue row a report is bound to by what only kring can sign: the
 * VERP address it came to, or the Return-Path or Message-ID of the copy
 * it returns.  1 and *qid; 0 when nothing binds it.
 */
static int
verp_row(const struct config *cfg, const struct hmac_key *key,
    const char *ext, const struct bounce_result *r, int64_t *qid)
{
	char *rp_ext = NULL;
	int ok = 0;

	if (ext != NULL && strncmp(ext, VERP_EXT_PREFIX,
	    strlen(VERP_EXT_PREFIX)) == 0)
		return verp_parse(key, ext, qid);
	if (r->returned_return_path != NULL &&
	    addr_extension(r->returned_return_path, cfg->local, cfg->domain,
	    cfg->recipient_delimiter, &rp_ext) == 1 &&
	    strncmp(rp_ext, VERP_EXT_PREFIX, strlen(VERP_EXT_PREFIX)) == 0)
		ok = verp_parse(key, rp_ext, qid) ? 1 : 0;
	free(rp_ext);
	if (!ok && r->returned_msgid != NULL)
		ok = verp_message_id_parse(key, r->returned_msgid, cfg->domain,
		    qid);
	return ok;
}

int
bounce_inbound(const struct config *cfg, struct store *st,
    const struct hmac_key *key, int64_t now, const char *ext,
    int64_t inbound_id, const char *raw, size_t len, struct buf *summary,
    struct err *e)
{
	struct bounce_result r;
	bool to_verp = ext != NULL && strncmp(ext, VERP_EXT_PREFIX,
	    strlen(VERP_EXT_PREFIX)) == 0;
	int64_t qid = 0;
	int rc;

	if (bounce_read(raw, len, &r, e) != 0)
		return -1;
	if (r.auto_reply || r.challenge || (!r.bounce && r.n == 0)) {
		buf_printf(summary, "ignored: %s", r.auto_reply ?
		    "an automatic reply, no bounce" : r.challenge ?
		    "a challenge to confirm the sender, no bounce" :
		    "no bounce found in it");
		bounce_result_free(&r);
		return 0;
	}
	if (verp_row(cfg, key, ext, &r, &qid)) {
		rc = by_verp(cfg, st, qid, &r, inbound_id, now, summary, e);
	} else if (to_verp) {
		/* Named a row without the site's key: forged, or mangled. */
		buf_puts(summary, "ignored: the VERP address's signature is "
		    "not valid");
		log_event(LV_WARN, "event=bounce result=ignored inbound=%lld "
		    "reason=\"bad VERP signature\" ext=%.80s",
		    (long long)inbound_id, ext);
		rc = 0;
	} else {
		rc = unbound(&r, inbound_id, summary);
	}
	bounce_result_free(&r);
	return rc;
}

int
bounce_refused(const struct config *cfg, struct store *st, int64_t queue_id,
    int code, const char *enh, const char *text, int64_t now, struct err *e)
{
	struct store_queue_info q;
	struct failure f;
	struct buf summary = BUF_INIT;
	char status[BOUNCE_STATUS_MAX], diag[BOUNCE_DIAG_MAX + 1];
	int rc;

	if (code < 500 || code > 599)
		return 0;
	if ((rc = store_queue_info(st, queue_id, &q, e)) <= 0)
		return rc;
	snprintf(diag, sizeof(diag), "%d %s%s%s", code, enh ? enh : "",
	    enh ? " " : "", text ? text : "");
	memset(&f, 0, sizeof(f));
	f.queue_id = queue_id;
	f.kind = bounce_classify(enh, diag, false, status);
	f.status = status;
	f.diagnostic = diag;
	/* The row is being filed failed in this very transaction. */
	q.state = QUEUE_FAILED;
	rc = count_copy(cfg, st, &q, &f, now, &summary, e);
	buf_free(&summary);
	store_queue_info_clear(&q);
	return rc < 0 ? -1 : 0;
}

static int
notify_one(struct notifier *n, int64_t pid, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	struct store_membership *m = NULL;
	struct render_vars *v;
	struct notify_to to;
	struct person p;
	enum lang lang = ctx->cfg->language;
	double score;
	int64_t at;
	size_t nm = 0, paused = 0;
	int rc, r;

	if ((r = store_person_get(ctx->st, pid, &p, e)) <= 0)
		return r;
	if (store_person_bounce_get(ctx->st, pid, &score, &at, e) < 0 ||
	    store_person_memberships(ctx->st, pid, &m, &nm, e) != 0) {
		person_clear(&p);
		return -1;
	}
	v = render_vars_new();
	for (size_t i = 0; i < nm; i++) {
		if (m[i].state != SUB_DISABLED)
			continue;
		if (paused++ == 0)
			lang = m[i].list.lang;
		notify_list_item(ctx->cfg, v, "lists", &m[i].list);
	}
	render_vars_setf(v, "bounces", "%g", score);
	to.addr = p.email;
	to.name = p.name;
	to.person_id = pid;
	rc = paused == 0 ? 0 : notify_mail(n, lang, "bounce_disabled.txt", v,
	    &to, NULL, NULL, e);
	if (rc == 0 && paused > 0)
		rc = store_event(ctx->st, ctx->now, "bounce-notice", NULL, p.email,
		    NULL, NULL, e);
	if (rc == 0)
		rc = store_person_bounce_set(ctx->st, pid, score, 0, 0, e);
	render_vars_free(&v);
	store_memberships_free(m, nm);
	person_clear(&p);
	return rc;
}

int
bounce_notify_due(struct notifier *n, int64_t *sent, struct err *e)
{
	struct store *st = n->ctx->st;
	int64_t *ids = NULL;
	size_t nids = 0;
	int rc = 0;

	*sent = 0;
	if (store_bounce_notices_due(st, BOUNCE_NOTICES_MAX, &ids, &nids,
	    e) != 0)
		return -1;
	if (nids == 0)
		return 0;
	if (store_begin(st, e) != 0) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < nids && rc == 0; i++)
		rc = notify_one(n, ids[i], e);
	if (rc == 0 && store_commit(st, e) == 0) {
		*sent = (int64_t)nids;
		free(ids);
		return 0;
	}
	store_rollback(st);
	notify_forget(n);
	free(ids);
	return -1;
}
