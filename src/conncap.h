/*
 * conncap - how many connections (or requests in flight) each address
 * holds now, for the caps of kringd's web endpoint.
 *
 * A fixed table of keys (addresses as text) with a count each; a key
 * whose count drops to 0 frees its slot.  The caller sizes the table
 * to the most things that can be held at once, so it fills only when
 * that bound is broken, and then conncap_take says no.  Pure: the
 * caller serialises the calls.
 */
#ifndef KRING_CONNCAP_H
#define KRING_CONNCAP_H

#include <stdbool.h>
#include <stddef.h>

#define CONNCAP_KEY_MAX 63

struct conncap;

/* A table of slots keys; free it. */
struct conncap *conncap_new(size_t slots);
void conncap_free(struct conncap **cc);

/* How many key holds now (a key longer than CONNCAP_KEY_MAX: its start). */
unsigned conncap_count(const struct conncap *cc, const char *key);

/*
 * Count one more for key when it holds fewer than max: true.  False,
 * counting nothing, when it has max already or the table is full.
 */
bool conncap_take(struct conncap *cc, const char *key, unsigned max);

/* One fewer for key (after a conncap_take that said true). */
void conncap_give(struct conncap *cc, const char *key);

#endif
