/*
 * process - what kring does with the inbound mail it has stored: parse
 * it, route it, carry out its commands and answer, one message per
 * transaction.
 *
 * A message's state (done, dropped, failed), its route and a short
 * result are written in the same transaction as everything it changed
 * and every mail it caused, so a crash at any point leaves the message
 * `new` with nothing of it done, and it is processed again in full.  A
 * message that cannot be processed for a reason that will not pass
 * (a bug, a template that cannot be filled) is marked failed, logged,
 * and does not stop the rest.  Each attempt is counted before it is
 * made: a message that crashed kringd three times is set aside (failed,
 * with a log line) on the fourth start instead of crashing it again.
 */
#ifndef KRING_PROCESS_H
#define KRING_PROCESS_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct hmac_key;
struct kr_ctx;
struct render_set;

struct process_stats {
	int64_t done, dropped, failed;
	int64_t left;                /* `new` messages not reached (max) */
};

/*
 * Process up to max messages in state `new`, oldest first.  -1 and e
 * only when the store fails (EX_TEMPFAIL for busy): the rest waits for
 * the next call.
 */
int process_pending(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, size_t max, struct process_stats *stats,
    struct err *e);

#endif
