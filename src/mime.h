/*
 * mime - what kring needs to know of one inbound message, read with
 * libetpan's IMF and MIME parsers.
 *
 * Inbound mail is hostile: it may be garbage, truncated, deeper or wider
 * than any real mail, or carry 8-bit headers in no known charset.
 * mime_parse() never fails on such input: it fills what it could read,
 * sets the flags below, and leaves the rest NULL.  Every string it gives
 * is valid UTF-8 without NUL, CR or LF (header values are unfolded and
 * RFC 2047-decoded; bytes that cannot be converted become U+FFFD), so
 * callers may put them in logs, the store and templates as they are.
 */
#ifndef KRING_MIME_H
#define KRING_MIME_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* Limits on what is read; a message beyond them is read in part. */
#define MIME_MAX_HEADERS 500      /* header fields of the top level */
#define MIME_MAX_DEPTH 10         /* nested multiparts */
#define MIME_MAX_PARTS 200        /* parts in all */
#define MIME_MAX_LINE 20000       /* bytes in one body line kept */
#define MIME_MAX_TEXT (256 * 1024) /* bytes of decoded body text kept */
#define MIME_MAX_ADDRS 100        /* addresses per address list */
#define MIME_MAX_VALUE 8192       /* bytes of one decoded header value kept */

/*
 * An address from a header: the mailbox and its decoded display name.
 * A mailbox that is absent (no From, no Sender) has both NULL.
 */
struct mime_addr {
	char *addr;                  /* "local@domain" as written, or NULL */
	char *name;                  /* decoded display name, "" when none */
};

/* A header field as it appears, unfolded and decoded. */
struct mime_field {
	char *name;                  /* as written, e.g. "X-Loop" */
	char *value;                 /* decoded, trimmed */
};

enum mime_flag {
	MIME_MALFORMED = 1 << 0,     /* headers or MIME structure not parseable in full */
	MIME_TRUNCATED = 1 << 1,     /* a limit above was reached */
	MIME_BAD_CHARSET = 1 << 2,   /* a charset was unknown or bytes invalid */
	MIME_FROM_HTML = 1 << 3,     /* text came from a text/html part */
};

struct mime_msg {
	struct mime_addr from;       /* the first From mailbox */
	struct mime_addr sender;     /* Sender, when present */
	struct mime_addr reply_to;   /* the first Reply-To mailbox, when present */
	char *return_path;           /* Return-Path address without <>; "" for <> ; NULL when absent */
	char *subject;               /* decoded; NULL when absent */
	char *message_id;            /* without <>; NULL when absent */
	char *in_reply_to;           /* the first msg-id without <>; NULL when absent */
	char *references;            /* the References msg-ids, each in <>, space separated; NULL when absent */
	char *content_type;          /* top level "type/subtype", lower case ("text/plain" when absent) */
	char *report_type;           /* lower-case report-type parameter of multipart/report, or NULL */
	bool is_dsn;                 /* multipart/report; report-type=delivery-status, or a message/delivery-status part */
	/*
	 * Recipient headers, in the order SPEC searches them for the
	 * addressed sub-address: Delivered-To (every occurrence, top first),
	 * X-Original-To, Envelope-To, then To and Cc.
	 */
	struct mime_addr *delivered_to; size_t n_delivered_to;
	struct mime_addr *x_original_to; size_t n_x_original_to;
	struct mime_addr *envelope_to; size_t n_envelope_to;
	struct mime_addr *to; size_t n_to;
	struct mime_addr *cc; size_t n_cc;
	/* Every top-level header field, in order, at most MIME_MAX_HEADERS. */
	struct mime_field *fields; size_t n_fields;
	/*
	 * The body text: the first text/plain part (not an attachment)
	 * decoded from its transfer encoding and charset to UTF-8, with
	 * CRLF turned into LF; else the first text/html part converted to
	 * plain text (tags dropped, entities decoded, block elements
	 * becoming line breaks).  "" when the message has no text.  Unlike
	 * header values it contains LF (never CR or NUL).
	 */
	char *text;
	/*
	 * Parts a person attached: files, forwarded messages; not the
	 * text, and not the pictures of an HTML body (an image with a
	 * Content-ID, such as a logo in a signature).
	 */
	size_t n_attachments;
	int flags;                   /* enum mime_flag */
};

/*
 * Read raw (len bytes, CRLF or LF line ends) into m (zero it first; free
 * with mime_msg_free).  Returns 0, also for garbage (see flags); -1 with
 * e only when memory runs out (EX_OSERR).
 */
int mime_parse(const char *raw, size_t len, struct mime_msg *m, struct err *e);
void mime_msg_free(struct mime_msg *m);

/*
 * The value of the first top-level field named name (case-insensitive),
 * or NULL.
 */
const char *mime_field(const struct mime_msg *m, const char *name);

#endif
