/*
 * compose_related - the body of a newsletter with pictures in it:
 * multipart/alternative of the text and a multipart/related that holds
 * the HTML and each picture, the HTML pointing at them as cid:.
 *
 * Built with libetpan like every body (compose.h); the pictures go in
 * base64 as inline parts with a Content-ID.  The text and HTML may hold
 * a placeholder for what is personal, as compose_body_personal; the
 * pictures never do (base64 of a picture is not searched for it by
 * compose_atoms only because the caller's placeholder is random).
 */
#ifndef KRING_COMPOSE_RELATED_H
#define KRING_COMPOSE_RELATED_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;

struct compose_pic {
	const char *type;        /* "image/png", "image/jpeg", "image/gif" */
	const char *cid;         /* without angle brackets */
	const char *filename;    /* ASCII, e.g. "1.png" */
	const char *data;
	size_t len;
};

/*
 * Append the body to out (as compose_body_personal; atom may be NULL).
 * n == 0 gives what compose_body_personal gives.  -1 with EX_DATAERR
 * for text that is not UTF-8 or a whole over COMPOSE_BODY_MAX.
 */
int compose_related_body(const char *text, const char *html,
    const struct compose_pic *pics, size_t n, uint64_t seed,
    const char *atom, struct buf *out, struct err *e);

#endif
