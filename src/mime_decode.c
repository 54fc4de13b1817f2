/*
 * mime_decode - header and body decoding for mime.c (see mime_decode.h).
 *
 * libetpan does the decoding: mailmime_encoded_phrase_parse for RFC 2047,
 * mailmime_part_parse for base64 and quoted-printable, charconv_buffer
 * for charsets.  What is ours is the cleaning after it, the limits
 * before it (its converters allocate six bytes out per byte in), and
 * the recovery where it gives up part of the way (the phrase parser
 * stops at a "=?" that opens no word).
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "mime.h"
#include "mime_decode.h"
#include "utf8.h"
#include "xmem.h"

#define REPLACEMENT "\xef\xbf\xbd"
#define CHARSET_NAME_MAX 40
/* Encoded bytes read for MIME_DECODE_MAX decoded: base64 with its line ends. */
#define ENCODED_MAX (2 * MIME_DECODE_MAX)
/* Raw header bytes read: an RFC 2047 word is at most about twice its text. */
#define RAW_VALUE_MAX (2 * MIME_MAX_VALUE)

enum charset_kind {
	CS_UTF8,
	CS_ASCII,              /* us-ascii: often UTF-8 or latin1 in fact */
	CS_LATIN,              /* ISO-8859-1 and windows-1252 */
	CS_UNKNOWN,            /* no usable name */
	CS_OTHER,              /* for charconv */
};

/* Cut n so that s[0..n) does not end inside a UTF-8 character. */
static size_t
char_boundary(const char *s, size_t n)
{
	size_t k = n;

	while (k > 0 && n - k < 3 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return ((unsigned char)s[k] & 0xc0) == 0x80 ? n : k;
}

/* Append s[0..n) with every ill-formed sequence made U+FFFD. */
static void
add_utf8(struct buf *out, const char *s, size_t n, int *flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len;

	while (i < n) {
		if ((len = utf8_len(p + i, n - i)) != 0) {
			i += len;
			continue;
		}
		buf_add(out, s + run, i - run);
		buf_puts(out, REPLACEMENT);
		*flags |= MIME_BAD_CHARSET;
		run = ++i;
	}
	buf_add(out, s + run, n - run);
}

static enum charset_kind
charset_kind(const char *cs)
{
	static const char *const latin[] = {
		"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
		"windows-1252", "cp1252", "x-cp1252",
	};
	static const char *const ascii[] = {
		"us-ascii", "ascii", "ansi_x3.4-1968", "us",
	};
	size_t n;

	if (cs == NULL)
		return CS_ASCII;
	n = strlen(cs);
	/* The name goes to iconv_open: letters, digits and - _ . : only. */
	if (n == 0 || n > CHARSET_NAME_MAX)
		return CS_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)cs[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == ':'))
			return CS_UNKNOWN;
	}
	if (strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0)
		return CS_UTF8;
	for (size_t i = 0; i < sizeof(ascii) / sizeof(ascii[0]); i++)
		if (strcasecmp(cs, ascii[i]) == 0)
			return CS_ASCII;
	for (size_t i = 0; i < sizeof(latin) / sizeof(latin[0]); i++)
		if (strcasecmp(cs, latin[i]) == 0)
			return CS_LATIN;
	if (strcasecmp(cs, "unknown-8bit") == 0 ||
	    strcasecmp(cs, "x-unknown") == 0)
		return CS_UNKNOWN;
	return CS_OTHER;
}

/* charconv_buffer into out; -1 when iconv does not know cs. */
static int
convert(const char *cs, const char *s, size_t n, struct buf *out, int *flags)
{
	char *res = NULL;
	size_t reslen = 0;
	int r;

	if (n == 0)
		return 0;
	r = charconv_buffer("utf-8", cs, s, n, &res, &reslen);
	if (r == MAIL_CHARCONV_ERROR_MEMORY) {
		*flags |= MIME_NOMEM;
		return 0;
	}
	if (r != MAIL_CHARCONV_NO_ERROR)
		return -1;
	add_utf8(out, res, reslen, flags);
	charconv_buffer_free(res);
	return 0;
}

/* Bytes in charset cs (NULL: us-ascii) to UTF-8. */
static void
to_utf8(const char *cs, const char *s, size_t n, struct buf *out, int *flags)
{
	switch (charset_kind(cs)) {
	case CS_UTF8:
		add_utf8(out, s, n, flags);
		return;
	case CS_LATIN:
		if (convert("windows-1252", s, n, out, flags) == 0)
			return;
		break;
	case CS_OTHER:
		if (convert(cs, s, n, out, flags) == 0)
			return;
		*flags |= MIME_BAD_CHARSET;
		break;
	case CS_UNKNOWN:
		*flags |= MIME_BAD_CHARSET;
		break;
	case CS_ASCII:
		break;
	}
	if (utf8_valid(s, n)) {
		buf_add(out, s, n);
		return;
	}
	*flags |= MIME_BAD_CHARSET;
	if (convert("windows-1252", s, n, out, flags) != 0)
		add_utf8(out, s, n, flags);
}

/*
 * Clean s[0..n) into a new string: bad UTF-8 U+FFFD, CR and LF dropped
 * (unfolding), other controls spaces, outer spaces trimmed, at most max
 * bytes.
 */
