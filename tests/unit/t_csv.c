/* Unit tests for csv: RFC 4180 reading with line numbers, and writing. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"

/*
 * Each case is an input and the records expected, written as
 * "line:field|field" (or "line:!why" for a bad record), joined by ';'.
 */
static const struct {
	const char *in, *want;
} cases[] = {
	{ "email,name\r\na@b.nl,Anna\r\n", "1:email|name;2:a@b.nl|Anna" },
	{ "email,name\na@b.nl,Anna", "1:email|name;2:a@b.nl|Anna" },
	{ "\xef\xbb\xbf" "email\nx@y.nl\n", "1:email;2:x@y.nl" },
	{ "a,\"Smit, Jan\"\n", "1:a|Smit, Jan" },
	{ "a,\"say \"\"hi\"\"\"\n", "1:a|say \"hi\"" },
	{ "a,\"two\nlines\"\nb,c\n", "1:a|two\nlines;3:b|c" },
	{ "a,b\n\nc,d\n", "1:a|b;2:;3:c|d" },
	{ "a,,c\n", "1:a||c" },
	{ ",\n", "1:|" },
	{ "a,b\"c\nd,e\n", "1:!quote inside;2:d|e" },
	{ "\"ab\"c,d\ne,f\n", "1:!text after;2:e|f" },
	{ "x,y\n\"never closed\n", "1:x|y;2:!quoted field not closed" },
	{ "a\xff,b\nc,d\n", "1:!invalid UTF-8;2:c|d" },
	{ "\"caf\xc3\xa9\",\xe2\x80\x99\n", "1:caf\xc3\xa9|\xe2\x80\x99" },
	{ "a\rb\n", "1:a;2:b" },
};

static void
run_case(const char *in, const char *want)
{
	FILE *f = fmemopen((void *)in, strlen(in), "r");
	struct csv_reader *r = csv_reader_new(f);
	char got[2048] = "", **fields;
	const char *why;
	size_t n, len = 0;
	int rc;

	while ((rc = csv_read(r, &fields, &n, &why)) != 0) {
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%ld:",
		    len ? ";" : "", csv_line(r));
		if (rc < 0) {
			/* Keep only the start of the reason, as in the table. */
			len += (size_t)snprintf(got + len, sizeof(got) - len, "!%s", why);
			continue;
		}
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
			    i ? "|" : "", fields[i]);
	}
	/* Compare, allowing "!prefix" of a reason. */
	{
		const char *g = got, *w = want;
		int ok = 1;

		while (*w && ok) {
			if (*w == '!') {
				const char *wend = strpbrk(w, ";");
				size_t wl = wend ? (size_t)(wend - w) : strlen(w);

				if (strncmp(g, w, wl) != 0)
					ok = 0;
				g = strchr(g, ';') ? strchr(g, ';') : g + strlen(g);
				w += wl;
			} else if (*g++ != *w++) {
				ok = 0;
			}
		}
		if (*g != '\0')
			ok = 0;
		CHECKM(ok, got);
	}
	csv_reader_free(&r);
	fclose(f);
}

static void
test_limits(void)
{
	size_t n = CSV_MAX_FIELDS + 5;
	char *in = malloc(n * 2 + 10), **fields;
	const char *why = NULL;
	size_t got;
	FILE *f;
	struct csv_reader *r;

	for (size_t i = 0; i < n; i++) {
		in[2 * i] = 'x';
		in[2 * i + 1] = ',';
	}
	strcpy(in + 2 * n - 1, "\nok\n");
	f = fmemopen(in, strlen(in), "r");
	r = csv_reader_new(f);
	CHECK(csv_read(r, &fields, &got, &why) == -1);
	CHECK(why != NULL && strstr(why, "too many") != NULL);
	CHECK(csv_read(r, &fields, &got, &why) == 1);
	CHECK_INT(csv_line(r), 2);
	CHECK_STR(fields[0], "ok");
	csv_reader_free(&r);
	fclose(f);
	free(in);
}

static void
test_write(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *rec[] = { "a@b.nl", "Smit, Jan", "say \"hi\"", "x\ny" };
	const char *formula[] = { "=HYPERLINK(\"x\")", "+31", "plain" };

	csv_write(f, rec, 4);
	csv_write_safe(f, formula, 3);
	fclose(f);
	CHECK_STR(out, "a@b.nl,\"Smit, Jan\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
	    "\"'=HYPERLINK(\"\"x\"\")\",\"'+31\",plain\r\n");
	free(out);
}

static void
test_speed_shape(void)
{
	/* 100,000 rows through one reader: every row comes back intact. */
	char *out = NULL, **fields;
	size_t len = 0, n;
	const char *why;
	FILE *f = open_memstream(&out, &len);
	long rows = 0, bad = 0;
	struct csv_reader *r;

	for (int i = 0; i < 100000; i++)
		fprintf(f, "person%d@example.org,\"Naam %d, Achternaam\"\r\n", i, i);
	fclose(f);
	f = fmemopen(out, len, "r");
	r = csv_reader_new(f);
	int rc;
	while ((rc = csv_read(r, &fields, &n, &why)) != 0) {
		if (rc < 0 || n != 2)
			bad++;
		rows++;
	}
	CHECK_INT(rows, 100000);
	CHECK_INT(bad, 0);
	csv_reader_free(&r);
	fclose(f);
	free(out);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(cases[i].in, cases[i].want);
	test_limits();
	test_write();
	test_speed_shape();
	return check_done();
}
