/*
 * intent - reading what a letter asks (see intent.h).
 *
 * A letter is cut into clauses: at the end of a sentence, at a short
 * line (people write requests on lines of their own), and at "maar" /
 * "but", which turn a sentence round.  Each clause is then one of: a
 * request to join or to leave, an unclear request (negated, for an
 * event, for someone else only), a courtesy (greeting, thanks,
 * closing, a name), or content: anything else a person must read.
 * Words are compared by their Snowball stems in both languages, so the
 * tables below hold dictionary forms, never suffix rules.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "command.h"
#include "intent_int.h"
#include "xmem.h"

#define COURTESY_WORDS 7       /* a greeting or closing is no longer */
#define THANKS_WORDS 12        /* nor thanks, however warm */
#define TAIL_WORDS 12          /* a line of a signature is no longer */

/* ---- words ---- */

enum cue {
	CUE_JOIN,                /* aanmelden, subscribe */
	CUE_JOIN_OBJ,            /* join, register, aansluiten: need a list */
	CUE_JOIN_NOUN,           /* subscription: a join unless it is ended */
	CUE_LEAVE,               /* afmelden, unsubscribe */
	CUE_LEAVE_OBJ,           /* verwijderen, remove, stop: need an object */
	CUE_RECEIVE,             /* ontvangen, receive, sturen */
	CUE_NEED,                /* hoeven: "hoef … niet meer" */
	NCUES
};

struct cueword {
	const char *w;
	enum stem_lang lang;
	enum cue cue;
};

static const struct cueword cuewords[] = {
	{ "aanmelden", STEM_NL, CUE_JOIN }, { "inschrijven", STEM_NL, CUE_JOIN },
	{ "abonneren", STEM_NL, CUE_JOIN }, { "registreren", STEM_NL, CUE_JOIN_OBJ },
	{ "aansluiten", STEM_NL, CUE_JOIN_OBJ }, { "toevoegen", STEM_NL, CUE_JOIN },
	{ "subscribe", STEM_EN, CUE_JOIN }, { "signup", STEM_EN, CUE_JOIN },
	{ "subscription", STEM_EN, CUE_JOIN_NOUN },
	{ "abonnement", STEM_NL, CUE_JOIN_NOUN },
	{ "registration", STEM_EN, CUE_JOIN_NOUN },
	{ "beeindigen", STEM_NL, CUE_LEAVE_OBJ }, { "terminate", STEM_EN, CUE_LEAVE_OBJ },
	{ "join", STEM_EN, CUE_JOIN_OBJ }, { "register", STEM_EN, CUE_JOIN_OBJ },
	{ "enrol", STEM_EN, CUE_JOIN_OBJ }, { "enroll", STEM_EN, CUE_JOIN_OBJ },
	{ "afmelden", STEM_NL, CUE_LEAVE }, { "uitschrijven", STEM_NL, CUE_LEAVE },
	{ "opzeggen", STEM_NL, CUE_LEAVE }, { "uitschrijving", STEM_NL, CUE_LEAVE },
	{ "verwijderen", STEM_NL, CUE_LEAVE_OBJ }, { "verwijder", STEM_NL, CUE_LEAVE_OBJ },
	{ "schrappen", STEM_NL, CUE_LEAVE_OBJ }, { "stoppen", STEM_NL, CUE_LEAVE_OBJ },
	{ "unsubscribe", STEM_EN, CUE_LEAVE }, { "unsub", STEM_EN, CUE_LEAVE },
	{ "optout", STEM_EN, CUE_LEAVE }, { "opt-out", STEM_EN, CUE_LEAVE },
	{ "remove", STEM_EN, CUE_LEAVE_OBJ }, { "delete", STEM_EN, CUE_LEAVE_OBJ },
	{ "stop", STEM_EN, CUE_LEAVE_OBJ }, { "cancel", STEM_EN, CUE_LEAVE_OBJ },
	{ "ontvangen", STEM_NL, CUE_RECEIVE }, { "krijgen", STEM_NL, CUE_RECEIVE },
	{ "sturen", STEM_NL, CUE_RECEIVE }, { "toesturen", STEM_NL, CUE_RECEIVE },
	{ "zenden", STEM_NL, CUE_RECEIVE }, { "toezenden", STEM_NL, CUE_RECEIVE },
	{ "mailen", STEM_NL, CUE_RECEIVE }, { "receive", STEM_EN, CUE_RECEIVE },
	{ "get", STEM_EN, CUE_RECEIVE }, { "send", STEM_EN, CUE_RECEIVE },
	{ "email", STEM_EN, CUE_RECEIVE }, { "hoeven", STEM_NL, CUE_NEED },
};

