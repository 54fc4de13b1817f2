/*
 * html_text - text from HTML (see html_text.h).  One pass over the
 * bytes; a tag, comment or reference that runs off the end of the input
 * ends the text there, as it does in a browser.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "html_text.h"

#define TAG_NAME_MAX 16
#define ENTITY_NAME_MAX 8
#define QUOTE_MAX 8            /* blockquote levels shown as ">" */
#define REPLACEMENT 0xfffdu

enum tag_kind {
	TAG_OTHER,             /* dropped, content kept */
	TAG_BR,                /* a line break, open or close */
	TAG_LINE,              /* a line break before and after */
	TAG_PARA,              /* a blank line before and after */
	TAG_CELL,              /* a space between cells */
	TAG_QUOTE,             /* blockquote */
	TAG_PRE,               /* white space kept */
	TAG_SKIP,              /* content dropped up to the closing tag */
};

static const struct {
	const char *name;
	enum tag_kind kind;
} tags[] = {
	{ "br", TAG_BR },
	{ "p", TAG_PARA }, { "h1", TAG_PARA }, { "h2", TAG_PARA },
	{ "h3", TAG_PARA }, { "h4", TAG_PARA }, { "h5", TAG_PARA },
	{ "h6", TAG_PARA }, { "hr", TAG_PARA }, { "table", TAG_PARA },
	{ "ul", TAG_PARA }, { "ol", TAG_PARA }, { "dl", TAG_PARA },
	{ "div", TAG_LINE }, { "li", TAG_LINE }, { "tr", TAG_LINE },
	{ "dt", TAG_LINE }, { "dd", TAG_LINE }, { "center", TAG_LINE },
	{ "section", TAG_LINE }, { "article", TAG_LINE },
	{ "header", TAG_LINE }, { "footer", TAG_LINE }, { "address", TAG_LINE },
	{ "main", TAG_LINE }, { "nav", TAG_LINE }, { "aside", TAG_LINE },
	{ "figure", TAG_LINE }, { "figcaption", TAG_LINE },
	{ "caption", TAG_LINE }, { "form", TAG_LINE }, { "fieldset", TAG_LINE },
	{ "body", TAG_LINE },
	{ "td", TAG_CELL }, { "th", TAG_CELL },
	{ "blockquote", TAG_QUOTE },
	{ "pre", TAG_PRE }, { "listing", TAG_PRE }, { "xmp", TAG_PRE },
	{ "script", TAG_SKIP }, { "style", TAG_SKIP }, { "title", TAG_SKIP },
	{ "template", TAG_SKIP }, { "xml", TAG_SKIP },
};

/* Named references: the markup ones and those of Dutch, French, German. */
static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", 0xa0 }, { "shy", 0xad },
	{ "copy", 0xa9 }, { "reg", 0xae }, { "trade", 0x2122 },
	{ "euro", 0x20ac }, { "pound", 0xa3 }, { "yen", 0xa5 },
	{ "cent", 0xa2 },
	{ "sect", 0xa7 }, { "para", 0xb6 }, { "deg", 0xb0 }, { "plusmn", 0xb1 },
	{ "times", 0xd7 }, { "divide", 0xf7 }, { "middot", 0xb7 },
	{ "micro", 0xb5 }, { "frac12", 0xbd }, { "frac14", 0xbc },
	{ "frac34", 0xbe }, { "iexcl", 0xa1 }, { "iquest", 0xbf },
	{ "laquo", 0xab }, { "raquo", 0xbb }, { "bull", 0x2022 },
	{ "hellip", 0x2026 }, { "ndash", 0x2013 }, { "mdash", 0x2014 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "sbquo", 0x201a },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bdquo", 0x201e },
	{ "ensp", 0x2002 }, { "emsp", 0x2003 }, { "thinsp", 0x2009 },
	{ "zwnj", 0x200c }, { "zwj", 0x200d }, { "lrm", 0x200e },
	{ "rlm", 0x200f },
	{ "Agrave", 0xc0 }, { "Aacute", 0xc1 }, { "Acirc", 0xc2 },
	{ "Atilde", 0xc3 }, { "Auml", 0xc4 }, { "Aring", 0xc5 },
	{ "AElig", 0xc6 }, { "Ccedil", 0xc7 }, { "Egrave", 0xc8 },
	{ "Eacute", 0xc9 }, { "Ecirc", 0xca }, { "Euml", 0xcb },
	{ "Igrave", 0xcc }, { "Iacute", 0xcd }, { "Icirc", 0xce },
	{ "Iuml", 0xcf }, { "Ntilde", 0xd1 }, { "Ograve", 0xd2 },
	{ "Oacute", 0xd3 }, { "Ocirc", 0xd4 }, { "Otilde", 0xd5 },
	{ "Ouml", 0xd6 }, { "Oslash", 0xd8 }, { "Ugrave", 0xd9 },
	{ "Uacute", 0xda }, { "Ucirc", 0xdb }, { "Uuml", 0xdc },
	{ "Yacute", 0xdd }, { "szlig", 0xdf }, { "agrave", 0xe0 },
	{ "aacute", 0xe1 }, { "acirc", 0xe2 }, { "atilde", 0xe3 },
	{ "auml", 0xe4 }, { "aring", 0xe5 }, { "aelig", 0xe6 },
	{ "ccedil", 0xe7 }, { "egrave", 0xe8 }, { "eacute", 0xe9 },
	{ "ecirc", 0xea }, { "euml", 0xeb }, { "igrave", 0xec },
	{ "iacute", 0xed }, { "icirc", 0xee }, { "iuml", 0xef },
	{ "ntilde", 0xf1 }, { "ograve", 0xf2 }, { "oacute", 0xf3 },
	{ "ocirc", 0xf4 }, { "otilde", 0xf5 }, { "ouml", 0xf6 },
	{ "oslash", 0xf8 }, { "ugrave", 0xf9 }, { "uacute", 0xfa },
	{ "ucirc", 0xfb }, { "uuml", 0xfc }, { "yacute", 0xfd },
	{ "yuml", 0xff }, { "IJlig", 0x132 }, { "ijlig", 0x133 },
};

