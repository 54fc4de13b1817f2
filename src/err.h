/*
 * err - an error on its way to the boundary that reports it.
 *
 * A function that can fail returns -1 (or NULL) and fills a caller-owned
 * struct err with a sysexits code and one line of text.  Only the boundary
 * (kring's command handlers, kringd's loop) prints or logs it, once; the
 * layers below never print.  The message is "WHAT: WHY" without the
 * program name; a WHAT that comes from outside (a path, an address) is the
 * caller's to quote.
 */
#ifndef KRING_ERR_H
#define KRING_ERR_H

#include <stdarg.h>

#define ERR_MSG_MAX 512

struct err {
	int ex;                 /* sysexits.h code; 0 while nothing failed */
	char msg[ERR_MSG_MAX];  /* always NUL-terminated */
};

/* Fill e (when not NULL) and return -1, so callers can "return err_set(...)". */
int err_set(struct err *e, int ex, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int ex, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Put "WHAT: " in front of e's message, keeping its code. Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

#endif
