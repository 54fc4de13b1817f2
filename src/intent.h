/*
 * intent - what a person's letter to the command address asks of
 * kring: to join lists, to leave them, or something only a person can
 * answer; and whether it says more than that, or is a robot's.
 *
 * The reader works on the Subject and the writer's own text
 * (letter.h), clause by clause, on the Snowball stems of Dutch and
 * English words (stem.h), so inflections and word order do not matter:
 * "graag wil ik mij aanmelden", "meld mij aan", "ik ontvang de
 * nieuwsbrief graag", "please sign me up".  Negation counts: "ik wil
 * de nieuwsbrief niet meer ontvangen" asks to leave; "ik wil me niet
 * afmelden" asks nothing kring can do.  A request for an event ("ik
 * meld me aan voor de regiobijeenkomst") or for someone else is not a
 * list request.  Lists are found by id, name, alias, kind word
 * ("nieuwsbrief") or a small typo of one of those.
 *
 * The reader decides nothing: it says what it read.  Pure apart from
 * the stemmer it owns; not safe to share between threads.
 */
#ifndef KRING_INTENT_H
#define KRING_INTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define INTENT_LISTS_MAX 16
#define INTENT_SAID_MAX 200

/* A list as the reader needs it. */
struct intent_list {
	const char *id;
	const char *name;
	const char *aliases;         /* comma-separated words, may be "" */
	bool newsletter;
};

enum intent_want {
	WANT_NOTHING,                /* no request to join or leave */
	WANT_JOIN,
	WANT_LEAVE,
	WANT_UNCLEAR,                /* both, or negated: a person decides */
};

struct intent {
	enum intent_want want;
	bool all;                    /* WANT_LEAVE: every list */
	/* The lists the request names (indexes into the caller's lists). */
	size_t lists[INTENT_LISTS_MAX];
	size_t nlists;
	bool list_unclear;           /* a word that could be two lists */
	bool for_others;             /* the request is (also) for someone else */
	bool more;                   /* says more than the request and courtesies */
	const char *robot;           /* why it is an automatic mail, or NULL */
	enum lang lang;              /* the language it is written in */
	bool lang_known;
	char said[INTENT_SAID_MAX + 1];  /* the request's words, for the reply */
};

struct intent_reader;

struct intent_reader *intent_reader_new(void);
void intent_reader_free(struct intent_reader **rp);

/*
 * Read a letter: subject and own_text (UTF-8; either may be NULL),
 * with n_attachments files attached, against lists (n of them; at most
 * the first 256 are read) of a site whose name (may be "") is not a
 * list's name.
 */
void intent_read(struct intent_reader *r, const char *site_name,
    const struct intent_list *lists, size_t n, const char *subject,
    const char *own_text, size_t n_attachments, struct intent *out);

/*
 * Whether w (lower case) is a word of requests rather than a name:
 * "graag", "aub", "cop", "nieuwsbrief", "please".  "afmelden aub" is
 * prose, not a command for a list called "aub".
 */
bool intent_common_word(const char *w);

#endif
