/*
 * intent_lists - the lists a letter names (see intent_int.h).
 *
 * By id, by the words of the name (the name less "CoP" or
 * "Nieuwsbrief"), by alias, by the kind word of the one newsletter,
 * by "de CoP" on a site with one CoP, or by a small typo of a one-word
 * name when only one list is that close.
 */
#include "autoconf.h"

#include <string.h>

#include "intent_int.h"

static const char *const list_words[] = {
	"nieuwsbrief", "nieuwsbrieven", "newsletter", "newsletters", "maillijst",
	"mailinglijst", "mailinglist", "mailing", "verzendlijst", "lijst",
	"lijsten", "list", "lists", "cop", "cops", "community", "mails",
	"e-mails", "emails", "berichten", "mailtjes", "updates", "abonnement",
	"subscription", "lidmaatschap", "membership", "adresbestand",
	"mailinglijsten", "distributielijst", "digest", "samenvatting",
};

static const char *const kind_words[] = {
	"nieuwsbrief", "nieuwsbrieven", "newsletter", "newsletters",
};

/* Tokens at i start the words ws (first k of them). */
static bool
phrase_at(const struct text *x, const struct clause *c, size_t i,
    const struct lwords *ws, size_t from)
{
	size_t k = ws->n - from;

	if (k == 0 || i + k > c->first + c->n)
		return false;
	for (size_t j = 0; j < k; j++)
		if (strcmp(x->t[i + j].w, ws->w[from + j]) != 0)
			return false;
	return true;
}

/* A part of a hyphenated word is w: "jgz-lijst", "cop-jeugdzorg". */
static bool
part_is(const struct tok *t, const char *w)
{
	size_t k;
	const char *p;

	if (w == NULL || (k = strlen(w)) == 0 || memchr(t->w, '-', t->n) == NULL)
		return false;
	for (p = t->w; (p = strstr(p, w)) != NULL; p++)
		if ((p == t->w || p[-1] == '-') && (p[k] == '\0' || p[k] == '-'))
			return true;
	return false;
}

/*
 * The words ws at i, the last only begun the same ("Gezonde Scholen"
 * for "Gezonde School"): at least two words, four letters in common.
 */
static bool
near_phrase(const struct text *x, const struct clause *c, size_t i,
    const struct lwords *ws)
{
	size_t k = ws->n, common = 0;
	const char *a, *b;

	if (k < 2 || i + k > c->first + c->n)
		return false;
	for (size_t j = 0; j + 1 < k; j++)
		if (strcmp(x->t[i + j].w, ws->w[j]) != 0)
			return false;
	a = x->t[i + k - 1].w;
	b = ws->w[k - 1];
	while (a[common] != '\0' && a[common] == b[common])
		common++;
	return (common >= 4 && common + 2 >= strlen(b)) ||
	    (strlen(b) >= 5 && text_distance(a, b, 1) <= 1);
}

/* The words of ws from k on are the words of other. */
static bool
words_are(const struct lwords *ws, size_t k, const struct lwords *other)
{
	if (ws->n - k != other->n)
		return false;
	for (size_t j = 0; j < other->n; j++)
		if (strcmp(ws->w[k + j], other->w[j]) != 0)
			return false;
	return true;
}

static const char *const name_generic[] = {
	"cop", "community", "of", "practice", "nieuwsbrief", "newsletter",
	"de", "het", "the",
};

void
lists_match_init(struct lmatch *m, const struct intent_list *l,
    const struct lwords *site)
{
	size_t k = 0;
	const char *a = l->aliases != NULL ? l->aliases : "";

	memset(m, 0, sizeof(*m));
	m->l = l;
	text_split_words(l->name != NULL ? l->name : "", &m->name);
	while (k < m->name.n && IN(m->name.w[k], name_generic))
		k++;
	/* "Nieuwsbrief Met Andere Ogen": the rest is the site's own name. */
	if (k > 0 && k < m->name.n && !words_are(&m->name, k, site))
		for (size_t j = k; j < m->name.n; j++)
			memcpy(m->rest.w[m->rest.n++], m->name.w[j],
			    sizeof(m->rest.w[0]));
	while (*a != '\0' && m->nalias < N(m->alias)) {
		const char *comma = strchr(a, ',');
		size_t n = comma ? (size_t)(comma - a) : strlen(a);
		char one[STEM_MAX + 1];

		if (n > STEM_MAX)
			n = STEM_MAX;
		memcpy(one, a, n);
		one[n] = '\0';
		text_split_words(one, &m->alias[m->nalias]);
		if (m->alias[m->nalias].n > 0)
			m->nalias++;
		a = comma ? comma + 1 : a + n;
	}
}

