/*
 * Unit tests for schedule: digest periods in Europe/Amsterdam, across
 * month and year ends, ISO week 53 and week 1, and the clock changes.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "schedule.h"

#define AT_8 480

/* A UTC moment, so expectations do not depend on the code under test. */
static time_t
utc(int y, int mon, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

struct pcase {
	const char *what;
	enum list_digest d;
	int minute;
	time_t now, due, next;
	const char *key;
};

static void
run(const struct pcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct schedule_period p;
		int r = schedule_period(c[i].d, c[i].now, c[i].minute, &p);

		CHECKM(r == 1, c[i].what);
		CHECK_STR(p.key, c[i].key);
		CHECK_INT(p.due, c[i].due);
		CHECK_INT(p.next, c[i].next);
		CHECKM(p.due <= c[i].now && c[i].now < p.next, c[i].what);
	}
}

static void
test_monthly(void)
{
	/* Winter: CET is UTC+1; summer: CEST is UTC+2. */
	const struct pcase c[] = {
		{ "last minute of November", DIGEST_MONTHLY, AT_8,
		  utc(2026, 11, 30, 22, 59), utc(2026, 11, 1, 7, 0),
		  utc(2026, 12, 1, 7, 0), "2026-11" },
		{ "1 December 07:59", DIGEST_MONTHLY, AT_8,
		  utc(2026, 12, 1, 6, 59), utc(2026, 11, 1, 7, 0),
		  utc(2026, 12, 1, 7, 0), "2026-11" },
		{ "1 December 08:00 exactly", DIGEST_MONTHLY, AT_8,
		  utc(2026, 12, 1, 7, 0), utc(2026, 12, 1, 7, 0),
		  utc(2027, 1, 1, 7, 0), "2026-12" },
		{ "1 December 08:01", DIGEST_MONTHLY, AT_8,
		  utc(2026, 12, 1, 7, 1), utc(2026, 12, 1, 7, 0),
		  utc(2027, 1, 1, 7, 0), "2026-12" },
		{ "mid December", DIGEST_MONTHLY, AT_8,
		  utc(2026, 12, 15, 12, 0), utc(2026, 12, 1, 7, 0),
		  utc(2027, 1, 1, 7, 0), "2026-12" },
		{ "New Year's morning, before the time", DIGEST_MONTHLY, AT_8,
		  utc(2027, 1, 1, 6, 0), utc(2026, 12, 1, 7, 0),
		  utc(2027, 1, 1, 7, 0), "2026-12" },
		{ "New Year 08:01", DIGEST_MONTHLY, AT_8,
		  utc(2027, 1, 1, 7, 1), utc(2027, 1, 1, 7, 0),
		  utc(2027, 2, 1, 7, 0), "2027-01" },
		/* Summer time began on Sunday 29 March 2026. */
		{ "across the spring change", DIGEST_MONTHLY, AT_8,
		  utc(2026, 4, 1, 6, 30), utc(2026, 4, 1, 6, 0),
		  utc(2026, 5, 1, 6, 0), "2026-04" },
		{ "March, due in winter time", DIGEST_MONTHLY, AT_8,
		  utc(2026, 3, 31, 12, 0), utc(2026, 3, 1, 7, 0),
		  utc(2026, 4, 1, 6, 0), "2026-03" },
		{ "October ends in winter time", DIGEST_MONTHLY, AT_8,
		  utc(2026, 10, 31, 12, 0), utc(2026, 10, 1, 6, 0),
		  utc(2026, 11, 1, 7, 0), "2026-10" },
		{ "midnight", DIGEST_MONTHLY, 0,
		  utc(2026, 11, 30, 23, 0), utc(2026, 11, 30, 23, 0),
		  utc(2026, 12, 31, 23, 0), "2026-12" },
		{ "one minute before midnight", DIGEST_MONTHLY, 23 * 60 + 59,
		  utc(2026, 12, 1, 22, 58), utc(2026, 11, 1, 22, 59),
		  utc(2026, 12, 1, 22, 59), "2026-11" },
		{ "a short month", DIGEST_MONTHLY, AT_8,
		  utc(2027, 2, 28, 12, 0), utc(2027, 2, 1, 7, 0),
		  utc(2027, 3, 1, 7, 0), "2027-02" },
	};

	run(c, sizeof(c) / sizeof(c[0]));
}

