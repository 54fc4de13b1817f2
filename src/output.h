/*
 * output - how kring shows things to people: aligned tables, TSV for
 * scripts, and a progress bar that appears only on a terminal.
 *
 * A table collects its rows and prints them when done, so columns line
 * up (widths count UTF-8 characters, not bytes).  TSV output never
 * contains a tab or line break inside a field: they become spaces, so
 * one record is always one line.
 */
#ifndef KRING_OUTPUT_H
#define KRING_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TABLE_MAX_COLS 12

struct table;

/* tsv: print rows as TSV without a header; else an aligned table. */
struct table *table_new(bool tsv, int ncols, const char *const *header);
/* Add one row of ncols cells (NULL prints as empty). */
void table_row(struct table *t, const char *const *cells);
/* Print to out and free. */
void table_print(struct table **t, FILE *out);

/* One TSV record (tabs and line breaks in fields become spaces). */
void tsv_write(FILE *out, const char *const *fields, int n);

/*
 * A progress line on stderr, redrawn at most 5 times a second, only when
 * stderr is a terminal (otherwise every call is a no-op).  done counts
 * towards total (0: unknown, then no bar and no ETA); items is what the
 * rate counts.  For a file, done and total can be bytes while items are
 * records, so the ETA holds before the number of records is known.
 */
struct progress {
	bool on;           /* stderr is a terminal */
	bool drawn;        /* a line is on the screen */
	const char *what;
	int64_t total;
	int64_t done;
	int64_t items;
	double started;
	double last;
};

void progress_start(struct progress *p, const char *what, int64_t total);
/* done and items both count items. */
void progress_step(struct progress *p, int64_t done);
void progress_update(struct progress *p, int64_t done, int64_t items);
/* Wipe the line, so an error message can be printed; redrawn on update. */
void progress_clear(struct progress *p);
/* Draw the final state and end the line. */
void progress_end(struct progress *p);

#endif
