/*
 * check - the table-driven unit test harness.
 *
 * A test program runs its cases with CHECK*() and ends with
 * check_done(), which prints "N passed, N failed" and returns the exit
 * status the automake harness expects (0 pass, 1 fail).  A failed check
 * prints its file, line, the expression and, for strings and numbers,
 * what was expected and what came.
 */
#ifndef KRING_CHECK_H
#define KRING_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond) check_true((cond) != 0, #cond, __FILE__, __LINE__, "")
#define CHECKM(cond, what) check_true((cond) != 0, #cond, __FILE__, __LINE__, (what))
#define CHECK_STR(got, want) check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)

static inline void
check_true(int ok, const char *expr, const char *file, int line, const char *what)
{
	if (ok) {
		check_pass++;
		return;
	}
	check_fail++;
	fprintf(stderr, "%s:%d: FAIL: %s %s\n", file, line, expr, what);
}

static inline void
check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
	if ((got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0)) {
		check_pass++;
		return;
	}
	check_fail++;
	fprintf(stderr, "%s:%d: FAIL: %s: got \"%s\", want \"%s\"\n", file, line,
	    expr, got ? got : "(null)", want ? want : "(null)");
}

static inline void
check_int(long long got, long long want, const char *expr, const char *file, int line)
{
	if (got == want) {
		check_pass++;
		return;
	}
	check_fail++;
	fprintf(stderr, "%s:%d: FAIL: %s: got %lld, want %lld\n", file, line,
	    expr, got, want);
}

static inline int
check_done(void)
{
	printf("%d passed, %d failed\n", check_pass, check_fail);
	return check_fail ? 1 : 0;
}

#endif