struct out {
	struct buf *b;
	int quote;             /* open blockquotes */
	int pre;               /* open pre elements */
	bool line_start;       /* nothing written on the current line */
	bool space;            /* white space since the last character */
	int newlines;          /* line ends at the end of the output */
};

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_name_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == ':' || c == '_';
}

static bool
is_html_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->line_start) {
		int q = o->quote < QUOTE_MAX ? o->quote : QUOTE_MAX;

		for (int i = 0; i < q; i++)
			buf_putc(o->b, '>');
		if (q > 0 && n > 0)
			buf_putc(o->b, ' ');
		o->line_start = false;
	} else if (o->space) {
		buf_putc(o->b, ' ');
	}
	o->space = false;
	buf_add(o->b, s, n);
	o->newlines = 0;
}

static void
line_break(struct out *o)
{
	o->space = false;
	if (!o->line_start) {
		buf_putc(o->b, '\n');
		o->line_start = true;
		o->newlines = 1;
	}
}

/* A blank line, but none at the start of the text and never two. */
static void
para_break(struct out *o)
{
	line_break(o);
	if (o->newlines == 1) {
		buf_putc(o->b, '\n');
		o->newlines = 2;
	}
}

static void
white(struct out *o, uint32_t c)
{
	if (o->pre == 0) {
		o->space = true;
	} else if (c == '\n') {
		if (o->line_start)
			put(o, "", 0);
		buf_putc(o->b, '\n');
		o->line_start = true;
		o->newlines++;
	} else if (c != '\r') {
		put(o, " ", 1);
	}
}

static void
put_cp(struct out *o, uint32_t c)
{
	char u[4];
	size_t n;

	if (c == 0xa0 || (c < 0x80 && is_html_space((unsigned char)c))) {
		white(o, c);
		return;
	}
	if (c == 0xad)          /* a soft hyphen is not shown */
		return;
	if (c < 0x20 || (c >= 0x7f && c < 0xa0) ||
	    (c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
		c = REPLACEMENT;
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	put(o, u, n);
}

static bool
legacy(const char *name, size_t len)
{
	static const char *const names[] = {
		"amp", "lt", "gt", "quot", "nbsp",
	};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strlen(names[k]) == len && memcmp(names[k], name, len) == 0)
			return true;
	return false;
}

/* A character reference at s[0] == '&': its length, 0 when it is none. */
static size_t
reference(struct out *o, const char *s, size_t n)
{
	size_t i = 1, start, digits;
	uint32_t c = 0;
	bool hex = false, big = false, semicolon;

	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = true;
			i++;
		}
		for (start = i; i < n; i++) {
			unsigned char d = (unsigned char)s[i];
			uint32_t v;

			if (is_digit(d))
				v = d - '0';
			else if (hex && d >= 'a' && d <= 'f')
				v = d - 'a' + 10;
			else if (hex && d >= 'A' && d <= 'F')
				v = d - 'A' + 10;
			else
				break;
			if (c > 0x10ffff)
				big = true;
			else
				c = c * (hex ? 16 : 10) + v;
		}
		digits = i - start;
		if (digits == 0)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		put_cp(o, big || c == 0 ? REPLACEMENT : c);
		return i;
	}
	for (start = i; i < n && i - start <= ENTITY_NAME_MAX &&
	    (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]));
	    i++)
		;
	semicolon = i < n && s[i] == ';';
	/* Without ";" only the few that browsers take so ("&amp ", "&nbsp"). */
	if (i == start || (!semicolon && !legacy(s + start, i - start)))
		return 0;
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		if (strlen(entities[k].name) == i - start &&
		    memcmp(entities[k].name, s + start, i - start) == 0) {
			put_cp(o, entities[k].cp);
			return i + semicolon;
		}
	}
	return 0;
}

