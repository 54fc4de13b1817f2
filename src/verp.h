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

#endif
