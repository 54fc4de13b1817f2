/*
 * route - where an inbound mail goes: the command parser, a list, bounce
 * processing, or nowhere (SPEC "Addresses", "Loops").
 *
 * The order matters.  Mail that kring itself wrote, or that carries its
 * X-Loop, is dropped first.  A delivery status notification comes from
 * MAILER-DAEMON with an empty return path, so it is recognised as a
 * bounce before the never-answer rules would drop it.  Then every mail
 * that must never be answered (robots, lists, auto-replies, out of
 * office) is dropped; only what is left is addressed by its sub-address.
 * Pure: decides from the parsed mail and the configuration only.
 */
#ifndef KRING_ROUTE_H
#define KRING_ROUTE_H

#include "command.h"

struct config;
struct mime_msg;

enum route_kind {
	ROUTE_DROP,               /* never answered; reason says why */
	ROUTE_BOUNCE,             /* for bounce processing */
	ROUTE_COMMANDS,           /* L@D: commands in Subject and body */
	ROUTE_SUBSCRIBE,          /* L+LIST-subscribe@D */
	ROUTE_UNSUBSCRIBE,        /* L+LIST-unsubscribe@D */
	ROUTE_UNSUBSCRIBE_TOKEN,  /* L+LIST-unsubscribe-TOKEN@D */
	ROUTE_CONFIRM,            /* L+confirm-TOKEN@D */
	ROUTE_HELP,               /* L+help@D */
	ROUTE_POST,               /* L+LIST@D */
};

struct route {
	enum route_kind kind;
	const char *reason;       /* ROUTE_DROP: a static phrase for the log */
	char list[COMMAND_ARG_MAX + 1];   /* SUBSCRIBE, UNSUBSCRIBE*, POST */
	char token[COMMAND_ARG_MAX + 1];  /* CONFIRM, UNSUBSCRIBE_TOKEN */
	/* The extension the mail was addressed to ("" for L@D). */
	char ext[2 * COMMAND_ARG_MAX + 32];
};

/*
 * Route message m, which reached kring for envelope_rcpt (NULL when
 * unknown).  When no recipient names one of kring's addresses (Bcc),
 * the mail is taken as sent to the command address.
 */
void route_mail(const struct config *cfg, const struct mime_msg *m,
    const char *envelope_rcpt, struct route *out);

const char *route_kind_name(enum route_kind k);

/*
 * Why m is an automatic reply (out of office and the like: an
 * X-Autoreply header, a subject that begins like one, in Dutch, English
 * or German), or NULL.  Commands get no answer to them and they are
 * never bounces.
 */
const char *route_auto_reply(const struct mime_msg *m);

#endif
