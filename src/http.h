/*
 * http - kringd's small web server, GNU libmicrohttpd behind one module.
 *
 * It listens on http.listen (loopback behind the site's reverse proxy,
 * which does TLS), reads each request within fixed limits, and hands it
 * to one handler, which says the status and the page; this module adds
 * the headers every answer carries (a strict Content-Security-Policy,
 * no caching, no referrer, no sniffing, no framing).  It knows nothing
 * of tokens or lists.  Only http.c and http_watch.c include
 * <microhttpd.h>.
 *
 * Limits: HTTP_BODY_MAX bytes of body (more is 413, unread), the
 * request line and headers within HTTP_HEADERS_MAX (more is 431, from
 * kring, with its headers), HTTP_CONNECTIONS connections at once,
 * HTTP_PER_PROXY from a loopback peer (the reverse proxy) and
 * HTTP_PER_IP from any other, an idle connection closed after
 * HTTP_TIMEOUT seconds and one whose request (headers and body) takes
 * HTTP_DEADLINE seconds in all cut.  The client is the peer's address;
 * when the peer is loopback and sends X-Forwarded-For, its last
 * address: each client may have HTTP_PER_IP requests in flight and
 * HTTP_RATE a minute (ratelimit.h); more get 429 at once.  An answer
 * the handler marks (a token looked up) leaves no sooner than
 * HTTP_FLOOR_MS after its request was read, so its time does not tell
 * what was found; it waits suspended, holding no thread (http_watch.h).
 *
 * HTTP_THREADS threads of libmicrohttpd serve every connection, with
 * every signal blocked, so signals reach kringd's main thread only.
 * The handler is called from those threads, so it must serialise what
 * it shares.
 */
#ifndef KRING_HTTP_H
#define KRING_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "model.h"

struct err;

#define HTTP_BODY_MAX 1024
#define HTTP_HEADERS_MAX (16 * 1024)
/* libmicrohttpd's own buffer: room for kring to see and refuse more. */
#define HTTP_POOL (4 * HTTP_HEADERS_MAX)
#define HTTP_PATH_MAX 256
#define HTTP_CONNECTIONS 256
#define HTTP_PER_PROXY 192
#define HTTP_PER_IP 16
#define HTTP_TIMEOUT 10
#define HTTP_DEADLINE 10
#define HTTP_THREADS 4
/* Refused and cut connections: one log line per this many seconds. */
#define HTTP_LOG_EVERY 10
#define HTTP_RATE 60
#define HTTP_FLOOR_MS 50
#define HTTP_FIELDS_MAX 8
#define HTTP_FIELD_MAX 128

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

/* One name=value of a form body, as text; longer ones are cut. */
struct http_field {
	char name[HTTP_FIELD_MAX];
	char value[HTTP_FIELD_MAX];
};

struct http_req {
	enum http_method method;
	const char *path;               /* without the query; URL-decoded */
	const char *accept_language;    /* NULL when none */
	const char *query;              /* the URL's q=, decoded; NULL none */
	const char *client;             /* the client's address, as text */
	time_t now;
	bool too_large;                 /* a body over HTTP_BODY_MAX */
	bool head_too_large;            /* headers over HTTP_HEADERS_MAX */
	bool too_many;                  /* the client is over its rate */
	bool not_form;                  /* a body that is no form */
	size_t nfields;
	struct http_field field[HTTP_FIELDS_MAX];
};

struct http_answer {
	int status;
	struct buf body;                /* text/html; charset=utf-8 */
	enum lang lang;                 /* Content-Language */
	int retry_after;                /* seconds; 0 = no Retry-After */
	bool allow;                     /* 405: send Allow: GET, HEAD, POST */
	bool floor;                     /* not before HTTP_FLOOR_MS */
	char type[96];                  /* "" = text/html; charset=utf-8 */
	char disposition[640];          /* "" = none; else Content-Disposition */
	bool own_images;                /* CSP lets the page show /n/ images */
};

/* The value of field name in rq's form, or NULL. */
const char *http_field(const struct http_req *rq, const char *name);

/* Fill out (its body initialised, empty, status 500) for rq. */
typedef void http_handler(void *arg, const struct http_req *rq,
    struct http_answer *out);

struct http;

/*
 * Listen on where ("HOST:PORT", "[V6]:PORT", as config.c checks it)
 * and serve with handler(arg, ...) until http_stop.  -1 and e
 * (EX_UNAVAILABLE) when the address cannot be had, naming it.
 */
int http_start(const char *where, http_handler *handler, void *arg,
    struct http **out, struct err *e);

/* Stop listening, finish the requests in flight, free; *h = NULL. */
void http_stop(struct http **h);

#endif
