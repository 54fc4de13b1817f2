/*
 * http_watch - the clock and the door of kringd's web server (http.h).
 *
 * The door: a connection is let in while its peer holds fewer than
 * HTTP_PER_PROXY (a loopback peer, the reverse proxy) or HTTP_PER_IP
 * (any other) connections.  The clock, one thread: it cuts a
 * connection whose request, headers and body together, is not read
 * within HTTP_DEADLINE seconds (libmicrohttpd's own timeout counts
 * only idle time, which one byte every few seconds resets); it lets a
 * held answer go at its time, the connection suspended meanwhile so
 * no thread waits; and it sums up refused and cut connections, and
 * libmicrohttpd's messages past the first, in one line per
 * HTTP_LOG_EVERY seconds, so a flood cannot flood the log.
 *
 * Every function may be called from any of libmicrohttpd's threads.
 */
#ifndef KRING_HTTP_WATCH_H
#define KRING_HTTP_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

struct watch;

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t watch_now_ms(void);

/* sa as text (numeric) into out; true when it is loopback. */
bool watch_peer(const struct sockaddr *sa, char *out, size_t len);

/*
 * Start the clock's thread.  watch_stop releases every held answer and
 * stops it (nothing is held after); watch_free, when libmicrohttpd has
 * stopped too, frees.
 */
struct watch *watch_new(void);
void watch_stop(struct watch *w);
void watch_free(struct watch **w);

/* MHD's accept policy: may sa have one more connection? */
enum MHD_Result watch_admit(void *w, const struct sockaddr *sa,
    socklen_t len);

/* MHD_OPTION_NOTIFY_CONNECTION: a connection opened or closed. */
void watch_notify(void *w, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode code);

/* ctx's request is read whole: no deadline until the next begins. */
void watch_read(struct watch *w, void *ctx);

/* ctx's request is answered: the next one's deadline runs from now. */
void watch_next(struct watch *w, void *ctx);

/*
 * Suspend c (the handler's connection, ctx its socket context) and
 * resume it at until_ms.  False, c untouched, when the clock stops.
 */
bool watch_hold(struct watch *w, void *ctx, struct MHD_Connection *c,
    int64_t until_ms);

/* One message of libmicrohttpd's, or a summary of them, logged. */
void watch_log(struct watch *w, const char *msg);

#endif
