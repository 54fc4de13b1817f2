/*
 * web_archive - the members-only archive of the CoPs on kringd's web
 * endpoint: URL/a/TOKEN and the pages below it (SPEC "Archive").
 *
 * Called by web.c, under its lock, with its store connection, for any
 * path that starts with "/a/".  It reads only: a GET never changes
 * anything.  Of the domain it uses notify (the link's base); of the
 * wrappers store and render (escaping).
 */
#ifndef KRING_WEB_ARCHIVE_H
#define KRING_WEB_ARCHIVE_H

struct config;
struct http_answer;
struct http_req;
struct store;

/* Fill out for rq, a request for a path under "/a/". */
void web_archive_answer(struct store *st, const struct config *cfg,
    const struct http_req *rq, struct http_answer *out);

#endif
