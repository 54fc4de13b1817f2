/*
 * bounce_shape - failed addresses in the text of a bounce (see
 * bounce_shape.h).
 *
 * The wording of each MTA is in the tables below, not in code: lines
 * that begin the returned message, the robots' mailbox names, and the
 * phrases that say a delivery failed or is only delayed.  Everything is
 * bounded: the text by mime's MIME_MAX_TEXT, lines looked at by
 * LINE_MAX_SEEN, addresses by SHAPE_MAX_ADDRS.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "bounce_shape.h"
#include "xmem.h"

#define LINE_MAX_SEEN 1000     /* bytes of one line looked at */
#define CONTEXT_LINES 5        /* lines after an address read as its reply */

/* A line holding one of these begins the copy of the returned message. */
static const char *const cut_phrases[] = {
	"below this line is a copy of the message",
	"this is a copy of the message",
	"copy of the original message",
	"copy of your message",
	"original message follows",
	"returned mail follows",
	"returned message follows",
	"message follows",
	"unsent message below",
	"original message headers",
	"headers of the original message",
	"header of the original message",
	"header of original message",
	"original message header",
	"- original message -",
	"-original message-",
	"original message:",
	"the headers of your message",
	"headers of your message",
	"header of your message",
	"your message reads",
	"text of your message",
	"forwarded message",
	"message headers follow",
	"undelivered message headers",
	"original mail follows",
	"content of the original message",
	"the message that failed",
	"here is your message",
	"here are the first",
	"original text follows",
	"of the source mail",
	/* Yale's phquery and LLNL's directory help follow the failures. */
	"error detail (phquery",
	"standard form of email address",
	"the text you sent follows",
};

/* Header fields that open the copy of a returned message. */
static const char *const head_names[] = {
	"received", "return-path", "message-id", "dkim-signature",
	"delivered-to", "mime-version", "content-type", "date", "from",
	"to", "subject", "reply-to", "references", "in-reply-to", "cc",
	"x-", "authentication-results", "arc-", "list-", "sender",
	"content-transfer-encoding", "precedence", "thread-",
};

/* Mailboxes of programs and of people who are told, not the failed. */
static const char *const robots[] = {
	"postmaster", "mailer-daemon", "mailerdaemon", "abuse", "hostmaster",
	"webmaster", "noreply", "no-reply", "mail-daemon", "maildaemon",
	"mdaemon", "majordomo", "listserv", "root+", "nobody", "support",
	"helpdesk",
};

static const char *const failure_phrases[] = {
	"undeliver", "could not be delivered", "couldn't be delivered",
	"delivery failed", "failed permanently", "permanent error",
	"permanent fatal", "user unknown", "unknown user", "does not exist",
	"no such user", "not delivered", "unable to deliver",
	"delivery has failed", "delivery to the following", "rejected",
	"mailbox unavailable", "fatal error", "failed to deliver",
	"could not deliver", "was not delivered", "invalid recipient",
	"mailbox full", "quota", "non-delivery", "nondelivery", "bounced",
	"failure notice", "delivery failure", "mail delivery failed",
	"unknown address", "no mailbox", "not be delivered", "unroutable",
	"recipient address", "address rejected", "unable to relay",
	"did not reach", "cannot be reached", "delivery problem",
	"failed recipient", "permanent failure", "not found", "unavailable",
	"could not be sent", "failed:", "error", "invalid address",
	"inactive", "disabled", "retry timeout", "expired",
};

static const char *const delay_phrases[] = {
	"has been delayed", "delivery delayed", "delayed delivery",
	"is delayed", "delivery attempts will continue", "will continue",
	"will keep trying", "still trying", "not yet been delivered",
	"warning message only", "will try again", "will retry",
	"will be retried", "no action is required", "not been delivered yet",
	"continue to attempt", "delivery is delayed", "message delayed",
	"delay notification", "still being retried", "have not been able",
	"temporarily deferred",
};

struct scan {
	struct shape_result *out;
	const char *const *exclude;
	size_t nexclude;
};

static bool
has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

static bool
any_of(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (has(s, v[i]))
			return true;
	return false;
}

#define ANY(s, table) any_of((s), (table), sizeof(table) / sizeof(table[0]))

/* A header field at the start of a line, of a name in head_names. */
static bool
head_line(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '-'))
		k++;
	if (k == 0 || k >= n || s[k] != ':')
		return false;
	for (size_t i = 0; i < sizeof(head_names) / sizeof(head_names[0]);
	    i++) {
		size_t hn = strlen(head_names[i]);

		if (head_names[i][hn - 1] == '-' ? k > hn &&
		    strncasecmp(s, head_names[i], hn) == 0 :
		    k == hn && strncasecmp(s, head_names[i], hn) == 0)
			return true;
	}
	return false;
}

static size_t
line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL ? (size_t)(nl - s) : strlen(s);
}

