/*
 * compose_forward - the body of a mail handed on to the programme
 * office: a text part a person reads at once, and the original mail
 * whole as message/rfc822, so its attachments and headers survive.
 *
 * A mail that mail cannot carry inside another (a NUL byte, a line
 * over 998 octets) goes as application/octet-stream in base64 instead,
 * named original.eml, so that nothing of it is lost either.
 */
#ifndef KRING_COMPOSE_FORWARD_H
#define KRING_COMPOSE_FORWARD_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;

/*
 * Append to out the MIME body (as compose_body) of multipart/mixed:
 * text (UTF-8) as text/plain, then raw (len bytes).  -1 with
 * EX_DATAERR when text is not UTF-8 or the whole is over
 * COMPOSE_BODY_MAX.
 */
int compose_forward_body(const char *text, const char *raw, size_t len,
    uint64_t seed, struct buf *out, struct err *e);

#endif
