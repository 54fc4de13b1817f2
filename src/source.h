/*
 * source - the mailbox kringd takes inbound mail from: a Maildir, or an
 * IMAP or POP3 server (inbound.type), read with libetpan.
 *
 * A fetch commits each new message to the store with intake_add() and
 * only then lets the mailbox forget it: processed = keep flags it seen
 * (Maildir: new/ to cur/ with S; IMAP: \Seen; POP3: nothing, the store
 * remembers its UIDL), processed = delete removes it (unlink; \Deleted
 * and EXPUNGE; DELE).  A crash between the commit and the flag cannot
 * make a message processed twice: before downloading, a fetch asks the
 * store whether it already holds (source, source_uid), and intake's
 * digest catches the rest.  A message larger than max_message_size is
 * logged and set aside (flagged seen; POP3 leaves it) and never taken
 * again.
 *
 * The source logs its own failures (key=value, as the rest of kringd)
 * and backs off: an unreachable server, a wrong password, a missing
 * Maildir never stop kringd, they delay the next fetch (10 s, doubling,
 * up to poll_interval or 5 minutes).  TLS servers are verified against
 * inbound.ca_file, or the system's CAs, and the host name.
 *
 * A source belongs to one thread; it owns a copy of its configuration.
 */
#ifndef KRING_SOURCE_H
#define KRING_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct config_inbound;
struct store;
struct source;

#define SOURCE_FETCH_MAX 500          /* messages handled per fetch */
#define SOURCE_IDLE_RENEW (25 * 60)   /* RFC 2177: renew IDLE within 29 min */

/* What one fetch did. */
struct source_stats {
	int stored;          /* new in the store */
	int duplicates;      /* already in the store: only flagged or removed */
	int set_aside;       /* too large: left at the source */
	bool more;           /* SOURCE_FETCH_MAX reached: fetch again now */
	bool failed;         /* logged; retried at the time fetch returned */
};

/*
 * A source for cfg, or NULL when cfg->type is INBOUND_NONE (mail comes
 * only through `kring deliver`).  Connects to nothing yet.  With idle
 * false (kringd --once) it never stays connected between fetches.
 */
struct source *source_open(const struct config_inbound *cfg, bool idle);

/* Log out (ending an IDLE) and free; *src becomes NULL. */
void source_close(struct source **src);

/* Whether src was opened from a configuration equal to cfg. */
bool source_same_config(const struct source *src,
    const struct config_inbound *cfg);

/* "maildir:/path", "imap:user@host/INBOX", "pop3:user@host": the
 * store's inbound.source for its messages. */
const char *source_name(const struct source *src);

/*
 * Take what is new (at most SOURCE_FETCH_MAX messages) into st, ending
 * an IDLE first.  Returns when the next fetch is due: now when more is
 * waiting, the retry time after a failure, else now + poll_interval.
 * stats may be NULL.
 */
time_t source_fetch(struct source *src, struct store *st, int64_t max_size,
    time_t now, struct source_stats *stats);

/*
 * Wait for new mail with IMAP IDLE, right after a fetch: returns a
 * descriptor that becomes readable when the server speaks, and in
 * *renew when to fetch anyway (the next fetch ends the IDLE).  -1 when
 * the source cannot IDLE now (not IMAP, inbound.idle off, the server
 * offers no IDLE, the last fetch failed): then fetch at the time
 * source_fetch returned.
 */
int source_idle(struct source *src, time_t now, time_t *renew);

#endif
