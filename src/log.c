/*
 * log - stderr or syslog(LOG_MAIL).  The destination is fixed at
 * log_open(); callers never test where their words go.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "buf.h"
#include "log.h"

static const char *log_ident = "kring";
static enum log_dest log_dest = LOG_TO_STDERR;
static bool log_debug_on;

void
log_open(const char *ident, enum log_dest dest, bool debug)
{
	log_ident = ident;
	log_dest = dest;
	log_debug_on = debug;
	if (dest == LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_close(void)
{
	if (log_dest == LOG_TO_SYSLOG)
		closelog();
}

static void
log_v(int prio, const char *fmt, va_list ap)
{
	if (prio == LOG_DEBUG && !log_debug_on)
		return;
	if (log_dest == LOG_TO_SYSLOG) {
		vsyslog(prio, fmt, ap);
		return;
	}
	/* One line per call, also when kringd's web threads log at once. */
	flockfile(stderr);
	fprintf(stderr, "%s: ", log_ident);
	if (prio <= LOG_WARNING)
		fputs(prio <= LOG_ERR ? "error: " : "warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

#define LOG_FN(name, prio)                       \
	void name(const char *fmt, ...)          \
	{                                        \
		va_list ap;                      \
		va_start(ap, fmt);               \
		log_v(prio, fmt, ap);            \
		va_end(ap);                      \
	}

LOG_FN(log_debug, LOG_DEBUG)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_warn, LOG_WARNING)
LOG_FN(log_error, LOG_ERR)

void
log_fatal(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(ex);
}

static bool
needs_quotes(const char *v)
{
	if (*v == '\0')
		return true;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
			return true;
	return false;
}

void
log_kv(struct buf *line, const char *key, const char *value)
{
	if (value == NULL)
		value = "";
	buf_printf(line, " %s=", key);
	if (!needs_quotes(value)) {
		buf_puts(line, value);
		return;
	}
	buf_putc(line, '"');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(line, "\\%c", *p);
		else if (*p < ' ' || *p == 0x7f)
			buf_printf(line, "\\x%02x", *p);
		else
			buf_putc(line, (char)*p);
	}
	buf_putc(line, '"');
}
