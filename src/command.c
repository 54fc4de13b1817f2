/*
 * command - reading mail commands (see command.h).
 *
 * People write commands as they write mail: capitalised, with a full
 * stop, after "Re: ", under a greeting they did not mean as a command.
 * So words compare without case, trailing punctuation is dropped, and
 * only the first word decides whether a line is a command at all.
 */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "addr.h"
#include "command.h"
#include "letter.h"
#include "token.h"

#define WORDS_MAX 6

struct word {
	const char *w;
	enum command_verb verb;
	enum command_lang lang;
};

static const struct word verbs[] = {
	{ "subscribe", CMD_SUBSCRIBE, CLANG_EN },
	{ "aanmelden", CMD_SUBSCRIBE, CLANG_NL },
	{ "inschrijven", CMD_SUBSCRIBE, CLANG_NL },
	{ "unsubscribe", CMD_UNSUBSCRIBE, CLANG_EN },
	{ "afmelden", CMD_UNSUBSCRIBE, CLANG_NL },
	{ "uitschrijven", CMD_UNSUBSCRIBE, CLANG_NL },
	{ "stop", CMD_UNSUBSCRIBE, CLANG_NEUTRAL },
	{ "confirm", CMD_CONFIRM, CLANG_EN },
	{ "bevestig", CMD_CONFIRM, CLANG_NL },
	{ "lists", CMD_LISTS, CLANG_EN },
	{ "overzicht", CMD_LISTS, CLANG_NL },
	{ "lijsten", CMD_LISTS, CLANG_NL },
	{ "which", CMD_WHICH, CLANG_EN },
	{ "status", CMD_WHICH, CLANG_NEUTRAL },
	{ "digest", CMD_DIGEST, CLANG_EN },
	{ "samenvatting", CMD_DIGEST, CLANG_NL },
	{ "help", CMD_HELP, CLANG_EN },
	{ "hulp", CMD_HELP, CLANG_NL },
	{ "archive", CMD_ARCHIVE, CLANG_EN },
	{ "archief", CMD_ARCHIVE, CLANG_NL },
	{ "get", CMD_GET, CLANG_EN },
	{ "bericht", CMD_GET, CLANG_NL },
	{ "search", CMD_SEARCH, CLANG_EN },
	{ "zoek", CMD_SEARCH, CLANG_NL },
};

