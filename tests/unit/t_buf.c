/* Unit tests for buf: growth, limits, printf, steal. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"

static void
test_growth(void)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < 1000; i++)
		buf_putc(&b, 'x');
	CHECK_INT(b.len, 1000);
	CHECK_INT(strlen(buf_str(&b)), 1000);
	CHECK(!buf_overflowed(&b));
	buf_reset(&b);
	CHECK_STR(buf_str(&b), "");
	buf_printf(&b, "%s=%d", "n", 42);
	CHECK_STR(buf_str(&b), "n=42");
	buf_free(&b);
	CHECK_STR(buf_str(&b), "");
}

static void
test_limit(void)
{
	static const struct { size_t max; const char *in; const char *want; int over; } cases[] = {
		{ 5, "abc", "abc", 0 },
		{ 5, "abcde", "abcde", 0 },
		{ 5, "abcdef", "abcde", 1 },
		{ 1, "xy", "x", 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;

		buf_init(&b, cases[i].max);
		buf_puts(&b, cases[i].in);
		CHECK_STR(buf_str(&b), cases[i].want);
		CHECK_INT(buf_overflowed(&b), cases[i].over);
		buf_printf(&b, "%d", 12345);
		CHECK(b.len <= cases[i].max);
		buf_free(&b);
	}
}

static void
test_binary_and_steal(void)
{
	struct buf b = BUF_INIT;
	char *s;

	buf_add(&b, "a\0b", 3);
	CHECK_INT(b.len, 3);
	CHECK(memcmp(b.data, "a\0b", 3) == 0);
	s = buf_steal(&b);
	CHECK(s[0] == 'a' && s[2] == 'b' && s[3] == '\0');
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	s = buf_steal(&b);
	CHECK_STR(s, "");
	free(s);
}

int
main(void)
{
	test_growth();
	test_limit();
	test_binary_and_steal();
	return check_done();
}
