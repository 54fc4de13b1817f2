/* Unit tests for addr: validation, normal form, IDN, sub-addresses. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "addr.h"
#include "check.h"
#include "err.h"

static void
test_normalize(void)
{
	static const struct { const char *in, *want, *why; } c[] = {
		{ "anna@example.org", "anna@example.org", NULL },
		{ "Anna.de.Vries@Example.ORG", "Anna.de.Vries@example.org", NULL },
		{ "  <jan+cop@school.nl>  ", "jan+cop@school.nl", NULL },
		{ "o'brien@example.ie", "o'brien@example.ie", NULL },
		{ "user@bücher.example", "user@xn--bcher-kva.example", NULL },
		{ "josé@exämple.nl", "josé@xn--exmple-cua.nl", NULL },
		{ "a@b.nl\r\nBcc: x@y.nl", NULL, "line break" },
		{ "a@b.nl\n", NULL, "line break" },
		{ "a\tb@c.nl", NULL, "control" },
		{ "anna", NULL, "no @" },
		{ "a@b@c.nl", NULL, "more than one @" },
		{ "@example.org", NULL, "empty local part" },
		{ "anna@", NULL, "empty domain" },
		{ ".anna@example.org", NULL, "dot" },
		{ "anna.@example.org", NULL, "dot" },
		{ "an..na@example.org", NULL, "two dots" },
		{ "\"anna\"@example.org", NULL, "'\"'" },
		{ "anna smit@example.org", NULL, "' '" },
		{ "anna@example", NULL, "no dot" },
		{ "anna@-example.org", NULL, "'-'" },
		{ "anna@example-.org", NULL, "'-'" },
		{ "anna@exa_mple.org", NULL, "not allowed" },
		{ "anna@example..org", NULL, "empty label" },
		{ "anna@example.org.", NULL, "ends with a dot" },
		{ "<anna@example.org>,b@c.nl", NULL, "'<'" },
		{ "anna@example.org,b@c.nl", NULL, "','" },
		{ "", NULL, "empty" },
		{ "a\xff@example.org", NULL, "UTF-8" },
		{ "x@\xc3\x41.nl", NULL, "UTF-8" },
		{ "anna@ex\xc3\xa4mple..nl", NULL, "empty label" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct err e = { 0, "" };
		char *got = addr_normalize(c[i].in, &e);

		CHECK_STR(got, c[i].want);
		if (c[i].why != NULL) {
			CHECK_INT(e.ex, EX_DATAERR);
			CHECKM(strstr(e.msg, c[i].why) != NULL, e.msg);
		}
		free(got);
	}
}

static void
test_limits(void)
{
	char local[80], addr[400];
	struct err e = { 0, "" };
	char *got;

	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.org", local);
	got = addr_normalize(addr, &e);
	CHECK(got != NULL);
	free(got);
	memset(local, 'a', 65);
	local[65] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.org", local);
	CHECK(addr_normalize(addr, &e) == NULL);
	CHECK(strstr(e.msg, "64") != NULL);
	/* 64 + 1 + 190 = 255 octets: over the 254 of a whole address. */
	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@%0*d.%0*d.%0*d.nl", local, 63, 0, 63, 0,
	    61, 0);
	CHECK(addr_normalize(addr, &e) == NULL);
	snprintf(addr, sizeof(addr), "a@%0*d.nl", 64, 0);
	CHECK(addr_normalize(addr, &e) == NULL);
	CHECK(strstr(e.msg, "63") != NULL);
}

static void
test_list_ids(void)
{
	static const struct { const char *id; int ok; } c[] = {
		{ "kinderopvang", 1 }, { "cop-1", 1 }, { "1e-lijn", 1 }, { "a", 1 },
		{ "Kinderopvang", 0 }, { "-cop", 0 }, { "", 0 }, { "cop_1", 0 },
		{ "cop 1", 0 }, { "cop.1", 0 }, { "jeugdzorg\n", 0 },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd", 1 },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde", 0 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECKM(addr_list_id_ok(c[i].id) == (c[i].ok != 0), c[i].id);
}

static void
test_extension(void)
{
	static const struct { const char *addr; int is; const char *ext; } c[] = {
		{ "metandereogen@example.org", 1, "" },
		{ "MetAndereOgen@Example.ORG", 1, "" },
		{ "metandereogen+kinderopvang-subscribe@example.org", 1,
		  "kinderopvang-subscribe" },
		{ "metandereogen+Confirm-ABC@EXAMPLE.org", 1, "confirm-abc" },
		{ "metandereogen+@example.org", 0, NULL },
		{ "metandereogenx@example.org", 0, NULL },
		{ "metandereogen+help@example.net", 0, NULL },
		{ "other@example.org", 0, NULL },
		{ "noat", 0, NULL },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *ext = NULL;
		int r = addr_extension(c[i].addr, "metandereogen", "example.org",
		    "+", &ext);

		CHECKM(r == c[i].is, c[i].addr);
		CHECK_STR(ext, c[i].ext);
		free(ext);
	}
	{
		char *a = addr_with_extension("l", "d.nl", "+", "help");
		char *b = addr_with_extension("l", "d.nl", "+", "");
		char *l, *d;

		CHECK_STR(a, "l+help@d.nl");
		CHECK_STR(b, "l@d.nl");
		addr_split("a.b@c.nl", &l, &d);
		CHECK_STR(l, "a.b");
		CHECK_STR(d, "c.nl");
		free(a);
		free(b);
		free(l);
		free(d);
	}
}

int
main(void)
{
	test_normalize();
	test_limits();
	test_list_ids();
	test_extension();
	return check_done();
}
