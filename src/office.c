/*
 * office - handing a letter to the programme office (see office.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose_forward.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "mime.h"
#include "notify.h"
#include "office.h"
#include "queue.h"
#include "render.h"
#include "store.h"
#include "subscription.h"
#include "xmem.h"

static void
results(struct render_vars *v, const struct office_letter *l)
{
	render_vars_list(v, "results");
	for (size_t i = 0; i < l->n; i++) {
		struct render_vars *it;

		if (l->res[i].flag == NULL)
			continue;
		it = render_vars_item(v, "results");
		render_vars_set(it, "command", l->cmds[i].text);
		render_vars_set(it, "list_id", l->res[i].list_id);
		render_vars_set(it, "list_name", l->res[i].list_name);
		render_vars_flag(it, "digest", l->res[i].digest);
		render_vars_flag(it, l->res[i].flag, true);
	}
}

static int
forward(struct notifier *n, const struct office_letter *l, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	const struct config *cfg = ctx->cfg;
	const struct mime_msg *m = l->m;
	struct notify_to office = { cfg->office, "", 0 };
	struct queue_rcpt r = { cfg->office, NULL, 0 };
	struct render_vars *v = render_vars_new();
	struct buf subject = BUF_INIT, text = BUF_INIT, body = BUF_INIT;
	const char *date = mime_field(m, "Date");
	struct q_campaign c;
	struct q_message msg;
	int64_t cid = 0, queued;
	int rc = -1;

	render_vars_set(v, "original_from", l->sender);
	render_vars_set(v, "original_name", m->from.name ? m->from.name : "");
	render_vars_set(v, "original_date", date ? date : "");
	render_vars_set(v, "original_subject", m->subject && *m->subject ?
	    m->subject : "-");
	render_vars_set(v, "original_text", m->text ? m->text : "");
	render_vars_flag(v, "attachments", m->n_attachments > 0);
	results(v, l);
	notify_common_vars(cfg, &office, v);
	if (render_subject(n->tpl, cfg->language, "forward.txt", v, &subject,
	    e) != 0 || render(n->tpl, cfg->language, "forward.txt", v, &text,
	    e) != 0)
		goto out;
	if (compose_forward_body(buf_str(&text), l->row->raw, l->row->size,
	    (uint64_t)l->row->id, &body, e) != 0)
		goto out;
	memset(&c, 0, sizeof(c));
	c.id = n->campaign_id;
	c.kind = n->kind;
	c.subject = n->kind == CAMPAIGN_REPLY ? "replies" : "notices";
	c.created = ctx->now;
	c.not_before = ctx->now;
	memset(&msg, 0, sizeof(msg));
	msg.from_addr = cfg->address;
	msg.from_name = cfg->name;
	msg.reply_to = (char *)l->sender;
	msg.subject = (char *)buf_str(&subject);
	msg.text = "";
	msg.body = body.data;
	msg.body_len = body.len;
	msg.created = ctx->now;
	if (m->message_id != NULL)
		msg.in_reply_to = xasprintf("<%s>", m->message_id);
	rc = queue_add(ctx->st, n->key, &c, &msg, &r, 1, ctx->now, &cid,
	    &queued, e);
	if (rc == 0)
		n->campaign_id = cid;
	free(msg.in_reply_to);
out:
	render_vars_free(&v);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&body);
	return rc;
}

int
office_hand(struct notifier *n, const struct office_letter *l,
    const char **what, struct err *e)
{
	const struct kr_ctx *ctx = n->ctx;
	const char *office = ctx->cfg->office;
	int r = 0;

	if (*office != '\0' && (r = notify_reply_allowed(ctx, l->sender,
	    e)) < 0)
		return -1;
	if (r > 0) {
		if (forward(n, l, e) != 0)
			return -1;
		*what = "forwarded to the office";
		return store_event(ctx->st, ctx->now, "forward", NULL,
		    l->sender, "forwarded", office, e);
	}
	*what = "kept for the office";
	if (store_inbound_keep(ctx->st, l->row->id, e) != 0)
		return -1;
	return store_event(ctx->st, ctx->now, "forward", NULL, l->sender,
	    "kept", *office != '\0' ? "reply limit" : "no office", e);
}
