/* Unit tests for command: words, arguments, where reading stops, language. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "command.h"

#define TOK "abcdefghijklmnopqrstuvwxyz"

static void
test_lines(void)
{
	static const struct {
		const char *line;
		int is_cmd;
		enum command_verb verb;
		const char *list;
		int all, digest, on;
		enum command_lang lang;
	} t[] = {
		{ "aanmelden kinderopvang", 1, CMD_SUBSCRIBE, "kinderopvang", 0, 0, 0, CLANG_NL },
		{ "Aanmelden Kinderopvang.", 1, CMD_SUBSCRIBE, "kinderopvang", 0, 0, 0, CLANG_NL },
		{ "inschrijven cop-jeugd samenvatting", 1, CMD_SUBSCRIBE, "cop-jeugd", 0, 1, 0, CLANG_NL },
		{ "SUBSCRIBE news digest", 1, CMD_SUBSCRIBE, "news", 0, 1, 0, CLANG_EN },
		{ "subscribe", 1, CMD_UNKNOWN, "", 0, 0, 0, CLANG_EN },
		{ "subscribe a b c", 1, CMD_UNKNOWN, "", 0, 0, 0, CLANG_EN },
		{ "subscribe Bad_List!", 1, CMD_UNKNOWN, "", 0, 0, 0, CLANG_EN },
		{ "afmelden alles", 1, CMD_UNSUBSCRIBE, "", 1, 0, 0, CLANG_NL },
		{ "unsubscribe *", 1, CMD_UNSUBSCRIBE, "", 1, 0, 0, CLANG_EN },
		{ "uitschrijven x", 1, CMD_UNSUBSCRIBE, "x", 0, 0, 0, CLANG_NL },
		{ "stop nieuwsbrief", 1, CMD_UNSUBSCRIBE, "nieuwsbrief", 0, 0, 0, CLANG_NEUTRAL },
		{ "stop", 1, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "samenvatting kinderopvang aan", 1, CMD_DIGEST, "kinderopvang", 0, 0, 1, CLANG_NL },
		{ "digest kinderopvang off", 1, CMD_DIGEST, "kinderopvang", 0, 0, 0, CLANG_EN },
		{ "digest kinderopvang maybe", 1, CMD_UNKNOWN, "", 0, 0, 0, CLANG_EN },
		{ "overzicht", 1, CMD_LISTS, "", 0, 0, 0, CLANG_NL },
		{ "lijsten", 1, CMD_LISTS, "", 0, 0, 0, CLANG_NL },
		{ "lists", 1, CMD_LISTS, "", 0, 0, 0, CLANG_EN },
		{ "status", 1, CMD_WHICH, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "which", 1, CMD_WHICH, "", 0, 0, 0, CLANG_EN },
		{ "hulp", 1, CMD_HELP, "", 0, 0, 0, CLANG_NL },
		{ "help!", 1, CMD_HELP, "", 0, 0, 0, CLANG_EN },
		{ "help me please", 1, CMD_UNKNOWN, "", 0, 0, 0, CLANG_EN },
		{ "Hallo,", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "aanmeldenkinderopvang", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "archief jgz", 1, CMD_ARCHIVE, "jgz", 0, 0, 0, CLANG_NL },
		{ "Archive JGZ", 1, CMD_ARCHIVE, "jgz", 0, 0, 0, CLANG_EN },
		{ "bericht jgz 12", 1, CMD_GET, "jgz", 0, 0, 0, CLANG_NL },
		{ "get jgz 3", 1, CMD_GET, "jgz", 0, 0, 0, CLANG_EN },
		{ "zoek jgz thuiszitters", 1, CMD_SEARCH, "jgz", 0, 0, 0, CLANG_NL },
		{ "search jgz a b c d e f g", 1, CMD_SEARCH, "jgz", 0, 0, 0, CLANG_EN },
		/* Prose that begins with an archive word is no command. */
		{ "Archief van de gemeente", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "Bericht van Anna", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "bericht jgz 0", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "get me off this list", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
		{ "zoek", 0, CMD_UNKNOWN, "", 0, 0, 0, CLANG_NEUTRAL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct command c;
		int r = command_parse_line(t[i].line, strlen(t[i].line), &c);

		CHECKM(r == t[i].is_cmd, t[i].line);
		if (!r)
			continue;
		CHECKM(c.verb == t[i].verb, t[i].line);
		CHECK_STR(c.list, t[i].list);
		CHECKM(c.all == t[i].all && c.digest == t[i].digest &&
		    c.on == t[i].on, t[i].line);
		CHECKM(c.lang == t[i].lang, t[i].line);
	}
}

/* The archive's arguments: a post's number, the words of a search. */
static void
test_archive(void)
{
	struct command c;
	const char *get = "bericht jgz 123456789", *big = "get jgz 1234567890";
	const char *zoek = "zoek jgz  samenwerken  met scholen ";

	CHECK(command_parse_line(get, strlen(get), &c));
	CHECK_INT(c.number, 123456789);
	CHECK(!command_parse_line(big, strlen(big), &c));
	CHECK(command_parse_line(zoek, strlen(zoek), &c));
	CHECK_STR(c.words, "samenwerken  met scholen");
}

static void
test_confirm(void)
{
	struct command c;
	const char *up = "bevestig ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	CHECK(command_parse_line("confirm " TOK, strlen("confirm " TOK), &c));
	CHECK(c.verb == CMD_CONFIRM);
	CHECK_STR(c.token, TOK);
	CHECK(command_parse_line(up, strlen(up), &c));
	CHECK(c.verb == CMD_CONFIRM);
	CHECK_STR(c.token, TOK);               /* lower-cased */
	CHECK(command_parse_line("bevestig 123", 12, &c));
	CHECK(c.verb == CMD_UNKNOWN);
}

