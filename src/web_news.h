/*
 * web_news - the public pages of newsletters on kringd's web endpoint:
 * /n/LIST, the archive of a list's sent newsletters, newest first;
 * /n/LIST/feed.xml, the same as an Atom feed; /n/LIST/ID, the web
 * version of one, and /n/LIST/ID/N.EXT, its pictures.
 *
 * Only when the site has web pages (unsubscribe_url and http.listen),
 * only newsletter lists, only newsletters that are published and of
 * which a copy left (store_news_get).  What is shown was kept when the
 * newsletter was queued without its personal part, so no page holds a
 * name, an address or a token.  GET and HEAD only: nothing here changes
 * the store.  The pages have no script and load nothing from elsewhere
 * (their CSP allows this site's pictures and nothing more).
 */
#ifndef KRING_WEB_NEWS_H
#define KRING_WEB_NEWS_H

struct config;
struct http_answer;
struct http_req;
struct render_set;
struct store;

/* What web_news_answer did. */
#define WEB_NEWS_NOT_MINE 0      /* not under /n/ */
#define WEB_NEWS_DONE 1          /* out is the answer */
#define WEB_NEWS_NOT_FOUND 2     /* under /n/, nothing there */
#define WEB_NEWS_BAD_METHOD 3    /* under /n/, not GET or HEAD */
#define WEB_NEWS_FAILED 4        /* the store failed (logged) */

int web_news_answer(struct store *st, const struct config *cfg,
    const struct render_set *tpl, const struct http_req *rq,
    struct http_answer *out);

#endif
