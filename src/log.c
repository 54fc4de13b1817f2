/*
 * log - stderr or syslog(LOG_MAIL).  The destination is fixed at
 * log_open(); callers never test where their words go.
 *
 * Every line is built here, in a fixed array: log_fatal() reports the
 * failure of an allocation, so building a line must never allocate.
 * Whatever a conversion brings is foreign until shown otherwise: a value
 * goes through the one escaper log_kv uses, a remark's conversions have
 * their control characters escaped, so neither can add a field or a line.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "buf.h"
#include "log.h"

/* A line is cut here; a relay's reply is at most about 512. */
#define LOG_LINE_MAX 2048

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

/* A line under construction; what does not fit is cut. */
struct line {
	char s[LOG_LINE_MAX];
	size_t n;
};

typedef void put_fn(void *to, const char *s, size_t n);

static void
line_put(void *to, const char *s, size_t n)
{
	struct line *l = to;

	if (n > sizeof(l->s) - 1 - l->n)
		n = sizeof(l->s) - 1 - l->n;
	memcpy(l->s + l->n, s, n);
	l->n += n;
	l->s[l->n] = '\0';
}

static void
buf_put(void *to, const char *s, size_t n)
{
	buf_add(to, s, n);
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

/*
 * v as one value: bare when it is one plain word, else quoted with \"
 * \\ and control characters escaped.  With quote false, only control
 * characters are escaped: a remark's words stay as they read.
 */
static void
put_value(put_fn *put, void *to, const char *v, bool quote)
{
	char esc[8];

	quote = quote && needs_quotes(v);
	if (quote)
		put(to, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (quote && (*p == '"' || *p == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(to, esc, 2);
		} else if (*p < ' ' || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			put(to, esc, 4);
		} else {
			put(to, (const char *)p, 1);
		}
	}
	if (quote)
		put(to, "\"", 1);
}

void
log_kv(struct buf *line, const char *key, const char *value)
{
	buf_printf(line, " %s=", key);
	put_value(buf_put, line, value ? value : "", true);
}

/* A signed argument of length modifier len, widened. */
static intmax_t
signed_arg(const char *len, va_list *ap)
{
	if (strcmp(len, "ll") == 0)
		return va_arg(*ap, long long);
	if (strcmp(len, "l") == 0)
		return va_arg(*ap, long);
	if (strcmp(len, "z") == 0 || strcmp(len, "t") == 0)
		return va_arg(*ap, ptrdiff_t);
	return strcmp(len, "j") == 0 ? va_arg(*ap, intmax_t) : va_arg(*ap, int);
}

/* An unsigned one, widened. */
static uintmax_t
unsigned_arg(const char *len, va_list *ap)
{
	if (strcmp(len, "ll") == 0)
		return va_arg(*ap, unsigned long long);
	if (strcmp(len, "l") == 0)
		return va_arg(*ap, unsigned long);
	if (strcmp(len, "z") == 0 || strcmp(len, "t") == 0)
		return va_arg(*ap, size_t);
	return strcmp(len, "j") == 0 ? va_arg(*ap, uintmax_t) :
	    va_arg(*ap, unsigned);
}

/*
 * Expand the one conversion at *f (just past its '%') into out, taking
 * its arguments from ap, and move *f past it.  The formats are checked
 * by the compiler (format(printf) in log.h); what this takes is what
 * those formats use.  A '*' becomes its number in the spec, and every
 * integer is printed widened, with the length "j".
 */
static void
expand_one(const char **f, va_list *ap, char *out, size_t size)
{
	char spec[48] = "%", len[3] = "";
	size_t n = 1, ln = 0;
	const char *p = *f;

	for (; *p && strchr("-+ #0123456789.*", *p) && n < 32; p++) {
		if (*p == '*')
			n += (size_t)snprintf(spec + n, 12, "%d",
			    va_arg(*ap, int));
		else
			spec[n++] = *p;
	}
	for (; *p && strchr("hlzjtL", *p) && ln < 2; p++)
		len[ln++] = *p;
	*f = *p ? p + 1 : p;
	if (*p != '\0' && strchr("diuxXo", *p) != NULL)
		spec[n++] = 'j';
	spec[n++] = *p;
	spec[n] = '\0';
	switch (*p) {
	case 's': {
		const char *v = va_arg(*ap, const char *);

		snprintf(out, size, spec, v ? v : "(null)");
		return;
	}
	case 'c':
		snprintf(out, size, spec, va_arg(*ap, int));
		return;
	case 'd': case 'i':
		snprintf(out, size, spec, signed_arg(len, ap));
		return;
	case 'u': case 'x': case 'X': case 'o':
		snprintf(out, size, spec, unsigned_arg(len, ap));
		return;
	case 'f': case 'g': case 'e':
		snprintf(out, size, spec, va_arg(*ap, double));
		return;
	case '%':
		snprintf(out, size, "%%");
		return;
	default:
		snprintf(out, size, "?");
	}
}

/* Expand fmt[0..n) into out: literal text as is, conversions escaped. */
static void
expand(const char *fmt, size_t n, va_list *ap, struct line *out, bool value)
{
	char one[LOG_LINE_MAX];
	const char *f = fmt, *end = fmt + n;

	while (f < end) {
		const char *pct = memchr(f, '%', (size_t)(end - f));

		if (pct == NULL)
			pct = end;
		line_put(out, f, (size_t)(pct - f));
		if (pct == end)
			break;
		f = pct + 1;
		expand_one(&f, ap, one, sizeof(one));
		/* A value is escaped whole, once it is built. */
		if (value)
			line_put(out, one, strlen(one));
		else
			put_value(line_put, out, one, false);
	}
}

static bool
is_key(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/*
 * fmt as a line: key=value items, each value (a word, or "..." in fmt)
 * built from its conversions and escaped as one; the first text that is
 * no key=value (after ": ", "; " or a space) is a remark, to the end.
 */
static void
build(struct line *l, const char *fmt, va_list *ap)
{
	const char *f = fmt, *key, *k, *v, *end;
	struct line val;

	for (;;) {
		for (key = f; *key == ' '; key++)
			;
		for (k = key; is_key(*k); k++)
			;
		if (k == key || *k != '=')
			break;
		v = k + 1;
		if (*v == '"') {
			end = strchr(++v, '"');
			if (end == NULL)
				end = v + strlen(v);
			f = *end ? end + 1 : end;
		} else {
			for (end = v; *end && *end != ' ' && !((*end == ':' ||
			    *end == ';') && (end[1] == ' ' || end[1] == '\0'));
			    end++)
				;
			f = end;
		}
		val.n = 0;
		val.s[0] = '\0';
		expand(v, (size_t)(end - v), ap, &val, true);
		if (l->n > 0)
			line_put(l, " ", 1);
		line_put(l, key, (size_t)(k - key) + 1);
		put_value(line_put, l, val.s, true);
	}
	expand(f, strlen(f), ap, l, false);
}

static void
emit(int prio, const char *fmt, va_list *ap)
{
	struct line l;

	l.n = 0;
	l.s[0] = '\0';
	build(&l, fmt, ap);
	if (log_dest == LOG_TO_SYSLOG) {
		syslog(prio, "%s", l.s);
		return;
	}
	/* One line per call, also when kringd's web threads log at once. */
	flockfile(stderr);
	fprintf(stderr, "%s: %s%s\n", log_ident, prio > LOG_WARNING ? "" :
	    prio <= LOG_ERR ? "error: " : "warning: ", l.s);
	funlockfile(stderr);
}

void
log_event(enum log_level lv, const char *fmt, ...)
{
	static const int prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
	va_list ap;

	if (lv == LV_DEBUG && !log_debug_on)
		return;
	va_start(ap, fmt);
	emit(prio[lv], fmt, &ap);
	va_end(ap);
}

void
log_fatal(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_CRIT, fmt, &ap);
	va_end(ap);
	exit(ex);
}
