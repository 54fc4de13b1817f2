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

#include <stdbool.h>
#include <stdint.h>

#include "token.h"

struct config;
struct err;
struct hmac_key;
struct queue_rcpts;
struct render_vars;
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

/* The token of link serial of person (see above). */
void archive_token(const struct hmac_key *key, int64_t person,
    int64_t serial, char out[TOKEN_LEN + 1]);

/*
 * A digest's or a post's copies carry each member's link: the text
 * holds archive_atom(personal) where the token goes, as it holds the
 * one-click placeholder personal (queue.h) for the unsubscribe token;
 * the two differ in their first character, so neither holds the other.
 */
void archive_atom(const char *personal, char out[TOKEN_LEN + 1]);

/*
 * Set archive_url in v for a mail that every member of list_id gets
 * alike: the public URL/a/public/LIST when the list's archive is public
 * (and the flag archive_public); when it is members, each member's own
 * link, URL/a/ and archive_atom(atom) for the sender to fill in (then
 * true: every member needs a link first, archive_links); "" when it is
 * none, the site has no web endpoint, or the store cannot say (the mail
 * goes, without the link).
 */
bool archive_list_vars(struct store *st, const struct config *cfg,
    const char *list_id, const char *atom, struct render_vars *v);

/* Every known person of r a link, for their copy to point at; 0/-1. */
int archive_links(struct store *st, const struct config *cfg,
    const struct hmac_key *key, const struct queue_rcpts *r, int64_t now,
    struct err *e);

/*
 * The token of person's current link for a copy being sent: 1 and out,
 * or 0 when they have none (out is then a token that opens nothing).
 */
int archive_token_now(struct store *st, const struct hmac_key *key,
    int64_t person, char out[TOKEN_LEN + 1], struct err *e);

#endif
