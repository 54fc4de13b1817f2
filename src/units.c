/*
 * units - durations, sizes and local times.  Every parser takes the whole
 * string or nothing: a typo in a config file must be an error, never a
 * silently different number.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "units.h"

/* Digits only, no sign, no overflow.  *end points after the digits. */
static int
parse_digits(const char *s, const char **end, int64_t *out)
{
	int64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		int d = *p - '0';

		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

static int
scaled(const char *s, const char *units, const int64_t *mult, bool need,
    int64_t *out)
{
	const char *end;
	const char *u;
	int64_t v;

	if (s == NULL || parse_digits(s, &end, &v) != 0)
		return -1;
	if (*end == '\0') {
		if (need)
			return -1;
		*out = v;
		return 0;
	}
	if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
		return -1;
	if (v > INT64_MAX / mult[u - units])
		return -1;
	*out = v * mult[u - units];
	return 0;
}

int
units_duration(const char *s, int64_t *out)
{
	static const int64_t mult[] = { 1, 60, 3600, 86400 };

	return scaled(s, "smhd", mult, true, out);
}

int
units_size(const char *s, int64_t *out)
{
	static const int64_t mult[] = { 1024, 1024 * 1024, 1024 * 1024 * 1024 };

	return scaled(s, "KMG", mult, false, out);
}

static int
fixed(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int
days_in(int year, int month)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : d[month - 1];
}

int
units_clock(const char *s, int *minutes)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':' ||
	    !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int
units_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	bool utc = false, offset = false;
	time_t t;

	if (s == NULL || fixed(&p, 4, &y) || *p++ != '-' || fixed(&p, 2, &mo) ||
	    *p++ != '-' || fixed(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (fixed(&p, 2, &h) || *p++ != ':' || fixed(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (fixed(&p, 2, &sec))
				return -1;
		}
		if (*p == 'Z') {
			utc = true;
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om, sign = *p++ == '-' ? -1 : 1;

			if (fixed(&p, 2, &oh) || *p++ != ':' || fixed(&p, 2, &om) ||
			    oh > 14 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
			offset = true;
		}
	}
	if (*p != '\0' || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (utc || offset) {
		t = timegm(&tm);
		t -= off;
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (t == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

void
units_format_duration(int64_t secs, char *out, size_t outlen)
{
	if (secs != 0 && secs % 86400 == 0)
		snprintf(out, outlen, "%lldd", (long long)(secs / 86400));
	else if (secs != 0 && secs % 3600 == 0)
		snprintf(out, outlen, "%lldh", (long long)(secs / 3600));
	else if (secs != 0 && secs % 60 == 0)
		snprintf(out, outlen, "%lldm", (long long)(secs / 60));
	else
		snprintf(out, outlen, "%llds", (long long)secs);
}

void
units_format_size(int64_t bytes, char *out, size_t outlen)
{
	static const char u[] = "GMK";
	static const int64_t m[] = { 1024LL * 1024 * 1024, 1024 * 1024, 1024 };

	for (int i = 0; i < 3; i++)
		if (bytes != 0 && bytes % m[i] == 0) {
			snprintf(out, outlen, "%lld%c", (long long)(bytes / m[i]), u[i]);
			return;
		}
	snprintf(out, outlen, "%lld", (long long)bytes);
}

void
units_format_time(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, outlen,
	    "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, outlen, "?");
}
