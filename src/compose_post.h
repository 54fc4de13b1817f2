/*
 * compose_post - the body every member gets of a post to a list: the
 * author's own MIME body with the list footer added once, in the way
 * list servers have long done it.
 *
 * One text/plain part becomes UTF-8 quoted-printable text ending in the
 * footer, after any footer of ours at its end (a reply quoting a list
 * mail) is cut off.  A multipart/mixed keeps its parts, minus footer
 * parts we added before, and gets a footer part last.  Anything else
 * (multipart/alternative, text/html, a signed body) is kept whole as the
 * first part of a new multipart/mixed with the footer part second.
 * Parts are kept as they came where they can go on the wire; a part
 * with a line over 998 octets is encoded again.  Hostile input gives an
 * error (EX_DATAERR), never a crash or a broken message.
 *
 * The footer may hold a member's own archive link as a placeholder that
 * the sender fills in per copy; no encoder splits it.  A member's link
 * quoted in a reply must not reach the whole list working: every text
 * part that is decoded (the text/plain, a text part encoded again) loses
 * the token of each archive link of the site, and a text part that
 * would be kept as it came but holds one is encoded again for it, but
 * inside a signed or encrypted body, which must stay as it is.
 */
#ifndef KRING_COMPOSE_POST_H
#define KRING_COMPOSE_POST_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;

/* Limits on a post's MIME tree, beyond what any real post needs. */
#define COMPOSE_POST_DEPTH_MAX 10
#define COMPOSE_POST_PARTS_MAX 200
/* How far back from the end of a text a footer of ours is looked for. */
#define COMPOSE_POST_FOOTER_LINES 25

struct compose_footer {
	/* The footer (UTF-8, LF line ends); a "-- " line goes before it. */
	const char *text;
	/*
	 * What only footers of ours hold: a line with mark_head and, after
	 * it, mark_tail (case-insensitive), e.g. "metandereogen+" and
	 * "-unsubscribe@example.org" for the plain unsubscribe address.
	 */
	const char *mark_head;
	const char *mark_tail;
	/*
	 * The placeholder of the copies (queue.h personal), or NULL: text
	 * may hold it or its twin (archive_atom), and no encoder splits
	 * either.
	 */
	const char *atom;
	/*
	 * The start of the site's archive links, "URL/a/", or NULL: in a
	 * text of the post, a token of TOKEN_LEN after it becomes "...".
	 */
	const char *link_base;
};

/*
 * Append the body of a post, raw (len bytes as it arrived: headers and
 * body, CRLF or LF), with footer f to out: "MIME-Version: 1.0", the
 * MIME headers, an empty line and the content, CRLF, no line over 998
 * octets.  seed makes the boundaries of new multiparts.  -1 with
 * EX_DATAERR when the post cannot be read or sent as MIME (too deep,
 * too many parts, a part that cannot be decoded).
 */
int compose_post_body(const char *raw, size_t len,
    const struct compose_footer *f, uint64_t seed, struct buf *out,
    struct err *e);

#endif
