/* Unit tests for model: word tables and free-text checks. */
#include "autoconf.h"

#include <string.h>

#include "check.h"
#include "model.h"

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
	return check_done();
}
