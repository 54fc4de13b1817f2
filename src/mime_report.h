/*
 * mime_report - what a bounce carries besides its first text, read with
 * libetpan: the per-recipient groups of an RFC 3464 delivery-status part,
 * every human-readable text part outside the returned message, and the
 * header fields of the returned message (message/rfc822 or
 * text/rfc822-headers).
 *
 * Part of the mime module, with its limits and its promise: never fails
 * on garbage, every string is clean UTF-8 without CR, LF or NUL (text
 * keeps LF), flags say what could not be read.  Knows nothing of what a
 * bounce means; bounce_read decides that.
 */
#ifndef KRING_MIME_REPORT_H
#define KRING_MIME_REPORT_H

#include <stddef.h>

#include "mime.h"

struct err;

#define MIME_REPORT_MAX_RCPTS 100     /* recipient groups kept */
#define MIME_REPORT_MAX_RETURNED 20   /* To/Cc addresses of the returned message */

/* One recipient group of a delivery-status part; absent fields are NULL. */
struct mime_dsn_rcpt {
	char *final_rcpt;        /* Final-Recipient, without its type and <> */
	char *original_rcpt;     /* Original-Recipient, the same */
	char *action;            /* lower case: failed, delayed, delivered... */
	char *status;            /* as written, e.g. "5.1.1" */
	char *diagnostic;        /* Diagnostic-Code, without its type */
};

struct mime_report {
	struct mime_dsn_rcpt *rcpts; size_t n_rcpts;
	int dsn_parts;           /* delivery-status parts seen */
	/*
	 * The text parts that are not the returned message, not
	 * attachments (unless nothing else is text), decoded and joined
	 * with blank lines; text/html only when there is no text/plain.
	 */
	char *text;
	/* The returned message's headers, when a part carries them. */
	char *returned_return_path;  /* Return-Path address, or NULL */
	char *returned_from;         /* first From address, or NULL */
	char *returned_msgid;        /* Message-ID without <>, or NULL */
	char *returned_to[MIME_REPORT_MAX_RETURNED]; size_t n_returned_to;
	int flags;                   /* enum mime_flag */
};

/*
 * Read raw (len bytes) into r (zeroed here; free with
 * mime_report_free).  0, also for garbage; -1 with e when memory runs out.
 */
int mime_report_read(const char *raw, size_t len, struct mime_report *r,
    struct err *e);
void mime_report_free(struct mime_report *r);

#endif
