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
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO);
	p->what = what;
	p->total = total;
	p->started = p->last = now_s();
}

static void
draw(struct progress *p, double t)
{
	double el = t - p->started, rate = el > 0 ? p->items / el : 0;

	fputc('\r', stderr);
	if (p->total > 0) {
		int64_t done = p->done > p->total ? p->total : p->done;
		int bar = (int)(30 * done / p->total);
		double eta = done > 0 ? el * (double)(p->total - done) / done : 0;

		fprintf(stderr, "%s [%-30.*s] %3d%% %lld %.0f/s eta %.0fs",
		    p->what, bar, "##############################",
		    (int)(100 * done / p->total), (long long)p->items, rate, eta);
	} else {
		fprintf(stderr, "%s %lld %.0f/s", p->what, (long long)p->items,
		    rate);
	}
	fputs("\033[K", stderr);
	fflush(stderr);
	p->drawn = true;
}

void
progress_update(struct progress *p, int64_t done, int64_t items)
{
	double t;

	p->done = done;
	p->items = items;
	if (!p->on)
		return;
	t = now_s();
	if (p->drawn && t - p->last < 0.2)
		return;
	p->last = t;
	draw(p, t);
}

void
progress_step(struct progress *p, int64_t done)
{
	progress_update(p, done, done);
}

void
progress_clear(struct progress *p)
{
	if (!p->on || !p->drawn)
		return;
	fputs("\r\033[K", stderr);
	p->drawn = false;
}

void
progress_end(struct progress *p)
{
	if (!p->on)
		return;
	if (p->total > 0)
		p->done = p->total;
	draw(p, now_s());
	fputc('\n', stderr);
	p->drawn = false;
}