/* Forms the stemmers leave apart: participles and short verb forms. */
/* The first forms below are participles: a request only when wished. */
#define PARTICIPLES 12
static const struct { const char *w; enum cue cue; } forms[] = {
	{ "aangemeld", CUE_JOIN }, { "ingeschreven", CUE_JOIN },
	{ "geabonneerd", CUE_JOIN }, { "subscribed", CUE_JOIN },
	{ "afgemeld", CUE_LEAVE }, { "uitgeschreven", CUE_LEAVE },
	{ "opgezegd", CUE_LEAVE }, { "unsubscribed", CUE_LEAVE },
	{ "verwijderd", CUE_LEAVE_OBJ }, { "removed", CUE_LEAVE_OBJ },
	{ "toegevoegd", CUE_JOIN }, { "added", CUE_JOIN },
	{ "stop", CUE_LEAVE_OBJ }, { "stopt", CUE_LEAVE_OBJ },
	{ "ontvang", CUE_RECEIVE }, { "ontvangt", CUE_RECEIVE },
	{ "krijg", CUE_RECEIVE }, { "krijgt", CUE_RECEIVE },
	{ "stuur", CUE_RECEIVE }, { "stuurt", CUE_RECEIVE },
	{ "mail", CUE_RECEIVE }, { "hoef", CUE_NEED }, { "hoeft", CUE_NEED },
};

/* Separable verbs: verb forms, particle, what they ask. */
struct separable {
	const char *verbs[6];
	const char *particle;
	enum cue cue;
};

static const struct separable separables[] = {
	{ { "meld", "meldt", "melde", "melden", "meldde", "meldden" }, "aan", CUE_JOIN },
	{ { "meld", "meldt", "melde", "melden", "meldde", "meldden" }, "af", CUE_LEAVE },
	{ { "schrijf", "schrijft", "schrijven", "schreef", NULL, NULL }, "in", CUE_JOIN },
	{ { "schrijf", "schrijft", "schrijven", "schreef", NULL, NULL }, "uit", CUE_LEAVE },
	{ { "voeg", "voegt", "voegen", NULL, NULL, NULL }, "toe", CUE_JOIN },
	{ { "zeg", "zegt", "zeggen", NULL, NULL, NULL }, "op", CUE_LEAVE_OBJ },
	{ { "haal", "haalt", "halen", NULL, NULL, NULL }, "af", CUE_LEAVE_OBJ },
	{ { "haal", "haalt", "halen", NULL, NULL, NULL }, "uit", CUE_LEAVE_OBJ },
	{ { "haal", "haalt", "halen", NULL, NULL, NULL }, "van", CUE_LEAVE_OBJ },
	{ { "zet", "zetten", "neem", "neemt", NULL, NULL }, "op", CUE_JOIN_OBJ },
	{ { "sign", "signing", "signed", NULL, NULL, NULL }, "up", CUE_JOIN },
	{ { "add", "adding", NULL, NULL, NULL, NULL }, "me", CUE_JOIN },
	{ { "add", "adding", NULL, NULL, NULL, NULL }, "us", CUE_JOIN },
	{ { "take", "taking", NULL, NULL, NULL, NULL }, "off", CUE_LEAVE_OBJ },
	{ { "opt", "opting", NULL, NULL, NULL, NULL }, "out", CUE_LEAVE },
	{ { "opt", "opting", NULL, NULL, NULL, NULL }, "in", CUE_JOIN_OBJ },
	{ { "word", "wordt", "worden", "werd", NULL, NULL }, "lid", CUE_JOIN_OBJ },
	{ { "kom", "komt", "komen", NULL, NULL, NULL }, "af", CUE_LEAVE_OBJ },
	{ { "become", "becoming", NULL, NULL, NULL, NULL }, "member", CUE_JOIN_OBJ },
	{ { "put", "putting", NULL, NULL, NULL, NULL }, "on", CUE_JOIN_OBJ },
	{ { "sign", "signing", NULL, NULL, NULL, NULL }, "in", CUE_JOIN_OBJ },
};

static const char *const negations[] = {
	"niet", "geen", "nooit", "niets", "not", "no", "never", "don't", "dont",
	"doesn't", "didn't", "won't", "cannot", "can't", "nor", "neither",
};

static const char *const longer[] = { "meer", "longer", "anymore" };

