/*
 * web - the pages of kringd's web endpoint (SPEC "Web endpoint"): the
 * one-click unsubscribe of RFC 8058 at /u/TOKEN and the confirmation
 * of a pending request at /c/TOKEN.
 *
 * A GET (or HEAD) only shows a page, with one button that POSTs, so a
 * link scanner that follows every link changes nothing.  A POST with
 * the form's field (List-Unsubscribe=One-Click for /u/, confirm=yes
 * for /c/) does what the mail commands do, through subscription.h, in
 * one store transaction with its event log entry; the goodbye or
 * welcome mail is queued in it.
 *
 * Whether a token exists or not, a GET does the same work (the hash,
 * the token, the list, the subscription) and answers 200 with a page
 * padded to the same size class; only a POST says 404 for a token that
 * is unknown, used or expired.  One-click tokens are also checked
 * against the site key in constant time (token_equal), so a row in the
 * store alone does not make a token.
 *
 * Of the domain it calls subscription (the changes), notify (the
 * variables every template has) and queue (to derive a one-click token
 * again); of the wrappers store, render and http's request types.
 *
 * A struct web has its own store connection and is used by the web
 * server's threads one at a time (its lock).  The configuration and
 * templates it reads are kringd's; web_swap hands it new ones before
 * kringd frees the old.
 */
#ifndef KRING_WEB_H
#define KRING_WEB_H

struct config;
struct err;
struct hmac_key;
struct http_answer;
struct http_req;
struct render_set;
struct web;

/* Open a store connection for the pages; -1 and e when it cannot. */
int web_new(const struct config *cfg, const struct render_set *tpl,
    const struct hmac_key *key, struct web **out, struct err *e);

/* From now on use cfg and tpl; the old ones are no longer touched. */
void web_swap(struct web *w, const struct config *cfg,
    const struct render_set *tpl);

void web_free(struct web **w);

/* The http_handler (http.h): the answer to one request. */
void web_answer(void *w, const struct http_req *rq, struct http_answer *out);

#endif
