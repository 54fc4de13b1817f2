/*
 * source_int - what source.c and its drivers (source_maildir.c,
 * source_imap.c, source_pop3.c) share and nobody else may see.
 *
 * source.c owns the handle, the copy of the configuration, logging,
 * backoff and the per-fetch bookkeeping; a driver owns its connection
 * (src->conn) and speaks its protocol.  A driver's fetch walks the
 * mailbox and, per message, asks source_known() before downloading,
 * hands the bytes to source_take(), and flags or removes the message
 * only when that returned SOURCE_TAKEN.  It returns 0, or -1 with e for
 * a failure that ends the fetch (source.c logs it, disconnects and
 * backs off).
 */
#ifndef KRING_SOURCE_INT_H
#define KRING_SOURCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "config.h"
#include "source.h"

struct err;

#define SOURCE_TIMEOUT 60             /* seconds per network read or write */

struct source_driver {
	const char *scheme;               /* "maildir", "imap", "pop3" */
	int (*fetch)(struct source *src, struct err *e);
	/*
	 * NULL when the protocol has no IDLE.  The descriptor to poll, -1
	 * when the server offers no IDLE, -2 when starting it failed.
	 */
	int (*idle)(struct source *src, time_t now, time_t *renew);
	/* Drop the connection (politely when it still works). */
	void (*disconnect)(struct source *src);
};

struct source {
	const struct source_driver *drv;
	struct config_inbound cfg;        /* a deep copy */
	char *name;
	bool may_idle;
	void *conn;                       /* the driver's; NULL = not connected */

	/* The fetch under way. */
	struct store *st;
	int64_t max_size;
	struct source_stats stats;
	int handled;

	/* Backoff after failures. */
	int failures;

	/* uids already reported as set aside, so each is logged once. */
	char **noted;
	size_t nnoted;
};

extern const struct source_driver source_maildir_driver;
extern const struct source_driver source_imap_driver;
extern const struct source_driver source_pop3_driver;

enum source_take {
	SOURCE_TAKEN = 0,                 /* in the store: flag or remove it */
	SOURCE_SET_ASIDE = 1,             /* too large: leave it (flag it seen) */
};

/* Whether the store has this uid of src: 1, 0, or -1 with e. */
int source_known(struct source *src, const char *uid, struct err *e);

/*
 * Commit one message of size bytes (0: len) whose first len bytes are
 * raw; one over max_message_size keeps only its header (intake.h).
 * SOURCE_TAKEN (new or a duplicate), SOURCE_SET_ASIDE (refused; logged),
 * or -1 with e (the store failed: end the fetch).
 */
int source_take(struct source *src, const char *uid, const char *raw,
    size_t len, uint64_t size, struct err *e);

/* Count a message known to the store that was flagged again. */
void source_count_duplicate(struct source *src, const char *uid);

/*
 * A message of size bytes is too large: true, logged and counted in
 * stats the first time for uid, or false.
 */
bool source_too_large(struct source *src, const char *uid, uint64_t size);

/*
 * Log a problem with one message, at warning level the first time for
 * uid (then true), later at debug level (false).
 */
bool source_note(struct source *src, const char *uid, const char *what);

/*
 * Whether this fetch has handled its SOURCE_FETCH_MAX messages; then
 * stats.more is set and the driver stops.  source_handled() counts one.
 */
bool source_full(struct source *src);
void source_handled(struct source *src);

/*
 * The TLS peer of stream s: the chain checked against cfg.ca_file (or
 * the system's CAs) and cfg.host.  0, or -1 with e.
 */
int source_tls_verify(struct source *src, mailstream *s, struct err *e);

/* libetpan's TLS context callback: SNI for cfg.host unless an IP. */
void source_tls_sni(struct mailstream_ssl_context *ctx, void *data);

#endif
