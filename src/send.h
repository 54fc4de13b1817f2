/*
 * send - the sender: claims due queue rows, composes each recipient's
 * copy, hands it to the transport (SMTP through outbound, or the
 * outbox Maildir) and records every outcome in the store.
 *
 * A pass opens one store connection of its own, which its own thread
 * uses to claim and compose batches ahead of smtp.connections worker
 * threads and to file what they sent; each worker runs one SMTP
 * session of up to smtp.messages_per_connection messages after
 * another, so a connection never waits for the store.  The rate limit and the slow-down after a 421 or a burst of
 * 4xx are shared by all workers.  Both `kring send` and kringd's send
 * step call send_pass().
 *
 * Crash safety: a delivered copy is committed to the pass's acceptance
 * log (store_acclog) the moment the server has accepted it, before the
 * next one goes out, and filed into the store with its batch; a crash
 * can repeat only a copy the server accepted in that instant, one per
 * connection at most.  Claimed rows of a sender that died come back by
 * send_recover(); those of a live one never do.
 */
#ifndef KRING_SEND_H
#define KRING_SEND_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct config;
struct err;
struct hmac_key;
struct store;

/* How the sender is doing; kept by the caller across passes. */
struct send_state {
	int64_t pause;           /* current slow-down, seconds; 0 none */
	int64_t paused_until;    /* no new session before this time */
};

struct send_stats {
	int64_t sent, deferred, failed;
	int64_t attempted;       /* rows claimed */
	bool unreachable;        /* a session found no server */
	bool policy;             /* the relay refused us (auth, policy) */
	char error[256];         /* the last session-wide problem, or "" */
};

typedef void send_progress_fn(const struct send_stats *s, void *arg);

struct send_opts {
	const struct config *cfg;
	const struct hmac_key *key;
	/*
	 * Stop claiming after this time (0: when nothing is due any more);
	 * with smtp.rate, claim no more than the rate lets go before it.
	 */
	int64_t deadline;
	/* Stop at the first session that finds no server. */
	bool stop_unreachable;
	/* Replies and notices alone (a test copy at once), no list mail. */
	bool urgent_only;
	const volatile sig_atomic_t *stop;
	send_progress_fn *progress;  /* may be NULL; called from workers */
	void *progress_arg;
};

/*
 * Send what is due.  Returns 0 with *stats filled (each row's fate is in
 * the store), or -1 when the pass could not start (store, TLS setup).
 */
int send_pass(const struct send_opts *o, struct send_state *state,
    struct send_stats *stats, struct err *e);

/*
 * Give back rows claimed by senders that are gone, after filing what
 * their acceptance logs say was taken.  A sender is gone when its log's
 * lock is: never while it runs, however slowly.  *n counts the rows.
 */
int send_recover(struct store *st, int64_t *n, struct err *e);

#endif