static enum tag_kind
tag_kind(const char *name, size_t len)
{
	for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
		if (strlen(tags[k].name) == len &&
		    strncasecmp(tags[k].name, name, len) == 0)
			return tags[k].kind;
	return TAG_OTHER;
}

static void
apply(struct out *o, enum tag_kind kind, bool closing)
{
	switch (kind) {
	case TAG_BR:
		if (o->line_start)
			put(o, "", 0);
		line_break(o);
		break;
	case TAG_LINE:
		line_break(o);
		break;
	case TAG_PARA:
		para_break(o);
		break;
	case TAG_CELL:
		o->space = true;
		break;
	case TAG_QUOTE:
		para_break(o);
		if (!closing)
			o->quote++;
		else if (o->quote > 0)
			o->quote--;
		break;
	case TAG_PRE:
		para_break(o);
		if (!closing)
			o->pre++;
		else if (o->pre > 0)
			o->pre--;
		break;
	case TAG_OTHER:
	case TAG_SKIP:
		break;
	}
}

/* Where the closing tag of name starts at or after from; n when none. */
static size_t
find_close(const char *s, size_t n, size_t from, const char *name, size_t len)
{
	for (size_t i = from; i + 2 + len <= n; i++) {
		const char *lt = memchr(s + i, '<', n - i);

		if (lt == NULL)
			break;
		i = (size_t)(lt - s);
		if (i + 2 + len <= n && s[i + 1] == '/' &&
		    strncasecmp(s + i + 2, name, len) == 0 &&
		    (i + 2 + len == n ||
		    !is_name_char((unsigned char)s[i + 2 + len])))
			return i;
	}
	return n;
}

/* The end (one past '>') of the markup at s[i] == '<', or n. */
static size_t
markup_end(const char *s, size_t n, size_t i)
{
	char quote = 0, last = 0;

	if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
		for (size_t k = i + 4; k + 3 <= n; k++)
			if (memcmp(s + k, "-->", 3) == 0)
				return k + 3;
		return n;
	}
	/* Quotes count only around attribute values: "it's" opens none. */
	for (size_t k = i + 1; k < n; k++) {
		char c = s[k];

		if (quote) {
			if (c == quote)
				quote = 0;
		} else if ((c == '"' || c == '\'') && last == '=') {
			quote = c;
		} else if (c == '>') {
			return k + 1;
		}
		if (!is_html_space((unsigned char)c))
			last = c;
	}
	return n;
}

/* Markup at s[i] == '<': act on it and return where the text goes on. */
static size_t
markup(struct out *o, const char *s, size_t n, size_t i)
{
	size_t k = i + 1, name, len, end;
	bool closing = false;
	enum tag_kind kind;

	if (k < n && s[k] == '/') {
		closing = true;
		k++;
	}
	if (k >= n || !is_alpha((unsigned char)s[k])) {
		if (!closing && k < n && (s[k] == '!' || s[k] == '?'))
			return markup_end(s, n, i);
		put(o, "<", 1);
		return i + 1;
	}
	for (name = k; k < n && is_name_char((unsigned char)s[k]); k++)
		;
	len = k - name;
	end = markup_end(s, n, i);
	kind = len <= TAG_NAME_MAX ? tag_kind(s + name, len) : TAG_OTHER;
	apply(o, kind, closing);
	if (kind == TAG_SKIP && !closing && s[end - 1] == '>' &&
	    !(end >= 2 && s[end - 2] == '/'))
		return find_close(s, n, end, s + name, len);
	return end;
}

void
html_text(const char *s, size_t n, struct buf *b)
{
	struct out o = { b, 0, 0, true, false, 0 };
	size_t i = 0;

	while (i < n && !buf_overflowed(b)) {
		unsigned char c = (unsigned char)s[i];
		size_t k, used;

		if (c == '<') {
			i = markup(&o, s, n, i);
		} else if (c == '&') {
			used = reference(&o, s + i, n - i < 64 ? n - i : 64);
			if (used == 0) {
				put(&o, "&", 1);
				used = 1;
			}
			i += used;
		} else if (is_html_space(c)) {
			white(&o, c);
			i++;
		} else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] == 0xa0) {
			white(&o, 0xa0);
			i += 2;
		} else if (c < 0x20 || c == 0x7f) {
			i++;
		} else {
			for (k = i + 1; k < n; k++) {
				c = (unsigned char)s[k];
				if (c == '<' || c == '&' || c < 0x20 ||
				    c == 0x7f || c == ' ' || c == 0xc2)
					break;
			}
			put(&o, s + i, k - i);
			i = k;
		}
	}
	line_break(&o);
	if (o.newlines == 2)
		buf_truncate(b, b->len - 1);
}