static char *
clean(const char *s, size_t n, size_t max, int *flags)
{
	struct buf b = BUF_INIT, tmp = BUF_INIT;
	size_t start, end;

	add_utf8(&tmp, s, n, flags);
	for (size_t i = 0; i < tmp.len; i++) {
		unsigned char c = (unsigned char)tmp.data[i];

		if (c == '\r' || c == '\n')
			continue;
		buf_putc(&b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	buf_free(&tmp);
	for (start = 0; start < b.len && b.data[start] == ' '; start++)
		;
	for (end = b.len; end > start && b.data[end - 1] == ' '; end--)
		;
	if (end - start > max) {
		end = start + char_boundary(b.data + start, max);
		*flags |= MIME_TRUNCATED;
	}
	if (b.data != NULL) {
		memmove(b.data, b.data + start, end - start);
		buf_truncate(&b, end - start);
	}
	return buf_steal(&b);
}

char *
mime_decode_clean(const char *s, int *flags)
{
	return clean(s, strlen(s), MIME_MAX_VALUE, flags);
}

/*
 * Where the phrase parser gave up at raw[i]: keep what it could not
 * read (a "=?" that opens no word, a bare CR) as it is, and one space
 * for white space after it, which the parser drops at a word's start.
 */
static size_t
skip_unreadable(const char *raw, size_t n, size_t i, struct buf *out)
{
	bool ew = n - i >= 2 && raw[i] == '=' && raw[i + 1] == '?';
	size_t k = i + (ew ? 2 : 1);

	buf_add(out, raw + i, k - i);
	if (k < n && (raw[k] == ' ' || raw[k] == '\t'))
		buf_putc(out, ' ');
	return k;
}

static void
decode_words(const char *raw, size_t n, const char *charset, struct buf *out,
    int *flags)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		char *s = NULL;
		int r = mailmime_encoded_phrase_parse(charset, raw, n, &j,
		    "utf-8", &s);

		if (r == MAILIMF_ERROR_MEMORY) {
			*flags |= MIME_NOMEM;
			return;
		}
		if (r == MAILIMF_NO_ERROR) {
			buf_puts(out, s);
			free(s);
		}
		if (r != MAILIMF_NO_ERROR || j <= i)
			j = skip_unreadable(raw, n, j > i ? j : i, out);
		i = j;
	}
}

char *
mime_decode_header(const char *raw, int *flags)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(raw);
	bool utf8;
	char *s;

	if (n > RAW_VALUE_MAX) {
		n = char_boundary(raw, RAW_VALUE_MAX);
		*flags |= MIME_TRUNCATED;
	}
	utf8 = utf8_valid(raw, n);
	if (!utf8)
		*flags |= MIME_BAD_CHARSET;
	if (memmem(raw, n, "=?", 2) != NULL)
		decode_words(raw, n, utf8 ? "utf-8" : "windows-1252", &b,
		    flags);
	else if (utf8 || convert("windows-1252", raw, n, &b, flags) != 0)
		buf_add(&b, raw, n);
	s = clean(buf_str(&b), b.len, MIME_MAX_VALUE, flags);
	buf_free(&b);
	return s;
}

void
mime_decode_body(const char *data, size_t len, int encoding,
    const char *charset, struct buf *out, int *flags)
{
	size_t at = 0, declen = 0;
	char *dec = NULL;
	int r;

	if (len > ENCODED_MAX) {
		const char *nl = memrchr(data, '\n', ENCODED_MAX);

		len = nl != NULL ? (size_t)(nl - data) + 1 : ENCODED_MAX;
		*flags |= MIME_TRUNCATED;
		/* Partial: a quantum or escape cut at the end is left out. */
		r = mailmime_part_parse_partial(data, len, &at, encoding, &dec,
		    &declen);
	} else {
		r = mailmime_part_parse(data, len, &at, encoding, &dec,
		    &declen);
	}
	if (r == MAILIMF_ERROR_MEMORY) {
		*flags |= MIME_NOMEM;
		return;
	}
	if (r != MAILIMF_NO_ERROR) {
		*flags |= MIME_MALFORMED;
		return;
	}
	if (declen > MIME_DECODE_MAX) {
		declen = MIME_DECODE_MAX;
		*flags |= MIME_TRUNCATED;
	}
	to_utf8(charset, dec, declen, out, flags);
	mmap_string_unref(dec);
}

/* Append one character of s (at most 4 bytes) unless the text is full. */
static bool
text_add(struct buf *b, const char *s, size_t n, int *flags)
{
	if (b->len + n > MIME_MAX_TEXT) {
		*flags |= MIME_TRUNCATED;
		return false;
	}
	buf_add(b, s, n);
	return true;
}

char *
mime_decode_text(const char *s, size_t len, int *flags)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t i = 0, line = 0, n;

	while (i < len) {
		unsigned char c = p[i];
		const char *ch = s + i;
		size_t used;

		if (c == '\r' || c == '\n') {
			i += (c == '\r' && i + 1 < len && p[i + 1] == '\n') + 1;
			if (!text_add(&b, "\n", 1, flags))
				break;
			line = 0;
			continue;
		}
		if (c == '\0') {
			i++;
			continue;
		}
		if ((n = utf8_len(p + i, len - i)) == 0) {
			ch = REPLACEMENT;
			n = 3;
			used = 1;
			*flags |= MIME_BAD_CHARSET;
		} else {
			used = n;
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				ch = " ";
		}
		if (line + n > MIME_MAX_LINE) {
			/* The rest of an endless line is dropped. */
			*flags |= MIME_TRUNCATED;
			while (i < len && p[i] != '\n' && p[i] != '\r')
				i++;
			continue;
		}
		if (!text_add(&b, ch, n, flags))
			break;
		line += n;
		i += used;
	}
	return buf_steal(&b);
}
