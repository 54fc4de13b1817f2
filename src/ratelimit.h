/*
 * ratelimit - how many requests each client made in the current minute,
 * for kringd's web endpoint.
 *
 * A fixed table of RATELIMIT_CLIENTS counters, one per client address
 * (as text), each counting in a window of RATELIMIT_WINDOW seconds.  A
 * client new to a full table takes the slot whose window is oldest, so
 * the table never grows, whatever a flood of addresses does.  Pure: the
 * caller passes the time and serialises the calls.
 */
#ifndef KRING_RATELIMIT_H
#define KRING_RATELIMIT_H

#include <stdbool.h>
#include <time.h>

#define RATELIMIT_CLIENTS 512
#define RATELIMIT_WINDOW 60
#define RATELIMIT_KEY_MAX 63

struct ratelimit;

/* A table allowing max requests per client and window; free it. */
struct ratelimit *ratelimit_new(unsigned max);
void ratelimit_free(struct ratelimit **rl);

/*
 * Count one request of client at now: true when it is within the
 * limit, false when the client has had its max in this window.  A key
 * longer than RATELIMIT_KEY_MAX is counted by its first bytes.
 */
bool ratelimit_hit(struct ratelimit *rl, const char *client, time_t now);

/* Seconds until client's window ends (at least 1), for Retry-After. */
int ratelimit_retry_after(const struct ratelimit *rl, const char *client,
    time_t now);

#endif
