/*
 * http_watch - deadlines, held answers and the door (see http_watch.h).
 *
 * Each connection has a struct track, its socket context, from the
 * table's fixed slots.  The clock's thread cuts a late connection with
 * shutdown(), not close(): libmicrohttpd then sees the end of the
 * stream and closes it itself, and the descriptor stays valid, since
 * libmicrohttpd reports a connection closed (under this module's lock)
 * before it closes its socket.  MHD_resume_connection is called
 * outside the lock, so the lock never waits on libmicrohttpd's own.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "conncap.h"
#include "http.h"
#include "http_watch.h"
#include "log.h"
#include "xmem.h"

#define SLOTS (HTTP_CONNECTIONS + HTTP_THREADS)
/* How often the clock looks at the deadlines, in ms. */
#define TICK_MS 200

struct track {
	struct MHD_Connection *c;    /* NULL: a free slot */
	int fd;
	char peer[CONNCAP_KEY_MAX + 1];
	bool counted;                /* in peers */
	bool reading;                /* a request not yet read whole */
	bool cut;
	bool held;
	int64_t since;               /* ms: the request's start */
	int64_t until;               /* ms: when held, its release */
};

struct watch {
	pthread_mutex_t lock;        /* all below but the log's */
	pthread_cond_t wake;
	pthread_t thread;
	bool stop;
	struct conncap *peers;
	struct track t[SLOTS];
	unsigned refused, cut;
	int64_t next_report;

	pthread_mutex_t log_lock;    /* logged, suppressed, log_window */
	unsigned suppressed;
	int64_t log_window;
};

int64_t
watch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
watch_peer(const struct sockaddr *sa, char *out, size_t len)
{
	snprintf(out, len, "unknown");
	if (sa == NULL)
		return false;
	if (getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), out,
	    (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(out, len, "unknown");
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr);
	return false;
}

/* Under the lock: the summary of the last HTTP_LOG_EVERY seconds. */
static void
report(struct watch *w, int64_t now)
{
	unsigned suppressed;

	if (now < w->next_report)
		return;
	pthread_mutex_lock(&w->log_lock);
	suppressed = w->suppressed;
	w->suppressed = 0;
	pthread_mutex_unlock(&w->log_lock);
	if (w->refused > 0 || w->cut > 0 || suppressed > 0)
		log_event(LV_WARN, "event=http refused=%u cut=%u suppressed=%u "
		    "seconds=%d", w->refused, w->cut, suppressed,
		    HTTP_LOG_EVERY);
	w->refused = w->cut = 0;
	w->next_report = now + HTTP_LOG_EVERY * 1000;
}

/*
 * Under the lock: cut the late, gather the due into due[] (at most
 * SLOTS); the ms until the next thing to do.
 */
static int64_t
tick(struct watch *w, int64_t now, struct MHD_Connection **due, size_t *ndue)
{
	int64_t next = now + TICK_MS;

	*ndue = 0;
	for (size_t i = 0; i < SLOTS; i++) {
		struct track *t = &w->t[i];

		if (t->c == NULL)
			continue;
		if (t->held && (w->stop || t->until <= now)) {
			t->held = false;
			due[(*ndue)++] = t->c;
		} else if (t->held && t->until < next) {
			next = t->until;
		}
		if (t->reading && !t->cut &&
		    now - t->since >= HTTP_DEADLINE * 1000) {
			shutdown(t->fd, SHUT_RDWR);
			t->cut = true;
			w->cut++;
		}
	}
	report(w, now);
	return next;
}

