/*
 * bounce_read - reading a bounce (see bounce_read.h).
 *
 * The order: a feedback report is no bounce; a delivery-status part
 * with recipient groups is believed over anything else; an auto-reply
 * is no bounce; only then are the shapes of plain-text reports tried,
 * and only on mail that says it is one (a robot's sender or null
 * return path, a bounce's subject, failure words in the text), so that
 * a person's mail that quotes an address is never taken for a bounce.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "bounce_read.h"
#include "bounce_shape.h"
#include "err.h"
#include "mime.h"
#include "mime_report.h"
#include "route.h"
#include "xmem.h"

/*
 * Words that say the user is unknown: a permanent failure with them is
 * a dead address whatever its status (some servers say 5.7.1).
 */
static const char *const dead_phrases[] = {
	"user unknown", "unknown user", "no such user", "unknown recipient",
	"recipient unknown", "invalid recipient", "no such mailbox",
	"mailbox not found", "user not found", "no such recipient",
	"recipient not found", "is not a known user", "address unknown",
	"user does not exist", "user doesn't exist", "mailbox does not exist",
	"unknown local", "unknown address",
};

/* Other words of a failure that says the address does not exist. */
static const char *const unknown_phrases[] = {
	"does not exist", "doesn't exist", "invalid mailbox", "no mailbox",
	"address rejected", "not a valid", "mailbox unavailable",
	"account disabled", "account has been disabled", "no longer",
	"not our customer", "unrouteable", "unroutable", "bad destination",
	"mailbox is disabled", "host unknown", "domain not found",
	"no such domain",
};

/*
 * Words of a message too large for the receiver: they say nothing of
 * the address ("mailbox size limit" is a full mailbox, see below).
 */
static const char *const large_phrases[] = {
	"message size exceeds", "message too big", "message too large",
	"message is too large", "message is too big", "too large for",
	"message length exceeds", "mail size limit", "message size limit",
	"size limit exceeded", "exceeds maximum message size",
	"maximum message size", "class=size", "message exceeds the maximum",
	"because it's too large", "message was too large",
};

/*
 * Words of a challenge-response filter asking the sender to prove
 * itself: such a mail is shaped like a bounce and is none.
 */
static const char *const challenge_phrases[] = {
	"not pre-approved", "requires confirmation", "guest list",
	"challenge-response", "challenge/response", "to complete this "
	"verification", "boxbe", "spamarrest", "bluebottle",
	"confirm that you are a human", "prove you are human",
	"verify that you are a human", "awaiting your confirmation",
};

/* Words of a full mailbox: the address works, it may take mail again. */
static const char *const full_phrases[] = {
	"quota", "mailbox full", "mailbox is full", "insufficient storage",
	"exceeded storage", "over the allowed", "too much mail",
	"mailbox size limit", "out of storage", "storage allocation",
	"full mailbox", "mail box full", "mailfolder is full",
	"exceeds the size", "not enough space", "mailbox has exceeded",
};

/* Words of a refusal of the mail or the sender, not of the address. */
static const char *const policy_phrases[] = {
	"spam", "blocked", "blacklist", "blocklist", "block list",
	"black list", "denylist", "reputation", "dmarc", "spf", "dkim",
	"policy", "not authorized", "not authorised", "access denied",
	"relaying denied", "relay access denied", "relay not permitted",
	"content rejected", "virus", "malware", "rbl", "spamhaus",
	"listed at", "listed in", "junk", "suspicious", "rejected by filter",
	"message rejected due to", "refused by", "not accepted",
};

static const char *const bounce_subjects[] = {
	"undeliver", "delivery status", "delivery failure", "failure notice",
	"returned mail", "mail delivery", "delivery notification",
	"nondeliverable", "non-deliverable", "not delivered",
	"delivery failed", "could not be delivered", "mail system error",
	"warning: could not send", "delivery report", "delayed mail",
	"delivery has failed", "message not delivered", "rejected",
	"bounce", "unzustellbar", "onbestelbaar", "non remis",
	"delivery problem", "failed delivery", "mail failure",
	"delivery error", "error sending", "returned to sender",
	"unable to deliver", "notification", "failed", "not be delivered",
	"nicht zustellbar", "retour", "warning", "delay", "non-delivery",
	"nondelivery",
};

