/*
 * mime_decode - what mime.c hands out, made clean UTF-8 with libetpan's
 * decoders: header values (RFC 2047 words, folding) and part bodies
 * (transfer encoding, charset).  Private to the mime module.
 *
 * Bytes that are not UTF-8 where UTF-8 is due become U+FFFD.  Raw 8-bit
 * header bytes that are not UTF-8 are read as windows-1252, as are
 * bodies labelled us-ascii or ISO-8859-1 (WHATWG's rule: senders that
 * say latin1 mean windows-1252).  A body in an unknown charset is kept
 * when it is valid UTF-8 and read as windows-1252 otherwise.  Every
 * limit reached and every guess made is reported in the caller's
 * MIME_* flags.  No state.  Besides mime.c, compose_post.c reads a
 * post's parts with them, so a post is decoded as its commands are.
 */
#ifndef KRING_MIME_DECODE_H
#define KRING_MIME_DECODE_H

#include <stddef.h>

#include "mime.h"

struct buf;

/* In flags when libetpan ran out of memory; mime_parse reports it. */
#define MIME_NOMEM (1 << 30)

/* Bytes of one part kept after transfer decoding, before conversion. */
#define MIME_DECODE_MAX (4 * MIME_MAX_TEXT)

/*
 * A header value as written (folded, maybe with RFC 2047 words and raw
 * 8-bit bytes): decoded, unfolded, controls made spaces, trimmed, at
 * most MIME_MAX_VALUE bytes.  Never NULL; free() it.
 */
char *mime_decode_header(const char *raw, int *flags);

/* Text that needs no decoding (addresses, ids, field names), made clean. */
char *mime_decode_clean(const char *s, int *flags);

/*
 * Append the body data[0..len) of a part in transfer encoding encoding
 * (MAILMIME_MECHANISM_*) and charset (NULL: us-ascii) to out as UTF-8.
 */
void mime_decode_body(const char *data, size_t len, int encoding,
    const char *charset, struct buf *out, int *flags);

/*
 * Body text for callers: CRLF and lone CR become LF, NUL is dropped,
 * other controls except TAB become spaces, bad UTF-8 U+FFFD, lines
 * are cut at MIME_MAX_LINE bytes and the whole at MIME_MAX_TEXT, never
 * inside a character.  Never NULL; free() it.
 */
char *mime_decode_text(const char *s, size_t len, int *flags);

/*
 * A working copy of raw (len bytes) that is safe to give to
 * mailmime_parse: without an mbox "From " line, CR-only line ends made
 * LF, ending in a line end, the boundaries that crash libetpan 1.9.4
 * defused.  0 with *out (NUL-terminated, free() it) and *outlen, or -1
 * when the message nests more than libetpan's recursion can take.
 */
int mime_parse_copy(const char *raw, size_t len, char **out, size_t *outlen,
    int *flags);

#endif
