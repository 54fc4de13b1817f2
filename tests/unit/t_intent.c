/*
 * Unit tests for letter and intent: what a person's own words are, and
 * what they ask, read as the rules of SPEC "Letters" say, on sentences
 * written for these tests (the corpus in tests/data/people measures the
 * reader on whole mails).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "intent.h"
#include "letter.h"

static const struct intent_list lists[] = {
	{ "nieuwsbrief", "Nieuwsbrief Met Andere Ogen", "", true },
	{ "kinderopvang", "CoP Kinderopvang", "", false },
	{ "jeugdzorg", "CoP Jeugdzorg", "", false },
	{ "gezondeschool", "CoP Gezonde School", "jgz", false },
};
#define NLISTS (sizeof(lists) / sizeof(lists[0]))

static void
own(const char *text, struct buf *b)
{
	buf_reset(b);
	letter_own_text(text, b);
}

static void
test_own_text(void)
{
	struct buf b = BUF_INIT;

	own("Graag afmelden.\n\nOp wo 2 dec 2026 om 09:14 schreef Met Andere "
	    "Ogen <\nmetandereogen@example.org>:\n> Meld je aan!\n", &b);
	CHECK_STR(buf_str(&b), "Graag afmelden.\n\n");
	/* Below the quote: the writer's words are after it. */
	own("Op 5 dec. 2026 om 07:30 schreef Jan:\n> aanmelden voor de "
	    "Doen-Dag\n\nGraag afmelden.\n", &b);
	CHECK_STR(buf_str(&b), "\nGraag afmelden.\n");
	own("Stop maar.\n\nVan: Met Andere Ogen\nVerzonden: dinsdag\nAan: ik\n"
	    "Meld je aan\n", &b);
	CHECK_STR(buf_str(&b), "Stop maar.\n\n");
	own("Graag aanmelden.\nDit e-mailbericht is uitsluitend bestemd voor "
	    "de geadresseerde. Verwijder het.\n", &b);
	CHECK_STR(buf_str(&b), "Graag aanmelden.\n");
	own("Hoi\n-- \nJan\n", &b);
	CHECK_STR(buf_str(&b), "Hoi\n");
	buf_free(&b);
}

static const char *const wants[] = { "nothing", "join", "leave", "unclear" };

static void
test_requests(void)
{
	static const struct {
		const char *subject, *text;
		enum intent_want want;
		const char *list;        /* the one list named, or NULL */
		int all, more;
	} t[] = {
		{ "Aanmelding nieuwsbrief", "Beste,\n\nGraag wil ik mij "
		  "aanmelden voor de maandelijkse nieuwsbrief.\n\nMet "
		  "vriendelijke groet,\nJan", WANT_JOIN, "nieuwsbrief", 0, 0 },
		{ "", "Ik ontvang de nieuwsbrief graag.", WANT_JOIN, "nieuwsbrief", 0, 0 },
		{ "", "Meld mij maar aan voor de jgz-lijst.", WANT_JOIN, "gezondeschool", 0, 0 },
		{ "", "Please sign me up for your newsletter.", WANT_JOIN, "nieuwsbrief", 0, 0 },
		{ "", "Graag inschrijven voor de CoP Jeugdzrog.", WANT_JOIN, "jeugdzorg", 0, 0 },
		{ "", "Ik wil de nieuwsbrief niet meer ontvangen.", WANT_LEAVE, "nieuwsbrief", 0, 0 },
		{ "Afmelden", "", WANT_LEAVE, NULL, 0, 0 },
		{ "", "Verwijder mij alstublieft uit al uw lijsten.", WANT_LEAVE, NULL, 1, 0 },
		{ "", "Haal mij a.u.b.\nvan álle lijsten af.", WANT_LEAVE, NULL, 1, 0 },
		{ "", "I no longer wish to receive these emails.", WANT_LEAVE, NULL, 0, 0 },
		{ "", "Graag afmleden voor de nieuwbrief.", WANT_LEAVE, "nieuwsbrief", 0, 0 },
		/* Negated, for an event, for someone else, a new address. */
		{ "", "Ik wil me niet afmelden, maar mijn adres klopt niet.",
		  WANT_UNCLEAR, NULL, 0, 1 },
		{ "", "Ik meld me aan voor de regiobijeenkomst in Zwolle.",
		  WANT_NOTHING, NULL, 0, 1 },
		{ "", "Kunnen jullie mijn collega aanmelden voor de nieuwsbrief?",
		  WANT_NOTHING, NULL, 0, 0 },
		{ "", "Willen jullie de nieuwsbrief voortaan naar mijn nieuwe adres "
		  "sturen?", WANT_UNCLEAR, NULL, 0, 0 },
		/* Telling, not asking. */
		{ "", "Ik ben al aangemeld maar ontvang niets.", WANT_NOTHING, NULL, 0, 1 },
		{ "", "Ik heb een vraag over aanmelden.", WANT_NOTHING, NULL, 0, 1 },
		{ "", "Ik ontvang de nieuwsbrief niet meer sinds oktober.",
		  WANT_NOTHING, NULL, 0, 1 },
		/* A request and more. */
		{ "", "Graag aanmelden voor de CoP Kinderopvang.\n\nKomt er ook een "
		  "bijeenkomst in Groningen?", WANT_JOIN, "kinderopvang", 0, 1 },
	};
	struct intent_reader *r = intent_reader_new();

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct intent it;
		char what[300];

		intent_read(r, "Met Andere Ogen", lists, NLISTS, t[i].subject,
		    t[i].text, 0, &it);
		snprintf(what, sizeof(what), "%s: want %s, got %s (lists %zu, "
		    "all %d, more %d)", t[i].text[0] ? t[i].text : t[i].subject,
		    wants[t[i].want], wants[it.want], it.nlists, it.all, it.more);
		CHECKM(it.want == t[i].want, what);
		if (t[i].list != NULL)
			CHECKM(it.nlists == 1 &&
			    strcmp(lists[it.lists[0]].id, t[i].list) == 0, what);
		else if (t[i].want == WANT_JOIN || t[i].want == WANT_LEAVE)
			CHECKM(it.nlists == 0, what);
		CHECKM(it.all == (t[i].all != 0), what);
		CHECKM(it.more == (t[i].more != 0), what);
		CHECKM(it.robot == NULL, what);
	}
	{
		struct intent it;

		/* "de CoP" of a site with three CoPs: which one is not said. */
		intent_read(r, "", lists, NLISTS, "", "Ik wil graag lid worden "
		    "van de CoP.", 0, &it);
		CHECK(it.want == WANT_JOIN && it.list_unclear);
		intent_read(r, "", lists, 2, "", "Ik wil graag lid worden "
		    "van de CoP.", 0, &it);
		CHECK(it.want == WANT_JOIN && !it.list_unclear && it.nlists == 1);
	}
	intent_reader_free(&r);
}