static const char *const desires[] = {
	"graag", "gaarne", "wil", "wilt", "willen", "zou", "zouden", "kunt", "kun",
	"kunnen", "gelieve", "verzoek", "verzoeke", "wens", "wensen", "liever",
	"svp", "alstublieft", "aub", "please", "like", "want", "wish", "would",
	"could", "kindly", "request", "prefer", "hoef", "hoeft", "hoeven",
	"i'd", "wanna",
};

static const char *const abilities[] = {
	"kan", "kon", "lukt", "lukte", "gelukt", "werkt", "werkte", "can't",
	"cannot", "unable", "couldn't", "work", "works", "working", "manage",
};

static const char *const selves[] = {
	"mij", "me", "mezelf", "mijzelf", "ons", "onszelf", "myself", "us",
	"ourselves",
};

static const char *const owners[] = { "mijn", "my", "ons", "onze", "our" };
/* "dit adres": the address the mail came from, whoever writes for it. */
static const char *const these[] = { "dit", "deze", "this" };

static const char *const addresses[] = {
	"adres", "e-mailadres", "emailadres", "mailadres", "address",
	"e-mail", "email", "gegevens", "details", "naam", "name",
};

static const char *const others[] = {
	"collega", "collega's", "collegas", "medewerker", "medewerkers",
	"teamleden", "teamgenoten", "hem", "haar", "hen", "directeur",
	"leidinggevende", "colleague", "colleagues", "coworker", "coworkers",
	"co-worker", "him", "her", "them", "they", "staff", "team",
	"iedereen", "everyone", "everybody", "zij", "hun",
};

static const char *const all_words[] = {
	"alles", "alle", "overal", "all", "everything", "every",
};

/* What "stop" may stop when no list is named: "stop sending". */
static const char *const sendings[] = {
	"sending", "sturen", "mailen", "mailing", "emailing", "toesturen",
};

static const char *const events[] = {
	"bijeenkomst", "bijeenkomsten", "webinar", "webinars", "training",
	"trainingen", "cursus", "congres", "conferentie", "symposium",
	"workshop", "workshops", "sessie", "sessies", "evenement", "event",
	"events", "meeting", "lunch", "excursie", "masterclass", "themamiddag",
	"netwerkbijeenkomst", "spreekuur", "leergang", "lezing", "kennissessie",
	"intervisie", "conference", "session", "seminar", "course", "bezoek",
	"werkbezoek", "inloop", "festival", "activiteit", "middag", "ochtend",
	"avond",
	/* What one subscribes to elsewhere: not a list of kring's. */
	"podcast", "podcasts", "youtube", "kanaal", "channel", "magazine",
	"tijdschrift", "blog", "linkedin", "instagram", "facebook", "app",
};

static const char *const weekdays[] = {
	"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
	"zondag", "vandaag", "feestdag", "feestdagen", "werkdag", "werkdagen",
	"verjaardag",
};

static const char *const greetings[] = {
	"beste", "hallo", "hoi", "hi", "hey", "hello", "dear", "geachte",
	"goedemorgen", "goedemiddag", "goedenavond", "good", "dag", "ls",
	"l.s", "hee", "heey", "morning", "beeste",
};

static const char *const closings[] = {
	"groet", "groeten", "groetjes", "gegroet", "mvg", "m.vr.gr", "vrgr",
	"regards", "sincerely", "cheers", "best", "kind", "warm", "yours",
	"hartelijke", "vriendelijke",
};

/* The words that make "kind", "best", "warm" a closing. */
static const char *const farewells[] = {
	"groet", "groeten", "groetjes", "gegroet", "mvg", "m.vr.gr", "vrgr",
	"regards", "sincerely", "cheers", "wishes",
};

static const char *const thanks[] = {
	"bedankt", "dank", "dankjewel", "dankuwel", "dankje", "thanks", "thank",
	"thx", "merci", "alvast", "bvd",
};

static const char *const fillers[] = {
	"graag", "svp", "alstublieft", "aub", "please", "ok", "oke", "oké",
	"ja", "yes", "nee", "no", "hoi",
};

static const char *const questions[] = {
	"vraag", "vragen", "vraagje", "question", "questions", "wanneer",
	"waarom", "why", "when",
};

static const char *const nl_words[] = {
	"de", "het", "een", "en", "ik", "je", "u", "van", "voor", "niet",
	"graag", "met", "op", "mij", "wil", "is", "dat", "die", "ook", "naar",
	"maar", "wij", "we", "zou", "mijn", "geen", "meer", "beste", "groet",
};

static const char *const en_words[] = {
	"the", "a", "an", "and", "i", "you", "of", "for", "not", "please",
	"with", "on", "me", "want", "is", "that", "this", "to", "my", "would",
	"like", "dear", "regards", "thanks", "no", "your", "from", "be",
};

