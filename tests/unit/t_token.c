/* Unit tests for token and hmac: shape, hashing, keys, known answers. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "err.h"
#include "hmac.h"
#include "token.h"

static void
test_tokens(void)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], h1[TOKEN_HASH_LEN + 1],
	    h2[TOKEN_HASH_LEN + 1], up[TOKEN_LEN + 1];

	CHECK(token_new(a) == 0);
	CHECK(token_new(b) == 0);
	CHECK_INT(strlen(a), TOKEN_LEN);
	CHECK(strcmp(a, b) != 0);
	CHECK(strspn(a, "abcdefghijklmnopqrstuvwxyz234567") == TOKEN_LEN);
	CHECK(token_well_formed(a));
	for (size_t i = 0; i <= TOKEN_LEN; i++)
		up[i] = (char)(a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i]);
	CHECK(token_well_formed(up));
	CHECK(!token_well_formed("short"));
	CHECK(!token_well_formed("abcdefghijklmnopqrstuvwxy1"));   /* '1' */
	CHECK(!token_well_formed("abcdefghijklmnopqrstuvwxyz2"));  /* 27 */
	token_hash(a, h1);
	token_hash(up, h2);
	CHECK_STR(h1, h2);               /* case does not matter */
	token_hash(b, h2);
	CHECK(strcmp(h1, h2) != 0);
	/* A longer string with the token as prefix must not match. */
	{
		char longer[64];

		snprintf(longer, sizeof(longer), "%sx", a);
		token_hash(longer, h2);
		CHECK(strcmp(h1, h2) != 0);
	}
	token_hash("abc", h1);
	CHECK_STR(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(token_equal("abc", "abc", 3));
	CHECK(!token_equal("abc", "abd", 3));
}

static void
test_hmac(void)
{
	/* RFC 4231 test case 2 uses a 4-byte key; ours is 32 bytes, zero-padded
	 * keys are equivalent in HMAC, so "Jefe" + 28 zero bytes gives the same. */
	struct hmac_key k;
	char hex[HMAC_HEX_LEN + 1];

	memset(&k, 0, sizeof(k));
	memcpy(k.k, "Jefe", 4);
	hmac_hex(&k, "what do ya want for nothing?", 28, hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void
test_key_file(void)
{
	char dir[] = "/tmp/kring-t_token-XXXXXX", *path, first[80];
	struct hmac_key k1, k2;
	struct err e = { 0, "" };
	struct stat sb;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	{
		char store[128];

		snprintf(store, sizeof(store), "%s/kring.db", dir);
		path = hmac_key_path(store);
	}
	CHECK(hmac_key_load(path, &k1, &e) == -1);
	CHECK_INT(e.ex, EX_NOINPUT);
	CHECK(hmac_key_create(path, &e) == 0);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	f = fopen(path, "r");
	CHECK(f != NULL && fgets(first, sizeof(first), f) != NULL);
	fclose(f);
	CHECK(hmac_key_create(path, &e) == 0);       /* idempotent: kept */
	f = fopen(path, "r");
	{
		char again[80];

		CHECK(fgets(again, sizeof(again), f) != NULL);
		CHECK_STR(again, first);
	}
	fclose(f);
	CHECK(hmac_key_load(path, &k1, &e) == 0);
	CHECK(hmac_key_load(path, &k2, &e) == 0);
	CHECK(memcmp(k1.k, k2.k, sizeof(k1.k)) == 0);
	chmod(path, 0644);
	CHECK(hmac_key_load(path, &k1, &e) == -1);
	CHECK_INT(e.ex, EX_CONFIG);
	CHECK(strstr(e.msg, "chmod 600") != NULL);
	chmod(path, 0600);
	f = fopen(path, "w");
	fputs("not hex at all, not hex at all, not hex at all, not hex at all!\n", f);
	fclose(f);
	CHECK(hmac_key_load(path, &k1, &e) == -1);
	CHECK_INT(e.ex, EX_DATAERR);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* Links of the site lose their token; anything else stays as it is. */
static void
test_scrub(void)
{
	static const struct {
		const char *in, *out;
		size_t hits;
	} cases[] = {
		{ "zie https://l.example/a/abcdefghijklmnopqrstuvwx23 en",
		  "zie https://l.example/a/... en", 1 },
		{ "https://l.example/a/ABCDEFGHIJKLMNOPQRSTUVWX23/jgz/t/4\n"
		  "> https://l.example/a/abcdefghijklmnopqrstuvwx23",
		  "https://l.example/a/.../jgz/t/4\n> https://l.example/a/...", 2 },
		/* Not the shape of a token, or another site's. */
		{ "https://l.example/a/public/jgz", NULL, 0 },
		{ "https://l.example/a/abcdefghijklmnopqrstuvwx234", NULL, 0 },
		{ "https://l.example/a/abcdefghijklmnopqrstuvwx2", NULL, 0 },
		{ "https://elders.example/a/abcdefghijklmnopqrstuvwx23", NULL, 0 },
		{ "https://l.example/a/", NULL, 0 },
		{ "", NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		size_t n = strlen(cases[i].in);

		CHECK_INT(token_scrub("https://l.example/a/", cases[i].in, n,
		    &out), cases[i].hits);
		CHECK_STR(buf_str(&out), cases[i].out ? cases[i].out :
		    cases[i].in);
		CHECK_INT(token_scrub("https://l.example/a/", cases[i].in, n,
		    NULL), cases[i].hits);
		buf_reset(&out);
		/* No site link: nothing to look for. */
		CHECK_INT(token_scrub(NULL, cases[i].in, n, &out), 0);
		CHECK_STR(buf_str(&out), cases[i].in);
		buf_free(&out);
	}
}

int
main(void)
{
	test_tokens();
	test_hmac();
	test_key_file();
	test_scrub();
	return check_done();
}
