/* Unit tests for model: word tables and free-text checks. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"

/* --alias: lower-cased, trimmed, in order; bad words named. */
static void
aliases(void)
{
	static const struct { const char *in, *out, *bad, *why; } t[] = {
		{ "jgz", "jgz", NULL, NULL },
		{ " JGZ , Gezond-School ", "jgz,gezond-school", NULL, NULL },
		{ "", "", NULL, NULL }, { "  ", "", NULL, NULL },
		{ "a,,b", NULL, "a,,b", "empty" }, { "a,", NULL, "a,", "empty" },
		{ "a b", NULL, "a b", "not an alias" },
		{ "x,Y,y", NULL, "y", "twice" }, { "\xc3\xa9", NULL, "\xc3\xa9",
		    "not an alias" },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "1,2,3,4,5,6,7,8,9,"
		    "10,11,12,13,14,15,16", NULL, NULL },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", NULL, "17",
		    "more than 16" },
	};
	char long_word[LIST_ALIAS_MAX + 2], *out, *bad;
	const char *why;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = list_aliases_parse(t[i].in, &out, &bad, &why);

		CHECKM(rc == (t[i].out ? 0 : -1), t[i].in);
		CHECK_STR(out, t[i].out);
		CHECK_STR(bad, t[i].bad);
		CHECKM(t[i].why ? why && strstr(why, t[i].why) : why == NULL,
		    t[i].in);
		free(out);
		free(bad);
	}
	memset(long_word, 'a', sizeof(long_word) - 1);
	long_word[LIST_ALIAS_MAX] = '\0';
	CHECK(list_aliases_parse(long_word, &out, &bad, &why) == 0);
	free(out);
	long_word[LIST_ALIAS_MAX] = 'a';
	long_word[LIST_ALIAS_MAX + 1] = '\0';
	CHECK(list_aliases_parse(long_word, &out, &bad, &why) == -1);
	free(bad);
}

int
main(void)
{
	enum list_kind k;
	enum list_policy p;
	enum list_digest d;
	enum lang l;
	enum sub_state s;
	enum sub_mode m;
	static const struct { const char *in; const char *why; } text[] = {
		{ "CoP Kinderopvang", NULL }, { "Ëlla Müller", NULL },
		{ "Nieuwsbrief’s", NULL }, { "", NULL },
		{ "a\nb", "line break" }, { "a\rb", "line break" },
		{ "a\tb", "control" }, { "a\x7f", "control" },
		{ "a\xc2\x85" "b", "control" }, { "a\xff", "UTF-8" },
		{ "\xed\xa0\x80", "UTF-8" }, { "\xc0\xaf", "UTF-8" },
	};

	CHECK(list_kind_parse("newsletter", &k) == 0 && k == LIST_NEWSLETTER);
	CHECK(list_kind_parse("Newsletter", &k) == -1);
	CHECK(list_policy_parse("moderated", &p) == 0 && p == POLICY_MODERATED);
	CHECK(list_policy_parse("open", &p) == -1);
	CHECK(list_digest_parse("monthly", &d) == 0 && d == DIGEST_MONTHLY);
	CHECK(lang_parse("en", &l) == 0 && l == LANG_EN);
	CHECK(lang_parse("de", &l) == -1);
	CHECK(sub_state_parse("unsubscribed", &s) == 0 && s == SUB_UNSUBSCRIBED);
	CHECK(sub_mode_parse("digest", &m) == 0 && m == MODE_DIGEST);
	CHECK(sub_mode_parse(NULL, &m) == -1);
	CHECK_STR(list_kind_name(LIST_COP), "cop");
	CHECK_STR(list_policy_name(POLICY_CLOSED), "closed");
	CHECK_STR(list_digest_name(DIGEST_WEEKLY), "weekly");
	CHECK_STR(sub_state_name(SUB_PENDING), "pending");
	CHECK_STR(list_policy_words(), "members|moderated|closed");
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		const char *why = model_text_problem(text[i].in, 100);

		if (text[i].why == NULL)
			CHECK_STR(why, NULL);
		else
			CHECKM(why != NULL && strstr(why, text[i].why) != NULL,
			    text[i].in);
	}
	CHECK(model_text_problem("abcdef", 5) != NULL);
	CHECK(model_text_problem("abcde", 5) == NULL);
	aliases();
	return check_done();
}
