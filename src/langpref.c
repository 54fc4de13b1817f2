/*
 * langpref - Accept-Language to nl or en (see langpref.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "langpref.h"

/* q of one range's parameters ("; q=0.8"), in thousandths; 1000 when none. */
static int
quality(const char *p, const char *end)
{
	int q = 1000;

	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			int whole = 0, frac = 0, scale = 100;

			p += 2;
			if (p < end && (*p == '0' || *p == '1'))
				whole = *p++ - '0';
			if (p < end && *p == '.')
				for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
					frac += (*p - '0') * scale;
					scale /= 10;
				}
			q = whole * 1000 + frac;
			return q > 1000 ? 1000 : q;
		}
		while (p < end && *p != ';')
			p++;
	}
	return q;
}

int
langpref_pick(const char *header, enum lang *out)
{
	const char *p = header;
	int best = 0;

	while (p != NULL && *p != '\0') {
		const char *end = p + strcspn(p, ","), *semi;
		size_t n;
		int q;
		enum lang l;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		n = strcspn(p, "-; \t,");
		if (p + n > semi)
			n = (size_t)(semi - p);
		q = quality(semi, end);
		if (n == 2 && (strncasecmp(p, "nl", 2) == 0 ||
		    strncasecmp(p, "en", 2) == 0) && q > best) {
			l = strncasecmp(p, "nl", 2) == 0 ? LANG_NL : LANG_EN;
			best = q;
			*out = l;
		}
		p = *end ? end + 1 : end;
	}
	return best > 0;
}
