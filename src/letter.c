/*
 * letter - the writer's own words (see letter.h).
 *
 * Mail programs mark the end of what a person wrote in a few fixed
 * ways, in the language of the program rather than of the writer, so
 * the markers of Dutch and English mail programs (Outlook, Gmail,
 * Apple Mail, the phones) are all tried.  Disclaimers are recognised
 * by how they begin; everything after one is the organisation's, not
 * the writer's.
 */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "letter.h"

/* Lines that end what a person wrote: what follows is not theirs. */
static const char *const footers[] = {
	"verzonden vanaf mijn", "verstuurd vanaf mijn", "sent from my",
	"get outlook for", "download outlook voor", "outlook voor android",
	"outlook voor ios", "outlook for android", "outlook for ios",
	"-----original message",
	"-----oorspronkelijk bericht", "________________",
};

/* Banners above a forwarded mail. */
static const char *const forwards[] = {
	"---------- forwarded message", "---------- doorgestuurd bericht",
	"begin forwarded message", "begin doorgestuurd bericht",
	"-------- forwarded message", "-------- doorgestuurd bericht",
	"-------- original message", "-------- oorspronkelijk bericht",
};

/* How disclaimers begin, in Dutch and English. */
static const char *const disclaimers[] = {
	"dit e-mailbericht", "dit e-mail bericht", "dit bericht is uitsluitend",
	"dit bericht is alleen", "deze e-mail is uitsluitend",
	"deze e-mail is alleen", "de informatie verzonden met dit",
	"de informatie in dit", "de inhoud van dit bericht",
	"aan dit bericht kunnen geen rechten", "aan deze e-mail kunnen geen",
	"deze e-mail kan", "deze email kan", "dit e-mailbericht kan",
	"dit bericht kan", "de inhoud van deze e-mail", "this e-mail may",
	"this email may", "this e-mail contains", "this email contains",
	"this message contains", "the content of this",
	"disclaimer", "this e-mail and any", "this email and any",
	"this message is intended", "this e-mail is intended",
	"this email is intended", "this message may contain",
	"the information contained in this", "the information in this e-mail",
	"the information in this email", "confidentiality notice",
	"privileged/confidential", "denk aan het milieu",
	"please consider the environment",
};

/* The header lines of a quoted mail, after its Van:/From: line. */
static const char *const quoted_heads[] = {
	"verzonden:", "sent:", "date:", "datum:", "aan:", "to:",
	"onderwerp:", "subject:",
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool
starts_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(s, prefix, n) == 0;
}

static bool
starts_any(const char *s, size_t len, const char *const *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (starts_ci(s, len, v[k]))
			return true;
	return false;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* s (len bytes) with leading blanks and a trailing CR skipped. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*s)[*len - 1]))
		(*len)--;
}

bool
letter_ends_writing(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 3 && memcmp(s, "-- ", 3) == 0)
		return true;
	if (len == 2 && memcmp(s, "--", 2) == 0)
		return true;
	while (i < len && is_space(s[i]))
		i++;
	if (i < len && s[i] == '>')
		return true;
	if (starts_any(s + i, len - i, footers, N(footers)))
		return true;
	/* "Op 3 mei 2026 schreef X:" and "On May 3, 2026, X wrote:" */
	if (len > 0 && s[len - 1] == ':' && (starts_ci(s + i, len - i,
	    "op ") || starts_ci(s + i, len - i, "on ")))
		return true;
	return false;
}

/* The next line of *p: its start and length (no LF); false at the end. */
static bool
next_line(const char **p, const char **line, size_t *len)
{
	const char *nl;

	if (**p == '\0')
		return false;
	nl = strchr(*p, '\n');
	*line = *p;
	*len = nl != NULL ? (size_t)(nl - *p) : strlen(*p);
	*p = nl != NULL ? nl + 1 : *p + *len;
	return true;
}

/* The line at p begins a quoted mail's header block (Outlook). */
static bool
quoted_head(const char *s, size_t len, const char *rest)
{
	const char *line;
	size_t n;

	if (!starts_ci(s, len, "van:") && !starts_ci(s, len, "from:"))
		return false;
	for (int k = 0; k < 3 && next_line(&rest, &line, &n); k++) {
		trim(&line, &n);
		if (starts_any(line, n, quoted_heads, N(quoted_heads)))
			return true;
	}
	return false;
}

static bool
says_wrote(const char *s, size_t len)
{
	return memmem(s, len, "schreef", 7) != NULL ||
	    memmem(s, len, "wrote", 5) != NULL ||
	    memmem(s, len, "geschreven", 10) != NULL;
}

/*
 * An attribution that a mail program wrapped: "Op wo 2 dec 2026 om
 * 09:14 schreef Naam <" and "adres>:" on the next line.
 */
static bool
wrapped_attribution(const char *s, size_t len, const char *rest)
{
	const char *line;
	size_t n;

	bool said;

	if (!starts_ci(s, len, "op ") && !starts_ci(s, len, "on "))
		return false;
	said = says_wrote(s, len);
	if (!next_line(&rest, &line, &n))
		return said;
	trim(&line, &n);
	/* "… <adres>:" below, or "wrote:" alone on the next line. */
	return n > 0 && line[n - 1] == ':' && (said || says_wrote(line, n));
}

/* "Op … schreef …:", "On … wrote:": a line that introduces a quote. */
static bool
attribution(const char *s, size_t len)
{
	return len > 0 && s[len - 1] == ':' && (starts_ci(s, len, "op ") ||
	    starts_ci(s, len, "on "));
}

/* The next line that is not blank is quoted. */
static bool
quote_follows(const char *rest)
{
	const char *line;
	size_t n;

	while (next_line(&rest, &line, &n)) {
		trim(&line, &n);
		if (n > 0)
			return line[0] == '>';
	}
	return false;
}

void
letter_own_text(const char *text, struct buf *out)
{
	const char *p = text != NULL ? text : "", *line, *t;
	size_t len, n, start = out->len;

	while (next_line(&p, &line, &len)) {
		if (len > 0 && line[len - 1] == '\r')
			len--;
		t = line;
		n = len;
		trim(&t, &n);
		/*
		 * Quoted lines, and the attribution above them, are left
		 * out but not the end: some write below the quote.
		 */
		if (n > 0 && t[0] == '>')
			continue;
		if (attribution(t, n) && quote_follows(p))
			continue;
		if (letter_ends_writing(line, len) ||
		    starts_any(t, n, forwards, N(forwards)) ||
		    starts_any(t, n, disclaimers, N(disclaimers)) ||
		    quoted_head(t, n, p) || wrapped_attribution(t, n, p))
			break;
		if (out->len - start + len + 1 > LETTER_MAX)
			break;
		buf_add(out, line, len);
		buf_putc(out, '\n');
	}
}