/* ---- the reader ---- */

struct stemmed_cue {
	char stem[STEM_MAX + 1];
	enum stem_lang lang;
	enum cue cue;
};

struct intent_reader {
	struct stemmer *st;
	struct stemmed_cue cues[N(cuewords)];
};

struct intent_reader *
intent_reader_new(void)
{
	struct intent_reader *r = xcalloc(1, sizeof(*r));

	r->st = stemmer_new();
	for (size_t i = 0; i < N(cuewords); i++) {
		stem_word(r->st, cuewords[i].lang, cuewords[i].w,
		    strlen(cuewords[i].w), r->cues[i].stem);
		r->cues[i].lang = cuewords[i].lang;
		r->cues[i].cue = cuewords[i].cue;
	}
	return r;
}

void
intent_reader_free(struct intent_reader **rp)
{
	if (*rp == NULL)
		return;
	stemmer_free(&(*rp)->st);
	free(*rp);
	*rp = NULL;
}


bool
intent_common_word(const char *w)
{
	return lists_word(w) || IN(w, fillers) || IN(w, desires) ||
	    IN(w, selves) || IN(w, all_words) || IN(w, thanks);
}

/* ---- clauses ---- */

enum kind {
	K_NONE,                  /* nothing to read: a name, a number */
	K_COURTESY,              /* greeting, thanks, a filler word */
	K_CLOSING,               /* "Met vriendelijke groet": the end */
	K_JOIN,
	K_LEAVE,
	K_UNCLEAR,               /* a request kring must not guess at */
	K_CONTENT,               /* what a person must read */
};

struct reading {
	enum kind kind;
	bool all;                /* K_LEAVE: every list */
	bool others;             /* for someone else (too) */
	bool others_only;
	bool failed;             /* "afmelden lukt niet": a complaint too */
};

static void
mark_cues(struct intent_reader *r, struct text *x)
{
	char stem[2][STEM_MAX + 1];

	for (size_t i = 0; i < x->nt; i++) {
		struct tok *t = &x->t[i];

		for (size_t k = 0; k < N(forms) && t->cue < 0; k++)
			if (strcmp(t->w, forms[k].w) == 0) {
				t->cue = (int)forms[k].cue;
				t->participle = k < PARTICIPLES;
			}
		if (t->cue >= 0 || t->n < 3 || t->email)
			continue;
		stem_word(r->st, STEM_NL, t->w, t->n, stem[STEM_NL]);
		stem_word(r->st, STEM_EN, t->w, t->n, stem[STEM_EN]);
		for (size_t k = 0; k < N(cuewords); k++)
			if (strcmp(stem[r->cues[k].lang], r->cues[k].stem) == 0) {
				t->cue = (int)r->cues[k].cue;
				break;
			}
		/* "afmleden", "uitschrijfen": one slip of a long request word. */
		for (size_t k = 0; k < N(cuewords) && t->cue < 0 && t->n >= 7;
		    k++)
			if ((cuewords[k].cue == CUE_JOIN ||
			    cuewords[k].cue == CUE_LEAVE) &&
			    strlen(cuewords[k].w) >= 7 &&
			    text_distance(t->w, cuewords[k].w, 1) <= 1)
				t->cue = (int)cuewords[k].cue;
	}
}


/* A negation within three words of token i, not "no longer" / "niet meer". */
static bool
negated(const struct text *x, const struct clause *c, size_t i)
{
	size_t lo = i > c->first + 3 ? i - 3 : c->first;
	size_t hi = i + 3 < c->first + c->n ? i + 3 : c->first + c->n - 1;

	for (size_t j = lo; j <= hi; j++)
		if (j != i && IN(x->t[j].w, negations) &&
		    !(j + 1 < c->first + c->n && IN(x->t[j + 1].w, longer)))
			return true;
	return false;
}

static bool
is_event(const struct tok *t)
{
	if (IN(t->w, events))
		return true;
	/* Compounds: regiobijeenkomst, voorjaarswebinar, kennissessie. */
	for (size_t i = 0; i < N(events); i++) {
		size_t k = strlen(events[i]);

		if (k >= 5 && t->n > k && strcmp(t->w + t->n - k, events[i]) == 0)
			return true;
	}
	/* Doen-Dag, studiedag, regiodag: a day of something, not a weekday. */
	return t->n >= 6 && strcmp(t->w + t->n - 3, "dag") == 0 &&
	    !IN(t->w, weekdays);
}