/* Reply and forward prefixes of mail programs in Dutch, English, German. */
static const char *const prefixes[] = {
	"re", "antw", "aw", "fwd", "fw", "doorst", "wg", "tr", "sv",
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool
is_punct(char c)
{
	return c == '.' || c == ',' || c == '!' || c == ';' || c == ':' ||
	    c == '"' || c == '\'' || c == ')' || c == '(';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Split line into at most WORDS_MAX words, punctuation around them dropped. */
struct words {
	const char *w[WORDS_MAX];
	size_t n[WORDS_MAX];
	size_t count;
	bool more;                /* words beyond WORDS_MAX */
};

static void
split(const char *s, size_t len, struct words *ws)
{
	size_t i = 0;

	memset(ws, 0, sizeof(*ws));
	while (i < len) {
		size_t b, e;

		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		b = i;
		while (i < len && !is_space(s[i]))
			i++;
		e = i;
		while (b < e && is_punct(s[b]))
			b++;
		while (e > b && is_punct(s[e - 1]))
			e--;
		if (e == b)
			continue;
		if (ws->count == WORDS_MAX) {
			ws->more = true;
			break;
		}
		ws->w[ws->count] = s + b;
		ws->n[ws->count++] = e - b;
	}
}

static bool
word_is(const struct words *ws, size_t i, const char *w)
{
	return i < ws->count && strlen(w) == ws->n[i] &&
	    strncasecmp(ws->w[i], w, ws->n[i]) == 0;
}

/* Copy word i lower-cased into out (size COMMAND_ARG_MAX + 1); false if too long. */
static bool
word_copy(const struct words *ws, size_t i, char *out)
{
	if (i >= ws->count || ws->n[i] > COMMAND_ARG_MAX)
		return false;
	for (size_t k = 0; k < ws->n[i]; k++)
		out[k] = lower(ws->w[i][k]);
	out[ws->n[i]] = '\0';
	return true;
}

/* Word i as a post's number: 1 to 999999999. */
static bool
number(const struct words *ws, size_t i, int64_t *out)
{
	int64_t v = 0;

	if (i >= ws->count || ws->n[i] == 0 || ws->n[i] > 9)
		return false;
	for (size_t k = 0; k < ws->n[i]; k++) {
		if (ws->w[i][k] < '0' || ws->w[i][k] > '9')
			return false;
		v = v * 10 + (ws->w[i][k] - '0');
	}
	*out = v;
	return v > 0;
}

static void
keep_text(const char *s, size_t len, char *out)
{
	size_t o = 0;

	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len > COMMAND_TEXT_MAX) {
		len = COMMAND_TEXT_MAX;
		/* Never cut a UTF-8 sequence in two. */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < len; i++)
		out[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	out[o] = '\0';
}

static const struct word *
find_verb(const struct words *ws)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (word_is(ws, 0, verbs[i].w))
			return &verbs[i];
	return NULL;
}

/* The arguments of c's verb from ws; false when they are wrong. */
static bool
parse_args(const struct words *ws, struct command *c)
{
	size_t argc = ws->count - 1;

	if (ws->more && c->verb != CMD_SEARCH)
		return false;
	switch (c->verb) {
	case CMD_ARCHIVE:
		return argc == 1 && word_copy(ws, 1, c->list) &&
		    addr_list_id_ok(c->list);
	case CMD_GET:
		return argc == 2 && word_copy(ws, 1, c->list) &&
		    addr_list_id_ok(c->list) && number(ws, 2, &c->number);
	case CMD_SEARCH:
		return argc >= 2 && word_copy(ws, 1, c->list) &&
		    addr_list_id_ok(c->list);
	case CMD_SUBSCRIBE:
		if (argc == 2 && (word_is(ws, 2, "digest") ||
		    word_is(ws, 2, "samenvatting")))
			c->digest = true;
		else if (argc != 1)
			return false;
		return word_copy(ws, 1, c->list) && addr_list_id_ok(c->list);
	case CMD_UNSUBSCRIBE:
		if (argc == 0 && c->lang == CLANG_NEUTRAL)
			return false;          /* a bare "stop": stop what? */
		if (argc != 1)
			return false;
		if (word_is(ws, 1, "*") || word_is(ws, 1, "alles") ||
		    word_is(ws, 1, "all")) {
			c->all = true;
			return true;
		}
		return word_copy(ws, 1, c->list) && addr_list_id_ok(c->list);
	case CMD_CONFIRM:
		return argc == 1 && word_copy(ws, 1, c->token) &&
		    token_well_formed(c->token);
	case CMD_DIGEST:
		if (argc != 2)
			return false;
		if (word_is(ws, 2, "on") || word_is(ws, 2, "aan"))
			c->on = true;
		else if (!word_is(ws, 2, "off") && !word_is(ws, 2, "uit"))
			return false;
		return word_copy(ws, 1, c->list) && addr_list_id_ok(c->list);
	default:
		return argc == 0;
	}
}

bool
command_parse_line(const char *line, size_t len, struct command *c)
{
	const struct word *v;
	struct words ws;

	memset(c, 0, sizeof(*c));
	split(line, len, &ws);
	if ((v = find_verb(&ws)) == NULL)
		return false;
	c->verb = v->verb;
	c->lang = v->lang;
	keep_text(line, len, c->text);
	if (parse_args(&ws, c)) {
		if (c->verb == CMD_SEARCH)
			keep_text(ws.w[2], (size_t)(line + len - ws.w[2]),
			    c->words);
	} else if (c->verb >= CMD_ARCHIVE) {
		return false;           /* prose that starts with the word */
	} else {
		c->verb = CMD_UNKNOWN;
		memset(c->list, 0, sizeof(c->list));
		memset(c->token, 0, sizeof(c->token));
		c->all = c->digest = c->on = false;
	}
	return true;
}

const char *
command_strip_prefixes(const char *s)
{
	for (bool again = true; again;) {
		again = false;
		while (is_space(*s))
			s++;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]);
		    i++) {
			size_t n = strlen(prefixes[i]);
			const char *p = s + n;

			if (strncasecmp(s, prefixes[i], n) != 0)
				continue;
			/* "Re[2]:" and "Re(2):" as some programs count. */
			if (*p == '[' || *p == '(') {
				char close = *p == '[' ? ']' : ')';

				while (*p != '\0' && *p != close && *p != ':')
					p++;
				if (*p == close)
					p++;
			}
			while (*p == ' ')
				p++;
			if (*p == ':') {
				s = p + 1;
				again = true;
				break;
			}
		}
	}
	return s;
}

static bool
same(const struct command *a, const struct command *b)
{
	return a->verb == b->verb && a->verb != CMD_UNKNOWN &&
	    strcmp(a->list, b->list) == 0 && strcmp(a->token, b->token) == 0 &&
	    a->all == b->all && a->digest == b->digest && a->on == b->on &&
	    a->number == b->number && strcmp(a->words, b->words) == 0;
}

static void
add(struct command_set *cs, const struct command *c)
{
	for (size_t i = 0; i < cs->n; i++)
		if (same(&cs->cmd[i], c))
			return;
	if (cs->n == COMMAND_MAX) {
		cs->too_many = true;
		return;
	}
	cs->cmd[cs->n++] = *c;
}

static bool
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_space(s[i]))
			return false;
	return true;
}

void
command_parse(const char *subject, const char *text, struct command_set *out)
{
	struct command c;
	const char *p, *first = NULL;
	size_t first_len = 0;

	memset(out, 0, sizeof(*out));
	if (subject != NULL) {
		p = command_strip_prefixes(subject);
		if (command_parse_line(p, strlen(p), &c))
			add(out, &c);
	}
	for (p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		/* Past the whole line, even when its CR is left out of len. */
		const char *next = nl != NULL ? nl + 1 : p + len;

		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (letter_ends_writing(p, len))
			break;
		if (!blank(p, len)) {
			if (!command_parse_line(p, len, &c)) {
				if (first == NULL) {
					first = p;
					first_len = len;
				}
				break;
			}
			add(out, &c);
		}
		p = next;
	}
	if (out->n == 0 && first != NULL) {
		memset(&c, 0, sizeof(c));
		c.verb = CMD_UNKNOWN;
		keep_text(first, first_len, c.text);
		add(out, &c);
	}
}

bool
command_lang(const struct command_set *cs, enum lang *lang)
{
	size_t nl = 0, en = 0;

	for (size_t i = 0; i < cs->n; i++) {
		nl += cs->cmd[i].lang == CLANG_NL;
		en += cs->cmd[i].lang == CLANG_EN;
	}
	if (nl == 0 && en == 0)
		return false;
	/* Dutch first: the programme's people write Dutch. */
	*lang = nl >= en ? LANG_NL : LANG_EN;
	return true;
}