static void
test_robots_and_language(void)
{
	struct intent_reader *r = intent_reader_new();
	struct intent it;

	intent_read(r, "", lists, NLISTS, "Re: Nieuwsbrief december",
	    "Ik ben met vakantie tot en met 5 januari. Voor dringende zaken "
	    "kunt u contact opnemen met mijn collega.", 0, &it);
	CHECK(it.robot != NULL);
	intent_read(r, "", lists, NLISTS, "[Helpdesk] Re: Unsubscribe",
	    "Your request (4821) has been received. This is an automatic "
	    "message, do not reply.", 0, &it);
	CHECK(it.robot != NULL && it.want == WANT_NOTHING);
	intent_read(r, "", lists, NLISTS, "Vakantie",
	    "Na mijn vakantie wil ik graag aangemeld worden voor de "
	    "nieuwsbrief.", 0, &it);
	CHECK(it.robot == NULL && it.want == WANT_JOIN);
	CHECK(it.lang_known && it.lang == LANG_NL);
	intent_read(r, "", lists, NLISTS, "", "Please remove me from the "
	    "mailing list, thank you.", 0, &it);
	CHECK(it.want == WANT_LEAVE && it.lang_known && it.lang == LANG_EN);
	/* An attachment is always the office's too. */
	intent_read(r, "", lists, NLISTS, "", "Graag aanmelden voor de "
	    "nieuwsbrief.", 1, &it);
	CHECK(it.want == WANT_JOIN && it.more);
	intent_reader_free(&r);
}

static void
test_hostile(void)
{
	struct intent_reader *r = intent_reader_new();
	struct intent it;
	struct buf big = BUF_INIT;

	/* A lone U+2019 once made the tokenizer stand still. */
	intent_read(r, "", lists, NLISTS, "\xe2\x80\x99", "a \xe2\x80\x99 "
	    "\xe2\x80\x99\xe2\x80\x99 b\xe2\x80\x99", 0, &it);
	CHECK(it.want == WANT_NOTHING);
	/* Truncated UTF-8 and bytes that are no UTF-8 at all. */
	intent_read(r, "", lists, NLISTS, "\xc3", "\xe2\x80 \xff\xfe aanmelden",
	    0, &it);
	/* Far more words than are read, in one clause without an end. */
	for (int i = 0; i < 20000; i++)
		buf_puts(&big, "aanmelden afmelden nieuwsbrief ");
	intent_read(r, "", lists, NLISTS, NULL, buf_str(&big), 0, &it);
	CHECK(it.want == WANT_UNCLEAR);
	intent_read(r, NULL, NULL, 0, NULL, NULL, 0, &it);
	CHECK(it.want == WANT_NOTHING && it.nlists == 0);
	buf_free(&big);
	intent_reader_free(&r);
}

int
main(void)
{
	test_own_text();
	test_requests();
	test_robots_and_language();
	test_hostile();
	return check_done();
}
