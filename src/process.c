/*
 * process - inbound mail from the store to its effects (see process.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "addr.h"
#include "bounce.h"
#include "buf.h"
#include "command.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "log.h"
#include "mime.h"
#include "intent.h"
#include "notify.h"
#include "office.h"
#include "post.h"
#include "process.h"
#include "reading.h"
#include "reply.h"
#include "route.h"
#include "store.h"
#include "subscription.h"
#include "xmem.h"

#define RESULT_TEXT_MAX 500
#define PROCESS_ATTEMPTS 3
#define PROCESS_ATTEMPTS_TEXT "3"

/* One message being processed. */
struct job {
	const struct kr_ctx *ctx;
	struct notifier *n;
	struct intent_reader *ir;
	const struct store_inbound_row *row;
	bool letter;                 /* the commands were read from a letter */
	struct mime_msg m;
	struct route rt;
	struct command_set cs;
	struct result res[COMMAND_MAX];
	struct buf summary;
	const char *state;           /* what finish() recorded */
};

static int
finish(struct job *j, const char *state, const char *result, struct err *e)
{
	j->state = state;
	if (result != j->summary.data) {
		buf_reset(&j->summary);
		buf_puts(&j->summary, result);
	}
	return store_inbound_done(j->ctx->st, j->row->id, state,
	    route_kind_name(j->rt.kind), result, j->ctx->now, e);
}

/* The command an address stands for, as if it had been written. */
static void
command_of_route(const struct route *rt, enum lang lang, struct command *c)
{
	bool nl = lang == LANG_NL;

	memset(c, 0, sizeof(*c));
	switch (rt->kind) {
	case ROUTE_SUBSCRIBE:
		c->verb = CMD_SUBSCRIBE;
		snprintf(c->list, sizeof(c->list), "%s", rt->list);
		snprintf(c->text, sizeof(c->text), "%s %s",
		    nl ? "aanmelden" : "subscribe", rt->list);
		break;
	case ROUTE_UNSUBSCRIBE:
	case ROUTE_UNSUBSCRIBE_TOKEN:
		c->verb = CMD_UNSUBSCRIBE;
		snprintf(c->list, sizeof(c->list), "%s", rt->list);
		snprintf(c->text, sizeof(c->text), "%s %s",
		    nl ? "afmelden" : "unsubscribe", rt->list);
		break;
	case ROUTE_CONFIRM:
		c->verb = CMD_CONFIRM;
		snprintf(c->token, sizeof(c->token), "%s", rt->token);
		snprintf(c->text, sizeof(c->text), "%s %s",
		    nl ? "bevestig" : "confirm", rt->token);
		break;
	default:
		c->verb = CMD_HELP;
		snprintf(c->text, sizeof(c->text), "%s", nl ? "hulp" : "help");
		break;
	}
}

/*
 * The language to answer in: the words used, else the language of the
 * one list the mail is about, else the site's.
 */
static enum lang
answer_lang(struct job *j)
{
	const char *list = NULL;
	enum lang lang;
	struct list l;
	struct err e;

	if (command_lang(&j->cs, &lang))
		return lang;
	if (j->rt.list[0] != '\0')
		list = j->rt.list;
	for (size_t i = 0; list == NULL && i < j->cs.n; i++)
		if (j->cs.cmd[i].list[0] != '\0')
			list = j->cs.cmd[i].list;
	lang = j->ctx->cfg->language;
	if (list != NULL && store_list_get(j->ctx->st, list, &l, &e) == 1) {
		lang = l.lang;
		list_clear(&l);
	}
	return lang;
}

static void
summarise(struct job *j, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct result *r = &j->res[i];

		if (i > 0)
			buf_puts(&j->summary, "; ");
		buf_puts(&j->summary, r->flag ? r->flag : "dropped (confirm_limit)");
		if (r->list_id[0] != '\0')
			buf_printf(&j->summary, " %s", r->list_id);
	}
	if (j->cs.too_many)
		buf_puts(&j->summary, "; more commands ignored");
}

/* The one reply, unless the address had its reply limit today. */
static int
answer(struct job *j, const struct request *rq, struct err *e)
{
	const struct kr_ctx *ctx = j->ctx;
	int r;

	if ((r = notify_reply_allowed(ctx, rq->addr, e)) <= 0) {
		if (r == 0)
			buf_puts(&j->summary, "no reply (reply limit); ");
		return r;
	}
	if (reply_send(rq, j->cs.cmd, j->res, j->cs.n, j->cs.too_many, e) != 0)
		return -1;
	return store_event(ctx->st, ctx->now, "reply", NULL, rq->addr, NULL,
	    NULL, e);
}