static bool
any_event(const struct text *x, const struct clause *c)
{
	for (size_t i = c->first; i < c->first + c->n; i++)
		if (is_event(&x->t[i]))
			return true;
	return false;
}

/* The particle of a separable verb at i in the clause. */
static int
separable_at(const struct text *x, const struct clause *c, size_t i)
{
	for (size_t s = 0; s < N(separables); s++) {
		bool verb = false;

		for (size_t v = 0; v < 6 && separables[s].verbs[v]; v++)
			verb = verb || strcmp(x->t[i].w, separables[s].verbs[v]) == 0;
		if (!verb)
			continue;
		for (size_t j = c->first; j < c->first + c->n; j++)
			if (j != i && strcmp(x->t[j].w, separables[s].particle) == 0)
				return (int)separables[s].cue;
	}
	return -1;
}

/* The writer, or their address, is the object: "meld mij", "my address". */
static bool
self_object(const struct text *x, const struct clause *c)
{
	if (HAS(x, c, selves))
		return true;
	for (size_t i = c->first; i + 1 < c->first + c->n; i++)
		if ((IN(x->t[i].w, owners) || IN(x->t[i].w, these)) &&
		    IN(x->t[i + 1].w, addresses))
			return true;
	return false;
}

static bool
others_object(const struct text *x, const struct clause *c, const char *from)
{
	if (HAS(x, c, others))
		return true;
	for (size_t i = c->first; i < c->first + c->n; i++)
		if (x->t[i].email && (from == NULL ||
		    strcasecmp(x->t[i].w, from) != 0))
			return true;
	return false;
}

static size_t
count_in(const struct text *x, const struct clause *c, const char *const *set,
    size_t n)
{
	size_t k = 0;

	for (size_t i = c->first; i < c->first + c->n; i++)
		k += text_in(x->t[i].w, set, n);
	return k;
}

/* A courtesy, a closing, or nothing: never content. */
static enum kind
courtesy(const struct text *x, const struct clause *c, bool first)
{
	const struct tok *t = &x->t[c->first];
	size_t caps = 0;

	if (c->n == 0)
		return K_NONE;
	if (c->n <= COURTESY_WORDS && HAS(x, c, closings) &&
	    (HAS(x, c, farewells) || c->n <= 2))
		return K_CLOSING;
	if (first && c->n <= COURTESY_WORDS && IN(t->w, greetings))
		return K_COURTESY;
	if (c->n <= THANKS_WORDS && HAS(x, c, thanks) && !c->question)
		return K_COURTESY;
	if (c->n <= 2 && count_in(x, c, fillers, N(fillers)) == c->n)
		return K_COURTESY;
	for (size_t i = c->first; i < c->first + c->n; i++)
		caps += x->t[i].cap || x->t[i].email ||
		    (x->t[i].w[0] >= '0' && x->t[i].w[0] <= '9');
	/* A name, an address, a phone number. */
	if (c->n <= 4 && caps == c->n && !c->question)
		return K_NONE;
	return (enum kind)-1;
}

/* A new address for the same person: leave and join, a person's work. */
static const char *const changes[] = {
	"nieuw", "nieuwe", "new", "ander", "andere", "different", "other",
	"gewijzigd", "gewijzigde", "changed", "change", "wijzigen", "wijziging",
	"veranderd", "veranderen", "oude", "old", "vervalt",
};

static const char *const mailboxes[] = {
	"adres", "mailadres", "e-mailadres", "emailadres", "address",
	"adressen", "addresses",
};

static bool
address_change(const struct text *x, const struct clause *c)
{
	size_t end = c->first + c->n;

	for (size_t i = c->first; i < end; i++) {
		if (strcmp(x->t[i].w, "adreswijziging") == 0)
			return true;
		if (!IN(x->t[i].w, mailboxes))
			continue;
		/* "mijn nieuwe adres", "address has changed": next to it. */
		for (size_t j = i > c->first + 2 ? i - 2 : c->first;
		    j < end && j <= i + 3; j++)
			if (j != i && IN(x->t[j].w, changes))
				return true;
	}
	return false;
}

/* Words after which a request word is a topic: "over aanmelden". */
static const char *const topics[] = {
	"over", "about", "regarding", "betreffende", "omtrent", "m.b.t",
	"mbt", "inzake", "concerning", "re",
};

static const char *const passives[] = {
	"word", "wordt", "worden", "be", "been", "get", "getting",
};

static const char *const plural_lists[] = {
	"lijsten", "lists", "mailings", "nieuwsbrieven", "newsletters",
	"cops", "mailinglijsten", "maillijsten",
};

