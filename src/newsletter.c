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
#include "newsletter_pics.h"
#include "compose_related.h"
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
    const struct newsletter *nl, const char *token, struct pics *pics,
    struct buf *subject, struct buf *text, struct buf *html, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	const struct list *l = nl->list;
	struct buf md_html = BUF_INIT, md_text = BUF_INIT, styled = BUF_INIT;
	struct notify_to nobody = { "", "", 0 };
	struct render_vars *v = NULL;
	char *what, *unsub, *sub, *url;
	int rc = -1;

	if (markdown_render_images(nl->md, nl->md_len, pics_resolve, pics,
	    l->lang == LANG_NL ? "afbeelding" : "image", &md_html, &md_text,
	    e) != 0)
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
	render_vars_set(v, "web_url", nl->web_url);
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

char *
newsletter_web_url(const struct config *cfg, const char *list_id, int64_t id)
{
	char *tail, *url;

	if (*cfg->http.listen == '\0')
		return NULL;
	tail = id > 0 ? xasprintf("%s/%lld", list_id, (long long)id) :
	    xstrdup(list_id);
	url = notify_web_url(cfg, "n", tail);
	free(tail);
	return url;
}

/*
 * The web version: the Markdown as in the mail, its pictures as files
 * under the page's own path, and nothing of the footer (the personal
 * part).  Kept with the campaign, inside the caller's transaction.
 */
static int
keep_web_version(const struct kr_ctx *ctx, const struct newsletter *nl,
    int64_t id, int64_t date, struct err *e)
{
	struct buf md_html = BUF_INIT, styled = BUF_INIT;
	struct pics pics;
	struct news_page pg;
	char *base = xasprintf("%lld", (long long)id);
	int rc = -1;

	newsletter_pics_init(ctx, nl, PICS_WEB, NULL, &pics);
	pics.base = base;
	if (markdown_render_images(nl->md, nl->md_len, pics_resolve, &pics,
	    "", &md_html, NULL, e) != 0)
		goto out;
	html_inline_styles(buf_str(&md_html), &styled);
	pg = (struct news_page){ id, (char *)nl->list->id,
	    (char *)nl->subject, (char *)buf_str(&styled), date };
	if (store_news_put(ctx->st, &pg, e) != 0)
		goto out;
	for (size_t i = 0; i < pics.n; i++)
		if (store_news_pic_put(ctx->st, id, pics.v[i].name,
		    pics.v[i].type, pics.v[i].data.data, pics.v[i].data.len,
		    e) != 0)
			goto out;
	rc = 0;
out:
	free(base);
	pics_free(&pics);
	buf_free(&md_html);
	buf_free(&styled);
	return rc;
}

/* A boundary seed from the campaign's random tag. */
static uint64_t
seed_of(const char *s)
{
	uint64_t v = 0;

	while (*s != '\0')
		v = v * 131 + (unsigned char)*s++;
	return v;
}

void
newsletter_pics_init(const struct kr_ctx *ctx, const struct newsletter *nl,
    int mode, const char *tag, struct pics *pics)
{
	memset(pics, 0, sizeof(*pics));
	pics->dir = nl->dir;
	pics->each_max = ctx->cfg->newsletter.image_max;
	pics->all_max = ctx->cfg->newsletter.images_max;
	pics->mode = (enum pics_mode)mode;
	pics->tag = tag;
}

/*
 * The message every copy is made from, with its placeholder.  With
 * pictures the whole body is made here, once, and stored in body: the
 * pictures travel in the one message row of the campaign, never per
 * copy.
 */
static int
message(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct newsletter *nl, const char *placeholder, struct buf *subject,
    struct buf *text, struct buf *html, struct buf *body, struct q_message *m,
    struct err *e)
{
	struct compose_pic *cp = NULL;
	struct newsletter mine;
	struct pics pics;
	char seed[TOKEN_LEN + 1], *tag, *archive = NULL;
	int rc = -1;

