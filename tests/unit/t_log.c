/*
 * Unit tests for log_event: every value escaped as one, remarks kept,
 * the conversions kring's formats use, and a line that never breaks.
 * The lines are read back from stderr, sent to a temporary file.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

static FILE *spool;
static int saved = -1;

/* Send stderr to the spool, for one log_event. */
static void
to_spool(void)
{
	fflush(stderr);
	dup2(fileno(spool), 2);
}

/*
 * What that log_event wrote, without "t_log: " and the newline; stderr
 * is stderr again, for the checks' own words.
 */
static const char *
last(void)
{
	static char got[4096];
	size_t n;

	fflush(stderr);
	dup2(saved, 2);
	rewind(spool);
	n = fread(got, 1, sizeof(got) - 1, spool);
	got[n] = '\0';
	if (ftruncate(fileno(spool), 0) != 0)
		return "(cannot truncate)";
	rewind(spool);
	if (n > 0 && got[n - 1] == '\n')
		got[--n] = '\0';
	return strncmp(got, "t_log: ", 7) == 0 ? got + 7 : got;
}

#define LOGGED(call) (to_spool(), (call), last())

int
main(void)
{
	const char *reply = "550 x\" user=admin";

	saved = dup(2);
	spool = tmpfile();
	if (spool == NULL || saved < 0)
		return 99;
	log_open("t_log", LOG_TO_STDERR, false);

	CHECK_STR(LOGGED(log_event(LV_INFO, "event=send queue=%lld reply=%s",
	    7LL, reply)), "event=send queue=7 reply=\"550 x\\\" user=admin\"");
	/* The same with the quotes of the older formats. */
	CHECK_STR(LOGGED(log_event(LV_INFO, "event=send reply=\"%s\"", reply)),
	    "event=send reply=\"550 x\\\" user=admin\"");
	CHECK_STR(LOGGED(log_event(LV_WARN, "event=x error=%s",
	    "one\nevent=forged")),
	    "warning: event=x error=\"one\\x0aevent=forged\"");
	CHECK_STR(LOGGED(log_event(LV_INFO, "event=x addr=%s empty=%s",
	    "a@b.example", "")), "event=x addr=a@b.example empty=\"\"");
	CHECK_STR(LOGGED(log_event(LV_ERROR, "event=x error=\"cannot start: "
	    "%s\"", "No memory")),
	    "error: event=x error=\"cannot start: No memory\"");
	/* Conversions: sizes, precision, floats, %%. */
	CHECK_STR(LOGGED(log_event(LV_INFO, "event=x n=%zu score=%.1f "
	    "first=%.3s pct=%d%%", (size_t)3, 2.25, "abcdef", 50)),
	    "event=x n=3 score=2.2 first=abc pct=50%");
	/* A remark after ": " or "; " stays as written, its lines escaped. */
	CHECK_STR(LOGGED(log_event(LV_INFO, "event=recover queue=%lld: due "
	    "again", 4LL)), "event=recover queue=4: due again");
	CHECK_STR(LOGGED(log_event(LV_ERROR, "event=reload error=\"%s\"; "
	    "keeping the old", "bad")),
	    "error: event=reload error=bad; keeping the old");
	CHECK_STR(LOGGED(log_event(LV_DEBUG, "smtp < %.*s", 3, "250 OK")), "");
	log_open("t_log", LOG_TO_STDERR, true);
	CHECK_STR(LOGGED(log_event(LV_DEBUG, "smtp < %.*s", 8, "250\r\nX: y")),
	    "smtp < 250\\x0d\\x0aX: ");
	/* Cut, never broken, at the line's limit. */
	{
		char big[5000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(strlen(LOGGED(log_event(LV_INFO, "event=x v=%s", big))) <
		    4000);
	}

	close(saved);
	return check_done();
}
