/*
 * notify - one templated mail into the queue (see notify.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "compose_forward.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "log.h"
#include "notify.h"
#include "queue.h"
#include "render.h"
#include "store.h"
#include "xmem.h"

#define REFERENCES_MAX 4000   /* keep the header within reason */
#define DAY (24 * 3600)

void
notify_common_vars(const struct config *cfg, const struct notify_to *to,
    struct render_vars *v)
{
	char *help = notify_sub_address(cfg, "help", "");

	render_vars_set(v, "address", cfg->address);
	render_vars_set(v, "local", cfg->local);
	render_vars_set(v, "domain", cfg->domain);
	render_vars_set(v, "delimiter", cfg->recipient_delimiter);
	render_vars_set(v, "help_address", help);
	render_vars_set(v, "person_address", to->addr);
	render_vars_set(v, "person_name", to->name);
	render_vars_set(v, "site_name", cfg->name);
	render_vars_set(v, "signature", *cfg->signature != '\0' ?
	    cfg->signature : *cfg->name != '\0' ? cfg->name : cfg->address);
	free(help);
}

/*
 * References (RFC 5322 3.6.4): the answered mail's References, or
 * failing those its In-Reply-To, then its Message-ID.
 */
static char *
references(const struct notify_thread *t)
{
	struct buf b = BUF_INIT;

	if (t == NULL || t->message_id == NULL)
		return NULL;
	if (t->references != NULL && strlen(t->references) < REFERENCES_MAX)
		buf_printf(&b, "%s ", t->references);
	else if (t->in_reply_to != NULL &&
	    strlen(t->in_reply_to) < REFERENCES_MAX)
		buf_printf(&b, "<%s> ", t->in_reply_to);
	buf_printf(&b, "<%s>", t->message_id);
	return buf_steal(&b);
}

int
notify_mail(struct notifier *n, enum lang lang, const char *name,
    struct render_vars *v, const struct notify_to *to, const char *reply_to,
    const struct notify_thread *thread, struct err *e)
{
	return notify_mail_attached(n, lang, name, v, to, reply_to, thread,
	    NULL, 0, 0, e);
}

int
notify_mail_attached(struct notifier *n, enum lang lang, const char *name,
    struct render_vars *v, const struct notify_to *to, const char *reply_to,
    const struct notify_thread *thread, const char *raw, size_t len,
    uint64_t seed, struct err *e)
{
	const struct config *cfg = n->ctx->cfg;
	struct buf subject = BUF_INIT, body = BUF_INIT, mime = BUF_INIT;
	struct q_campaign c;
	struct q_message m;
	struct queue_rcpt r = { to->addr, to->name, to->person_id };
	int64_t cid = 0, queued;
	int rc = -1;

	notify_common_vars(cfg, to, v);
	if (render_subject(n->tpl, lang, name, v, &subject, e) != 0 ||
	    render(n->tpl, lang, name, v, &body, e) != 0 || (raw != NULL &&
	    compose_forward_body(buf_str(&body), raw, len, seed, &mime,
	    e) != 0))
		goto out;
	memset(&c, 0, sizeof(c));
	c.id = n->campaign_id;
	c.kind = n->kind;
	c.subject = n->kind == CAMPAIGN_REPLY ? "replies" : "notices";
	c.created = n->ctx->now;
	c.not_before = n->ctx->now;
	memset(&m, 0, sizeof(m));
	m.from_addr = cfg->address;
	m.from_name = cfg->name;
	m.reply_to = (char *)reply_to;
	m.subject = (char *)buf_str(&subject);
	m.text = raw != NULL ? "" : (char *)buf_str(&body);
	m.body = raw != NULL ? mime.data : NULL;
	m.body_len = mime.len;
	m.created = n->ctx->now;
	if (thread != NULL && thread->message_id != NULL)
		m.in_reply_to = xasprintf("<%s>", thread->message_id);
	m.refs = references(thread);
	rc = queue_add(n->ctx->st, n->key, &c, &m, &r, 1, n->ctx->now, &cid,
	    &queued, e);
	if (rc == 0)
		n->campaign_id = cid;
	free(m.in_reply_to);
	free(m.refs);
out:
	buf_free(&subject);
	buf_free(&body);
	buf_free(&mime);
	return rc;
}

char *
notify_sub_address(const struct config *cfg, const char *list,
    const char *what)
{
	char *ext = xasprintf("%s%s", list, what);
	char *addr = addr_with_extension(cfg->local, cfg->domain,
	    cfg->recipient_delimiter, ext);

	free(ext);
	return addr;
}

char *
notify_web_url(const struct config *cfg, const char *what, const char *token)
{
	size_t n;

	if (cfg->unsubscribe_url == NULL || *cfg->unsubscribe_url == '\0')
		return NULL;
	n = strlen(cfg->unsubscribe_url);
	while (n > 0 && cfg->unsubscribe_url[n - 1] == '/')
		n--;
	return xasprintf("%.*s/%s/%s", (int)n, cfg->unsubscribe_url, what,
	    token);
}

void
notify_list_item(const struct config *cfg, struct render_vars *v,
    const char *var, const struct list *l)
{
	struct render_vars *it = render_vars_item(v, var);
	char *sub = notify_sub_address(cfg, l->id, "-subscribe");

	render_vars_set(it, "id", l->id);
	render_vars_set(it, "name", l->name);
	render_vars_set(it, "description", l->description);
	render_vars_set(it, "subscribe_address", sub);
	render_vars_flag(it, "newsletter", l->kind == LIST_NEWSLETTER);
	free(sub);
}

int
notify_reply_allowed(const struct kr_ctx *ctx, const char *addr,
    struct err *e)
{
	int64_t sent, forwarded;

	/* A forward to the office answers the writer too: it counts. */
	if (store_event_count(ctx->st, "reply", addr, ctx->now - DAY, &sent,
	    e) != 0 || store_event_count(ctx->st, "forward", addr,
	    ctx->now - DAY, &forwarded, e) != 0)
		return -1;
	sent += forwarded;
	if (sent < NOTIFY_REPLY_LIMIT)
		return 1;
	log_event(LV_WARN, "event=reply-limit addr=%s: %lld replies in 24 "
	    "hours; no reply", addr, (long long)sent);
	return 0;
}

void
notify_forget(struct notifier *n)
{
	n->campaign_id = 0;
}