/*
 * The sender as a person: the one the store knows, else a new one only
 * when the mail asks to subscribe (a token needs a person); someone who
 * only asks for help or the lists leaves nothing behind.  A name from a
 * mail never overwrites one the office set.
 */
static int
sender(struct job *j, const char *addr, int64_t *pid, struct err *e)
{
	const struct kr_ctx *ctx = j->ctx;
	const struct command *c = j->cs.cmd;
	size_t n = j->cs.n;
	struct person p;
	int r;

	*pid = 0;
	if ((r = store_person_find(ctx->st, addr, &p, e)) != 0) {
		if (r > 0) {
			*pid = p.id;
			person_clear(&p);
		}
		return r < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].verb == CMD_SUBSCRIBE)
			return store_person_ensure(ctx->st, addr, j->m.from.name,
			    ctx->now, pid, e);
	return 0;
}

/*
 * An archive word before a word that is no list is prose ("Zoek je nog
 * iemand?"): 1, and the mail is read as a letter; 0 a command; -1.
 */
static int
archive_prose(const struct kr_ctx *ctx, const struct command *c,
    struct err *e)
{
	struct list l;
	int r;

	if (c->verb != CMD_ARCHIVE && c->verb != CMD_GET &&
	    c->verb != CMD_SEARCH)
		return 0;
	if ((r = store_list_get(ctx->st, c->list, &l, e)) > 0)
		list_clear(&l);
	return r < 0 ? -1 : r == 0;
}

/* Whether any of the commands read is one kring knows. */
static bool
any_known(const struct command_set *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->cmd[i].verb != CMD_UNKNOWN)
			return true;
	return false;
}

/*
 * What the mail to the command address asks: commands as written,
 * else what its letter asks (reading.h).  1 when it is to be dropped
 * (a robot's), with the reason in the summary.
 */
static int
read_mail(struct job *j, const char *addr, struct reading *rd, struct err *e)
{
	const struct kr_ctx *ctx = j->ctx;
	const char *subject = j->m.subject ?
	    command_strip_prefixes(j->m.subject) : "";
	bool known;

	memset(rd, 0, sizeof(*rd));
	command_parse(j->m.subject, j->m.text, &j->cs);
	known = any_known(&j->cs);
	if (!known && *subject == '\0' && j->cs.n == 0 &&
	    j->m.n_attachments == 0) {
		/* An empty mail: help is the best answer. */
		j->cs.n = 1;
		command_of_route(&j->rt, ctx->cfg->language, &j->cs.cmd[0]);
		return 0;
	}
	for (size_t i = 0; known && i < j->cs.n; i++) {
		int r = reading_resolve_list(ctx, j->ir, &j->cs.cmd[i], e);

		if (r == 0)
			r = archive_prose(ctx, &j->cs.cmd[i], e);
		if (r < 0)
			return -1;
		if (r > 0)
			known = false;
	}
	if (reading_read(ctx, j->n->key, j->ir, &j->m, addr, known, rd,
	    e) != 0)
		return -1;
	if (rd->drop != NULL) {
		buf_puts(&j->summary, rd->drop);
		return 1;
	}
	if (!known) {
		j->cs = rd->cs;
		j->letter = true;
	}
	return 0;
}

/* Hand the mail to the office, after what its commands did. */
static int
to_office(struct job *j, const char *addr, struct err *e)
{
	struct office_letter l = { j->row, &j->m, addr, j->cs.cmd, j->res,
	    j->cs.n };
	const char *what;

	if (office_hand(j->n, &l, &what, e) != 0)
		return -1;
	buf_printf(&j->summary, "%s%s", j->summary.len ? "; " : "", what);
	return 0;
}

