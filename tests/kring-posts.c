/*
 * kring-posts - fill a CoP's archive with generated posts, through the
 * same store_post_add() that a post by mail goes through (its thread,
 * its place in the search index), for bench/archive only.
 *
 *   kring-posts -c CONF LIST N [DAYS]
 *
 * N accepted posts from 200 authors over the last DAYS days (default
 * 365), in threads of one to eight on two of 32 topics each, with text
 * of about 1 KB: the topics' words, common Dutch words and made-up
 * ones (a fixed seed: every run makes the same archive).  One transaction per 1,000 posts.  Prints "added N".
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "model.h"
#include "store.h"
#include "xmem.h"

static const char *const words[] = {
	"thuiszitters", "samenwerking", "school", "leerplicht", "ouders",
	"jeugdzorg", "gemeente", "wijkteam", "verzuim", "begeleiding",
	"onderwijs", "zorgplicht", "passend", "aanpak", "netwerk", "kind",
	"jongeren", "ervaring", "vraag", "regio", "afspraken", "overleg",
	"leerkracht", "mentor", "huisarts", "psycholoog", "wachtlijst",
	"casus", "signalen", "preventie", "samenwerken", "ondersteuning",
	"de", "het", "een", "en", "van", "met", "voor", "in", "op", "dat",
	"wij", "zij", "hebben", "zijn", "worden", "goed", "graag", "ook",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static unsigned long seed = 42;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

/* A made-up word of two or three of 16 syllables: 4,352 of them. */
static void
filler(struct buf *b)
{
	static const char *const syl[] = { "ka", "lo", "ver", "ing", "sta",
		"de", "men", "ro", "ge", "tij", "on", "be", "wer", "zo", "an",
		"ke" };
	int n = 2 + (int)rnd(2);

	for (int i = 0; i < n; i++)
		buf_puts(b, syl[rnd(16)]);
}

/*
 * About bytes of text: the words of a thread's two topics now and then,
 * common short words often, made-up words for the rest, so a topic
 * word is in its threads only, as in real mail.
 */
static void
text(struct buf *b, size_t bytes, unsigned t1, unsigned t2)
{
	buf_reset(b);
	while (b->len < bytes) {
		unsigned r = rnd(20);

		if (r == 0)
			buf_puts(b, words[t1]);
		else if (r == 1)
			buf_puts(b, words[t2]);
		else if (r < 10)
			buf_puts(b, words[32 + rnd(NWORDS - 32)]);
		else
			filler(b);
		buf_putc(b, rnd(12) == 0 ? '\n' : ' ');
	}
}

static int
fill(struct store *st, const char *list, long n, long days, struct err *e)
{
	struct buf body = BUF_INIT, subject = BUF_INIT;
	char msgid[64], parent[64], from[64], name[64];
	time_t now = time(NULL);
	int left = 0;
	unsigned t1 = 0, t2 = 1;

	parent[0] = '\0';
	for (long i = 0; i < n; i++) {
		struct post p;
		int64_t id;
		long a = rnd(200);

		if (i % 1000 == 0 && store_begin(st, e) != 0)
			return -1;
		if (left == 0) {
			left = 1 + (int)rnd(8);
			t1 = rnd(32);
			t2 = rnd(32);
			buf_reset(&subject);
			buf_printf(&subject, "%s en %s", words[t1], words[t2]);
			parent[0] = '\0';
		}
		left--;
		snprintf(msgid, sizeof(msgid), "bench.%ld@example.org", i);
		snprintf(from, sizeof(from), "lid%ld@example.org", a);
		snprintf(name, sizeof(name), "Lid %ld", a);
		text(&body, 600 + rnd(800), t1, t2);
		memset(&p, 0, sizeof(p));
		p.list_id = (char *)list;
		p.from_addr = from;
		p.from_name = name;
		p.subject = (char *)buf_str(&subject);
		p.message_id = msgid;
		p.body = buf_str(&body);
		p.in_reply_to = parent[0] ? parent : NULL;
		p.raw = (char *)buf_str(&body);
		p.raw_len = body.len;
		p.state = POST_ACCEPTED;
		p.created = (int64_t)now - days * 86400 + i * (days * 86400 / n);
		if (store_post_add(st, &p, &id, e) != 0)
			return -1;
		if (parent[0] == '\0')
			snprintf(parent, sizeof(parent), "%s", msgid);
		if ((i + 1) % 1000 == 0 || i + 1 == n)
			if (store_commit(st, e) != 0)
				return -1;
	}
	buf_free(&body);
	buf_free(&subject);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct err e = { 0, "" };
	long n, days;

	if (argc < 5 || argc > 6 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: kring-posts -c CONF LIST N [DAYS]\n");
		return EX_USAGE;
	}
	n = strtol(argv[4], NULL, 10);
	days = argc == 6 ? strtol(argv[5], NULL, 10) : 365;
	if (n <= 0 || days <= 0) {
		fprintf(stderr, "kring-posts: N and DAYS must be positive\n");
		return EX_USAGE;
	}
	if (config_load(argv[2], &cfg, &e) != 0 ||
	    store_open(cfg->store, 0, &st, &e) != 0 ||
	    fill(st, argv[3], n, days, &e) != 0) {
		fprintf(stderr, "kring-posts: %s\n", e.msg);
		store_close(&st);
		config_free(&cfg);
		return e.ex ? e.ex : EX_SOFTWARE;
	}
	printf("added %ld\n", n);
	store_close(&st);
	config_free(&cfg);
	return 0;
}