void
lists_hit(struct hits *h, size_t i)
{
	if (!h->on[i]) {
		h->on[i] = true;
		h->n++;
	}
}

/*
 * Whole: one pass over a clause's words whose cases share the nearest-list
 * bookkeeping.
 */
void
lists_of(const struct text *x, const struct clause *c,
    const struct lmatch *lm, size_t nl, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = c->first; i < c->first + c->n; i++) {
		const struct tok *t = &x->t[i];
		size_t found = 0, near = 0, which = 0;

		if (IN(t->w, list_words))
			h->list_word = true;
		if (strcmp(t->w, "cop") == 0 || strcmp(t->w, "cops") == 0 ||
		    strcmp(t->w, "community") == 0) {
			size_t cops = 0, which = 0;

			for (size_t k = 0; k < nl; k++)
				if (!lm[k].l->newsletter) {
					cops++;
					which = k;
				}
			if (cops == 1)
				lists_hit(h, which);
			h->cops = cops;
		}
		for (size_t k = 0; k < nl; k++) {
			bool m = strcmp(t->w, lm[k].l->id) == 0 ||
			    (lm[k].name.n > 0 && phrase_at(x, c, i, &lm[k].name, 0)) ||
			    (lm[k].rest.n > 0 && phrase_at(x, c, i, &lm[k].rest, 0)) ||
			    (lm[k].l->newsletter && IN(t->w, kind_words));

			for (size_t a = 0; !m && a < lm[k].nalias; a++)
				m = phrase_at(x, c, i, &lm[k].alias[a], 0) ||
				    part_is(t, lm[k].alias[a].n == 1 ?
				    lm[k].alias[a].w[0] : NULL);
			m = m || part_is(t, lm[k].l->id) ||
			    near_phrase(x, c, i, &lm[k].rest);
			if (m) {
				lists_hit(h, k);
				found++;
			}
		}
		if (found > 0 || t->n < 5 || t->email)
			continue;
		/* A small typo of a one-word name, when only one list is that close. */
		for (size_t k = 0; k < nl; k++) {
			const char *cand[3] = { lm[k].l->id, NULL, NULL };
			size_t max = t->n >= 9 ? 2 : 1;

			if (lm[k].rest.n == 1)
				cand[1] = lm[k].rest.w[0];
			if (lm[k].l->newsletter)
				cand[2] = "nieuwsbrief";
			for (size_t j = 0; j < 3; j++)
				if (cand[j] != NULL && strlen(cand[j]) >= 5 &&
				    text_distance(t->w, cand[j], max) <= max) {
					near++;
					which = k;
					break;
				}
			for (size_t a = 0; a < lm[k].nalias; a++)
				if (lm[k].alias[a].n == 1 &&
				    strlen(lm[k].alias[a].w[0]) >= 5 &&
				    text_distance(t->w, lm[k].alias[a].w[0], max) <= max &&
				    which != k) {
					near++;
					which = k;
				}
		}
		if (near == 1)
			lists_hit(h, which);
		else if (near > 1)
			h->unclear = true;
	}
	/* Two newsletters and only the kind word: which one is not said. */
	{
		size_t nls = 0;

		for (size_t k = 0; k < nl; k++)
			nls += lm[k].l->newsletter;
		if (nls > 1)
			for (size_t i = c->first; i < c->first + c->n; i++)
				if (IN(x->t[i].w, kind_words))
					h->unclear = true;
	}
}

bool
lists_word(const char *w)
{
	return IN(w, list_words);
}

bool
lists_kind_named(const struct text *x, const struct clause *c)
{
	return HAS(x, c, kind_words);
}
