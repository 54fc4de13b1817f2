/*
 * outbound - SMTP submission to the configured relay, with libESMTP.
 *
 * One call, outbound_session(), connects to smtp.host:port, says EHLO,
 * does STARTTLS and AUTH as configured, sends a batch of messages (each
 * to one recipient with its own VERP return path) over that one
 * connection, pipelined where the server allows, and disconnects.  Each
 * message's fate is decided from libESMTP's per-recipient status and
 * handed to the caller's callback: at once for a delivered message, so
 * the caller can record it before the next one goes out, and at the end
 * of the session for the rest.  Only outbound.c includes <libesmtp.h>
 * and OpenSSL's TLS headers.
 *
 * An outbound is shared by the sender's threads; a session belongs to
 * the thread that runs it.
 */
#ifndef KRING_OUTBOUND_H
#define KRING_OUTBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "model.h"

struct config_smtp;
struct err;
struct outbound;

#define OUTBOUND_TEXT_MAX 200

/* One message to one recipient. */
struct outbound_msg {
	const char *reverse_path;   /* MAIL FROM (the VERP address) */
	const char *rcpt;           /* RCPT TO */
	/*
	 * The bytes, CRLF, in pieces: the head, then the body's (a shared
	 * body and the recipient's own tokens between its parts).
	 */
	const struct iovec *iov;
	size_t iovcnt;
	void *arg;                  /* the caller's */

	/* Filled by outbound_session(). */
	enum queue_state outcome;   /* QUEUE_SENT, QUEUE_DEFERRED, QUEUE_FAILED */
	int code;                   /* the deciding SMTP reply; 0 if none */
	char enh[16];               /* "5.1.1" or "" */
	char text[OUTBOUND_TEXT_MAX]; /* reply text or the local error */
	size_t piece, pos;          /* read position while streaming */
};

/* What a session as a whole went through. */
struct outbound_report {
	bool connected;             /* a server greeted us */
	bool throttled;             /* a 421, or temporary failures for most */
	bool policy;                /* refused by relay policy (auth, TLS) */
	char error[OUTBOUND_TEXT_MAX]; /* the session's own trouble, or "" */
	size_t sent, deferred, failed;
};

/* Called once per message when its outcome is known. */
typedef void outbound_done_fn(struct outbound_msg *m, void *arg);
/* Called before each message's data goes out: the rate limiter. */
typedef void outbound_pace_fn(void *arg);

/*
 * Prepare for sessions with smtp (the configuration must outlive the
 * outbound): the TLS context, AUTH.  helo is the EHLO name.  0/-1.
 */
int outbound_new(const struct config_smtp *smtp, const char *helo,
    struct outbound **out, struct err *e);
void outbound_free(struct outbound **ob);

/*
 * Send msgs[0..n) in one SMTP session.  done() is called exactly once
 * for every message, from this thread; pace (may be NULL) before each
 * message's data.  Returns 0 (each message's outcome tells), or -1 when
 * the session could not be set up at all (then nothing was sent and
 * every message is deferred).
 */
int outbound_session(struct outbound *ob, struct outbound_msg *msgs, size_t n,
    outbound_done_fn *done, outbound_pace_fn *pace, void *arg,
    struct outbound_report *rep, struct err *e);

#endif
