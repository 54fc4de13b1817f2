/* Unit tests for token and hmac: shape, hashing, keys, known answers, and
 * the same bytes as OpenSSL's one-shot HMAC(). */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

/* RFC 4231's cases whose keys fit in 32 bytes: zero-padded to our key
 * length they are the same HMAC key (RFC 2104 pads short keys with zeros). */
static void
test_hmac_rfc4231(void)
{
	static const struct {
		unsigned char key[HMAC_KEY_BYTES];
		const char *data;
		size_t n;
		const char *mac;
	} cases[] = {
		{ { 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
		    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b },
		  "Hi There", 8,
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ { 'J', 'e', 'f', 'e' }, "what do ya want for nothing?", 28,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa },
		  NULL, 50,   /* 50 bytes of 0xdd */
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
		{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
		    19, 20, 21, 22, 23, 24, 25 },
		  NULL, 50,   /* 50 bytes of 0xcd */
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	};
	struct err e = { 0, "" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hmac_key k;
		unsigned char data[50];
		char hex[HMAC_HEX_LEN + 1];

		memset(data, i == 2 ? 0xdd : 0xcd, sizeof(data));
		CHECK(hmac_key_set(&k, cases[i].key, &e) == 0);
		hmac_hex(&k, cases[i].data ? (const void *)cases[i].data : data,
		    cases[i].n, hex);
		CHECK_STR(hex, cases[i].mac);
		hmac_key_free(&k);
	}
}

/* A key of the bytes 0, 1, ... 31. */
static void
counting_key(struct hmac_key *k)
{
	unsigned char raw[HMAC_KEY_BYTES];
	struct err e = { 0, "" };

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)i;
	CHECK(hmac_key_set(k, raw, &e) == 0);
}

/* What OpenSSL's one-shot HMAC() makes of it: the reference. */
static void
one_shot(const struct hmac_key *k, const void *data, size_t n,
    unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), k->k, HMAC_KEY_BYTES, data, n, out, &len);
}

/* Every length across SHA-256's block boundaries (55, 56, 64, 119 ...),
 * random keys and data: the same bytes as OpenSSL's one-shot HMAC(). */
static void
test_hmac_one_shot(void)
{
	unsigned char data[300], want[32], got[32], raw[HMAC_KEY_BYTES];
	struct err e = { 0, "" };
	int differ = 0;

	for (int round = 0; round < 8; round++) {
		struct hmac_key k;

		CHECK(token_random(raw, sizeof(raw)) == 0);
		CHECK(hmac_key_set(&k, raw, &e) == 0);
		for (size_t n = 0; n <= sizeof(data); n++) {
			CHECK(token_random(data, sizeof(data)) == 0);
			one_shot(&k, data, n, want);
			hmac_raw(&k, data, n, got);
			differ += memcmp(got, want, 32) != 0;
		}
		hmac_key_free(&k);
	}
	CHECK_INT(differ, 0);
}

struct sharer {
	const struct hmac_key *k;
	int first, differ;
};

static void *
share(void *arg)
{
	struct sharer *s = arg;

	for (int i = s->first; i < s->first + 3000; i++) {
		char data[64];
		unsigned char want[32], got[32];
		int n = snprintf(data, sizeof(data), "unsubscribe:nieuws:%d", i);

		one_shot(s->k, data, (size_t)n, want);
		hmac_raw(s->k, data, (size_t)n, got);
		s->differ += memcmp(got, want, 32) != 0;
	}
	return NULL;
}

/* The sender's threads share one key: hashing must not change it. */
static void
test_hmac_threads(void)
{
	struct hmac_key k;
	struct sharer s[4];
	pthread_t t[4];

	counting_key(&k);
	for (int i = 0; i < 4; i++) {
		s[i] = (struct sharer){ &k, i * 1000, 0 };
		CHECK(pthread_create(&t[i], NULL, share, &s[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], NULL) == 0);
		CHECK_INT(s[i].differ, 0);
	}
	hmac_key_free(&k);
}

/* token_hash with the key's fetched SHA-256 is token_hash. */
static void
test_token_hash_md(void)
{
	struct hmac_key k;
	char tok[TOKEN_LEN + 1], up[TOKEN_LEN + 1], h1[TOKEN_HASH_LEN + 1],
	    h2[TOKEN_HASH_LEN + 1];

	counting_key(&k);
	for (int i = 0; i < 100; i++) {
		CHECK(token_new(tok) == 0);
		token_hash(tok, h1);
		token_hash_md(k.sha256, tok, h2);
		CHECK_STR(h2, h1);
		for (size_t j = 0; j <= TOKEN_LEN; j++)
			up[j] = (char)(tok[j] >= 'a' && tok[j] <= 'z' ?
			    tok[j] - 32 : tok[j]);
		token_hash_md(k.sha256, up, h2);
		CHECK_STR(h2, h1);
	}
	token_hash_md(k.sha256, "abc", h1);
	CHECK_STR(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hmac_key_free(&k);
	CHECK(k.sha256 == NULL && k.inner == NULL && k.outer == NULL);
	hmac_key_free(&k);               /* twice: harmless */
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
	{
		unsigned char m1[32], m2[32];

		hmac_raw(&k1, "x", 1, m1);
		one_shot(&k2, "x", 1, m2);
		CHECK(memcmp(m1, m2, sizeof(m1)) == 0);
	}
	hmac_key_free(&k1);
	hmac_key_free(&k2);
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
	test_hmac_rfc4231();
	test_hmac_one_shot();
	test_hmac_threads();
	test_token_hash_md();
	test_key_file();
	test_scrub();
	return check_done();
}
