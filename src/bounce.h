/*
 * bounce - what a bounce does to the person it names (SPEC "Bounces").
 *
 * Whom a bounce may count against: a mail to L+bounce-Q-S@D names queue
 * row Q, and through it the recipient, when S is the row's signature
 * (verp.h); nothing in the bounce's text can change that.  A report
 * anywhere else counts only when the copy it returns carries kring's
 * signed Return-Path or Message-ID, and then for that copy alone; any
 * other report is logged and counts for nothing, whatever addresses it
 * names.  Copies that answer mail (replies) never count: anyone can make
 * kring answer anyone.  A 5xx of the relay counts like a bounce of its
 * copy.
 *
 * What it counts: hard 1.0, soft 0.5, policy 0 (kept and logged, never
 * scored); a delay, a challenge or an auto-reply is no failure.  A person's score is the sum within bounce.window, counted
 * from the last copy that went through cleanly (accepted after their
 * last bounce, at least BOUNCE_GRACE ago, and never bounced itself).
 * At bounce.threshold every active subscription of the person becomes
 * disabled, and they are owed one notice, which bounce_notify_due sends.
 * Everything happens inside the caller's transaction.
 */
#ifndef KRING_BOUNCE_H
#define KRING_BOUNCE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct config;
struct err;
struct hmac_key;
struct notifier;
struct store;

/* How long a copy must have gone unbounced to count as delivered. */
#define BOUNCE_GRACE (24 * 3600)
/* Notices sent per call of bounce_notify_due. */
#define BOUNCE_NOTICES_MAX 100

/*
 * An inbound mail routed to bounce processing (stored as inbound_id),
 * addressed to sub-address ext ("" or NULL when not to kring's VERP
 * address).  summary gets what came of it.  1 when it counted, 0 when
 * it changed nothing (forged, unknown, no bounce), -1 and e on a store
 * error.
 */
int bounce_inbound(const struct config *cfg, struct store *st,
    const struct hmac_key *key, int64_t now, const char *ext,
    int64_t inbound_id, const char *raw, size_t len, struct buf *summary,
    struct err *e);

/*
 * The relay refused copy queue_id with a 5xx reply (code, enhanced
 * status enh or NULL, text): count it as a bounce.  0 or -1 with e.
 */
int bounce_refused(const struct config *cfg, struct store *st,
    int64_t queue_id, int code, const char *enh, const char *text,
    int64_t now, struct err *e);

/*
 * Send the notices owed to people whose subscriptions bounces paused, in
 * one transaction; *sent counts them.  n must be a CAMPAIGN_NOTICE
 * notifier.
 */
int bounce_notify_due(struct notifier *n, int64_t *sent, struct err *e);

#endif