static const char *const robot_senders[] = {
	"mailer-daemon", "postmaster", "mail delivery", "mail administrator",
	"mailer daemon", "mail system", "mdaemon", "system administrator",
	"delivery", "mailerdaemon", "mail-daemon", "administrator", "bounce",
	"noreply", "no-reply", "notify", "smtp", "daemon", "auto",
};

#define ANY(s, table) any_of((s), (table), sizeof(table) / sizeof(table[0]))
#define UNKNOWN(s) (ANY(s, dead_phrases) || ANY(s, unknown_phrases))

static bool
any_of(const char *s, const char *const *v, size_t n)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcasestr(s, v[i]) != NULL)
			return true;
	return false;
}

const char *
bounce_kind_name(enum bounce_kind k)
{
	static const char *const names[] = { "hard", "soft", "policy" };

	return (size_t)k < 3 ? names[k] : "?";
}

int
bounce_kind_parse(const char *s, enum bounce_kind *k)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, bounce_kind_name((enum bounce_kind)i)) == 0) {
			*k = (enum bounce_kind)i;
			return 0;
		}
	return -1;
}

/* The first "C.S.D" status code in s (class 2, 4 or 5), or 0. */
static int
status_in(const char *s, char out[BOUNCE_STATUS_MAX])
{
	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		int a, b, c, n = 0;

		if ((p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '.')) ||
		    strchr("245", *p) == NULL || p[1] != '.')
			continue;
		if (sscanf(p, "%1d.%3d.%3d%n", &a, &b, &c, &n) == 3 && n >= 5 &&
		    !isdigit((unsigned char)p[n]) && p[n] != '.' && b >= 0 &&
		    b < 10 && c >= 0 && c < 1000) {
			snprintf(out, BOUNCE_STATUS_MAX, "%d.%d.%d", a % 10, b, c);
			return a;
		}
	}
	return 0;
}

/* The first SMTP reply code (4xx or 5xx, as a word) in s, or 0. */
static int
reply_in(const char *s)
{
	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		if ((p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '.' ||
		    p[-1] == ':' || p[-1] == '/')) || (*p != '4' && *p != '5') ||
		    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
			continue;
		if (p[1] > '5' || isalnum((unsigned char)p[3]) || p[3] == '.' ||
		    p[3] == ':' || p[3] == '/')
			continue;
		return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	}
	return 0;
}

/* The message was too large for the receiver (st: "C.S.D"). */
static bool
too_large(const char *st, const char *text)
{
	if (strcmp(st + 1, ".3.4") == 0 || strcmp(st + 1, ".2.3") == 0)
		return true;
	return strncmp(st + 1, ".2.2", 4) != 0 && ANY(text, large_phrases) &&
	    !ANY(text, full_phrases);
}

enum bounce_kind
bounce_classify(const char *status, const char *text, bool delayed,
    char status_out[BOUNCE_STATUS_MAX])
{
	char st[BOUNCE_STATUS_MAX] = "";
	int cls = status != NULL ? status_in(status, st) : 0, code;

	if (cls == 0 && text != NULL)
		cls = status_in(text, st);
	code = text != NULL ? reply_in(text) : 0;
	if (cls == 0 && code != 0)
		cls = code / 100;
	if (cls == 0)
		cls = delayed ? 4 : 5;
	if (st[0] == '\0') {
		/* No status given: say what the words say. */
		const char *guess = cls == 4 ? "4.0.0" :
		    ANY(text, large_phrases) && !ANY(text, full_phrases) ? "5.3.4" :
		    ANY(text, full_phrases) ? "5.2.2" :
		    UNKNOWN(text) ? "5.1.1" :
		    ANY(text, policy_phrases) ? "5.7.1" : "5.0.0";

		snprintf(st, sizeof(st), "%s", guess);
	}
	snprintf(status_out, BOUNCE_STATUS_MAX, "%s", st);
	if (cls == 4 || cls == 2)
		return BOUNCE_SOFT;
	if (too_large(st, text))
		return BOUNCE_POLICY;
	/* Unless the status speaks of the mailbox itself (5.2.x). */
	if (strncmp(st + 1, ".2.", 3) != 0 && ANY(text, dead_phrases))
		return BOUNCE_HARD;
	if (strncmp(st + 1, ".7.", 3) == 0)
		return BOUNCE_POLICY;
	if (strncmp(st + 1, ".2.2", 4) == 0 || ANY(text, full_phrases))
		return BOUNCE_SOFT;
	/* A generic status with a refusal's words: the mail was refused. */
	if (strncmp(st + 1, ".1.", 3) != 0 && strncmp(st + 1, ".2.", 3) != 0 &&
	    ANY(text, policy_phrases) && !UNKNOWN(text))
		return BOUNCE_POLICY;
	return BOUNCE_HARD;
}

