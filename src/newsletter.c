/*
 * newsletter - Markdown to one personal message per subscriber (see
 * newsletter.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "compose.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "html_inline.h"
#include "markdown.h"
#include "newsletter.h"
#include "notify.h"
#include "render.h"
#include "store.h"
#include "token.h"
#include "xmem.h"

/* Who a preview is addressed to: nobody real (RFC 2606's domain). */
#define PREVIEW_ADDR "lid@example.org"
#define PREVIEW_NAME_NL "Voorbeeld Lid"
#define PREVIEW_NAME_EN "Sample Member"

int
newsletter_render(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct newsletter *nl, const char *token, struct buf *subject,
    struct buf *text, struct buf *html, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	const struct list *l = nl->list;
	struct buf md_html = BUF_INIT, md_text = BUF_INIT, styled = BUF_INIT;
	struct notify_to nobody = { "", "", 0 };
	struct render_vars *v = NULL;
	char *what, *unsub, *sub, *url;
	int rc = -1;

	if (markdown_render(nl->md, nl->md_len, &md_html, &md_text, e) != 0)
		goto out;
	html_inline_styles(buf_str(&md_html), &styled);
	what = xasprintf("-unsubscribe-%s", token);
	unsub = notify_sub_address(cfg, l->id, what);
	sub = notify_sub_address(cfg, l->id, "-subscribe");
	url = notify_web_url(cfg, "u", token);
	free(what);
	v = render_vars_new();
	/* The body is shared: nothing of the recipient but the token. */
	notify_common_vars(cfg, &nobody, v);
	render_vars_set(v, "subject", nl->subject);
	render_vars_set(v, "list_id", l->id);
	render_vars_set(v, "list_name", l->name);
	render_vars_set(v, "list_description", l->description);
	render_vars_set(v, "text", buf_str(&md_text));
	render_vars_html(v, "content", buf_str(&styled));
	render_vars_set(v, "unsubscribe_address", unsub);
	render_vars_set(v, "unsubscribe_url", url);
	render_vars_set(v, "subscribe_address", sub);
	free(unsub);
	free(sub);
	free(url);
	if (render_subject(tpl, l->lang, "newsletter.txt", v, subject, e) != 0 ||
	    render(tpl, l->lang, "newsletter.txt", v, text, e) != 0 ||
	    render(tpl, l->lang, "newsletter.html", v, html, e) != 0)
		goto out;
	rc = 0;
out:
	render_vars_free(&v);
	buf_free(&md_html);
	buf_free(&md_text);
	buf_free(&styled);
	return rc;
}

/* The message every copy is made from, with its placeholder. */
static int
message(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct newsletter *nl, const char *placeholder, struct buf *subject,
    struct buf *text, struct buf *html, struct q_message *m, struct err *e)
{
	if (newsletter_render(ctx, tpl, nl, placeholder, subject, text, html,
	    e) != 0)
		return -1;
	memset(m, 0, sizeof(*m));
	m->from_name = nl->list->name;
	m->from_addr = notify_sub_address(ctx->cfg, nl->list->id, "");
	m->subject = (char *)buf_str(subject);
	m->text = (char *)buf_str(text);
	m->html = (char *)buf_str(html);
	m->personal = (char *)placeholder;
	m->created = ctx->now;
	return 0;
}

int
newsletter_queue(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct newsletter *nl,
    int64_t not_before, queue_progress_fn *progress, void *arg,
    int64_t *campaign_id, int64_t *queued, struct err *e)
{
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT;
	struct q_campaign c;
	struct q_message m;
	char placeholder[TOKEN_LEN + 1];
	int64_t members;
	int rc = -1;

	*campaign_id = 0;
	*queued = 0;
	memset(&m, 0, sizeof(m));
	if (store_members_count(ctx->st, nl->list->id, -1, &members, e) != 0)
		goto out;
	if (members == 0) {
		rc = 0;
		goto out;
	}
	/* Random, so no text of the newsletter can contain it by chance. */
	if (token_new(placeholder) != 0) {
		err_set(e, EX_OSERR, "no randomness for the placeholder");
		goto out;
	}
	if (message(ctx, tpl, nl, placeholder, &subject, &text, &html, &m,
	    e) != 0)
		goto out;
	memset(&c, 0, sizeof(c));
	c.kind = CAMPAIGN_NEWSLETTER;
	c.list_id = nl->list->id;
	c.subject = (char *)nl->subject;
	c.created = ctx->now;
	c.not_before = not_before > ctx->now ? not_before : ctx->now;
	rc = queue_add_members(ctx->st, key, &c, &m, -1, ctx->now, progress,
	    arg, campaign_id, queued, e);
out:
	free(m.from_addr);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	return rc;
}

int
newsletter_preview(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct newsletter *nl,
    struct buf *out, struct err *e)
{
	const struct list *l = nl->list;
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT,
	    body = BUF_INIT;
	struct compose_head h;
	struct q_message m;
	char token[TOKEN_LEN + 1], *msgid = NULL;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	/* A token of nobody: person 0 is never a subscriber. */
	queue_unsub_token(key, l->id, 0, token);
	if (message(ctx, tpl, nl, token, &subject, &text, &html, &m, e) != 0)
		goto out;
	msgid = xasprintf("preview.%s@%s", token, ctx->cfg->domain);
	memset(&h, 0, sizeof(h));
	h.kind = CAMPAIGN_NEWSLETTER;
	h.list_id = l->id;
	h.list_name = l->name;
	h.list_post = false;
	h.from_name = m.from_name;
	h.from_addr = m.from_addr;
	h.to_name = l->lang == LANG_NL ? PREVIEW_NAME_NL : PREVIEW_NAME_EN;
	h.to_addr = PREVIEW_ADDR;
	h.subject = m.subject;
	h.message_id = msgid;
	h.unsub_token = token;
	h.date = ctx->now;
	if (compose_head(ctx->cfg, &h, out, e) != 0 ||
	    compose_body(m.text, m.html, (uint64_t)ctx->now, &body, e) != 0)
		goto out;
	buf_add(out, body.data, body.len);
	rc = 0;
out:
	free(m.from_addr);
	free(msgid);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	buf_free(&body);
	return rc;
}
