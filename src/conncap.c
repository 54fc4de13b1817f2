/*
 * conncap - counts per address (see conncap.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conncap.h"
#include "xmem.h"

struct slot {
	char key[CONNCAP_KEY_MAX + 1];
	unsigned count;              /* 0 = free */
};

struct conncap {
	size_t n;
	struct slot slot[];
};

struct conncap *
conncap_new(size_t slots)
{
	struct conncap *cc = xcalloc(1, sizeof(*cc) +
	    slots * sizeof(cc->slot[0]));

	cc->n = slots;
	return cc;
}

void
conncap_free(struct conncap **cc)
{
	free(*cc);
	*cc = NULL;
}

static struct slot *
find(const struct conncap *cc, const char *key)
{
	char k[CONNCAP_KEY_MAX + 1];

	snprintf(k, sizeof(k), "%s", key);
	for (size_t i = 0; i < cc->n; i++)
		if (cc->slot[i].count != 0 && strcmp(cc->slot[i].key, k) == 0)
			return (struct slot *)&cc->slot[i];
	return NULL;
}

unsigned
conncap_count(const struct conncap *cc, const char *key)
{
	const struct slot *s = find(cc, key);

	return s ? s->count : 0;
}

bool
conncap_take(struct conncap *cc, const char *key, unsigned max)
{
	struct slot *s = find(cc, key);

	if (s != NULL) {
		if (s->count >= max)
			return false;
		s->count++;
		return true;
	}
	if (max == 0)
		return false;
	for (size_t i = 0; i < cc->n; i++)
		if (cc->slot[i].count == 0) {
			snprintf(cc->slot[i].key, sizeof(cc->slot[i].key), "%s",
			    key);
			cc->slot[i].count = 1;
			return true;
		}
	return false;
}

void
conncap_give(struct conncap *cc, const char *key)
{
	struct slot *s = find(cc, key);

	if (s != NULL)
		s->count--;
}
