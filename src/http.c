/*
 * http - libmicrohttpd for kringd's web endpoint (see http.h).
 *
 * A request goes through on_request() in three kinds of call, as
 * libmicrohttpd makes them: the first, with the headers, makes the
 * request's struct conn and may answer at once (a client over its
 * rate, a body announced too large); the next ones bring the body,
 * which goes through libmicrohttpd's own form parser (both
 * application/x-www-form-urlencoded and multipart/form-data, as RFC
 * 8058 allows) as long as it stays within HTTP_BODY_MAX; the last,
 * with no more body, calls the handler and queues its answer, or,
 * when the handler asks for the time floor and it has not passed,
 * holds it (http_watch.h) and queues it on the call that follows the
 * connection's resumption.
 *
 * A client may have HTTP_PER_IP requests in flight (a table of its
 * own, since behind the proxy every connection comes from one peer)
 * and HTTP_RATE a minute; the headers are measured here, within
 * libmicrohttpd's larger buffer, so that kring, not libmicrohttpd,
 * answers headers that are too large, with its own headers.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include <microhttpd.h>

#include "conncap.h"
#include "err.h"
#include "http.h"
#include "http_watch.h"
#include "log.h"
#include "ratelimit.h"
#include "xmem.h"

#define CLIENT_MAX 64
#define HTTP_DISCARD_MAX (64 * 1024)

/*
 * The policy of every page: nothing may load or run, styles only
 * inline, forms post only back to this site, no framing.
 */
static const char *const security_headers[][2] = {
	{ "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'" },
	{ "Cache-Control", "no-store" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "X-Robots-Tag", "noindex, nofollow" },
	{ "Content-Type", "text/html; charset=utf-8" },
};

struct http {
	struct MHD_Daemon *d;
	http_handler *handler;
	void *arg;
	struct watch *watch;
	pthread_mutex_t lock;        /* rl, inflight */
	struct ratelimit *rl;
	struct conncap *inflight;    /* requests per client */
};

/* One request in flight. */
struct conn {
	struct http_req rq;
	struct MHD_PostProcessor *pp;
	void *track;                 /* the connection's, in http_watch */
	int64_t start;               /* ms, watch_now_ms */
	size_t body;
	char client[CLIENT_MAX];
	bool counted;                /* in inflight */
	bool answered;
	struct MHD_Response *held;   /* an answer waiting for its time */
	unsigned held_status;
};

const char *
http_field(const struct http_req *rq, const char *name)
{
	for (size_t i = 0; i < rq->nfields; i++)
		if (strcmp(rq->field[i].name, name) == 0)
			return rq->field[i].value;
	return NULL;
}

