/*
 * xmem - allocation that never fails for its callers.
 *
 * On out-of-memory these log and exit with EX_OSERR: a mail server that
 * cannot allocate cannot do anything safely, and every accepted message
 * is already committed to the store before anything allocates for it.
 */
#ifndef KRING_XMEM_H
#define KRING_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size bytes, checking for overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* free(*p) and set *p to NULL. */
void xfree(char **p);

#endif
