/*
 * intent_int - what the parts of the reader of letters share: the
 * words and clauses of a letter (intent_text.c), the lists they name
 * (intent_lists.c) and the shapes of automatic mail (intent_robot.c);
 * intent.c reads the clauses.  Nothing outside intent*.c includes it.
 */
#ifndef KRING_INTENT_INT_H
#define KRING_INTENT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "intent.h"
#include "stem.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TOKENS_MAX 4000        /* words of a letter read */
#define LISTS_READ 256         /* lists of a site read */

/* ---- tokens and clauses ---- */

struct tok {
	char w[STEM_MAX + 1];    /* lower case */
	size_t n;
	bool cap;                /* written with a capital */
	bool email;
	bool participle;         /* "aangemeld": a request only when wished */
	int cue;                 /* enum cue, or -1 */
};

struct clause {
	size_t first, n;         /* tokens */
	const char *start, *end; /* the text, for the reply */
	bool question;
	bool subject;
};

struct text {
	struct tok *t;
	size_t nt;
	struct clause *c;
	size_t nc, cap_c;
};

/* ---- lists ---- */

struct lwords {
	char w[8][STEM_MAX + 1];
	size_t n;
};

/*
 * Cut s into words and clauses, after what x holds (a clause ends at a
 * sentence's end, a short line, ", maar"); x->t has TOKENS_MAX room.
 */
void text_tokenize(struct text *x, const char *s, bool subject);
/* w is one of the n words of set. */
bool text_in(const char *w, const char *const *set, size_t n);
/* Clause c holds one of the n words of set. */
bool text_has(const struct text *x, const struct clause *c,
    const char *const *set, size_t n);
#define IN(w, set) text_in((w), (set), N(set))
#define HAS(x, c, set) text_has((x), (c), (set), N(set))
/* The words of s, lower case, split at what is not a letter or digit. */
void text_split_words(const char *s, struct lwords *out);
/* Damerau-Levenshtein distance of a and b, or max + 1 when over max. */
size_t text_distance(const char *a, const char *b, size_t max);

/* What the reader knows of one list. */
struct lmatch {
	const struct intent_list *l;
	struct lwords name, rest, alias[4];
	size_t nalias;
};

/* The lists clause c names: their indexes into hits; unclear set on a tie. */
struct hits {
	bool on[LISTS_READ];
	size_t n;
	bool unclear;
	bool list_word;          /* a word for a list of some kind */
	size_t cops;             /* "de CoP": the CoPs it may be */
};

/* What the reader knows of list l, on a site named site. */
void lists_match_init(struct lmatch *m, const struct intent_list *l,
    const struct lwords *site);
/* The lists clause c names, of the nl lists lm, into h. */
void lists_of(const struct text *x, const struct clause *c,
    const struct lmatch *lm, size_t nl, struct hits *h);
void lists_hit(struct hits *h, size_t i);
/* w names a kind of list: "nieuwsbrief", "maillijst", "cop". */
bool lists_word(const char *w);
/* Clause c says "nieuwsbrief" or "newsletter". */
bool lists_kind_named(const struct text *x, const struct clause *c);

/* Why subject and own text are an automatic mail's, or NULL. */
const char *robot_of(const char *subject, const char *own);

#endif
