/* Unit tests for units: durations, sizes, ISO 8601 times, formatting. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "units.h"

static void
test_durations(void)
{
	static const struct { const char *in; int ok; long long want; } c[] = {
		{ "90s", 1, 90 }, { "15m", 1, 900 }, { "1h", 1, 3600 },
		{ "7d", 1, 604800 }, { "0s", 1, 0 }, { "365d", 1, 31536000 },
		{ "7", 0, 0 }, { "7x", 0, 0 }, { "", 0, 0 }, { "d", 0, 0 },
		{ "-5m", 0, 0 }, { "+5m", 0, 0 }, { " 5m", 0, 0 }, { "5m ", 0, 0 },
		{ "5mm", 0, 0 }, { "5M", 0, 0 }, { "1.5h", 0, 0 },
		{ "99999999999999999999s", 0, 0 }, { "9223372036854775807d", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int64_t v = -1;
		int rc = units_duration(c[i].in, &v);

		CHECKM(rc == (c[i].ok ? 0 : -1), c[i].in);
		if (c[i].ok)
			CHECK_INT(v, c[i].want);
	}
	CHECK(units_duration(NULL, &(int64_t){0}) == -1);
}

static void
test_sizes(void)
{
	static const struct { const char *in; int ok; long long want; } c[] = {
		{ "10M", 1, 10485760 }, { "1K", 1, 1024 }, { "1G", 1, 1073741824 },
		{ "512", 1, 512 }, { "0", 1, 0 }, { "10m", 0, 0 }, { "10MB", 0, 0 },
		{ "", 0, 0 }, { "K", 0, 0 }, { "-1K", 0, 0 }, { "1.5M", 0, 0 },
		{ "9999999999999999999G", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int64_t v = -1;
		int rc = units_size(c[i].in, &v);

		CHECKM(rc == (c[i].ok ? 0 : -1), c[i].in);
		if (c[i].ok)
			CHECK_INT(v, c[i].want);
	}
}

static void
test_times(void)
{
	static const struct { const char *in; int ok; long long utc; } c[] = {
		/* With TZ=Europe/Amsterdam: CET is UTC+1, CEST UTC+2. */
		{ "2026-12-01", 1, 1796079600 },
		{ "2026-12-01T08:00", 1, 1796108400 },
		{ "2026-12-01 08:00:30", 1, 1796108430 },
		{ "2026-07-01T08:00", 1, 1782885600 },
		{ "2026-12-01T08:00Z", 1, 1796112000 },
		{ "2026-12-01T08:00+01:00", 1, 1796108400 },
		{ "2026-12-01T08:00-05:30", 1, 1796131800 },
		{ "2026-02-29", 0, 0 }, { "2028-02-29", 1, 1835391600 },
		{ "2026-13-01", 0, 0 }, { "2026-12-32", 0, 0 },
		{ "2026-12-01T24:00", 0, 0 }, { "2026-12-01T08:60", 0, 0 },
		{ "2026-12-01T08", 0, 0 }, { "26-12-01", 0, 0 }, { "", 0, 0 },
		{ "2026-12-01T08:00 ", 0, 0 }, { "2026-12-01x", 0, 0 },
		{ "1969-12-31", 0, 0 }, { "2026-12-01T08:00+15:00", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		time_t t = 0;
		int rc = units_time(c[i].in, &t);

		CHECKM(rc == (c[i].ok ? 0 : -1), c[i].in);
		if (c[i].ok)
			CHECK_INT(t, c[i].utc);
	}
}

static void
test_format(void)
{
	static const struct { long long v; const char *d, *s; } c[] = {
		{ 604800, "7d", "604800" }, { 3600, "1h", "3600" },
		{ 90, "90s", "90" }, { 900, "15m", "900" },
		{ 10485760, "10485760s", "10M" }, { 1024, "1024s", "1K" },
		{ 0, "0s", "0" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		units_format_duration(c[i].v, out, sizeof(out));
		CHECK_STR(out, c[i].d);
		units_format_size(c[i].v, out, sizeof(out));
		CHECK_STR(out, c[i].s);
	}
	units_format_time((time_t)1796108400, out, sizeof(out));
	CHECK_STR(out, "2026-12-01 08:00");
}

static void
test_clock(void)
{
	static const struct { const char *in; int ok; int want; } c[] = {
		{ "08:00", 1, 480 }, { "00:00", 1, 0 }, { "23:59", 1, 1439 },
		{ "12:30", 1, 750 }, { "24:00", 0, 0 }, { "08:60", 0, 0 },
		{ "8:00", 0, 0 }, { "08:0", 0, 0 }, { "0800", 0, 0 },
		{ "08:00 ", 0, 0 }, { " 08:00", 0, 0 }, { "08.00", 0, 0 },
		{ "", 0, 0 }, { "-1:00", 0, 0 }, { "08:00:00", 0, 0 },
	};
	int m;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		m = -1;
		CHECKM(units_clock(c[i].in, &m) == (c[i].ok ? 0 : -1), c[i].in);
		if (c[i].ok)
			CHECK_INT(m, c[i].want);
	}
	CHECK(units_clock(NULL, &m) == -1);
}

int
main(void)
{
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	test_durations();
	test_sizes();
	test_times();
	test_format();
	test_clock();
	return check_done();
}
