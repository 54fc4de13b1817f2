/*
 * invite - the confirmation requests of people the office imported
 * without --confirmed: they are pending until they confirm, so each is
 * mailed a request saying the office asks, in the list's language.
 */
#ifndef KRING_INVITE_H
#define KRING_INVITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct hmac_key;
struct kr_ctx;
struct render_set;

/*
 * Invite up to max imported people, in one transaction: *sent counts
 * the requests queued, *more says whether others wait.  A person over
 * confirm_limit is not mailed now, and not again: they can still
 * subscribe by mail themselves.
 */
int invite_pending(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct render_set *tpl, size_t max, int64_t *sent, bool *more,
    struct err *e);

#endif
