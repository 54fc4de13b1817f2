/*
 * output - tables, TSV and the progress bar.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "xmem.h"

struct table {
	bool tsv;
	int ncols;
	char **cells;      /* rows * ncols */
	size_t rows;
};

static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static char *
flat(const char *s)
{
	char *c = xstrdup(s ? s : "");

	for (char *p = c; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	return c;
}

struct table *
table_new(bool tsv, int ncols, const char *const *header)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->tsv = tsv;
	t->ncols = ncols;
	if (!tsv && header != NULL)
		table_row(t, header);
	return t;
}

void
table_row(struct table *t, const char *const *cells)
{
	t->cells = xreallocarray(t->cells, (t->rows + 1) * (size_t)t->ncols,
	    sizeof(char *));
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] = flat(cells[i]);
	t->rows++;
}

void
table_print(struct table **tp, FILE *out)
{
	struct table *t = *tp;
	size_t w[TABLE_MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->rows; r++)
		for (int c = 0; c < t->ncols && c < TABLE_MAX_COLS; c++) {
			size_t n = width(t->cells[r * (size_t)t->ncols + (size_t)c]);

			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->rows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];

			if (t->tsv) {
				fprintf(out, "%s%s", c ? "\t" : "", cell);
				continue;
			}
			fputs(cell, out);
			if (c + 1 < t->ncols)
				for (size_t k = width(cell); k < w[c] + 2; k++)
					putc(' ', out);
		}
		putc('\n', out);
	}
	for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
	*tp = NULL;
}

void
tsv_write(FILE *out, const char *const *fields, int n)
{
	for (int i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";

		if (i)
			putc('\t', out);
		for (; *f; f++)
			putc(*f == '\t' || *f == '\n' || *f == '\r' ? ' ' : *f, out);
	}
	putc('\n', out);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
progress_start(struct progress *p, const char *what, int64_t total)
{
	p->on = isatty(STDERR_FILENO);
	p->what = what;
	p->total = total;
	p->done = 0;
	p->started = p->last = now_s();
}

static void
draw(struct progress *p, double t)
{
	double el = t - p->started, rate = el > 0 ? p->done / el : 0;

	if (p->total > 0) {
		int bar = (int)(30 * p->done / p->total);
		double eta = rate > 0 ? (p->total - p->done) / rate : 0;

		fprintf(stderr, "\r%s [%-30.*s] %lld/%lld %.0f/s eta %.0fs ",
		    p->what, bar, "##############################",
		    (long long)p->done, (long long)p->total, rate, eta);
	} else {
		fprintf(stderr, "\r%s %lld %.0f/s ", p->what, (long long)p->done,
		    rate);
	}
}

void
progress_step(struct progress *p, int64_t done)
{
	double t;

	p->done = done;
	if (!p->on)
		return;
	t = now_s();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	draw(p, t);
}

void
progress_end(struct progress *p)
{
	if (!p->on)
		return;
	draw(p, now_s());
	fputc('\n', stderr);
}
