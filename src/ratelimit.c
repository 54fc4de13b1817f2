/*
 * ratelimit - per-client request counters (see ratelimit.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "xmem.h"

struct slot {
	char key[RATELIMIT_KEY_MAX + 1];
	time_t start;                /* of the window; 0 = free */
	unsigned count;
};

struct ratelimit {
	unsigned max;
	struct slot slot[RATELIMIT_CLIENTS];
};

struct ratelimit *
ratelimit_new(unsigned max)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	rl->max = max;
	return rl;
}

void
ratelimit_free(struct ratelimit **rl)
{
	free(*rl);
	*rl = NULL;
}

static struct slot *
find(const struct ratelimit *rl, const char *key)
{
	for (size_t i = 0; i < RATELIMIT_CLIENTS; i++)
		if (rl->slot[i].start != 0 &&
		    strcmp(rl->slot[i].key, key) == 0)
			return (struct slot *)&rl->slot[i];
	return NULL;
}

/* A free slot, else the one whose window began first. */
static struct slot *
take(struct ratelimit *rl)
{
	struct slot *old = &rl->slot[0];

	for (size_t i = 0; i < RATELIMIT_CLIENTS; i++) {
		if (rl->slot[i].start == 0)
			return &rl->slot[i];
		if (rl->slot[i].start < old->start)
			old = &rl->slot[i];
	}
	return old;
}

bool
ratelimit_hit(struct ratelimit *rl, const char *client, time_t now)
{
	char key[RATELIMIT_KEY_MAX + 1];
	struct slot *s;

	snprintf(key, sizeof(key), "%s", client);
	if ((s = find(rl, key)) == NULL) {
		s = take(rl);
		memcpy(s->key, key, sizeof(key));
		s->start = now;
		s->count = 0;
	}
	if (now >= s->start + RATELIMIT_WINDOW || now < s->start) {
		s->start = now;
		s->count = 0;
	}
	if (s->count >= rl->max)
		return false;
	s->count++;
	return true;
}

int
ratelimit_retry_after(const struct ratelimit *rl, const char *client,
    time_t now)
{
	char key[RATELIMIT_KEY_MAX + 1];
	const struct slot *s;
	time_t left;

	snprintf(key, sizeof(key), "%s", client);
	if ((s = find(rl, key)) == NULL)
		return 1;
	left = s->start + RATELIMIT_WINDOW - now;
	return left < 1 ? 1 : (int)left;
}
