/*
 * utf8 - UTF-8 well-formedness (see utf8.h).
 */
#include "autoconf.h"

#include "utf8.h"

size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

bool
utf8_valid(const void *s, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0, len; i < n; i += len)
		if ((len = utf8_len(p + i, n - i)) == 0)
			return false;
	return true;
}