/* Copy line s[0..n) into out (NUL-terminated, at most LINE_MAX_SEEN). */
static void
line_copy(const char *s, size_t n, char out[LINE_MAX_SEEN + 1])
{
	if (n > LINE_MAX_SEEN)
		n = LINE_MAX_SEEN;
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * Where the returned message begins: a separator line, or two header
 * lines in a row (not To/Subject/Cc alone: Exchange shows those of the
 * failed message above its recipients).
 */
static size_t
cut_at(const char *text)
{
	char line[LINE_MAX_SEEN + 1];
	const char *p = text;

	while (*p != '\0') {
		size_t n = line_len(p);
		const char *next = p[n] == '\n' ? p + n + 1 : p + n;

		line_copy(p, n, line);
		if (ANY(line, cut_phrases))
			return (size_t)(p - text);
		if (head_line(p, n) && strncasecmp(p, "to:", 3) != 0 &&
		    strncasecmp(p, "subject:", 8) != 0 &&
		    strncasecmp(p, "cc:", 3) != 0 && *next != '\0' &&
		    head_line(next, line_len(next)))
			return (size_t)(p - text);
		p = next;
	}
	return (size_t)(p - text);
}

static bool
local_char(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' &&
	    strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool
domain_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-';
}

/* Whether local@domain looks like a mailbox (not a message id). */
static bool
plausible(const char *local, size_t ln, const char *dom, size_t dn)
{
	const char *dot;
	size_t tld;

	if (ln == 0 || ln > ADDR_LOCAL_MAX || dn < 4 || dn > ADDR_DOMAIN_MAX)
		return false;
	if ((dot = memrchr(dom, '.', dn)) == NULL || dot == dom)
		return false;
	tld = dn - (size_t)(dot - dom) - 1;
	if (tld < 2 || tld > 24)
		return false;
	for (size_t i = 0; i < tld; i++)
		if (!isalpha((unsigned char)dot[1 + i]))
			return false;
	/* Message ids and tracking tokens: '$', long runs of hex. */
	if (memchr(local, '$', ln) != NULL)
		return false;
	return true;
}

static bool
robot(const char *local, size_t ln)
{
	for (size_t i = 0; i < sizeof(robots) / sizeof(robots[0]); i++) {
		size_t rn = strlen(robots[i]);

		if (robots[i][rn - 1] == '+' ? ln >= rn - 1 &&
		    strncasecmp(local, robots[i], rn - 1) == 0 &&
		    (ln == rn - 1 || strchr("+-", local[rn - 1]) != NULL) :
		    ln == rn && strncasecmp(local, robots[i], rn) == 0)
			return true;
	}
	return false;
}

static bool
known(const struct scan *sc, const char *a)
{
	for (size_t i = 0; i < sc->nexclude; i++)
		if (sc->exclude[i] != NULL && strcasecmp(sc->exclude[i], a) == 0)
			return true;
	for (size_t i = 0; i < sc->out->n; i++)
		if (strcasecmp(sc->out->addrs[i].addr, a) == 0)
			return true;
	return false;
}

/* The reply after an address: its line from there, and what follows. */
static void
context(const char *from, const char *end, char out[SHAPE_CONTEXT_MAX])
{
	size_t k = 0;
	int lines = 0;

	for (const char *p = from; p < end && k + 1 < SHAPE_CONTEXT_MAX; p++) {
		char c = *p;

		if (c == '\n' && ++lines >= CONTEXT_LINES)
			break;
		if (c == '\n' || c == '\t')
			c = ' ';
		if (c == ' ' && k > 0 && out[k - 1] == ' ')
			continue;
		out[k++] = c;
	}
	out[k] = '\0';
}

/* Lines whose addresses are never the failed ones. */
static bool
skipped_line(const char *line)
{
	const char *s = line;

	while (*s == ' ' || *s == '\t' || *s == '>')
		s++;
	/* The continuation of a Received field. */
	if (s != line && (strncasecmp(s, "for ", 4) == 0 ||
	    strncasecmp(s, "by ", 3) == 0 || strncasecmp(s, "id ", 3) == 0 ||
	    strncasecmp(s, "with ", 5) == 0))
		return true;
	return has(line, "message-id") || has(line, "message id") ||
	    strncasecmp(s, "from:", 5) == 0 ||
	    strncasecmp(s, "reply-to:", 9) == 0 ||
	    strncasecmp(s, "sender:", 7) == 0 ||
	    strncasecmp(s, "return-path:", 12) == 0 ||
	    strncasecmp(s, "mail from:", 10) == 0 ||
	    strncasecmp(s, "received:", 9) == 0 ||
	    has(line, "mail from:<") || has(line, "mail from: <") ||
	    has(line, "contact your") || has(line, "please contact") ||
	    has(line, "envelope-from") || has(line, "sender address");
}

/*
 * Exchange and GroupWise sum up the failed message first ("To: list,
 * Subject: ..., Sent: ..."); its To is the list, not the failed address.
 */
static bool
summary_to(const char *p, size_t n, const char *end)
{
	const char *s = p, *next = p + n + 1;

	while (s < p + n && (*s == ' ' || *s == '\t'))
		s++;
	if ((strncasecmp(s, "to:", 3) != 0 && strncasecmp(s, "cc:", 3) != 0) ||
	    next >= end)
		return false;
	while (next < end && (*next == ' ' || *next == '\t'))
		next++;
	return strncasecmp(next, "subject:", 8) == 0 ||
	    strncasecmp(next, "cc:", 3) == 0 ||
	    strncasecmp(next, "sent:", 5) == 0;
}

static void
add(struct scan *sc, const char *a, size_t n, const char *at, const char *end)
{
	struct shape_result *r = sc->out;
	char *s = xstrndup(a, n);

	if (known(sc, s)) {
		free(s);
		return;
	}
	if (r->n >= SHAPE_MAX_ADDRS) {
		free(s);
		return;
	}
	r->addrs = xreallocarray(r->addrs, r->n + 1, sizeof(*r->addrs));
	r->addrs[r->n].addr = s;
	context(at, end, r->addrs[r->n].context);
	r->n++;
}

/*
 * "generated from X", "mail from X", "(expanded from <X>)": X is where
 * the mail came from or what an alias was, not a failed recipient.
 * The same for "may not follow X".
 */
static bool
after_from(const char *p, size_t l)
{
	size_t k = l;

	while (k > 0 && strchr(" <\"'(", p[k - 1]) != NULL)
		k--;
	/* Exim: "<b@y> may not follow a@x": a is no failure of its own. */
	if (k >= 6 && strncasecmp(p + k - 6, "follow", 6) == 0)
		return true;
	return k >= 4 && strncasecmp(p + k - 4, "from", 4) == 0 &&
	    (k == 4 || !isalnum((unsigned char)p[k - 5]));
}

static bool
sent_by(const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && strchr(" \t:", line[n - 1]) != NULL)
		n--;
	return n >= 7 && strncasecmp(line + n - 7, "sent by", 7) == 0;
}