static int
commands(struct job *j, struct err *e)
{
	struct notify_thread thread = { j->m.message_id, j->m.references,
	    j->m.in_reply_to };
	struct request rq;
	struct reading rd;
	char *addr;
	int64_t pid;
	size_t n;
	int rc = 0, r;

	memset(&rd, 0, sizeof(rd));
	if ((addr = addr_normalize(j->m.from.addr, NULL)) == NULL)
		return finish(j, "dropped", "sender address is not valid", e);
	if (j->rt.kind == ROUTE_COMMANDS &&
	    (r = read_mail(j, addr, &rd, e)) != 0) {
		free(addr);
		return r < 0 ? -1 : finish(j, "dropped", buf_str(&j->summary), e);
	}
	memset(&rq, 0, sizeof(rq));
	rq.lang = j->letter && rd.lang_known ? rd.lang : answer_lang(j);
	if (j->rt.kind != ROUTE_COMMANDS) {
		j->cs.n = 1;
		command_of_route(&j->rt, rq.lang, &j->cs.cmd[0]);
	}
	if (sender(j, addr, &pid, e) != 0) {
		free(addr);
		return -1;
	}
	rq.n = j->n;
	rq.addr = addr;
	rq.name = j->m.from.name ? j->m.from.name : "";
	rq.person_id = pid;
	rq.msgid = j->m.message_id;
	rq.thread = &thread;
	rq.letter = j->letter;
	n = j->cs.n;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = j->rt.kind == ROUTE_UNSUBSCRIBE_TOKEN ?
		    subscription_one_click(&rq, j->rt.list, j->rt.token,
		    &j->res[i], e) :
		    subscription_run(&rq, &j->cs.cmd[i], &j->res[i], e);
	if (rc == 0 && reply_needed(j->res, n))
		rc = answer(j, &rq, e);
	if (rc == 0) {
		summarise(j, n);
		if (rd.office)
			rc = to_office(j, addr, e);
	}
	if (rc == 0)
		rc = finish(j, "done", buf_str(&j->summary), e);
	free(addr);
	return rc;
}

/* Mail to L+LIST@D: a post, taken in this message's transaction. */
static int
post(struct job *j, struct err *e)
{
	struct post_mail pm;
	char *addr;
	int rc;

	if ((addr = addr_normalize(j->m.from.addr, NULL)) == NULL)
		return finish(j, "dropped", "sender address is not valid", e);
	pm.list_id = j->rt.list;
	pm.addr = addr;
	pm.m = &j->m;
	pm.raw = j->row->raw;
	pm.len = j->row->size;
	pm.full_size = j->row->full_size;
	pm.inbound_id = j->row->id;
	rc = post_receive(j->n, &pm, &j->summary, e);
	if (rc == 0)
		rc = finish(j, "done", buf_str(&j->summary), e);
	free(addr);
	return rc;
}

/* A bounce, counted in this message's transaction (see bounce.h). */
static int
bounce(struct job *j, struct err *e)
{
	int r = bounce_inbound(j->ctx->cfg, j->ctx->st, j->n->key, j->ctx->now,
	    j->rt.ext, j->row->id, j->row->raw, j->row->size, &j->summary, e);

	if (r < 0)
		return -1;
	return finish(j, r > 0 ? "done" : "dropped", buf_str(&j->summary), e);
}

static int
process_one(struct job *j, struct err *e)
{
	if (mime_parse(j->row->raw, j->row->size, &j->m, e) != 0)
		return -1;
	route_mail(j->ctx->cfg, &j->m, j->row->envelope_rcpt, &j->rt);
	/* Only its header was kept (intake.h): a post is refused, told. */
	if (j->row->full_size > 0 && j->rt.kind != ROUTE_POST &&
	    j->rt.kind != ROUTE_DROP)
		return finish(j, "dropped", "larger than max_message_size", e);
	switch (j->rt.kind) {
	case ROUTE_DROP:
		return finish(j, "dropped", j->rt.reason, e);
	case ROUTE_BOUNCE:
		return bounce(j, e);
	case ROUTE_POST:
		return post(j, e);
	default:
		return commands(j, e);
	}
}

static void
job_clear(struct job *j)
{
	mime_msg_free(&j->m);
	for (size_t i = 0; i < COMMAND_MAX; i++)
		result_clear(&j->res[i]);
	buf_free(&j->summary);
}

/* What was wrong with a message as mail, for the log: "" when nothing. */
static void
mime_problems(int flags, struct buf *out)
{
	static const struct { int flag; const char *name; } names[] = {
		{ MIME_MALFORMED, "malformed" },
		{ MIME_TRUNCATED, "over-limits" },
		{ MIME_BAD_CHARSET, "bad-charset" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].flag)
			buf_printf(out, "%s%s", out->len ? "," : "",
			    names[i].name);
}

static void
log_outcome(const struct job *j)
{
	struct buf line = BUF_INIT, mime = BUF_INIT;

	buf_printf(&line, "event=inbound id=%lld", (long long)j->row->id);
	log_kv(&line, "state", j->state);
	log_kv(&line, "route", route_kind_name(j->rt.kind));
	log_kv(&line, "from", j->m.from.addr ? j->m.from.addr : "");
	mime_problems(j->m.flags, &mime);
	if (mime.len > 0)
		log_kv(&line, "mime", buf_str(&mime));
	log_kv(&line, "result", buf_str(&j->summary));
	log_event(LV_INFO, "%s", buf_str(&line));
	buf_free(&mime);
	buf_free(&line);
}