static void *
run(void *arg)
{
	struct watch *w = arg;
	struct MHD_Connection **due = xcalloc(SLOTS, sizeof(*due));
	size_t ndue;
	bool stop = false;

	pthread_mutex_lock(&w->lock);
	while (!stop) {
		int64_t next = tick(w, watch_now_ms(), due, &ndue);
		struct timespec ts;

		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
		for (size_t i = 0; i < ndue; i++)
			MHD_resume_connection(due[i]);
		pthread_mutex_lock(&w->lock);
		if (stop || w->stop)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		next -= watch_now_ms();
		if (next <= 0)
			continue;
		ts.tv_sec += next / 1000;
		ts.tv_nsec += (next % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->wake, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
	free(due);
	return NULL;
}

struct watch *
watch_new(void)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t ca;

	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->log_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	w->peers = conncap_new(SLOTS);
	w->next_report = watch_now_ms() + HTTP_LOG_EVERY * 1000;
	if (pthread_create(&w->thread, NULL, run, w) != 0)
		log_fatal(EX_OSERR, "event=http error=\"cannot start a thread: %s\"",
		    strerror(errno));
	return w;
}

void
watch_stop(struct watch *w)
{
	bool join;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	join = !w->stop;
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	if (join)
		pthread_join(w->thread, NULL);
}

void
watch_free(struct watch **wp)
{
	struct watch *w = *wp;

	if (w == NULL)
		return;
	watch_stop(w);
	report(w, w->next_report);
	conncap_free(&w->peers);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->log_lock);
	free(w);
	*wp = NULL;
}

enum MHD_Result
watch_admit(void *arg, const struct sockaddr *sa, socklen_t len)
{
	struct watch *w = arg;
	char peer[CONNCAP_KEY_MAX + 1];
	bool proxy = watch_peer(sa, peer, sizeof(peer));
	bool ok;

	(void)len;
	pthread_mutex_lock(&w->lock);
	ok = conncap_count(w->peers, peer) <
	    (unsigned)(proxy ? HTTP_PER_PROXY : HTTP_PER_IP);
	if (!ok)
		w->refused++;
	pthread_mutex_unlock(&w->lock);
	return ok ? MHD_YES : MHD_NO;
}

static void
opened(struct watch *w, struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const union MHD_ConnectionInfo *fi = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	char peer[CONNCAP_KEY_MAX + 1];

	*ctx = NULL;
	watch_peer(ai ? ai->client_addr : NULL, peer, sizeof(peer));
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < SLOTS && fi != NULL; i++) {
		struct track *t = &w->t[i];

		if (t->c != NULL)
			continue;
		memset(t, 0, sizeof(*t));
		t->c = c;
		t->fd = fi->connect_fd;
		snprintf(t->peer, sizeof(t->peer), "%s", peer);
		t->counted = conncap_take(w->peers, peer, (unsigned)-1);
		t->reading = true;
		t->since = watch_now_ms();
		*ctx = t;
		break;
	}
	pthread_mutex_unlock(&w->lock);
}

void
watch_notify(void *arg, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct watch *w = arg;
	struct track *t = *ctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		opened(w, c, ctx);
		return;
	}
	if (t == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	if (t->counted)
		conncap_give(w->peers, t->peer);
	t->c = NULL;
	pthread_mutex_unlock(&w->lock);
	*ctx = NULL;
}

/* ctx's request is now being read (from now on) or read whole. */
static void
mark(struct watch *w, struct track *t, bool reading)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	t->reading = reading;
	if (reading)
		t->since = watch_now_ms();
	pthread_mutex_unlock(&w->lock);
}

void
watch_read(struct watch *w, void *ctx)
{
	mark(w, ctx, false);
}

void
watch_next(struct watch *w, void *ctx)
{
	mark(w, ctx, true);
}

bool
watch_hold(struct watch *w, void *ctx, struct MHD_Connection *c,
    int64_t until_ms)
{
	struct track *t = ctx;
	bool ok = false;

	if (t == NULL)
		return false;
	pthread_mutex_lock(&w->lock);
	if (!w->stop && t->c == c) {
		/* Before the clock can see it: it resumes only what is held. */
		MHD_suspend_connection(c);
		t->held = true;
		t->until = until_ms;
		pthread_cond_signal(&w->wake);
		ok = true;
	}
	pthread_mutex_unlock(&w->lock);
	return ok;
}

void
watch_log(struct watch *w, const char *msg)
{
	int64_t now = watch_now_ms();
	bool say;

	pthread_mutex_lock(&w->log_lock);
	say = now >= w->log_window;
	if (say)
		w->log_window = now + HTTP_LOG_EVERY * 1000;
	else
		w->suppressed++;
	pthread_mutex_unlock(&w->log_lock);
	if (say)
		log_event(LV_WARN, "event=http error=%s", msg);
}
