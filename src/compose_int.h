/*
 * compose_int - the MIME writing pieces that compose.c shares with the
 * other builders of outgoing bodies (compose_*.c): they alone include
 * libetpan for writing, and they all encode and check text one way.
 */
#ifndef KRING_COMPOSE_INT_H
#define KRING_COMPOSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libetpan/libetpan.h>

struct buf;
struct err;

/* libetpan reports out of memory as NULL or nonzero: fatal, as xmalloc. */
void *compose_need(void *p);
void compose_need_ok(int r);

/* CRLF-only line ends and no line over 998 octets. */
bool compose_wire_ok(const char *s, size_t n);

/*
 * Our quoted-printable of UTF-8 text (see compose.c for why not
 * libetpan's); atom, when not NULL, is never split (compose.h).
 */
void compose_qp_encode(const char *s, size_t n, const char *atom,
    struct buf *out);
/* Text that may go in a part: UTF-8, at most COMPOSE_BODY_MAX. 0/-1. */
int compose_check_part(const char *what, const char *s, struct err *e);
/* A leaf of content_type whose body is qp (not copied: qp outlives it). */
struct mailmime *compose_text_part(const char *content_type,
    const struct buf *qp);
/* An empty multipart/subtype with a boundary made from seed. */
struct mailmime *compose_multipart(const char *subtype, uint64_t seed);
uint64_t compose_mix64(uint64_t z);
/*
 * Append raw to out with CRLF line ends (a lone CR or LF counts as one),
 * ending in one; true when it holds 8-bit bytes.
 */
bool compose_crlf_copy(const char *raw, size_t len, struct buf *out);
/* Say Content-Transfer-Encoding: 8bit on m (RFC 2045 6.4). */
void compose_mark_8bit(struct mailmime *m);
/* A message/rfc822 leaf holding bytes as they are (not copied). */
struct mailmime *compose_rfc822_part(const struct buf *bytes, bool eight);

/*
 * Write top (consumed, freed) as a body: "MIME-Version: 1.0" then its
 * MIME headers and content, checked with compose_wire_ok; appended to
 * out.  -1 with EX_SOFTWARE when libetpan fails or writes bad bytes.
 */
int compose_write(struct mailmime *top, struct buf *out, struct err *e);
/*
 * compose_write, for a whole body named what ("the digest"): -1 with
 * EX_DATAERR when it comes out over COMPOSE_BODY_MAX, else appended.
 */
int compose_write_body(struct mailmime *top, const char *what,
    struct buf *out, struct err *e);

#endif
