/*
 * kring-enqueue - put a message into a site's outgoing queue, through
 * the same queue_add() that the newsletter, digest and reply code use.
 *
 * The send tests and bench/send need mail in the queue before the
 * commands that queue it for real (`kring newsletter queue`, replies to
 * command mail) exist; this tool is that front door, for tests only.
 *
 *   kring-enqueue -c CONF [--kind K] [--list ID] [--subject S]
 *       [--from ADDR] [--from-name N] [--reply-to ADDR]
 *       [--in-reply-to ID] [--text FILE | --size BYTES] [--html FILE]
 *       [--at UNIXTIME] (--members | --rcpt ADDR[=NAME] ...)
 *
 * --members queues to every active subscriber of --list.  --size makes
 * a text of about that many bytes.  Prints "queued N campaign C".
 */
#include "autoconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "queue.h"
#include "store.h"
#include "xmem.h"

struct rcpts {
	struct queue_rcpt *v;
	size_t n, cap;
};

static void
rcpt_add(struct rcpts *r, const char *addr, const char *name, int64_t pid)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->n].addr = xstrdup(addr);
	r->v[r->n].name = name ? xstrdup(name) : NULL;
	r->v[r->n].person_id = pid;
	r->n++;
}

static int
member(const struct sub *s, void *arg)
{
	rcpt_add(arg, s->email, s->name, s->person_id);
	return 0;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (f == NULL) {
		perror(path);
		exit(EX_NOINPUT);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

/* About size bytes of Dutch-looking prose in lines of 70-odd characters. */
static char *
filler(long size)
{
	static const char *const words[] = { "de", "werkplaats", "kinderopvang",
		"onderwijs", "jeugdzorg", "gezondheid", "regio", "samen", "leren",
		"praktijk", "netwerk", "bijeenkomst", "ervaring", "delen", "één",
		"café", "overleg", "gemeente" };
	struct buf b = BUF_INIT;
	size_t line = 0, i = 0;

	while ((long)b.len < size) {
		const char *w = words[(i * 7 + i / 3) % 18];

		buf_puts(&b, w);
		line += strlen(w);
		i++;
		if (line > 68) {
			buf_puts(&b, ".\n");
			line = 0;
		} else {
			buf_putc(&b, ' ');
			line++;
		}
	}
	buf_putc(&b, '\n');
	return buf_steal(&b);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "list", required_argument, NULL, 'l' },
		{ "subject", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "from-name", required_argument, NULL, 'F' },
		{ "reply-to", required_argument, NULL, 'R' },
		{ "in-reply-to", required_argument, NULL, 'I' },
		{ "text", required_argument, NULL, 't' },
		{ "html", required_argument, NULL, 'H' },
		{ "size", required_argument, NULL, 'z' },
		{ "at", required_argument, NULL, 'a' },
		{ "members", no_argument, NULL, 'm' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *list = NULL, *rcpt_args[1024];
	struct q_campaign c;
	struct q_message m;	/* text and html are ours; the rest points into argv */
	struct rcpts r = { NULL, 0, 0 };
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct hmac_key key;
	struct err e = { 0, "" };
	int ch, nr = 0, members = 0;
	long size = 2000;
	int64_t now = time(NULL), cid = 0, queued = 0;
	char *keypath;

	memset(&c, 0, sizeof(c));
	memset(&m, 0, sizeof(m));
	memset(&key, 0, sizeof(key));
	c.kind = CAMPAIGN_NOTICE;
	m.subject = "kring test";
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'k':
			if (campaign_kind_parse(optarg, &c.kind) != 0) {
				fprintf(stderr, "kring-enqueue: --kind %s\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'l': list = optarg; break;
		case 's': m.subject = optarg; break;
		case 'f': m.from_addr = optarg; break;
		case 'F': m.from_name = optarg; break;
		case 'R': m.reply_to = optarg; break;
		case 'I': m.in_reply_to = m.refs = optarg; break;
		case 't': m.text = slurp(optarg); break;
		case 'H': m.html = slurp(optarg); break;
		case 'z': size = atol(optarg); break;
		case 'a': c.not_before = atoll(optarg); break;
		case 'm': members = 1; break;
		case 'r':
			if (nr < 1024)
				rcpt_args[nr++] = optarg;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (conf == NULL || (members && list == NULL) || (!members && nr == 0)) {
		fprintf(stderr, "usage: kring-enqueue -c CONF [options] "
		    "(--members --list ID | --rcpt ADDR[=NAME] ...)\n");
		return EX_USAGE;
	}
	if (config_load(conf, &cfg, &e) != 0 ||
	    store_open(cfg->store, 0, &st, &e) != 0)
		goto fail;
	keypath = hmac_key_path(cfg->store);
	ch = hmac_key_load(keypath, &key, &e);
	free(keypath);
	if (ch != 0)
		goto fail;
	if (m.from_addr == NULL)
		m.from_addr = cfg->address;
	if (m.text == NULL)
		m.text = filler(size);
	m.created = now;
	c.list_id = (char *)list;
	c.subject = (char *)m.subject;
	c.created = now;
	if (c.not_before == 0)
		c.not_before = now;
	if (members && store_sub_each(st, list, SUB_ACTIVE, member, &r, &e) != 0)
		goto fail;
	for (int i = 0; i < nr; i++) {
		char *a = xstrdup(rcpt_args[i]), *eq = strchr(a, '=');

		if (eq != NULL)
			*eq++ = '\0';
		rcpt_add(&r, a, eq, 0);
		free(a);
	}
	if (store_begin(st, &e) != 0 ||
	    queue_add(st, &key, &c, &m, r.v, r.n, now, &cid, &queued, &e) != 0 ||
	    store_commit(st, &e) != 0)
		goto fail;
	printf("queued %lld campaign %lld\n", (long long)queued, (long long)cid);
	ch = 0;
	goto out;
fail:
	fprintf(stderr, "kring-enqueue: %s\n", e.msg);
	ch = e.ex ? e.ex : EX_SOFTWARE;
out:
	for (size_t i = 0; i < r.n; i++) {
		free((char *)r.v[i].addr);
		free((char *)r.v[i].name);
	}
	free(r.v);
	free(m.text);
	free(m.html);
	hmac_key_free(&key);
	store_close(&st);
	config_free(&cfg);
	return ch;
}
