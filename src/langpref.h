/*
 * langpref - which of kring's languages a browser prefers, from its
 * Accept-Language header (RFC 9110, section 12.5.4).
 *
 * Only the primary subtag counts ("nl-BE" is nl, "en-GB" en); the
 * highest q wins and, at equal q, the range listed first; q=0 means
 * "not this one".  Pure.
 */
#ifndef KRING_LANGPREF_H
#define KRING_LANGPREF_H

#include "model.h"

/* 1 and *out when header names nl or en, 0 when neither (or NULL). */
int langpref_pick(const char *header, enum lang *out);

#endif