static enum http_method
method_of(const char *m)
{
	if (strcmp(m, MHD_HTTP_METHOD_GET) == 0)
		return HTTP_GET;
	if (strcmp(m, MHD_HTTP_METHOD_HEAD) == 0)
		return HTTP_HEAD;
	if (strcmp(m, MHD_HTTP_METHOD_POST) == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* The last address of an X-Forwarded-For value, when it is one. */
static bool
forwarded(const char *xff, char *out, size_t len)
{
	const char *last = strrchr(xff, ',');
	unsigned char bin[sizeof(struct in6_addr)];
	char a[CLIENT_MAX];
	size_t n;

	last = last ? last + 1 : xff;
	last += strspn(last, " \t");
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof(a))
		return false;
	memcpy(a, last, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1)
		return false;
	snprintf(out, len, "%s", a);
	return true;
}

static void
client_of(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff;

	if (watch_peer(ci ? ci->client_addr : NULL, out, len) &&
	    (xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Forwarded-For")) != NULL)
		forwarded(xff, out, len);
}

static enum MHD_Result
add_size(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *n = cls;

	(void)kind;
	*n += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* The request line and headers, as near as libmicrohttpd lets us see. */
static size_t
head_size(struct MHD_Connection *c, const char *url, const char *method)
{
	size_t n = strlen(url) + strlen(method) + 12;

	MHD_get_connection_values(c, MHD_HEADER_KIND, add_size, &n);
	return n;
}

static enum MHD_Result
on_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct conn *cn = cls;
	struct http_req *rq = &cn->rq;
	struct http_field *f;
	size_t have;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (off == 0) {
		if (rq->nfields == HTTP_FIELDS_MAX)
			return MHD_YES;
		f = &rq->field[rq->nfields++];
		snprintf(f->name, sizeof(f->name), "%s", key);
		f->value[0] = '\0';
	} else if (rq->nfields == 0) {
		return MHD_YES;
	}
	f = &rq->field[rq->nfields - 1];
	have = strlen(f->value);
	if (size > sizeof(f->value) - 1 - have)
		size = sizeof(f->value) - 1 - have;
	memcpy(f->value + have, data, size);
	f->value[have + size] = '\0';
	return MHD_YES;
}

/* The first call: the request's state, and whether to answer at once. */
static struct conn *
conn_new(struct http *h, struct MHD_Connection *c, const char *url,
    const char *method)
{
	struct conn *cn = xcalloc(1, sizeof(*cn));
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const char *len;

	cn->start = watch_now_ms();
	cn->track = ci ? ci->socket_context : NULL;
	cn->rq.method = method_of(method);
	cn->rq.path = url;
	cn->rq.now = time(NULL);
	cn->rq.accept_language = MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	cn->rq.query = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	client_of(c, cn->client, sizeof(cn->client));
	cn->rq.client = cn->client;
	pthread_mutex_lock(&h->lock);
	cn->counted = conncap_take(h->inflight, cn->client, HTTP_PER_IP);
	cn->rq.too_many = !ratelimit_hit(h->rl, cn->client, cn->rq.now) ||
	    !cn->counted;
	pthread_mutex_unlock(&h->lock);
	if (head_size(c, url, method) > HTTP_HEADERS_MAX)
		cn->rq.head_too_large = true;
	len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len != NULL && strtoull(len, NULL, 10) > HTTP_BODY_MAX)
		cn->rq.too_large = true;
	if (cn->rq.method == HTTP_POST && !cn->rq.too_large &&
	    (cn->pp = MHD_create_post_processor(c, 1024, on_field, cn)) == NULL)
		cn->rq.not_form = true;
	return cn;
}

/* A page's own type, and its own pictures, where the answer asks. */
static const char *
http_header_value(const struct http_answer *a, size_t i)
{
	if (a->type[0] != '\0' && strcmp(security_headers[i][0],
	    "Content-Type") == 0)
		return a->type;
	if (a->own_images && strcmp(security_headers[i][0],
	    "Content-Security-Policy") == 0)
		return "default-src 'none'; img-src 'self'; "
		    "style-src 'unsafe-inline'; form-action 'self'; "
		    "frame-ancestors 'none'; base-uri 'none'";
	return security_headers[i][1];
}

/* The handler's answer as a response with every header of kring's. */
static struct MHD_Response *
response(struct http_answer *a)
{
	struct MHD_Response *r;
	char retry[16];

	r = MHD_create_response_from_buffer(a->body.len, a->body.len ?
	    a->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(security_headers) /
	    sizeof(security_headers[0]); i++)
		MHD_add_response_header(r, security_headers[i][0],
		    http_header_value(a, i));
	if (a->disposition[0] != '\0')
		MHD_add_response_header(r, "Content-Disposition", a->disposition);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_LANGUAGE,
	    lang_name(a->lang));
	if (a->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
		    "GET, HEAD, POST");
	if (a->retry_after > 0) {
		snprintf(retry, sizeof(retry), "%d", a->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	return r;
}

static enum MHD_Result
queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result rc = MHD_queue_response(c, status, r);

	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
answer(struct http *h, struct MHD_Connection *c, struct conn *cn)
{
	struct http_answer a;
	struct MHD_Response *r;

	memset(&a, 0, sizeof(a));
	buf_init(&a.body, 0);
	a.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	h->handler(h->arg, &cn->rq, &a);
	if (cn->rq.too_many && a.retry_after == 0) {
		pthread_mutex_lock(&h->lock);
		a.retry_after = cn->counted ? ratelimit_retry_after(h->rl,
		    cn->client, time(NULL)) : 1;
		pthread_mutex_unlock(&h->lock);
	}
	cn->answered = true;
	watch_read(h->watch, cn->track);
	r = response(&a);
	buf_free(&a.body);
	if (r == NULL)
		return MHD_NO;
	if (a.floor && watch_now_ms() < cn->start + HTTP_FLOOR_MS) {
		cn->held = r;
		cn->held_status = (unsigned)a.status;
		if (watch_hold(h->watch, cn->track, c,
		    cn->start + HTTP_FLOOR_MS))
			return MHD_YES;
		cn->held = NULL;
	}
	return queue(c, (unsigned)a.status, r);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct conn *cn = *con_cls;

	(void)version;
	if (cn != NULL)
		cn->rq.path = url;
	if (cn == NULL) {
		*con_cls = cn = conn_new(h, c, url, method);
		if (cn->rq.too_many || cn->rq.too_large ||
		    cn->rq.head_too_large)
			return answer(h, c, cn);
		return MHD_YES;
	}
	if (cn->held != NULL) {
		/* Resumed: its time has come. */
		struct MHD_Response *r = cn->held;

		cn->held = NULL;
		return queue(c, cn->held_status, r);
	}
	if (cn->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/*
		 * libmicrohttpd takes no answer while a body comes in: a body
		 * that grows too large without saying so beforehand (chunked)
		 * is read and dropped up to HTTP_DISCARD_MAX, then answered;
		 * one that goes on past that loses its connection.
		 */
		cn->body += *upload_size;
		if (cn->body > HTTP_BODY_MAX)
			cn->rq.too_large = true;
		if (cn->body > HTTP_DISCARD_MAX)
			return MHD_NO;
		if (!cn->rq.too_large && cn->pp != NULL &&
		    MHD_post_process(cn->pp, upload, *upload_size) != MHD_YES)
			cn->rq.not_form = true;
		*upload_size = 0;
		return MHD_YES;
	}
	return answer(h, c, cn);
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct conn *cn = *con_cls;

	(void)c;
	(void)toe;
	if (cn == NULL)
		return;
	if (cn->counted) {
		pthread_mutex_lock(&h->lock);
		conncap_give(h->inflight, cn->client);
		pthread_mutex_unlock(&h->lock);
	}
	watch_next(h->watch, cn->track);
	if (cn->held != NULL)
		MHD_destroy_response(cn->held);
	if (cn->pp != NULL)
		MHD_destroy_post_processor(cn->pp);
	free(cn);
	*con_cls = NULL;
}

static void
on_log(void *cls, const char *fmt, va_list ap)
{
	struct http *h = cls;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\r\n")] = '\0';
	watch_log(h->watch, msg);
}

/* Split "HOST:PORT" or "[V6]:PORT" (config.c checked the shape). */
static int
split_listen(const char *where, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char *colon = strrchr(where, ':');
	const char *h = where;
	size_t n;

	if (colon == NULL)
		return -1;
	n = (size_t)(colon - where);
	if (*h == '[' && n >= 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= hlen || strlen(colon + 1) >= plen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

/* A listening socket on listen; -1 and e. */
static int
listen_on(const char *where, int *family, struct err *e)
{
	struct addrinfo hints, *ai = NULL;
	char host[256], port[16];
	int fd, one = 1, r;

	if (split_listen(where, host, sizeof(host), port, sizeof(port)) != 0)
		return err_set(e, EX_CONFIG, "http.listen \"%s\": not HOST:PORT",
		    where);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
		return err_set(e, EX_UNAVAILABLE, "http.listen %s: %s", where,
		    gai_strerror(r));
	*family = ai->ai_family;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 64) != 0) {
		err_set(e, EX_UNAVAILABLE, "http.listen %s: cannot listen: %s",
		    where, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int
http_start(const char *where, http_handler *handler, void *arg,
    struct http **out, struct err *e)
{
	struct http *h;
	sigset_t all, old;
	int fd, family = AF_INET;
	/*
	 * poll(), not select(): a descriptor past FD_SETSIZE still works.
	 * A few threads for every connection, none per connection, so a
	 * slow client holds a slot but no thread.
	 */
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	*out = NULL;
	if ((fd = listen_on(where, &family, e)) < 0)
		return -1;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = xcalloc(1, sizeof(*h));
	h->handler = handler;
	h->arg = arg;
	h->rl = ratelimit_new(HTTP_RATE);
	h->inflight = conncap_new(HTTP_CONNECTIONS + HTTP_THREADS);
	h->watch = watch_new();
	pthread_mutex_init(&h->lock, NULL);
	/* Its threads inherit this mask: signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->d = MHD_start_daemon(flags, 0, watch_admit, h->watch, on_request, h,
	    MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_POOL,
	    MHD_OPTION_NOTIFY_CONNECTION, watch_notify, h->watch,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->d == NULL) {
		close(fd);
		http_stop(&h);
		return err_set(e, EX_UNAVAILABLE, "http.listen %s: the web "
		    "server did not start", where);
	}
	*out = h;
	return 0;
}

void
http_stop(struct http **hp)
{
	struct http *h = *hp;

	if (h == NULL)
		return;
	/* Held answers go first: libmicrohttpd stops no suspended one. */
	watch_stop(h->watch);
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	watch_free(&h->watch);
	ratelimit_free(&h->rl);
	conncap_free(&h->inflight);
	pthread_mutex_destroy(&h->lock);
	free(h);
	*hp = NULL;
}
