/*
 * intent_text - the words and clauses of a letter (see intent_int.h).
 *
 * Words are lower-cased, Latin-1 letters lose their accents, and a
 * clause ends where a sentence or a short line does, so that a request
 * on a line of its own is read apart from the letter around it.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intent_int.h"
#include "xmem.h"

#define SHORT_LINE 60          /* bytes: a line this short ends a clause */

/* One UTF-8 code point at s (n bytes left): its value and length. */
static uint32_t
cp_at(const unsigned char *s, size_t n, size_t *len)
{
	if (s[0] < 0x80 || n < 2) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*len = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0 && n >= 3) {
		*len = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) |
		    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*len = 1;
	return 0xfffd;
}

/* Code points that separate words though they are not ASCII. */
static bool
cp_separates(uint32_t c)
{
	return c == 0xa0 || c == 0xab || c == 0xbb || (c >= 0x2000 &&
	    c <= 0x206f && c != 0x2019) || c == 0xfffd || c == 0x3000;
}

static bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

static bool
inner_byte(unsigned char c)
{
	return c == '-' || c == '\'' || c == '@' || c == '.' || c == '_' ||
	    c == '+' || c == '/';
}

static void
clause_open(struct text *x, const char *at, bool subject)
{
	struct clause *c;

	if (x->nc > 0 && x->c[x->nc - 1].n == 0) {
		x->c[x->nc - 1].start = at;
		x->c[x->nc - 1].subject = subject;
		return;
	}
	if (x->nc == x->cap_c) {
		x->cap_c = x->cap_c ? 2 * x->cap_c : 32;
		x->c = xrealloc(x->c, x->cap_c * sizeof(*x->c));
	}
	c = &x->c[x->nc++];
	memset(c, 0, sizeof(*c));
	c->first = x->nt;
	c->start = c->end = at;
	c->subject = subject;
}

bool
text_in(const char *w, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, set[i]) == 0)
			return true;
	return false;
}

/* The last thing before s, since the clause began, is a comma. */
static bool
after_comma(const char *start, const char *s)
{
	while (s > start && (s[-1] == ' ' || s[-1] == '\t' || s[-1] == '\n'))
		s--;
	return s > start && (s[-1] == ',' || s[-1] == ';');
}

/* U+00C0 to U+00FF without case or accent; '.' for what is no letter. */
static const char fold[64] =
    "aaaaaaaceeeeiiiidnooooo.ouuuuyts"
    "aaaaaaaceeeeiiiidnooooo.ouuuuyty";

/* Add the word s (n bytes) to the current clause; "maar" opens a new one. */
static void
add_word(struct text *x, const char *s, size_t n, bool subject)
{
	struct tok *t;
	size_t o = 0;

	if (x->nt == TOKENS_MAX)
		return;
	t = &x->t[x->nt];
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n && o < STEM_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		/* A’ (U+2019) is an apostrophe inside a word. */
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] == 0x99) {
			t->w[o++] = '\'';
			i += 2;
			continue;
		}
		/*
		 * Latin-1 letters (U+00C0 to U+00FF) lose case and accent:
		 * people write "álle", "beëindigen" and "beeindigen" alike.
		 */
		if (c == 0xc3 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0xbf &&
		    fold[(unsigned char)s[i + 1] - 0x80] != '.') {
			if (o == 0 && (unsigned char)s[i + 1] < 0xa0)
				t->cap = true;
			t->w[o++] = fold[(unsigned char)s[i + 1] - 0x80];
			i++;
			continue;
		}
		if (c >= 'A' && c <= 'Z') {
			if (o == 0)
				t->cap = true;
			c = (unsigned char)(c - 'A' + 'a');
		}
		t->w[o++] = (char)c;
	}
	t->w[o] = '\0';
	t->n = o;
	t->cue = -1;
	t->email = memchr(t->w, '@', o) != NULL;
	/* ", maar" turns a sentence round; "meld mij maar aan" does not. */
	if ((strcmp(t->w, "maar") == 0 || strcmp(t->w, "but") == 0) &&
	    after_comma(x->c[x->nc - 1].start, s)) {
		clause_open(x, s + n, subject);
		return;
	}
	x->nt++;
	x->c[x->nc - 1].n++;
	x->c[x->nc - 1].end = s + n;
}

