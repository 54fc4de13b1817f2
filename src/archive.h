/*
 * archive - a member's personal link to the archive of their CoPs,
 * URL/a/TOKEN.
 *
 * The token is 128 bits of HMAC-SHA-256 under the site key over the
 * person's id and the link's serial, so kring can write it into every
 * mail to the person without keeping it: the store keeps only its hash
 * (token_hash) with the serial.  archive_relink raises the serial, so
 * the old link stops working and a new one is made.
 */
#ifndef KRING_ARCHIVE_H
#define KRING_ARCHIVE_H

#include <stdint.h>

struct config;
struct err;
struct hmac_key;
struct store;

/*
 * The person's archive link (free it), made when they have none yet
 * (inside a transaction then); NULL in *url when the site has no web
 * endpoint (unsubscribe_url).  0, or -1 and e.
 */
int archive_link(struct store *st, const struct config *cfg,
    const struct hmac_key *key, int64_t person, int64_t now, char **url,
    struct err *e);

/* A new link for the person (inside a transaction); as archive_link. */
int archive_relink(struct store *st, const struct config *cfg,
    const struct hmac_key *key, int64_t person, int64_t now, char **url,
    struct err *e);

#endif