static char *
diag_copy(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return NULL;
	n = strlen(s);
	if (n > BOUNCE_DIAG_MAX) {
		n = BOUNCE_DIAG_MAX;
		/* Not inside a UTF-8 character. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

/* Add addr (any form) unless it is not an address or is listed already. */
static struct bounce_rcpt *
add_rcpt(struct bounce_result *r, const char *addr)
{
	struct err e;
	char *a = addr != NULL ? addr_normalize(addr, &e) : NULL;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->rcpts[i].addr, a) == 0) {
			free(a);
			return NULL;
		}
	r->rcpts = xreallocarray(r->rcpts, r->n + 1, sizeof(*r->rcpts));
	memset(&r->rcpts[r->n], 0, sizeof(r->rcpts[0]));
	r->rcpts[r->n].addr = a;
	return &r->rcpts[r->n++];
}

static bool
failed_action(const struct mime_dsn_rcpt *d)
{
	char st[BOUNCE_STATUS_MAX];
	int cls = d->status != NULL ? status_in(d->status, st) : 0;

	if (d->action != NULL)
		return strncmp(d->action, "failed", 6) == 0 ||
		    strncmp(d->action, "delayed", 7) == 0 ||
		    /* Some write what happened, not an RFC 3464 action. */
		    ((strncmp(d->action, "delivered", 9) != 0 &&
		    strncmp(d->action, "relayed", 7) != 0 &&
		    strncmp(d->action, "expanded", 8) != 0) &&
		    (cls == 4 || cls == 5));
	return cls == 4 || cls == 5 || (cls == 0 && d->diagnostic != NULL);
}

/* The recipient groups of the report; false when none failed. */
static bool
from_dsn(const struct mime_report *rep, struct bounce_result *r)
{
	bool any = false;

	for (size_t i = 0; i < rep->n_rcpts; i++) {
		const struct mime_dsn_rcpt *d = &rep->rcpts[i];
		struct err e;
		/*
		 * The address the sender used (RFC 3464 2.3.1), which is the
		 * one on the list, before what an alias made of it.
		 */
		const char *addr = d->original_rcpt;
		char *ok = addr != NULL ? addr_normalize(addr, &e) : NULL;
		struct bounce_rcpt *b;
		bool delayed;

		if (ok == NULL)
			addr = d->final_rcpt;
		free(ok);
		if (!failed_action(d))
			continue;
		any = true;
		if ((b = add_rcpt(r, addr)) == NULL)
			continue;
		delayed = d->action != NULL &&
		    strncmp(d->action, "delayed", 7) == 0;
		if (delayed && d->status != NULL && d->status[0] == '5')
			delayed = false;
		b->kind = bounce_classify(delayed && (d->status == NULL ||
		    d->status[0] != '4') ? "4.0.0" : d->status, d->diagnostic,
		    delayed, b->status);
		b->diagnostic = diag_copy(d->diagnostic);
		b->delayed = delayed;
	}
	return any;
}

static bool
auto_reply(const struct mime_msg *m)
{
	const char *v;

	if ((v = mime_field(m, "Auto-Submitted")) != NULL &&
	    strncasecmp(v, "auto-replied", 12) == 0 &&
	    !ANY(m->subject, bounce_subjects))
		return true;
	if ((v = mime_field(m, "Precedence")) != NULL &&
	    strncasecmp(v, "auto_reply", 10) == 0)
		return true;
	return route_auto_reply(m) != NULL && !ANY(m->subject, bounce_subjects);
}