/* Every plausible address of line p[0..n) (in text that ends at end). */
static void
line_addrs(struct scan *sc, const char *p, size_t n, const char *end)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = i, d = i + 1;

		if (p[i] != '@')
			continue;
		while (l > 0 && local_char(p[l - 1]))
			l--;
		while (d < n && domain_char(p[d]))
			d++;
		while (d > i + 1 && (p[d - 1] == '.' || p[d - 1] == '-'))
			d--;
		while (l < i && p[l] == '.')
			l++;
		/* "=3D" and "mailto:" leftovers, quoted pieces. */
		if (l < i && (p[l] == '\'' || p[l] == '`'))
			l++;
		if (!plausible(p + l, i - l, p + i + 1, d - i - 1) ||
		    robot(p + l, i - l))
			continue;
		/* A part of a longer token (a URL's path, an id): not mail. */
		if (l > 0 && (p[l - 1] == '/' || p[l - 1] == ':' ||
		    p[l - 1] == '=') && !(l >= 3 && strncasecmp(p + l - 3,
		    "to:", 3) == 0) && !(l >= 7 && strncasecmp(p + l - 7,
		    "mailto:", 7) == 0))
			continue;
		/*
		 * A path ("/home/x/.forward") is no mailbox; in "x@y <z@w>"
		 * the mailbox is z@w.
		 */
		if (after_from(p, l) || memchr(p + l, '/', i - l) != NULL ||
		    (d + 1 < n && p[d] == ' ' && p[d + 1] == '<'))
			continue;
		add(sc, p + l, d - l, p + l, end);
		i = d;
	}
}

void
bounce_shape_read(const char *text, const char *const *exclude,
    size_t nexclude, struct shape_result *out)
{
	struct scan sc = { out, exclude, nexclude };
	size_t cut = cut_at(text);
	const char *end = text + cut, *p = text;
	char line[LINE_MAX_SEEN + 1];
	bool sender_next = false;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		size_t n = line_len(p);
		bool blank;

		if (p + n > end)
			n = (size_t)(end - p);
		line_copy(p, n, line);
		if (ANY(line, failure_phrases))
			out->failure_words = true;
		if (ANY(line, delay_phrases))
			out->delayed = true;
		blank = line[strspn(line, " \t")] == '\0';
		if (!skipped_line(line) && !summary_to(p, n, end) && !sender_next)
			line_addrs(&sc, p, n < LINE_MAX_SEEN ? n : LINE_MAX_SEEN,
			    end);
		/* Exim: "A message sent by\n\n  <sender>\n\ncould not be". */
		if (!blank)
			sender_next = sent_by(line);
		p += n + 1;
	}
}

void
shape_result_free(struct shape_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->addrs[i].addr);
	free(r->addrs);
	memset(r, 0, sizeof(*r));
}
