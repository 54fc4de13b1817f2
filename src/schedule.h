/*
 * schedule - when a list's digest falls due, in local time.
 *
 * A weekly digest falls due on Monday, a monthly one on the first of the
 * month, each at the configured time of day (digest_time).  The time
 * from one due moment to the next is a period, named by a key: "2026-12"
 * for the month that falls due on 1 December, "2026-W49" (ISO 8601 week)
 * for the week that falls due on Monday 30 November.  Every moment lies
 * in exactly one period, so "once per period" is "once per key", and a
 * digest that kringd missed (it was down when it fell due) is still
 * queued when kringd next runs, until the next one falls due.
 *
 * Pure functions of their arguments and the local time zone (TZ); no
 * clock is read here: the caller passes now.
 */
#ifndef KRING_SCHEDULE_H
#define KRING_SCHEDULE_H

#include <time.h>

#include "model.h"

#define SCHEDULE_KEY_MAX 16

struct schedule_period {
	char key[SCHEDULE_KEY_MAX];  /* "2026-12", "2026-W49" */
	time_t due;                  /* when this period's digest fell due */
	time_t next;                 /* when the next period begins */
};

/*
 * The period of schedule d that now lies in, for a digest due at minute
 * (minutes after local midnight, 0 to 1439): 1 and *out filled, 0 when
 * d is DIGEST_NONE, -1 when the local time cannot be worked out (a time
 * outside what the C library can represent).
 */
int schedule_period(enum list_digest d, time_t now, int minute,
    struct schedule_period *out);

#endif
