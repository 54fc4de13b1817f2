/*
 * err - fill and prefix error records.  Truncation of an over-long message
 * is accepted: the start of the message says what failed.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

int
err_vset(struct err *e, int ex, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->ex = ex;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int
err_set(struct err *e, int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, ex, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	size_t n, oldlen;
	va_list ap;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* Cut at the end when too long: the head says what failed. */
	n = strlen(e->msg);
	if (n + 2 < sizeof(e->msg)) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		oldlen = strlen(old);
		if (oldlen > sizeof(e->msg) - 1 - n)
			oldlen = sizeof(e->msg) - 1 - n;
		memcpy(e->msg + n, old, oldlen);
		e->msg[n + oldlen] = '\0';
	}
	return -1;
}

void
err_clear(struct err *e)
{
	if (e != NULL) {
		e->ex = 0;
		e->msg[0] = '\0';
	}
}
