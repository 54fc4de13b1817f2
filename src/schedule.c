/*
 * schedule - digest periods in local time (see schedule.h).
 *
 * Dates are worked out with mktime() on a struct tm whose day may be out
 * of range (the 0th of a month, the Monday of a week that began last
 * month): mktime normalises it, and tm_isdst = -1 lets it choose
 * summer or winter time for the date itself, so 08:00 stays 08:00 on
 * either side of a clock change.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "schedule.h"

#define DAY_MINUTES (24 * 60)

/* Local minute of the day mday (maybe out of range) of mon in year. */
static int
local_at(int year, int mon, int mday, int minute, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = mday;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

static int
key_of(time_t due, const char *fmt, char key[SCHEDULE_KEY_MAX])
{
	struct tm tm;

	if (localtime_r(&due, &tm) == NULL ||
	    strftime(key, SCHEDULE_KEY_MAX, fmt, &tm) == 0)
		return -1;
	return 0;
}

static int
monthly(const struct tm *now_tm, time_t now, int minute,
    struct schedule_period *out)
{
	int year = now_tm->tm_year + 1900, mon = now_tm->tm_mon;

	if (local_at(year, mon, 1, minute, &out->due) != 0)
		return -1;
	if (now < out->due) {
		mon--;
		if (local_at(year, mon, 1, minute, &out->due) != 0)
			return -1;
	}
	if (local_at(year, mon + 1, 1, minute, &out->next) != 0)
		return -1;
	return key_of(out->due, "%Y-%m", out->key);
}

static int
weekly(const struct tm *now_tm, time_t now, int minute,
    struct schedule_period *out)
{
	int year = now_tm->tm_year + 1900, mon = now_tm->tm_mon;
	/* tm_wday counts from Sunday; ISO weeks begin on Monday. */
	int monday = now_tm->tm_mday - (now_tm->tm_wday + 6) % 7;

	if (local_at(year, mon, monday, minute, &out->due) != 0)
		return -1;
	if (now < out->due) {
		monday -= 7;
		if (local_at(year, mon, monday, minute, &out->due) != 0)
			return -1;
	}
	if (local_at(year, mon, monday + 7, minute, &out->next) != 0)
		return -1;
	return key_of(out->due, "%G-W%V", out->key);
}

int
schedule_period(enum list_digest d, time_t now, int minute,
    struct schedule_period *out)
{
	struct tm tm;
	int rc;

	memset(out, 0, sizeof(*out));
	if (d == DIGEST_NONE)
		return 0;
	if (minute < 0 || minute >= DAY_MINUTES ||
	    localtime_r(&now, &tm) == NULL)
		return -1;
	rc = d == DIGEST_WEEKLY ? weekly(&tm, now, minute, out) :
	    monthly(&tm, now, minute, out);
	return rc == 0 ? 1 : -1;
}
