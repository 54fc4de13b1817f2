/*
 * utf8 - well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.  Every check of text from outside (addresses,
 * names, CSV rows, mail bodies) uses these, so kring has one idea of
 * what valid text is.  Pure functions.
 */
#ifndef KRING_UTF8_H
#define KRING_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the well-formed sequence at p[0..n), 0 when none. */
size_t utf8_len(const unsigned char *p, size_t n);

/* true when s[0..n) is well-formed UTF-8 throughout. */
bool utf8_valid(const void *s, size_t n);

#endif
