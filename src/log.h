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

enum log_level { LV_DEBUG, LV_INFO, LV_WARN, LV_ERROR };

/*
 * Log one event: fmt is "key=value" items, "event=send queue=%lld
 * error=%s", each value a word or a "..." of text and conversions.
 * Every value is built, then escaped as one through log_kv's rule; so
 * a relay's `550 x" user=admin` is one quoted value, never a field of
 * its own.  The first text that is no key=value (after ": ", "; " or a
 * space) is a remark to the end of the line, its conversions with
 * control characters escaped.  LV_DEBUG lines only with debug on.
 */
void log_event(enum log_level lv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Log a line as log_event does and exit(ex).  Only before the main loop
 * runs, and on OOM: building a line never allocates.
 */
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