static const char *const abbreviations[] = {
	"bijv", "evt", "ca", "nr", "mr", "drs", "dhr", "mevr", "mw", "etc",
	"ivm", "ing", "ir", "dr", "prof", "resp", "tel", "vs", "jr", "st",
	"aub", "svp", "mbt", "tav", "ihkv", "zsm", "dwz", "oa", "eg", "ie",
};

/* The clause's last word so far is an abbreviation its full stop ends. */
static bool
abbreviation(const struct text *x)
{
	const struct clause *c = &x->c[x->nc - 1];
	const struct tok *t;

	if (c->n == 0)
		return false;
	t = &x->t[c->first + c->n - 1];
	return (t->n <= 8 && memchr(t->w, '.', t->n) != NULL && !t->email) ||
	    text_in(t->w, abbreviations, sizeof(abbreviations) /
	    sizeof(abbreviations[0]));
}

/* Cut s into words and clauses (see the top of this file). */
void
text_tokenize(struct text *x, const char *s, bool subject)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	const char *line = s;

	clause_open(x, s, subject);
	while (*p != '\0') {
		size_t len;
		uint32_t c = cp_at(p, (size_t)(end - p), &len);

		if (word_byte(*p) && !cp_separates(c)) {
			const unsigned char *b = p;
			size_t n;

			while (*p != '\0') {
				uint32_t d = cp_at(p, (size_t)(end - p), &len);

				if (word_byte(*p) && !cp_separates(d) && d != 0x2019) {
					p += len;
				} else if ((inner_byte(*p) || d == 0x2019) &&
				    word_byte(p[len])) {
					p += len;
				} else {
					break;
				}
			}
			n = (size_t)(p - b);
			if (n == 0) {
				/* A lone apostrophe (U+2019) is no word. */
				p += len;
				continue;
			}
			add_word(x, (const char *)b, n, subject);
			continue;
		}
		if (*p == '.' && abbreviation(x)) {
			/* "a.u.b.", "bijv.", "mr.": no end of a sentence. */
		} else if (*p == '.' || *p == '!' || *p == '?' || *p == ';') {
			if (*p == '?')
				x->c[x->nc - 1].question = true;
			clause_open(x, (const char *)p + 1, subject);
		} else if (*p == '\n') {
			const char *next = (const char *)p + 1;

			const char *q = next;

			while (*q == ' ' || *q == '\t')
				q++;
			/* A short line ends a clause unless the next goes on with it. */
			if (((const char *)p - line < SHORT_LINE &&
			    !(*q >= 'a' && *q <= 'z')) || *q == '\n' ||
			    *q == '-' || *q == '*')
				clause_open(x, next, subject);
			line = next;
		}
		p += len;
	}
}

/* The words of s, lower case, split at what is not a letter or digit. */
void
text_split_words(const char *s, struct lwords *out)
{
	out->n = 0;
	while (*s != '\0' && out->n < 8) {
		size_t o = 0;

		while (*s != '\0' && !word_byte((unsigned char)*s))
			s++;
		while (*s != '\0' && word_byte((unsigned char)*s)) {
			char c = *s++;

			if (o < STEM_MAX)
				out->w[out->n][o++] = c >= 'A' && c <= 'Z' ?
				    (char)(c - 'A' + 'a') : c;
		}
		if (o > 0)
			out->w[out->n++][o] = '\0';
	}
}

/* Damerau-Levenshtein distance of a and b, or max + 1 when over max. */
size_t
text_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), d[STEM_MAX + 2][STEM_MAX + 2];

	if (la > STEM_MAX || lb > STEM_MAX || (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

bool
text_has(const struct text *x, const struct clause *c, const char *const *set,
    size_t n)
{
	for (size_t i = c->first; i < c->first + c->n; i++)
		if (text_in(x->t[i].w, set, n))
			return true;
	return false;
}
