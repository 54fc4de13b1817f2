/*
 * units - durations, sizes and times as people write them in kring's
 * configuration and on its command line.
 *
 * Durations: a whole number followed by s, m, h or d ("90s", "15m", "7d");
 * a bare number is refused so that "7" is never silently seven seconds.
 * Sizes: a whole number with an optional K, M or G (powers of 1024);
 * a bare number is bytes.  Times: ISO 8601 local time "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM[:SS]", optionally with "Z" or a
 * +HH:MM offset.  Times of day: "HH:MM", two digits each, 24-hour
 * clock.  All parsers reject trailing garbage, signs and overflow.
 * Pure functions: no state, no I/O beyond the local time zone.
 */
#ifndef KRING_UNITS_H
#define KRING_UNITS_H

#include <stdint.h>
#include <time.h>

/* 0 ok (seconds in *out), -1 invalid or out of range. */
int units_duration(const char *s, int64_t *out);
/* 0 ok (bytes in *out), -1 invalid or out of range. */
int units_size(const char *s, int64_t *out);
/* 0 ok (UTC seconds in *out), -1 invalid. */
int units_time(const char *s, time_t *out);
/* A time of day "HH:MM" (00:00 to 23:59): 0 ok (minutes after midnight). */
int units_clock(const char *s, int *minutes);

/* Format for people: "7d", "90m", "10M"; the largest exact unit. */
void units_format_duration(int64_t secs, char *out, size_t outlen);
void units_format_size(int64_t bytes, char *out, size_t outlen);
/* "2026-11-22 14:05" in local time. */
void units_format_time(time_t t, char *out, size_t outlen);

#endif