/* Mark a message failed in a transaction of its own. */
static int
mark_failed(const struct kr_ctx *ctx, int64_t id, const char *why,
    struct err *e)
{
	if (store_begin(ctx->st, e) != 0)
		return -1;
	if (store_inbound_done(ctx->st, id, "failed", NULL, why, ctx->now,
	    e) != 0 || store_commit(ctx->st, e) != 0) {
		store_rollback(ctx->st);
		return -1;
	}
	return 0;
}

/*
 * Count an attempt at message id before making it, so that one that
 * crashes kringd counts too; a message whose processing began
 * PROCESS_ATTEMPTS times without finishing is set aside (failed) for
 * the office (`kring inbox`) instead of crashing every start.  1 set
 * aside, 0 go on, -1 with e.
 */
static int
attempt(const struct kr_ctx *ctx, int64_t id, struct err *e)
{
	int64_t n;

	if (store_inbound_attempt(ctx->st, id, 1, &n, e) != 0)
		return -1;
	if (n <= PROCESS_ATTEMPTS)
		return 0;
	log_event(LV_ERROR, "event=inbound id=%lld state=failed set_aside=yes "
	    "attempts=%d: processing it never finished; see kring inbox",
	    (long long)id, PROCESS_ATTEMPTS);
	return mark_failed(ctx, id, "set aside: processing it never finished "
	    "in " PROCESS_ATTEMPTS_TEXT " attempts", e) == 0 ? 1 : -1;
}

/* The notices bounces have made due, in a campaign of their own. */
static int
notices(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, struct err *e)
{
	struct notifier n = { ctx, key, tpl, CAMPAIGN_NOTICE, 0 };
	int64_t sent = 0;

	if (bounce_notify_due(&n, &sent, e) != 0)
		return -1;
	if (sent > 0)
		log_event(LV_INFO, "event=bounce-notice sent=%lld",
		    (long long)sent);
	return 0;
}

/*
 * Whole: the loop over waiting mail and its one cleanup; each message's
 * work is process_one().
 */
int
process_pending(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, size_t max, struct process_stats *stats,
    struct err *e)
{
	struct notifier n = { ctx, key, tpl, CAMPAIGN_REPLY, 0 };
	struct store_inbound_row row;
	struct intent_reader *ir = intent_reader_new();
	int64_t after = 0;
	int r;

	memset(stats, 0, sizeof(*stats));
	while ((r = store_inbound_next(ctx->st, after, &row, e)) == 1) {
		struct job j;
		struct err pe = { 0, "" };
		int rc;

		after = row.id;
		if ((size_t)(stats->done + stats->dropped + stats->failed) >= max) {
			stats->left = 1;
			store_inbound_row_clear(&row);
			break;
		}
		if ((r = attempt(ctx, row.id, e)) != 0) {
			store_inbound_row_clear(&row);
			if (r < 0) {
				intent_reader_free(&ir);
				return -1;
			}
			stats->failed++;
			continue;
		}
		memset(&j, 0, sizeof(j));
		j.ctx = ctx;
		j.n = &n;
		j.ir = ir;
		j.row = &row;
		buf_init(&j.summary, RESULT_TEXT_MAX);
		rc = store_begin(ctx->st, &pe) == 0 && process_one(&j, &pe) == 0 &&
		    store_commit(ctx->st, &pe) == 0 ? 0 : -1;
		if (rc == 0) {
			log_outcome(&j);
			if (strcmp(j.state, "dropped") == 0)
				stats->dropped++;
			else
				stats->done++;
		} else {
			store_rollback(ctx->st);
			notify_forget(&n);
			if (pe.ex == EX_TEMPFAIL) {
				/* The store is busy: this message waits. */
				int64_t n;

				store_inbound_attempt(ctx->st, row.id, -1, &n, e);
				job_clear(&j);
				store_inbound_row_clear(&row);
				*e = pe;
				intent_reader_free(&ir);
				return -1;
			}
			log_event(LV_ERROR, "event=inbound id=%lld "
			    "state=failed error=%s", (long long)row.id, pe.msg);
			stats->failed++;
			if (mark_failed(ctx, row.id, pe.msg, e) != 0) {
				job_clear(&j);
				store_inbound_row_clear(&row);
				intent_reader_free(&ir);
				return -1;
			}
		}
		job_clear(&j);
		store_inbound_row_clear(&row);
	}
	intent_reader_free(&ir);
	if (r < 0)
		return -1;
	return notices(ctx, key, tpl, e);
}