static bool
topic_before(const struct text *x, const struct clause *c, size_t i)
{
	for (size_t j = i > c->first + 2 ? i - 2 : c->first; j < i; j++)
		if (IN(x->t[j].w, topics))
			return true;
	return false;
}

/* "al uw lijsten", "al je lijsten": every list, though "al" is "already" too. */
static bool
al_lists(const struct text *x, const struct clause *c)
{
	for (size_t i = c->first; i + 1 < c->first + c->n; i++)
		if (strcmp(x->t[i].w, "al") == 0 &&
		    (IN(x->t[i + 1].w, plural_lists) || (i + 2 < c->first + c->n &&
		    IN(x->t[i + 2].w, plural_lists))))
			return true;
	return false;
}

/* What one receives, named before: "ik wil hem ontvangen", "send it". */
static const char *const pronouns[] = {
	"hem", "het", "deze", "die", "dit", "it", "this", "them", "ze",
};

static const char *const already[] = { "al", "reeds", "already" };
static const char *const behalf[] = { "namens", "behalf" };

static const char *const forwarded[] = {
	"doorgestuurd", "doorgestuurde", "forwarded", "doorgezonden",
};

static bool
any_email(const struct text *x, const struct clause *c)
{
	for (size_t i = c->first; i < c->first + c->n; i++)
		if (x->t[i].email)
			return true;
	return false;
}

/*
 * Read clause c, whose lists are h; context: the Subject names a list,
 * which "hem" or "it" may stand for.
 */
/*
 * Whole: the rules that weigh one clause's cues against each other, read
 * in one place.
 */
static void
read_clause(const struct text *x, const struct clause *c,
    const struct hits *h, const char *from, bool first, bool context,
    struct reading *out)
{
	bool join = false, leave = false, unclear = false, noun = false;
	bool receive = false, by_receive = false;
	bool desire = HAS(x, c, desires), neg = HAS(x, c, negations);
	bool passive = HAS(x, c, passives);
	bool object = h->n > 0 || h->list_word;
	bool self = self_object(x, c), other = others_object(x, c, from);
	/* "Namens het team": the team's own address, not someone else. */
	if (HAS(x, c, behalf))
		other = any_email(x, c);
	enum kind k;

	memset(out, 0, sizeof(*out));
	for (size_t i = c->first; i < c->first + c->n; i++) {
		const struct tok *t = &x->t[i];
		int cue = t->cue, sep = separable_at(x, c, i);

		if (sep >= 0 && (self || other || object || sep == CUE_LEAVE ||
		    sep == CUE_JOIN))
			cue = sep;
		/* "ik ben al aangemeld" tells; "ik wil aangemeld worden" asks. */
		if (t->participle && sep < 0 && !desire && !passive)
			cue = -1;
		/* "een vraag over aanmelden" is about it, not asking it. */
		if (cue >= 0 && topic_before(x, c, i))
			cue = -1;
		switch (cue) {
		case CUE_JOIN_NOUN:
			noun = true;
			break;
		case CUE_JOIN_OBJ:
			if (!object)
				break;
			/* FALLTHROUGH */
		case CUE_JOIN:
			if (negated(x, c, i))
				unclear = true;
			else
				join = true;
			break;
		case CUE_LEAVE_OBJ:
			if (!object && !self && c->n > 2 &&
			    !HAS(x, c, sendings))
				break;
			/* FALLTHROUGH */
		case CUE_LEAVE:
			if (negated(x, c, i) && HAS(x, c, abilities))
				out->failed = leave = true;
			else if (negated(x, c, i))
				unclear = true;
			else
				leave = true;
			break;
		case CUE_RECEIVE:
		case CUE_NEED:
			receive = true;
			if (neg && (desire || cue == CUE_NEED))
				leave = true;
			else if (!neg && desire && (h->n > 0 ||
			    lists_kind_named(x, c) || (context &&
			    HAS(x, c, pronouns))))
				by_receive = true;
			break;
		default:
			break;
		}
	}
	/*
	 * "Ik ontvang graag de nieuwsbrief", "ik wil hem zelf ontvangen"
	 * (the newsletter of the Subject); but "stop receiving" leaves, and
	 * what one receives is a thing, not a person.
	 */
	if (by_receive && !leave) {
		join = true;
		other = any_email(x, c);
	}
	/* "Een collega stuurde hem door": how the mail came, nothing to do. */
	if (!join && !leave && !unclear && !c->question &&
	    c->n <= THANKS_WORDS && HAS(x, c, forwarded)) {
		out->kind = K_NONE;
		return;
	}
	/* "Ik krijg de nieuwsbrief al": how things are, not a request. */
	if (receive && !join && !leave && !unclear && !desire && !neg &&
	    HAS(x, c, already)) {
		out->kind = K_NONE;
		return;
	}
	/* "I no longer want the newsletter", "ik wil geen mails meer". */
	if (!join && !leave && !unclear && desire && neg &&
	    HAS(x, c, longer) && object)
		leave = true;
	/* "Newsletter subscription please"; "cancel my subscription" is not. */
	if (noun && !leave && !unclear && (desire || c->n <= 4))
		join = true;
	if ((join || leave) && any_event(x, c) && h->n == 0 &&
	    !lists_kind_named(x, c))
		join = leave = false, unclear = false;
	if (join || leave || unclear) {
		out->others = other;
		out->others_only = other && !self;
		/* "everything - the newsletter, the CoPs": every list. */
		out->all = leave && (HAS(x, c, all_words) || al_lists(x, c)) &&
		    (h->n == 0 || h->cops > 0 || HAS(x, c, plural_lists)) &&
		    (h->n != 1 || !lists_kind_named(x, c) || h->cops > 0);
		if (unclear || (join && leave))
			out->kind = K_UNCLEAR;
		else
			out->kind = join ? K_JOIN : K_LEAVE;
		return;
	}
	if ((int)(k = courtesy(x, c, first)) >= 0) {
		out->kind = k;
		return;
	}
	out->kind = K_CONTENT;
}

