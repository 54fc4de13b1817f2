/*
 * addr - email addresses: validation, normalisation, sub-addresses, list
 * ids.
 *
 * An address kring stores is an RFC 5321 mailbox in its normal form:
 * local part as given (at most 64 octets; dot-atom of printable ASCII or
 * UTF-8, no quoted strings), exactly one '@', a domain of at most 255
 * octets lower-cased and, when it has non-ASCII labels, converted to
 * A-labels (IDNA 2008, libidn2); the whole at most 254 octets; never a CR,
 * LF, NUL, space, control character, '<', '>', ',' or ';'.  Two addresses
 * are the same person when their normal forms are equal; local parts keep
 * their case (RFC 5321) but comparison of L, D and LIST sub-addresses is
 * case-insensitive (SPEC).  Pure functions, no state.
 */
#ifndef KRING_ADDR_H
#define KRING_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define ADDR_MAX 254
#define ADDR_LOCAL_MAX 64
#define ADDR_DOMAIN_MAX 255
#define LIST_ID_MAX 64

struct err;

/*
 * Validate and normalise `in` (surrounding white space and one pair of
 * angle brackets are allowed).  Returns a new string (caller frees), or
 * NULL with e set to EX_DATAERR and a message naming why, e.g.
 * "address contains a line break".
 */
char *addr_normalize(const char *in, struct err *e);

/* true when id matches [a-z0-9][a-z0-9-]{0,63}. */
bool addr_list_id_ok(const char *id);

/* Split a normal-form address at its last '@' into newly allocated parts. */
void addr_split(const char *addr, char **local, char **domain);

/*
 * The sub-address kring was reached at.  `addr` is an address as found in
 * an envelope or header; `local`/`domain` is kring's own address and
 * `delim` the recipient delimiter.  Returns 1 and the extension (the part
 * after the delimiter, lower-cased, newly allocated; "" for the bare
 * address) when addr is one of kring's addresses, 0 when it is not.
 */
int addr_extension(const char *addr, const char *local, const char *domain,
    const char *delim, char **ext);

/* "L" DELIM "ext" "@" D, newly allocated. */
char *addr_with_extension(const char *local, const char *domain,
    const char *delim, const char *ext);

#endif
