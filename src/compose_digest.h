/*
 * compose_digest - the MIME body of a digest (RFC 2046 5.1.5).
 *
 *   multipart/mixed
 *     text/plain (the table of contents), or multipart/alternative of
 *       that text and an HTML one
 *     multipart/digest
 *       message/rfc822, one per post: the post's own bytes
 *
 * A post goes in as it arrived, only its line ends made CRLF; a part
 * (and the multiparts around it) is marked 8bit when the post has
 * 8-bit bytes.  Bytes that cannot travel as a message/rfc822 part (a
 * NUL, a line over 998 octets, nothing at all) are refused here: the
 * caller asks compose_digest_unfit() first and puts a note in the
 * post's place.  The multipart boundaries come from the caller's seed
 * and are drawn again while a post happens to hold one, so no post can
 * end a part early.  The table of contents may hold a placeholder for
 * each recipient's token, as compose_body_personal's texts do.
 */
#ifndef KRING_COMPOSE_DIGEST_H
#define KRING_COMPOSE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;

/* Why a post cannot go into a digest as it is. */
enum compose_unfit {
	UNFIT_NONE,          /* it can */
	UNFIT_EMPTY,         /* no bytes */
	UNFIT_NUL,           /* a NUL byte */
	UNFIT_LONG_LINE,     /* a line over 998 octets (RFC 5322 2.1.1) */
};

enum compose_unfit compose_digest_unfit(const char *raw, size_t len);

struct compose_digest_item {
	const char *raw;     /* the post's bytes; LF, CRLF or CR line ends */
	size_t len;
	/* UTF-8 text that stands in the post's place instead, or NULL. */
	const char *note;
};

struct compose_digest {
	const char *toc_text;    /* UTF-8 */
	const char *toc_html;    /* UTF-8, or NULL for a text-only table */
	const struct compose_digest_item *items;
	size_t n;                /* at least 1 */
	const char *atom;        /* placeholder (compose.h), or NULL */
	uint64_t seed;
};

/*
 * Append the body ("MIME-Version: 1.0", the multipart's headers, the
 * parts; CRLF throughout, no line over 998 octets) to out.  -1 with
 * EX_DATAERR for a table that is not UTF-8, an item without a note
 * whose bytes are unfit, or a body over COMPOSE_BODY_MAX; EX_SOFTWARE
 * for a bad placeholder or one that occurs in a post.
 */
int compose_digest_body(const struct compose_digest *d, struct buf *out,
    struct err *e);

#endif
