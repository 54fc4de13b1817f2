/*
 * Unit tests for route: real message texts, parsed by mime, routed.
 * Which sub-address, which header wins, and every mail that must never
 * be answered.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "err.h"
#include "mime.h"
#include "route.h"

#define TOK "abcdefghijklmnopqrstuvwxyz"

static struct config
test_config(void)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.address = "metandereogen@example.org";
	c.local = "metandereogen";
	c.domain = "example.org";
	c.recipient_delimiter = "+";
	return c;
}

/* Route headers + "\r\n" + body, the envelope recipient rcpt. */
static struct route
route_of(const char *headers, const char *rcpt)
{
	struct config cfg = test_config();
	struct mime_msg m;
	struct route rt;
	struct err e;
	char raw[4096];

	snprintf(raw, sizeof(raw), "%sMessage-ID: <x@example.net>\r\n\r\n"
	    "status\r\n", headers);
	memset(&m, 0, sizeof(m));
	CHECK(mime_parse(raw, strlen(raw), &m, &e) == 0);
	route_mail(&cfg, &m, rcpt, &rt);
	mime_msg_free(&m);
	return rt;
}

#define FROM "From: Anna <anna@example.net>\r\n"

static void
test_addresses(void)
{
	static const struct {
		const char *to;
		enum route_kind kind;
		const char *list, *token;
	} t[] = {
		{ "metandereogen@example.org", ROUTE_COMMANDS, "", "" },
		{ "MetAndereOgen@Example.ORG", ROUTE_COMMANDS, "", "" },
		{ "metandereogen+help@example.org", ROUTE_HELP, "", "" },
		{ "metandereogen+kinderopvang-subscribe@example.org",
		    ROUTE_SUBSCRIBE, "kinderopvang", "" },
		{ "metandereogen+cop-jeugd-zorg-unsubscribe@example.org",
		    ROUTE_UNSUBSCRIBE, "cop-jeugd-zorg", "" },
		{ "metandereogen+nieuws-unsubscribe-" TOK "@example.org",
		    ROUTE_UNSUBSCRIBE_TOKEN, "nieuws", TOK },
		{ "metandereogen+confirm-" TOK "@example.org", ROUTE_CONFIRM,
		    "", TOK },
		{ "metandereogen+Confirm-ABCDEFGHIJKLMNOPQRSTUVWXYZ@example.org",
		    ROUTE_CONFIRM, "", TOK },
		{ "metandereogen+confirm-short@example.org", ROUTE_COMMANDS, "",
		    "" },
		{ "metandereogen+kinderopvang@example.org", ROUTE_POST,
		    "kinderopvang", "" },
		{ "metandereogen+Bad_List@example.org", ROUTE_COMMANDS, "", "" },
		{ "metandereogen+bounce-12-abcdefgh@example.org", ROUTE_BOUNCE,
		    "", "" },
		/* Not ours at all (Bcc): the command address. */
		{ "someone@elsewhere.example", ROUTE_COMMANDS, "", "" },
	};
	char h[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct route rt;

		snprintf(h, sizeof(h), FROM "To: %s\r\n", t[i].to);
		rt = route_of(h, NULL);
		CHECKM(rt.kind == t[i].kind, t[i].to);
		CHECK_STR(rt.list, t[i].list);
		CHECK_STR(rt.token, t[i].token);
		/* The envelope says the same. */
		rt = route_of(FROM "To: someone@elsewhere.example\r\n", t[i].to);
		CHECKM(rt.kind == t[i].kind, t[i].to);
	}
}

static void
test_precedence_of_recipients(void)
{
	struct route rt;

	/* The envelope wins over every header. */
	rt = route_of(FROM "Delivered-To: metandereogen+help@example.org\r\n"
	    "To: metandereogen@example.org\r\n",
	    "metandereogen+x-subscribe@example.org");
	CHECK(rt.kind == ROUTE_SUBSCRIBE);
	/* Delivered-To over To; a Delivered-To of another mailbox skipped. */
	rt = route_of(FROM "Delivered-To: office@example.org\r\n"
	    "Delivered-To: metandereogen+help@example.org\r\n"
	    "To: metandereogen@example.org\r\n", NULL);
	CHECK(rt.kind == ROUTE_HELP);
	rt = route_of(FROM "X-Original-To: metandereogen+help@example.org\r\n"
	    "To: metandereogen+x-subscribe@example.org\r\n", NULL);
	CHECK(rt.kind == ROUTE_HELP);
	rt = route_of(FROM "Envelope-To: metandereogen+help@example.org\r\n"
	    "Cc: metandereogen+x-subscribe@example.org\r\n", NULL);
	CHECK(rt.kind == ROUTE_HELP);
	rt = route_of(FROM "To: Iemand <x@example.net>\r\n"
	    "Cc: metandereogen+x-subscribe@example.org\r\n", NULL);
	CHECK(rt.kind == ROUTE_SUBSCRIBE);
}

