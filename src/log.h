/*
 * log - the one place kring's programs write diagnostics.
 *
 * kringd logs to syslog (facility mail) unless it runs in the foreground,
 * where it, and the kring CLI, write to stderr.  Events are one line of
 * fixed key=value fields (log_event) so they can be grepped and parsed.
 *
 * This module's state (ident, destination, level) is set once by
 * log_open() at program start and never changed afterwards; with the
 * signal flags of kringd.c and cli_send.c, the named exceptions to "no
 * global mutable state".
 */
#ifndef KRING_LOG_H
#define KRING_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_dest { LOG_TO_STDERR, LOG_TO_SYSLOG };

void log_open(const char *ident, enum log_dest dest, bool debug);
void log_close(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(ex).  Only before the main loop runs, and on OOM. */
void log_fatal(int ex, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * Append " key=value" to a line under construction, quoting the value
 * ("...", with \" \\ and control characters escaped) when it holds a
 * space, a quote, '=' or a control character, so a hostile address can
 * neither forge a field nor break the line.
 */
struct buf;
void log_kv(struct buf *line, const char *key, const char *value);

#endif
