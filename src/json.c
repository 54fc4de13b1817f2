/*
 * json - streaming JSON writer.  Output always parses: strings are
 * escaped and invalid UTF-8 is replaced, so a hostile name in the store
 * cannot break an export.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "log.h"

#include <sysexits.h>

void
json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
}

static void
quoted(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_putc(b, '"');
	while (*p) {
		size_t len = 0;

		if (*p == '"' || *p == '\\') {
			buf_printf(b, "\\%c", *p++);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			static const char esc[] = "btnvfr";

			if (*p >= 8 && *p <= 13 && *p != 11)
				buf_printf(b, "\\%c", esc[*p - 8]);
			else
				buf_printf(b, "\\u%04x", *p);
			p++;
			continue;
		}
		if (*p < 0x80) {
			buf_putc(b, (char)*p++);
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			len = 2;
		else if (*p >= 0xe0 && *p <= 0xef)
			len = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			len = 4;
		for (size_t k = 1; k < len; k++)
			if ((p[k] & 0xc0) != 0x80)
				len = 0;
		if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f)))
			len = 0;
		if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f)))
			len = 0;
		if (len == 0) {
			buf_puts(b, "\xef\xbf\xbd");      /* U+FFFD */
			p++;
			continue;
		}
		buf_add(b, p, len);
		p += len;
	}
	buf_putc(b, '"');
}

static void
member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		buf_putc(j->out, ',');
	j->first[j->depth] = false;
	if (j->depth > 0) {
		buf_putc(j->out, '\n');
		for (int i = 0; i < j->depth; i++)
			buf_puts(j->out, "  ");
	}
	if (key != NULL) {
		quoted(j->out, key);
		buf_puts(j->out, ": ");
	}
}

static void
open_(struct json *j, const char *key, char c)
{
	member(j, key);
	buf_putc(j->out, c);
	if (j->depth == JSON_MAX_DEPTH)
		log_fatal(EX_SOFTWARE, "json: nesting deeper than %d", JSON_MAX_DEPTH);
	j->first[++j->depth] = true;
}

static void
close_(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty) {
		buf_putc(j->out, '\n');
		for (int i = 0; i < j->depth; i++)
			buf_puts(j->out, "  ");
	}
	buf_putc(j->out, c);
	if (j->depth == 0)
		buf_putc(j->out, '\n');
}

void json_object_open(struct json *j, const char *key) { open_(j, key, '{'); }
void json_object_close(struct json *j) { close_(j, '}'); }
void json_array_open(struct json *j, const char *key) { open_(j, key, '['); }
void json_array_close(struct json *j) { close_(j, ']'); }

void
json_string(struct json *j, const char *key, const char *value)
{
	member(j, key);
	if (value == NULL)
		buf_puts(j->out, "null");
	else
		quoted(j->out, value);
}

void
json_int(struct json *j, const char *key, int64_t value)
{
	member(j, key);
	buf_printf(j->out, "%" PRId64, value);
}

void
json_double(struct json *j, const char *key, double value)
{
	member(j, key);
	if (isfinite(value))
		buf_printf(j->out, "%.17g", value);
	else
		buf_puts(j->out, "null");
}

void
json_bool(struct json *j, const char *key, bool value)
{
	member(j, key);
	buf_puts(j->out, value ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
	member(j, key);
	buf_puts(j->out, "null");
}

void
json_time(struct json *j, const char *key, int64_t unix_secs)
{
	char tbuf[32];
	time_t t = (time_t)unix_secs;
	struct tm tm;

	if (unix_secs == 0 || gmtime_r(&t, &tm) == NULL) {
		json_null(j, key);
		return;
	}
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_string(j, key, tbuf);
}