/* Words that open a question even without its question mark. */
static const char *const asking[] = {
	"hoe", "wat", "waar", "wanneer", "waarom", "welke", "is", "zijn",
	"kan", "kunt", "kunnen", "mag", "how", "what", "where", "when", "why",
	"which", "can", "could", "is", "are", "do", "does",
};

/* A clause that may be a line of a signature: short, asking nothing. */
static bool
tail_line(const struct text *x, const struct clause *c, enum kind k)
{
	size_t marked = 0;

	if (k == K_NONE || k == K_COURTESY)
		return !c->subject;
	if (k != K_CONTENT || c->subject || c->n > TAIL_WORDS || c->question ||
	    IN(x->t[c->first].w, asking))
		return false;
	/* Names, titles, numbers: "Leerkracht groep 5", "T 06 12 34". */
	for (size_t i = c->first; i < c->first + c->n; i++)
		marked += x->t[i].cap || x->t[i].email ||
		    (x->t[i].w[0] >= '0' && x->t[i].w[0] <= '9');
	return 2 * marked >= c->n || c->n <= 3;
}

static void
language(const struct text *x, struct intent *out)
{
	size_t nl = 0, en = 0;

	for (size_t i = 0; i < x->nt; i++) {
		nl += IN(x->t[i].w, nl_words);
		en += IN(x->t[i].w, en_words);
	}
	out->lang_known = nl != en;
	out->lang = nl >= en ? LANG_NL : LANG_EN;
}

/* The words of clause c, on one line, for the reply. */
static void
said(const struct clause *c, char *out)
{
	size_t o = 0;
	bool space = false;

	for (const char *p = c->start; p < c->end && o < INTENT_SAID_MAX; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= ' ') {
			space = o > 0;
			continue;
		}
		if (space && o + 1 < INTENT_SAID_MAX)
			out[o++] = ' ';
		space = false;
		out[o++] = (char)ch;
	}
	/* Never cut a UTF-8 sequence in two. */
	while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80 &&
	    o == INTENT_SAID_MAX)
		o--;
	if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
		o--;
	out[o] = '\0';
}

/*
 * Whole: the reading's passes in their order, sharing the clause readings
 * they build.
 */