static void
test_never_answered(void)
{
	static const char *const drop[] = {
		"Return-Path: <>\r\n" FROM,
		"From: MAILER-DAEMON@mx.example.net\r\n",
		"From: Mail Delivery <mailer-daemon@mx.example.net>\r\n",
		"From: postmaster@example.net\r\n",
		"From: noreply@example.net\r\n",
		"From: no-reply@example.net\r\n",
		"Return-Path: <noreply@example.net>\r\n" FROM,
		"Subject: x\r\n",                          /* no From */
		FROM "Auto-Submitted: auto-replied\r\n",
		FROM "Auto-Submitted: auto-generated (vacation)\r\n",
		FROM "Precedence: bulk\r\n",
		FROM "Precedence: junk\r\n",
		FROM "Precedence: List\r\n",
		FROM "List-Id: CoP <kinderopvang.example.org>\r\n",
		FROM "X-Loop: metandereogen@example.org\r\n",
		"From: metandereogen@example.org\r\n",
		"From: metandereogen+kinderopvang@example.org\r\n",
		FROM "X-Autoreply: yes\r\n",
		FROM "X-Autorespond: yes\r\n",
		FROM "Subject: Automatisch antwoord: bevestig x\r\n",
		FROM "Subject: Re: Afwezig\r\n",
		FROM "Subject: Out of Office: status\r\n",
		FROM "Subject: Automatic reply: hello\r\n",
	};
	static const char *const answer[] = {
		FROM,
		"Return-Path: <anna@example.net>\r\n" FROM,
		FROM "Auto-Submitted: no\r\n",
		FROM "Precedence: first-class\r\n",
		FROM "List-Id: Other <other.example.net>\r\n",
		FROM "X-Loop: other@example.net\r\n",
		FROM "Subject: Over de afwezigheid van de coördinator\r\n",
	};

	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		struct route rt = route_of(drop[i], NULL);

		CHECKM(rt.kind == ROUTE_DROP, drop[i]);
		CHECKM(rt.reason != NULL, drop[i]);
	}
	for (size_t i = 0; i < sizeof(answer) / sizeof(answer[0]); i++)
		CHECKM(route_of(answer[i], NULL).kind == ROUTE_COMMANDS,
		    answer[i]);
}

static void
test_dsn(void)
{
	struct config cfg = test_config();
	struct mime_msg m;
	struct route rt;
	struct err e;
	const char *raw =
	    "Return-Path: <>\r\n"
	    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
	    "To: metandereogen@example.org\r\n"
	    "Subject: Undelivered Mail Returned to Sender\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
	    "\tboundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain\r\n\r\nstatus\r\n"
	    "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; mx.example.net\r\n\r\n"
	    "Final-Recipient: rfc822; x@example.net\r\nAction: failed\r\n"
	    "Status: 5.1.1\r\n\r\n--b1--\r\n";

	memset(&m, 0, sizeof(m));
	CHECK(mime_parse(raw, strlen(raw), &m, &e) == 0);
	route_mail(&cfg, &m, NULL, &rt);
	/* A bounce, not a mail never to answer: bounce processing wants it. */
	CHECK(rt.kind == ROUTE_BOUNCE);
	mime_msg_free(&m);
	/* Our own mail looping back is dropped even as a DSN. */
	CHECK(route_of("From: metandereogen@example.org\r\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=x\r\n", NULL).kind == ROUTE_DROP);
}

int
main(void)
{
	test_addresses();
	test_precedence_of_recipients();
	test_never_answered();
	test_dsn();
	return check_done();
}
