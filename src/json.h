/*
 * json - a small streaming JSON writer for `kring person export`.
 *
 * Output is UTF-8 JSON (RFC 8259) with two-space indentation.  Strings
 * are escaped (quotes, backslash, control characters as \uXXXX); invalid
 * UTF-8 in a string is replaced by U+FFFD so the output always parses.
 * The writer tracks nesting and commas itself; callers only open, close
 * and add members.  Nesting beyond JSON_MAX_DEPTH is a programming error.
 */
#ifndef KRING_JSON_H
#define KRING_JSON_H

#include <stdbool.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct buf;

struct json {
	struct buf *out;
	int depth;
	bool first[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, struct buf *out);
/* key is NULL inside arrays and at the top level. */
void json_object_open(struct json *j, const char *key);
void json_object_close(struct json *j);
void json_array_open(struct json *j, const char *key);
void json_array_close(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL -> null */
void json_int(struct json *j, const char *key, int64_t value);
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* Unix seconds as an RFC 3339 UTC string; 0 -> null. */
void json_time(struct json *j, const char *key, int64_t unix_secs);

#endif
