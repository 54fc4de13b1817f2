/*
 * csv - RFC 4180 comma-separated values, read as a stream.
 *
 * The reader takes a FILE and returns one record at a time, so a file of
 * any length is read in constant memory.  It accepts CRLF or LF line
 * ends, quoted fields with embedded commas, quotes ("") and line breaks, a
 * UTF-8 byte order mark at the start, and a missing final line end.  It
 * refuses, with the line number where the record began, a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote at end
 * of file, a NUL byte, invalid UTF-8, more than CSV_MAX_FIELDS fields and
 * a record over CSV_MAX_RECORD bytes; after such an error the reader has
 * skipped to the end of the bad record and can go on with the next one.
 * The writer quotes a field when it holds a comma, quote, CR or LF, and
 * can neutralise spreadsheet formula injection (csv_write_safe).
 */
#ifndef KRING_CSV_H
#define KRING_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_RECORD 65536

struct csv_reader;

struct csv_reader *csv_reader_new(FILE *in);
void csv_reader_free(struct csv_reader **r);

/*
 * Read the next record.  Returns 1 with *fields and *nfields valid until the
 * next call, 0 at end of input, -1 for a bad record: then *why says what
 * was wrong (static text) and the reader is positioned after it.
 * csv_line() is the line number (1-based) where the last record began.
 * An empty line is returned as one empty field.
 */
int csv_read(struct csv_reader *r, char ***fields, size_t *nfields,
    const char **why);
long csv_line(const struct csv_reader *r);

/* Write one record terminated by CRLF. */
void csv_write(FILE *out, const char *const *fields, size_t n);
/*
 * The same, but a field that starts with = + - @ TAB or CR is quoted and
 * prefixed with a single quote, so a spreadsheet opening the export does
 * not run a subscriber's name as a formula.
 */
void csv_write_safe(FILE *out, const char *const *fields, size_t n);

#endif
