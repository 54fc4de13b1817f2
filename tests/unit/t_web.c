/*
 * t_web - the pure parts of kringd's web endpoint: the language a
 * browser asks for (langpref), the per-client rate (ratelimit) and
 * the counts of connections and requests per address (conncap).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "conncap.h"
#include "langpref.h"
#include "ratelimit.h"

static const struct {
	const char *header;
	int found;
	enum lang want;
} lang_cases[] = {
	{ NULL, 0, LANG_NL },
	{ "", 0, LANG_NL },
	{ "nl", 1, LANG_NL },
	{ "en", 1, LANG_EN },
	{ "EN-gb", 1, LANG_EN },
	{ "nl-BE,nl;q=0.9,en;q=0.8", 1, LANG_NL },
	{ "en-US,en;q=0.9,nl;q=0.8", 1, LANG_EN },
	{ "de-DE,de;q=0.9,en;q=0.7,nl;q=0.8", 1, LANG_NL },
	{ "fr, de;q=0.5", 0, LANG_NL },
	{ "*", 0, LANG_NL },
	{ "en;q=0, nl;q=0.1", 1, LANG_NL },
	{ "en;q=0", 0, LANG_NL },
	{ "en ; q=0.5 , nl ; q=0.5", 1, LANG_EN },     /* a tie: the first */
	{ "nld, eng", 0, LANG_NL },                     /* three letters: no */
	{ "en;q=1.0;level=1", 1, LANG_EN },
	{ "en;level=1;q=0.2,nl;q=0.3", 1, LANG_NL },
	{ ",,, ;q=, en", 1, LANG_EN },
};

static void
test_langpref(void)
{
	for (size_t i = 0; i < sizeof(lang_cases) / sizeof(lang_cases[0]); i++) {
		enum lang got = LANG_NL;
		int r = langpref_pick(lang_cases[i].header, &got);
		char what[128];

		snprintf(what, sizeof(what), "Accept-Language: %s",
		    lang_cases[i].header ? lang_cases[i].header : "(none)");
		CHECKM(r == lang_cases[i].found, what);
		if (r)
			CHECKM(got == lang_cases[i].want, what);
	}
}

static void
test_ratelimit(void)
{
	struct ratelimit *rl = ratelimit_new(3);
	char key[32];
	time_t t = 1000000;

	for (int i = 0; i < 3; i++)
		CHECK(ratelimit_hit(rl, "192.0.2.1", t));
	CHECK(!ratelimit_hit(rl, "192.0.2.1", t + 10));
	CHECK_INT(ratelimit_retry_after(rl, "192.0.2.1", t + 10),
	    RATELIMIT_WINDOW - 10);
	/* Another client has a count of its own. */
	CHECK(ratelimit_hit(rl, "2001:db8::1", t + 10));
	/* A new window starts afresh. */
	CHECK(ratelimit_hit(rl, "192.0.2.1", t + RATELIMIT_WINDOW));
	CHECK_INT(ratelimit_retry_after(rl, "198.51.100.9", t), 1);
	/* A flood of addresses takes the oldest slots, never more memory. */
	for (int i = 0; i < 3 * RATELIMIT_CLIENTS; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		CHECK(ratelimit_hit(rl, key, t + 20 + i / 100));
	}
	CHECK(ratelimit_hit(rl, "192.0.2.1", t + RATELIMIT_WINDOW));
	ratelimit_free(&rl);
	CHECK(rl == NULL);
}

static void
test_conncap(void)
{
	struct conncap *cc = conncap_new(4);
	char key[32];

	for (int i = 0; i < 3; i++)
		CHECK(conncap_take(cc, "127.0.0.1", 3));
	CHECK(!conncap_take(cc, "127.0.0.1", 3));
	CHECK_INT(conncap_count(cc, "127.0.0.1"), 3);
	/* Another address has a count of its own. */
	CHECK(conncap_take(cc, "192.0.2.1", 3));
	CHECK(!conncap_take(cc, "192.0.2.2", 0));
	/* Given back, there is room again. */
	conncap_give(cc, "127.0.0.1");
	CHECK(conncap_take(cc, "127.0.0.1", 3));
	/* A full table says no rather than grow; a freed slot serves again. */
	CHECK(conncap_take(cc, "192.0.2.3", 3));
	CHECK(conncap_take(cc, "192.0.2.4", 3));
	CHECK(!conncap_take(cc, "192.0.2.5", 3));
	conncap_give(cc, "192.0.2.3");
	CHECK_INT(conncap_count(cc, "192.0.2.3"), 0);
	CHECK(conncap_take(cc, "192.0.2.5", 3));
	/* A key past CONNCAP_KEY_MAX counts by its start. */
	memset(key, 'a', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	conncap_give(cc, "192.0.2.1");
	CHECK(conncap_take(cc, key, 1));
	CHECK_INT(conncap_count(cc, key), 1);
	conncap_give(cc, "never-taken");
	conncap_free(&cc);
	CHECK(cc == NULL);
}

int
main(void)
{
	test_langpref();
	test_ratelimit();
	test_conncap();
	return check_done();
}
