/*
 * buf - a growable byte buffer, always NUL-terminated, with a hard limit.
 *
 * Every string kring assembles goes through a buf: no strcpy, strcat or
 * sprintf into fixed arrays.  A buf with a limit refuses to grow past it
 * and remembers that it overflowed (buf_overflowed), so a hostile input
 * cannot make kring allocate without bound; the caller checks once at the
 * end instead of after every append.  Contents may hold NUL bytes (len
 * counts them); buf_str() is for text.
 */
#ifndef KRING_BUF_H
#define KRING_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;      /* data[len] == '\0' whenever data != NULL */
	size_t len;
	size_t cap;
	size_t max;      /* 0: no limit */
	bool overflow;   /* an append was refused or cut at max */
};

#define BUF_INIT { NULL, 0, 0, 0, false }

void buf_init(struct buf *b, size_t max);
/* Appends: on reaching max they store what fits and set overflow. */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Empty the contents, keep the memory (reused across messages). */
void buf_reset(struct buf *b);
void buf_truncate(struct buf *b, size_t len);
/* Text view; "" for an empty buffer.  Valid until the next append. */
const char *buf_str(const struct buf *b);
bool buf_overflowed(const struct buf *b);
/* Hand the contents to the caller (free() it) and empty b. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif
