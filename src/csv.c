/*
 * csv - RFC 4180 reader and writer.  The reader is a small state machine
 * over a buffered stream; fields are kept in one reused buffer and
 * addressed by offsets, so a record costs no allocation once the buffers
 * have grown to the largest record seen.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "utf8.h"
#include "xmem.h"

struct csv_reader {
	FILE *in;
	struct buf rec;                    /* field bytes, NUL-separated */
	size_t off[CSV_MAX_FIELDS];
	char *fields[CSV_MAX_FIELDS];
	size_t nfields;
	long line;                         /* current physical line */
	long start;                        /* line where the last record began */
	bool first;
	bool eof;
};

struct csv_reader *
csv_reader_new(FILE *in)
{
	struct csv_reader *r = xcalloc(1, sizeof(*r));

	r->in = in;
	buf_init(&r->rec, CSV_MAX_RECORD + CSV_MAX_FIELDS);
	r->line = 1;
	r->first = true;
	return r;
}

void
csv_reader_free(struct csv_reader **rp)
{
	if (*rp == NULL)
		return;
	buf_free(&(*rp)->rec);
	free(*rp);
	*rp = NULL;
}

long
csv_line(const struct csv_reader *r)
{
	return r->start;
}

/* Skip to the end of the physical line (after a bad record). */
static void
skip_line(struct csv_reader *r, int c)
{
	while (c != EOF && c != '\n')
		c = getc_unlocked(r->in);
	if (c == '\n')
		r->line++;
	else
		r->eof = true;
}

/* After a CR: a following LF belongs to the same line end. */
static void
eat_lf(struct csv_reader *r)
{
	int d = getc_unlocked(r->in);

	if (d != '\n' && d != EOF)
		ungetc(d, r->in);
}

static int
end_field(struct csv_reader *r, const char **why)
{
	if (r->nfields == CSV_MAX_FIELDS) {
		*why = "too many fields";
		return -1;
	}
	buf_putc(&r->rec, '\0');
	r->nfields++;
	if (r->nfields < CSV_MAX_FIELDS)
		r->off[r->nfields] = r->rec.len;
	return 0;
}

/*
 * Whole: one state machine over the bytes of a record; its states share
 * the loop.
 */
int
csv_read(struct csv_reader *r, char ***fields, size_t *nfields, const char **why)
{
	enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } s = FIELD_START;
	int c;

	if (r->eof)
		return 0;
	buf_reset(&r->rec);
	r->nfields = 0;
	r->off[0] = 0;
	r->start = r->line;

	if (r->first) {
		r->first = false;
		c = getc_unlocked(r->in);
		if (c == 0xef) {
			if (getc_unlocked(r->in) != 0xbb || getc_unlocked(r->in) != 0xbf) {
				*why = "invalid byte order mark";
				skip_line(r, 0);
				return -1;
			}
		} else if (c != EOF) {
			ungetc(c, r->in);
		}
	}
	c = getc_unlocked(r->in);
	if (c == EOF) {
		r->eof = true;
		return 0;
	}
	for (;; c = getc_unlocked(r->in)) {
		if (c == '\0') {
			*why = "NUL byte in the data";
			skip_line(r, c);
			return -1;
		}
		if (buf_overflowed(&r->rec)) {
			*why = "record too long";
			skip_line(r, c);
			return -1;
		}
		switch (s) {
		case FIELD_START:
		case UNQUOTED:
			if (c == '"') {
				if (s == UNQUOTED) {
					*why = "quote inside an unquoted field";
					skip_line(r, c);
					return -1;
				}
				s = QUOTED;
			} else if (c == ',') {
				if (end_field(r, why) != 0) {
					skip_line(r, c);
					return -1;
				}
				s = FIELD_START;
			} else if (c == '\n' || c == EOF || c == '\r') {
				if (c == '\r')
					eat_lf(r);
				goto record_end;
			} else {
				buf_putc(&r->rec, (char)c);
				s = UNQUOTED;
			}
			break;
		case QUOTED:
			if (c == EOF) {
				*why = "quoted field not closed before end of file";
				r->eof = true;
				return -1;
			}
			if (c == '"')
				s = QUOTE_IN_QUOTED;
			else {
				if (c == '\n')
					r->line++;
				buf_putc(&r->rec, (char)c);
			}
			break;
		case QUOTE_IN_QUOTED:
			if (c == '"') {
				buf_putc(&r->rec, '"');
				s = QUOTED;
			} else if (c == ',') {
				if (end_field(r, why) != 0) {
					skip_line(r, c);
					return -1;
				}
				s = FIELD_START;
			} else if (c == '\n' || c == '\r' || c == EOF) {
				if (c == '\r')
					eat_lf(r);
				goto record_end;
			} else {
				*why = "text after a closing quote";
				skip_line(r, c);
				return -1;
			}
			break;
		}
	}
record_end:
	if (c == EOF)
		r->eof = true;
	else
		r->line++;
	if (end_field(r, why) != 0)
		return -1;
	if (buf_overflowed(&r->rec)) {
		*why = "record too long";
		return -1;
	}
	if (!utf8_valid(r->rec.data, r->rec.len)) {
		*why = "invalid UTF-8";
		return -1;
	}
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i] = r->rec.data + r->off[i];
	*fields = r->fields;
	*nfields = r->nfields;
	return 1;
}

static void
write_field(FILE *out, const char *f, bool safe)
{
	bool quote = strpbrk(f, ",\"\r\n") != NULL;
	bool formula = safe && f[0] != '\0' && strchr("=+-@\t\r", f[0]) != NULL;

	if (formula)
		quote = true;
	if (!quote) {
		fputs(f, out);
		return;
	}
	putc('"', out);
	if (formula)
		putc('\'', out);
	for (; *f; f++) {
		if (*f == '"')
			putc('"', out);
		putc(*f, out);
	}
	putc('"', out);
}

static void
write_record(FILE *out, const char *const *fields, size_t n, bool safe)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putc(',', out);
		write_field(out, fields[i] ? fields[i] : "", safe);
	}
	fputs("\r\n", out);
}

void
csv_write(FILE *out, const char *const *fields, size_t n)
{
	write_record(out, fields, n, false);
}

void
csv_write_safe(FILE *out, const char *const *fields, size_t n)
{
	write_record(out, fields, n, true);
}
