/*
 * newsletter - a Markdown file becomes one personal message per
 * subscriber of a list.
 *
 * The Markdown is rendered once (cmark, safe mode; inline CSS for the
 * HTML) into the newsletter templates of the list's language, and
 * stored once as one message.  What differs per subscriber is their
 * one-click unsubscribe token: the stored text holds a placeholder that
 * the sender replaces in each copy (compose_personalise), and the
 * personal headers (To, List-Unsubscribe) are made at send time too, so
 * queueing for 100,000 people writes 100,000 small queue rows and no
 * copies.
 */
#ifndef KRING_NEWSLETTER_H
#define KRING_NEWSLETTER_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "queue.h"

struct buf;
struct config;
struct err;
struct hmac_key;
struct kr_ctx;
struct pics;
struct render_set;

struct newsletter {
	const struct list *list;
	const char *subject;         /* UTF-8, one line */
	const char *md;              /* the Markdown source */
	size_t md_len;
	const char *dir;             /* the Markdown's folder, for pictures */
	/* The link at the top of each copy; NULL: none (set by the queue). */
	const char *web_url;
};

/*
 * The web address of a list's archive (id 0) or of one of its
 * newsletters, or NULL when the site has no web pages (unsubscribe_url
 * and http.listen both set).  Caller frees.
 */
char *newsletter_web_url(const struct config *cfg, const char *list_id,
    int64_t id);


/*
 * The newsletter's subject, text and HTML for a subscriber whose
 * one-click token is token (the placeholder when queueing).  Appends to
 * the three buffers; the pictures are read into pics (set up by the
 * caller: its mode says where the HTML points).  -1 and e: EX_DATAERR
 * for Markdown that cmark refuses (too large, NUL), a picture that is
 * refused (newsletter_pics.h) or a subject the templates make too long,
 * EX_SOFTWARE for a template that cannot be filled.
 */
int newsletter_render(const struct kr_ctx *ctx, const struct render_set *tpl,
    const struct newsletter *nl, const char *token, struct pics *pics,
    struct buf *subject, struct buf *text, struct buf *html, struct err *e);

/* pics set up for nl's pictures in mode, within the configured limits. */
void newsletter_pics_init(const struct kr_ctx *ctx,
    const struct newsletter *nl, int mode, const char *tag,
    struct pics *pics);

/*
 * Queue nl for every active subscriber of its list, to leave no sooner
 * than not_before, inside the caller's transaction, and keep its web
 * version (no personal part; pictures as files beside it) for
 * URL/n/LIST/ID, linked at the top of every copy.  *queued may be 0
 * (nobody to send to); then no campaign is made and *campaign_id is 0.
 */
int newsletter_queue(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct newsletter *nl,
    int64_t not_before, queue_progress_fn *progress, void *arg,
    int64_t *campaign_id, int64_t *queued, struct err *e);

/*
 * The whole message (headers and body, CRLF) one fictitious subscriber
 * of the list would get, appended to out; nothing is stored.
 */
int newsletter_preview(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct newsletter *nl,
    struct buf *out, struct err *e);

/*
 * A test copy of nl to each of to[0..n) (normal form addresses), as the
 * made-up subscriber of a preview gets it, "[TEST] " before the
 * subject: queued as a notice of its own, outside any newsletter
 * campaign and its counters, for the caller to send at once.
 */
int newsletter_test(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, const struct newsletter *nl,
    char *const *to, size_t n, int64_t *campaign_id, struct err *e);

#endif
