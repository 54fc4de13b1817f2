/*
 * verp - the signed return path of every message kring sends.
 *
 * Each (message, recipient) delivery leaves with its own envelope sender
 * L+bounce-Q-S@D, where Q is the queue row (base 36) and S the first 40
 * bits of HMAC-SHA-256(site key, "verp:" Q) in base 32.  A bounce that
 * reaches this address names the queue row, and through it the recipient,
 * the list and the message, without kring reading a word of the bounce
 * itself; a forged bounce cannot name a row without the site key.  The
 * local part stays under 64 octets for any configured L of up to 38.
 * A copy without a Message-ID of its own (replies, notices, newsletters)
 * gets <kring.Q-S@D>, signed the same way, so that a report returning
 * the copy's headers names it too.
 */
#ifndef KRING_VERP_H
#define KRING_VERP_H

#include <stdint.h>

struct hmac_key;

#define VERP_EXT_PREFIX "bounce-"

/* "bounce-Q-S": the sub-address of queue row qid, newly allocated. */
char *verp_extension(const struct hmac_key *key, int64_t qid);

/*
 * The queue row named by a sub-address (as addr_extension returns it,
 * any case): 1 and *qid when it is a well-formed "bounce-Q-S" with a
 * valid signature, 0 when it is not.
 */
int verp_parse(const struct hmac_key *key, const char *ext, int64_t *qid);

/* "kring.Q-S@domain" (without <>), newly allocated. */
char *verp_message_id(const struct hmac_key *key, int64_t qid,
    const char *domain);

/*
 * The queue row named by a Message-ID (without <>): 1 and *qid when it is
 * verp_message_id's form for domain with a valid signature, else 0.
 */
int verp_message_id_parse(const struct hmac_key *key, const char *msgid,
    const char *domain, int64_t *qid);

#endif
