/*
 * bounce_read - what a bounce says: which addresses failed, how, and
 * whether the mail is a bounce at all (SPEC "Bounces").
 *
 * An RFC 3464 report is read through its delivery-status part; any
 * other mail is given to bounce_shape, which knows the plain-text
 * reports of the common MTAs and providers by their shape.  Auto-replies
 * (out of office, vacation), challenges of challenge-response filters
 * and feedback reports are not bounces.  Pure:
 * no store, no configuration; the caller decides whom a bounce may
 * count against (see bounce.h).
 */
#ifndef KRING_BOUNCE_READ_H
#define KRING_BOUNCE_READ_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/*
 * hard: the address is dead (5.x.x: no such user, domain; a permanent
 * failure that says the user is unknown, whatever its status); soft: it
 * may come back (4.x.x, full mailboxes); policy: the receiver refused the
 * mail, not the address (5.7.x, spam and block lists, a message too
 * large for it).
 */
enum bounce_kind { BOUNCE_HARD, BOUNCE_SOFT, BOUNCE_POLICY };

#define BOUNCE_STATUS_MAX 12
#define BOUNCE_DIAG_MAX 300

struct bounce_rcpt {
	char *addr;                      /* normal form */
	char status[BOUNCE_STATUS_MAX];  /* "5.1.1", inferred when not given */
	enum bounce_kind kind;
	char *diagnostic;                /* at most BOUNCE_DIAG_MAX bytes, or NULL */
	bool delayed;                    /* a delay: delivery goes on, no failure */
};

struct bounce_result {
	bool bounce;             /* a report of failed or delayed delivery */
	bool auto_reply;         /* out of office and the like: never a bounce */
	bool challenge;          /* "confirm you are a sender": never a bounce */
	const char *shape;       /* how it was read: "dsn", "qmail", ... (static) */
	struct bounce_rcpt *rcpts; size_t n;
	/* The returned message's Return-Path (a VERP address?), or NULL. */
	char *returned_return_path;
	/* The returned message's Message-ID, without <>, or NULL. */
	char *returned_msgid;
};

/*
 * Read the message raw (len bytes) into out (free with
 * bounce_result_free).  0; -1 with e only when memory runs out.  A
 * recipient is listed once, however often the report names it.
 */
int bounce_read(const char *raw, size_t len, struct bounce_result *out,
    struct err *e);
void bounce_result_free(struct bounce_result *r);

/*
 * The kind of a failure from its status ("5.1.1" or NULL), the text
 * around it (a diagnostic, may be NULL) and whether it is a delay;
 * status_out gets the status given, or one inferred from the text.
 */
enum bounce_kind bounce_classify(const char *status, const char *text,
    bool delayed, char status_out[BOUNCE_STATUS_MAX]);

const char *bounce_kind_name(enum bounce_kind k);
/* 0 and *k for "hard", "soft", "policy"; -1 otherwise. */
int bounce_kind_parse(const char *s, enum bounce_kind *k);

#endif