	/* The cid names only this campaign: never the placeholder. */
	if (token_new(seed) != 0)
		return err_set(e, EX_OSERR, "no randomness for the pictures");
	tag = xasprintf("%s@%s", seed, ctx->cfg->domain);
	/* A preview or test copy has no page yet: it links the archive. */
	mine = *nl;
	if (mine.web_url == NULL)
		mine.web_url = archive = newsletter_web_url(ctx->cfg,
		    nl->list->id, 0);
	newsletter_pics_init(ctx, nl, PICS_CID, tag, &pics);
	if (newsletter_render(ctx, tpl, &mine, placeholder, &pics, subject,
	    text, html, e) != 0)
		goto out;
	memset(m, 0, sizeof(*m));
	if (pics.n > 0) {
		cp = xcalloc(pics.n, sizeof(*cp));
		for (size_t i = 0; i < pics.n; i++)
			cp[i] = (struct compose_pic){ pics.v[i].type,
			    pics.v[i].cid, pics.v[i].name, pics.v[i].data.data,
			    pics.v[i].data.len };
		if (compose_related_body(buf_str(text), buf_str(html), cp,
		    pics.n, seed_of(seed), placeholder, body, e) != 0)
			goto out;
		m->body = (char *)buf_str(body);
		m->body_len = body->len;
	}
	rc = 0;
out:
	free(cp);
	free(tag);
	free(archive);
	pics_free(&pics);
	if (rc != 0)
		return -1;
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
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT,
	    body = BUF_INIT;
	struct q_campaign c;
	struct q_message m;
	struct newsletter mine;
	char placeholder[TOKEN_LEN + 1], *web = NULL;
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
	memset(&c, 0, sizeof(c));
	c.kind = CAMPAIGN_NEWSLETTER;
	c.list_id = nl->list->id;
	c.subject = (char *)nl->subject;
	c.created = ctx->now;
	c.not_before = not_before > ctx->now ? not_before : ctx->now;
	/* The campaign first: its number is in the web version's link. */
	if (store_campaign_add(ctx->st, &c, &c.id, e) != 0)
		goto out;
	mine = *nl;
	mine.web_url = web = newsletter_web_url(ctx->cfg, nl->list->id, c.id);
	if (message(ctx, tpl, &mine, placeholder, &subject, &text, &html,
	    &body, &m, e) != 0 ||
	    keep_web_version(ctx, nl, c.id, c.not_before, e) != 0)
		goto out;
	rc = queue_add_members(ctx->st, key, &c, &m, -1, ctx->now, progress,
	    arg, campaign_id, queued, e);
out:
	free(web);
	free(m.from_addr);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	buf_free(&body);
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
	if (message(ctx, tpl, nl, token, &subject, &text, &html, &body, &m,
	    e) != 0)
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
	    (m.body == NULL && compose_body(m.text, m.html,
	    (uint64_t)ctx->now, &body, e) != 0))
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

int
newsletter_test(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct newsletter *nl,
    char *const *to, size_t n, int64_t *campaign_id, struct err *e)
{
	const struct list *l = nl->list;
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT,
	    body = BUF_INIT;
	struct queue_rcpt *r = xcalloc(n ? n : 1, sizeof(*r));
	char token[TOKEN_LEN + 1], *tsubject = NULL;
	struct q_campaign c;
	struct q_message m;
	int64_t queued;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	/* The preview's nobody: person 0's token leads to no subscriber. */
	queue_unsub_token(key, l->id, 0, token);
	if (message(ctx, tpl, nl, token, &subject, &text, &html, &body, &m,
	    e) != 0)
		goto out;
	m.personal = NULL;
	tsubject = xasprintf("[TEST] %s", m.subject);
	m.subject = tsubject;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct queue_rcpt){ to[i], l->lang == LANG_NL ?
		    PREVIEW_NAME_NL : PREVIEW_NAME_EN, 0 };
	memset(&c, 0, sizeof(c));
	c.kind = CAMPAIGN_NOTICE;
	c.list_id = l->id;
	c.subject = tsubject;
	c.created = ctx->now;
	c.not_before = ctx->now;
	rc = queue_add(ctx->st, key, &c, &m, r, n, ctx->now, campaign_id,
	    &queued, e);
out:
	free(m.from_addr);
	free(tsubject);
	free(r);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	buf_free(&body);
	return rc;
}
