/*
 * compose - the bytes of every mail kring sends, built with libetpan's
 * IMF and MIME writers.
 *
 * A message is two pieces: the body (MIME-Version, Content-Type and the
 * encoded parts), the same for every recipient of a newsletter, and the
 * header block, which is personal (To, Message-ID, List-Unsubscribe).
 * compose_body() runs once per message, compose_head() once per
 * recipient; the wire form is head bytes followed by body bytes, CRLF
 * throughout, no line over 998 octets, ready for libESMTP or a Maildir.
 *
 * Every value from outside (names, subjects, addresses, message-ids)
 * passes one path here: control characters (CR and LF above all) become
 * spaces, non-ASCII words are RFC 2047 encoded (UTF-8, Q), and what
 * cannot be made safe (an address that is not an address, an over-long
 * value) is an error (EX_DATAERR), never a broken or injected header.
 * Only the compose*.c writers include libetpan for writing, through
 * compose_int.h (doc/ARCHITECTURE.md).
 */
#ifndef KRING_COMPOSE_H
#define KRING_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct buf;
struct config;
struct err;

#define COMPOSE_SUBJECT_MAX 998
#define COMPOSE_BODY_MAX (32 * 1024 * 1024)

/*
 * The body of a message: text (UTF-8, LF or CRLF line ends) as
 * text/plain; charset=utf-8 in quoted-printable, and when html is not
 * NULL, multipart/alternative of the text and text/html (UTF-8, QP).
 * boundary_seed makes the multipart boundary, so composing the same
 * message again gives the same bytes (a retry sends what the first try
 * sent).  out receives "MIME-Version: 1.0\r\nContent-Type: ...\r\n...
 * \r\n\r\n<parts>" and ends in CRLF.  -1 with EX_DATAERR for text that
 * is not UTF-8 or is over COMPOSE_BODY_MAX.
 */
int compose_body(const char *text, const char *html, uint64_t boundary_seed,
    struct buf *out, struct err *e);

/*
 * The same, for a text and html that hold a placeholder (atom: 8 to 64
 * ASCII letters and digits, e.g. a fresh token_new()) standing for what
 * differs per recipient.  The encoder never breaks a line inside the
 * placeholder, so compose_personalise() finds every one in the encoded
 * body and puts each recipient's value (letters and digits only, so
 * quoted-printable leaves it as it is) in its place.  Nor inside its
 * twin that differs only in its first character (archive_atom), the
 * placeholder of the recipient's archive link.
 */
int compose_body_personal(const char *text, const char *html,
    uint64_t boundary_seed, const char *atom, struct buf *out, struct err *e);
/* Append body with every atom replaced by value. */
void compose_personalise(const char *body, size_t len, const char *atom,
    const char *value, struct buf *out);
/*
 * The same in two steps, for a body sent to many: where the atoms are
 * (*at, free it; the count is returned), found once, then each copy
 * filled from those offsets without searching again.
 */
size_t compose_atoms(const char *body, size_t len, const char *atom,
    size_t **at);
void compose_fill(const char *body, size_t len, const size_t *at, size_t n,
    size_t alen, const char *value, struct buf *out);
/*
 * A copy without copying: the pieces of body with two placeholders of
 * one length alen, at at1 (value v1) and at2 (value v2), both sorted,
 * each replaced by its value.  out has room for 2 * (n1 + n2) + 1
 * pieces, which point into body, v1 and v2; their count is returned.
 */
struct iovec;
size_t compose_pieces(const char *body, size_t len, const size_t *at1,
    size_t n1, const char *v1, const size_t *at2, size_t n2, const char *v2,
    size_t alen, struct iovec *out);

struct compose_head {
	enum campaign_kind kind;  /* decides Precedence and Auto-Submitted */
	/* The list this mail belongs to; NULL for mail that is not list mail. */
	const char *list_id;
	const char *list_name;
	bool list_post;          /* List-Post: <mailto:L+LIST@D>, else NO */
	const char *from_name;   /* may be NULL or "" */
	const char *from_addr;   /* required */
	const char *reply_to;    /* address, may be NULL */
	const char *to_name;     /* may be NULL or "" */
	const char *to_addr;     /* required */
	const char *subject;     /* UTF-8; "" allowed */
	/* A message-id without angle brackets, e.g. "q1x.abc@example.org". */
	const char *message_id;
	/* Raw header values of the mail answered; bad ids are left out. */
	const char *in_reply_to; /* may be NULL */
	const char *references;  /* may be NULL */
	/*
	 * The recipient's personal unsubscribe token for list_id (see
	 * token.h), or NULL: then List-Unsubscribe names the plain
	 * L+LIST-unsubscribe@D address, which asks for confirmation.
	 */
	const char *unsub_token;
	int64_t date;            /* Unix seconds; the Date header */
};

/*
 * Append the header block of one recipient's copy to out (CRLF lines;
 * no empty line: the body's headers follow).  The headers, in order:
 * Date, From, Reply-To, To, Subject, Message-ID, In-Reply-To,
 * References, then for list mail List-Id ("NAME" <LIST.D>), List-Help,
 * List-Subscribe, List-Post, List-Unsubscribe (https
 * cfg->unsubscribe_url "/u/" TOKEN first when both are set, then the
 * mailto L+LIST-unsubscribe-TOKEN@D) and List-Unsubscribe-Post when the
 * https form is there; then Precedence (list; bulk for newsletters; none
 * for replies and notices), Auto-Submitted (auto-replied for replies,
 * none for posts, which people wrote, auto-generated otherwise),
 * X-Auto-Response-Suppress: All, and
 * X-Loop: L@D.  -1 with EX_DATAERR when an address or the message-id is
 * malformed or the subject too long.
 */
int compose_head(const struct config *cfg, const struct compose_head *h,
    struct buf *out, struct err *e);

/*
 * The same header block in two parts, for a message sent to many: the
 * fields every copy shares, made once, and each recipient's own (To,
 * Message-ID, List-Unsubscribe and List-Unsubscribe-Post), which go
 * after them in that order.  Each checks only what it writes.
 */
enum compose_part { COMPOSE_HEAD_ALL, COMPOSE_HEAD_SHARED, COMPOSE_HEAD_OWN };
int compose_head_part(const struct config *cfg, const struct compose_head *h,
    enum compose_part part, struct buf *out, struct err *e);

/*
 * Whether id (without angle brackets) can be a Message-ID of ours:
 * compose_head() refuses any other.
 */
bool compose_msgid_ok(const char *id);

/*
 * The RFC 2047 form of a header text (phrase-safe Q encoding of UTF-8,
 * encoded words of at most 75 characters, never splitting a UTF-8
 * sequence; plain ASCII without specials stays as it is).  Control
 * characters become spaces first.  For tests and for callers that
 * must put a name in a header themselves.  out is appended to.
 */
void compose_encode_words(const char *text, bool phrase, struct buf *out);

#endif
