/*
 * buf - growable byte buffer.  Growth doubles, so appending n bytes one at
 * a time costs O(n); memory is kept across buf_reset() because fresh pages
 * are expensive on the machines kring runs on.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmem.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->overflow = false;
}

static size_t
room(struct buf *b, size_t want)
{
	size_t need, cap;

	if (b->max != 0 && b->len + want > b->max) {
		b->overflow = true;
		want = b->max > b->len ? b->max - b->len : 0;
	}
	need = b->len + want + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	return want;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	n = room(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	size_t want, got;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	want = (size_t)n;
	got = room(b, want);
	if (got == want) {
		vsnprintf(b->data + b->len, want + 1, fmt, ap);
		b->len += want;
	} else {
		/* Over the limit: format whole, keep the part that fits. */
		char *tmp = xmalloc(want + 1);
		vsnprintf(tmp, want + 1, fmt, ap);
		memcpy(b->data + b->len, tmp, got);
		free(tmp);
		b->len += got;
		b->data[b->len] = '\0';
	}
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
	b->overflow = false;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

bool
buf_overflowed(const struct buf *b)
{
	return b->overflow;
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	b->overflow = false;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