/*
 * A challenge-response filter's request to confirm the sender, however
 * it is dressed: by its sender, its report's words, or a recipient
 * group's diagnostic (a server that refused the mail with one).
 */
static bool
challenge(const struct mime_msg *m, const struct mime_report *rep)
{
	if (ANY(m->from.addr, challenge_phrases) ||
	    ANY(m->return_path, challenge_phrases) ||
	    ANY(rep->text != NULL && rep->text[0] != '\0' ? rep->text : m->text,
	    challenge_phrases))
		return true;
	for (size_t i = 0; i < rep->n_rcpts; i++)
		if (ANY(rep->rcpts[i].diagnostic, challenge_phrases))
			return true;
	return false;
}

/* The mail says it is a report of a delivery problem. */
static bool
bounce_like(const struct mime_msg *m)
{
	if (m->return_path != NULL && (m->return_path[0] == '\0' ||
	    strncasecmp(m->return_path, "mailer-daemon@", 14) == 0 ||
	    strncasecmp(m->return_path, "postmaster@", 11) == 0))
		return true;
	if (ANY(m->subject, bounce_subjects))
		return true;
	return ANY(m->from.addr, robot_senders) ||
	    ANY(m->from.name, robot_senders);
}

static void
from_text(const struct mime_msg *m, const struct mime_report *rep,
    struct bounce_result *r)
{
	const char *exclude[4 + MIME_MAX_ADDRS];
	size_t nx = 0;
	struct shape_result sr;

	exclude[nx++] = m->from.addr;
	exclude[nx++] = m->return_path;
	exclude[nx++] = rep->returned_from;
	exclude[nx++] = rep->returned_return_path;
	for (size_t i = 0; i < m->n_to && nx < sizeof(exclude) /
	    sizeof(exclude[0]); i++)
		exclude[nx++] = m->to[i].addr;
	bounce_shape_read(rep->text != NULL && rep->text[0] != '\0' ?
	    rep->text : m->text, exclude, nx, &sr);
	if (sr.n > 0 && bounce_like(m)) {
		r->bounce = true;
		r->shape = "text";
		for (size_t i = 0; i < sr.n; i++) {
			struct bounce_rcpt *b = add_rcpt(r, sr.addrs[i].addr);

			if (b == NULL)
				continue;
			b->kind = bounce_classify(NULL, sr.addrs[i].context,
			    sr.delayed, b->status);
			b->diagnostic = diag_copy(sr.addrs[i].context);
			b->delayed = sr.delayed && b->status[0] == '4';
		}
	}
	shape_result_free(&sr);
}

int
bounce_read(const char *raw, size_t len, struct bounce_result *out,
    struct err *e)
{
	struct mime_msg m;
	struct mime_report rep;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	out->shape = "none";
	if (mime_parse(raw, len, &m, e) != 0)
		return -1;
	if (mime_report_read(raw, len, &rep, e) != 0) {
		mime_msg_free(&m);
		return -1;
	}
	if (rep.returned_return_path != NULL)
		out->returned_return_path = xstrdup(rep.returned_return_path);
	if (rep.returned_msgid != NULL)
		out->returned_msgid = xstrdup(rep.returned_msgid);
	if (m.report_type != NULL && strcmp(m.report_type, "feedback-report") == 0) {
		out->shape = "feedback";
	} else if (challenge(&m, &rep)) {
		out->challenge = true;
		out->shape = "challenge";
	} else if (from_dsn(&rep, out)) {
		out->bounce = true;
		out->shape = "dsn";
	} else if (rep.n_rcpts > 0) {
		/* Delivered, relayed: a report of success. */
		out->shape = "dsn-success";
	} else if (auto_reply(&m)) {
		out->auto_reply = true;
		out->shape = "auto-reply";
	} else {
		from_text(&m, &rep, out);
	}
	mime_report_free(&rep);
	mime_msg_free(&m);
	return 0;
}

void
bounce_result_free(struct bounce_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->rcpts[i].addr);
		free(r->rcpts[i].diagnostic);
	}
	free(r->rcpts);
	free(r->returned_return_path);
	free(r->returned_msgid);
	memset(r, 0, sizeof(*r));
}
