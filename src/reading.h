/*
 * reading - what kring does with a letter to the command address that
 * is not written in its command language (SPEC "Commands by mail"):
 * the commands it stands for, whether the office must read it, or
 * that a robot wrote it.
 *
 * Prose never changes a subscription by itself: it leads to the same
 * commands a person could have written (a request to join or to leave,
 * each confirmed by mail), to the list of lists, or to the sender's
 * own lists.  What could mean two things goes to the office only, and
 * what says more than a request goes there too.  kring does not guess.
 */
#ifndef KRING_READING_H
#define KRING_READING_H

#include <stdbool.h>

#include "command.h"
#include "model.h"

struct err;
struct hmac_key;
struct intent_reader;
struct kr_ctx;
struct mime_msg;

struct reading {
	struct command_set cs;       /* may be empty */
	bool office;                 /* a person must read it */
	const char *drop;            /* a robot wrote it: why; nothing else */
	bool lang_known;
	enum lang lang;
};

/*
 * Read m from sender (normal form) as a letter.  commands_read: the
 * command parser found commands in it already (they are carried out
 * as written); then only whether it says more is decided.
 */
int reading_read(const struct kr_ctx *ctx, const struct hmac_key *key,
    struct intent_reader *r, const struct mime_msg *m, const char *sender,
    bool commands_read, struct reading *out, struct err *e);

/*
 * The list a command names, as people name it: its id, name, alias,
 * kind word or a small typo.  In place in c->list; unchanged when no
 * one list is meant.  1 when the word is no name at all ("afmelden
 * aub", "aanmelden cop"): the line is prose, not a command.
 */
int reading_resolve_list(const struct kr_ctx *ctx, struct intent_reader *r,
    struct command *c, struct err *e);

#endif