static void
test_prefixes(void)
{
	CHECK_STR(command_strip_prefixes("Re: bevestig x"), "bevestig x");
	CHECK_STR(command_strip_prefixes("RE: Antw: AW: Fwd: FW: x"), "x");
	CHECK_STR(command_strip_prefixes("Re[2]: x"), "x");
	CHECK_STR(command_strip_prefixes("  Doorst: WG: x"), "x");
	CHECK_STR(command_strip_prefixes("Reactie: x"), "Reactie: x");
	CHECK_STR(command_strip_prefixes("Regarding x"), "Regarding x");
	CHECK_STR(command_strip_prefixes(""), "");
}

static void
test_mail(void)
{
	struct command_set cs;
	enum lang lang;
	char many[2000] = "";

	command_parse("Re: bevestig " TOK, "Ja!\n\n> Iemand, hopelijk jij\n", &cs);
	CHECK_INT(cs.n, 1);
	CHECK(cs.cmd[0].verb == CMD_CONFIRM);
	CHECK(command_lang(&cs, &lang) && lang == LANG_NL);

	/* The subject is just a subject; the body has the commands. */
	command_parse("Graag aanmelden", "\n\naanmelden a\r\nsubscribe b digest\n"
	    "\nstatus\nGroet, Anna\nhelp\n", &cs);
	CHECK_INT(cs.n, 3);
	CHECK_STR(cs.cmd[0].list, "a");
	CHECK_STR(cs.cmd[1].list, "b");
	CHECK(cs.cmd[2].verb == CMD_WHICH);
	CHECK(command_lang(&cs, &lang) && lang == LANG_NL);   /* a tie is Dutch */

	/* Stops at a signature, a quote, a footer. */
	command_parse(NULL, "lists\n-- \nhelp\n", &cs);
	CHECK_INT(cs.n, 1);
	command_parse(NULL, "lists\n> help\n", &cs);
	CHECK_INT(cs.n, 1);
	command_parse(NULL, "lists\nVerzonden vanaf mijn iPhone\nhelp\n", &cs);
	CHECK_INT(cs.n, 1);
	command_parse(NULL, "lists\nOp 3 mei 2026 schreef Kring:\nhelp\n", &cs);
	CHECK_INT(cs.n, 1);
	CHECK(command_lang(&cs, &lang) && lang == LANG_EN);

	/*
	 * A last line ending in a bare CR (no LF) is read once; it once
	 * made the reader stand still on the CR for ever (found by
	 * fuzz/fuzz_command).
	 */
	command_parse(NULL, "status\r", &cs);
	CHECK_INT(cs.n, 1);
	command_parse(NULL, "aanmelden a\nhelp\r", &cs);
	CHECK_INT(cs.n, 2);
	command_parse(NULL, "\r", &cs);
	CHECK_INT(cs.n, 0);

	/* Nothing recognised: the first line, not understood. */
	command_parse("Vraag", "\nHoe werkt dit?\nlists\n", &cs);
	CHECK_INT(cs.n, 1);
	CHECK(cs.cmd[0].verb == CMD_UNKNOWN);
	CHECK_STR(cs.cmd[0].text, "Hoe werkt dit?");
	CHECK(!command_lang(&cs, &lang));

	/* Only a footer: nothing at all. */
	command_parse(NULL, "Verzonden vanaf mijn iPhone\n", &cs);
	CHECK_INT(cs.n, 0);
	command_parse(NULL, NULL, &cs);
	CHECK_INT(cs.n, 0);

	/* The same command twice (Subject and body) counts once. */
	command_parse("aanmelden a", "aanmelden a\nAanmelden A.\n", &cs);
	CHECK_INT(cs.n, 1);

	/* At most COMMAND_MAX. */
	for (int i = 0; i < 15; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "aanmelden l%d\n", i);
	command_parse(NULL, many, &cs);
	CHECK_INT(cs.n, COMMAND_MAX);
	CHECK(cs.too_many);
	CHECK_STR(cs.cmd[9].list, "l9");
}

static void
test_hostile(void)
{
	struct command_set cs;
	static char big[300000];
	struct command c;

	/* One endless line: kept short, one UTF-8 sequence never cut. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "help ", 5);
	command_parse(NULL, big, &cs);
	CHECK_INT(cs.n, 1);
	CHECK(cs.cmd[0].verb == CMD_UNKNOWN);
	CHECK(strlen(cs.cmd[0].text) <= COMMAND_TEXT_MAX);
	memset(big, 0, sizeof(big));
	strcpy(big, "hulp ");
	for (int i = 0; i < 200; i++)
		strcat(big, "\xc3\xa9");
	CHECK(command_parse_line(big, strlen(big), &c));
	CHECK((strlen(c.text) - 5) % 2 == 0);
	/* A list id that is too long is not a list id. */
	memset(big, 0, sizeof(big));
	strcpy(big, "aanmelden ");
	memset(big + 10, 'a', 100);
	CHECK(command_parse_line(big, strlen(big), &c));
	CHECK(c.verb == CMD_UNKNOWN);
	/* Control characters never reach the reply. */
	CHECK(command_parse_line("help \x01\x02", 7, &c));
	CHECK(strchr(c.text, '\x01') == NULL);
}

int
main(void)
{
	test_lines();
	test_archive();
	test_confirm();
	test_prefixes();
	test_mail();
	test_hostile();
	return check_done();
}