void
intent_read(struct intent_reader *r, const char *site_name,
    const struct intent_list *lists, size_t n, const char *subject,
    const char *own_text, size_t n_attachments, struct intent *out)
{
	struct text x;
	struct lmatch *lm;
	struct lwords site;
	struct hits h, subj;
	bool any_join = false, any_leave = false, first = true, ended = false;
	bool chosen[LISTS_READ] = { false };
	struct reading *rds;
	size_t last = 0;
	bool cop_unclear = false, body_request = false, moved = false;
	const char *subj_text = subject ? command_strip_prefixes(subject) : "";
	bool reply_subject = subject != NULL &&
	    subj_text != subject + strspn(subject, " \t");

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	memset(&subj, 0, sizeof(subj));
	if (n > LISTS_READ)
		n = LISTS_READ;
	x.t = xcalloc(TOKENS_MAX, sizeof(*x.t));
	lm = xcalloc(n ? n : 1, sizeof(*lm));
	text_split_words(site_name ? site_name : "", &site);
	for (size_t i = 0; i < n; i++)
		lists_match_init(&lm[i], &lists[i], &site);
	text_tokenize(&x, subj_text, true);
	text_tokenize(&x, own_text ? own_text : "", false);
	mark_cues(r, &x);
	language(&x, out);
	out->robot = robot_of(subject, own_text);
	rds = xcalloc(x.nc ? x.nc : 1, sizeof(*rds));
	for (size_t ci = 0; ci < x.nc; ci++) {
		const struct clause *c = &x.c[ci];

		rds[ci].kind = K_NONE;
		if (c->n == 0 || (!c->subject && ended))
			continue;
		lists_of(&x, c, lm, n, &h);
		if (c->subject)
			for (size_t k = 0; k < n; k++)
				if (h.on[k] && !subj.on[k])
					lists_hit(&subj, k);
		read_clause(&x, c, &h, NULL, !c->subject && first,
		    !c->subject && subj.n > 0, &rds[ci]);
		if (!c->subject) {
			first = false;
			ended = rds[ci].kind == K_CLOSING;
			last = ci + 1;
		}
	}
	/*
	 * The Subject of a reply or a forward was written by the other
	 * side ("Re: Bevestig uw aanmelding"): it names lists, asks nothing.
	 */
	for (size_t ci = 0; reply_subject && ci < x.nc; ci++)
		if (x.c[ci].subject)
			rds[ci].kind = K_NONE;
	/* A signature without its "-- ": short lines at the end. */
	while (last > 0 && tail_line(&x, &x.c[last - 1], rds[last - 1].kind))
		rds[--last].kind = K_NONE;
	for (size_t ci = 0; ci < x.nc; ci++) {
		const struct clause *c = &x.c[ci];
		const struct reading *rd = &rds[ci];

		if (rd->kind != K_NONE && address_change(&x, c))
			moved = true;
		switch (rd->kind) {
		case K_CONTENT:
			/* A subject is a title, not a letter. */
			if (!c->subject)
				out->more = true;
			break;
		case K_UNCLEAR:
			out->want = WANT_UNCLEAR;
			body_request = body_request || !c->subject;
			break;
		case K_JOIN:
		case K_LEAVE:
			body_request = body_request || !c->subject;
			/* A request for someone else is the office's. */
			if (rd->others_only) {
				out->for_others = true;
				break;
			}
			lists_of(&x, c, lm, n, &h);
			if (out->said[0] == '\0')
				said(c, out->said);
			if (rd->kind == K_JOIN)
				any_join = true;
			else
				any_leave = true;
			out->all = out->all || rd->all;
			out->for_others = out->for_others || rd->others;
			if (rd->failed)
				out->more = true;
			out->list_unclear = out->list_unclear || h.unclear;
			cop_unclear = cop_unclear || (h.n == 0 && h.cops > 1);
			for (size_t k = 0; k < n; k++)
				if (h.on[k])
					chosen[k] = true;
			if (c->question && HAS(&x, c, questions))
				out->more = true;
			break;
		default:
			break;
		}
	}
	free(rds);
	if (out->want != WANT_UNCLEAR) {
		if (any_join && any_leave)
			out->want = WANT_UNCLEAR;
		else if (any_join)
			out->want = WANT_JOIN;
		else if (any_leave)
			out->want = WANT_LEAVE;
	}
	if (out->want == WANT_JOIN || out->want == WANT_LEAVE) {
		bool none = true;

		for (size_t k = 0; k < n; k++)
			none = none && !chosen[k];
		/* The request names no list: the Subject may. */
		for (size_t k = 0; none && k < n; k++)
			chosen[k] = subj.on[k];
		for (size_t k = 0; k < n && out->nlists < INTENT_LISTS_MAX; k++)
			if (chosen[k])
				out->lists[out->nlists++] = k;
		if (out->all)
			out->nlists = 0;
		/* "de CoP" of a site with several, and nothing else named. */
		else if (out->nlists == 0 && cop_unclear)
			out->list_unclear = true;
	}
	if (n_attachments > 0)
		out->more = true;
	/* A robot may echo a Subject; only its own words can ask. */
	if (body_request)
		out->robot = NULL;
	else if (out->robot != NULL)
		out->want = WANT_NOTHING;
	if (moved && (out->want == WANT_JOIN || out->want == WANT_LEAVE))
		out->want = WANT_UNCLEAR;
	free(lm);
	free(x.t);
	free(x.c);
}