static void
test_weekly(void)
{
	const struct pcase c[] = {
		/* Monday 30 November 2026 begins ISO week 49. */
		{ "Monday before the time", DIGEST_WEEKLY, AT_8,
		  utc(2026, 11, 30, 6, 59), utc(2026, 11, 23, 7, 0),
		  utc(2026, 11, 30, 7, 0), "2026-W48" },
		{ "Monday at the time", DIGEST_WEEKLY, AT_8,
		  utc(2026, 11, 30, 7, 0), utc(2026, 11, 30, 7, 0),
		  utc(2026, 12, 7, 7, 0), "2026-W49" },
		{ "Tuesday, the week goes on", DIGEST_WEEKLY, AT_8,
		  utc(2026, 12, 1, 7, 1), utc(2026, 11, 30, 7, 0),
		  utc(2026, 12, 7, 7, 0), "2026-W49" },
		{ "Sunday evening", DIGEST_WEEKLY, AT_8,
		  utc(2026, 12, 6, 22, 59), utc(2026, 11, 30, 7, 0),
		  utc(2026, 12, 7, 7, 0), "2026-W49" },
		/* 2026 has 53 ISO weeks; 2027-W01 begins on 4 January. */
		{ "week 53", DIGEST_WEEKLY, AT_8,
		  utc(2027, 1, 1, 12, 0), utc(2026, 12, 28, 7, 0),
		  utc(2027, 1, 4, 7, 0), "2026-W53" },
		{ "week 1 of the next year", DIGEST_WEEKLY, AT_8,
		  utc(2027, 1, 4, 7, 0), utc(2027, 1, 4, 7, 0),
		  utc(2027, 1, 11, 7, 0), "2027-W01" },
		/* Week 1 of 2026 began on Monday 29 December 2025. */
		{ "a week that began last year", DIGEST_WEEKLY, AT_8,
		  utc(2026, 1, 1, 12, 0), utc(2025, 12, 29, 7, 0),
		  utc(2026, 1, 5, 7, 0), "2026-W01" },
		{ "across the spring change", DIGEST_WEEKLY, AT_8,
		  utc(2026, 3, 29, 12, 0), utc(2026, 3, 23, 7, 0),
		  utc(2026, 3, 30, 6, 0), "2026-W13" },
		{ "across the autumn change", DIGEST_WEEKLY, AT_8,
		  utc(2026, 10, 26, 6, 30), utc(2026, 10, 19, 6, 0),
		  utc(2026, 10, 26, 7, 0), "2026-W43" },
	};

	run(c, sizeof(c) / sizeof(c[0]));
}

static void
test_none_and_bad(void)
{
	struct schedule_period p;

	CHECK(schedule_period(DIGEST_NONE, utc(2026, 12, 1, 7, 1), AT_8, &p) == 0);
	CHECK_STR(p.key, "");
	CHECK(schedule_period(DIGEST_MONTHLY, utc(2026, 12, 1, 7, 1), -1, &p) == -1);
	CHECK(schedule_period(DIGEST_MONTHLY, utc(2026, 12, 1, 7, 1), 1440,
	    &p) == -1);
}

/* Every moment of a year lies in one period, and consecutive ones meet. */
static void
test_periods_tile(void)
{
	struct schedule_period p, q;
	time_t t = utc(2026, 1, 1, 0, 0);
	int months = 0, weeks = 0, bad = 0;

	for (enum list_digest d = DIGEST_WEEKLY; d <= DIGEST_MONTHLY; d++) {
		schedule_period(d, t, AT_8, &p);
		while (p.next < utc(2028, 1, 1, 0, 0)) {
			if (schedule_period(d, p.next, AT_8, &q) != 1 ||
			    q.due != p.next || strcmp(q.key, p.key) == 0 ||
			    schedule_period(d, p.next - 1, AT_8, &q) != 1 ||
			    q.next != p.next)
				bad++;
			schedule_period(d, p.next, AT_8, &p);
			*(d == DIGEST_WEEKLY ? &weeks : &months) += 1;
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(months, 24);
	CHECK(weeks >= 104 && weeks <= 106);
}

int
main(void)
{
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	test_monthly();
	test_weekly();
	test_none_and_bad();
	test_periods_tile();
	return check_done();
}
