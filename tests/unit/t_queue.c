/*
 * Unit tests for the queue: enqueueing once per (message, recipient),
 * claims that two connections never share, leases given back when their
 * sender is dead or out of time, results (a sent row is never undone),
 * the retry ladder and max_age, campaign counts, the signed VERP
 * sub-address, and a list's members queued from the store to the store
 * (only the active ones of the mode asked for, each with their token).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "queue.h"
#include "store.h"
#include "token.h"
#include "verp.h"

/* The owners recovery finds alive: those in the NULL-ended arg. */
static bool
alive_in(const char *owner, void *arg)
{
	const char *const *live = arg;

	for (; owner != NULL && *live != NULL; live++)
		if (strcmp(owner, *live) == 0)
			return true;
	return false;
}

static int
count_cb(const struct q_campaign_stats *s, void *arg)
{
	int64_t *out = arg;

	for (int i = 0; i < 6; i++)
		out[i] = s->count[i];
	out[6] = s->c->id;
	return 0;
}

/* A site key of HMAC_KEY_BYTES bytes, byte after byte from first + step*i. */
static void
key_of(struct hmac_key *k, int first, int step)
{
	unsigned char raw[HMAC_KEY_BYTES];
	struct err e = { 0, "" };

	for (int i = 0; i < HMAC_KEY_BYTES; i++)
		raw[i] = (unsigned char)(first + step * i);
	CHECK(hmac_key_set(k, raw, &e) == 0);
}

static void
test_verp(void)
{
	struct hmac_key k1, k2;
	char *ext;
	int64_t q = 0;

	key_of(&k1, 1, 0);
	key_of(&k2, 2, 0);
	ext = verp_extension(&k1, 123456789);
	CHECK(strncmp(ext, "bounce-", 7) == 0);
	CHECK_INT(verp_parse(&k1, ext, &q), 1);
	CHECK_INT(q, 123456789);
	/* Mail systems may fold case. */
	for (char *p = ext; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	CHECK_INT(verp_parse(&k1, ext, &q), 1);
	/* Another site's key, a changed row, garbage: all refused. */
	CHECK_INT(verp_parse(&k2, ext, &q), 0);
	free(ext);
	ext = verp_extension(&k1, 7);
	ext[7] = '8';
	CHECK_INT(verp_parse(&k1, ext, &q), 0);
	free(ext);
	CHECK_INT(verp_parse(&k1, "bounce-", &q), 0);
	CHECK_INT(verp_parse(&k1, "bounce-1-", &q), 0);
	CHECK_INT(verp_parse(&k1, "bounce-zzzzzzzzzzzzzzzzzzzz-abcdefgh", &q), 0);
	CHECK_INT(verp_parse(&k1, "cop-a-unsubscribe", &q), 0);
	hmac_key_free(&k1);
	hmac_key_free(&k2);
}

/* The token in a copy and the hash kept of it, known answers: the bytes
 * HMAC-SHA-256 and SHA-256 give, so queueing can be made faster without
 * changing a link already sent or a row already stored. */
static void
test_unsub_token(void)
{
	struct hmac_key k;
	char t[TOKEN_LEN + 1], h[TOKEN_HASH_LEN + 1];

	key_of(&k, 0, 1);
	queue_unsub_token(&k, "nieuws", 42, t);
	CHECK_STR(t, "nl6eq6pjtyuvh4hmbgxh2hnnva");
	token_hash_md(k.sha256, t, h);
	CHECK_STR(h, "972f5311407d94b74348377170f5a2fbc639787158d7156874e2b281a3500e48");
	hmac_key_free(&k);
}

static void
test_retry(void)
{
	struct config *cfg = config_defaults();

	/* 5m, 15m, 1h, 4h, 12h, then 12h again; max_age 5d. */
	CHECK_INT(queue_retry_at(cfg, 1, 1000, 1000), 1000 + 300);
	CHECK_INT(queue_retry_at(cfg, 2, 1000, 2000), 2000 + 900);
	CHECK_INT(queue_retry_at(cfg, 9, 1000, 5000), 5000 + 43200);
	CHECK_INT(queue_retry_at(cfg, 3, 1000, 1000 + 5 * 86400), -1);
	config_free(&cfg);
}

/* Queue a notice of list nieuws to its members in mode; *queued. */
static int64_t
queue_members(struct store *st, const struct hmac_key *key, int mode)
{
	struct err e = { 0, "" };
	struct q_campaign c = { .kind = CAMPAIGN_NEWSLETTER, .list_id = "nieuws",
		.subject = "s", .created = 1000, .not_before = 1000 };
	struct q_message m = { .from_addr = "metandereogen@example.org",
		.subject = "s", .text = "hallo\n", .created = 1000 };
	int64_t cid = 0, queued = -1;

	CHECK(store_begin(st, &e) == 0);
	CHECK(queue_add_members(st, key, &c, &m, mode, 1000, NULL, NULL, &cid,
	    &queued, &e) == 0);
	CHECK(store_commit(st, &e) == 0);
	CHECK(cid > 0);
	return queued;
}

static void
test_members(const char *dir, const struct hmac_key *key)
{
	struct err e = { 0, "" };
	struct store *st = NULL;
	struct list l = { .id = "nieuws", .name = "Nieuws" };
	static const struct {
		const char *addr;
		enum sub_state state;
		enum sub_mode mode;
	} who[] = {
		{ "een@example.net", SUB_ACTIVE, MODE_EACH },
		{ "twee@example.net", SUB_ACTIVE, MODE_DIGEST },
		{ "drie@example.net", SUB_PENDING, MODE_EACH },
		{ "vier@example.net", SUB_UNSUBSCRIBED, MODE_EACH },
	};
	int64_t pid[4], n = 0;
	struct q_row *rows = NULL;
	size_t nrows = 0;
	char path[512], token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];

	snprintf(path, sizeof(path), "%s/members.db", dir);
	CHECK(store_open(path, STORE_CREATE, &st, &e) == 0);
	CHECK(store_begin(st, &e) == 0);
	CHECK(store_list_add(st, &l, &e) == 0);
	for (int i = 0; i < 4; i++)
		CHECK(store_person_ensure(st, who[i].addr, "", 900, &pid[i],
		    &e) == 0 && store_sub_put(st, "nieuws", pid[i], who[i].state,
		    who[i].mode, "admin", 900, &e) == 0);
	CHECK(store_commit(st, &e) == 0);
	CHECK(store_members_count(st, "nieuws", -1, &n, &e) == 0);
	CHECK_INT(n, 2);

	/* Every active member, whatever the mode; then the digest's only. */
	CHECK_INT(queue_members(st, key, -1), 2);
	CHECK_INT(queue_members(st, key, MODE_DIGEST), 1);
	CHECK(store_queue_claim(st, 1000, "cccc", 1, 10, false, &rows, &nrows,
	    &e) == 0);
	CHECK_INT(nrows, 3);
	if (nrows == 3) {
		CHECK_STR(rows[0].rcpt, "een@example.net");
		CHECK_INT(rows[0].person_id, pid[0]);
		CHECK_STR(rows[1].rcpt, "twee@example.net");
		CHECK_STR(rows[2].rcpt, "twee@example.net");
		CHECK(rows[2].message_id != rows[0].message_id);
	}
	q_rows_free(&rows, nrows);

	/* The tokens of the copies are kept, and nobody else's. */
	for (int i = 0; i < 4; i++) {
		struct store_token t;
		int found;

		queue_unsub_token(key, "nieuws", pid[i], token);
		token_hash(token, hash);
		found = store_token_get(st, hash, false, &t, &e);
		CHECK_INT(found, i < 2);
		if (found == 1) {
			CHECK_INT(t.person_id, pid[i]);
			CHECK_STR(t.list_id, "nieuws");
			store_token_clear(&t);
		}
	}

	/* The token rows go in without foreign-key checks; the checks are
	 * back for what follows: a token of nobody is refused. */
	memset(hash, 'a', TOKEN_HASH_LEN);
	hash[TOKEN_HASH_LEN] = '\0';
	CHECK(store_begin(st, &e) == 0);
	CHECK(store_unsub_token_put(st, hash, pid[3] + 1000, "nieuws", 1000,
	    &e) == -1);
	store_rollback(st);
	store_close(&st);
}

int
main(void)
{
	char dir[] = "/tmp/kring-t_queue-XXXXXX", path[256];
	struct store *a = NULL, *b = NULL;
	struct err e = { 0, "" };
	struct hmac_key key;
	struct q_campaign c;
	struct q_message m;
	struct queue_rcpt rc[3] = {
		{ "een@example.net", "Een", 0 },
		{ "twee@example.net", NULL, 0 },
		{ "een@example.net", "Een", 0 },  /* twice: queued once */
	};
	struct q_row *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0;
	int64_t cid = 0, queued = 0, n = 0, due = 0, waiting = 0, when = 0;
	int64_t counts[7];
	struct q_result res;
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1];

	test_verp();
	test_unsub_token();
	test_retry();

	key_of(&key, 7, 0);
	queue_unsub_token(&key, "cop-a", 5, t1);
	queue_unsub_token(&key, "cop-a", 5, t2);
	CHECK_STR(t1, t2);
	CHECK(token_well_formed(t1));
	queue_unsub_token(&key, "cop-b", 5, t2);
	CHECK(strcmp(t1, t2) != 0);

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/kring.db", dir);
	CHECK(store_open(path, STORE_CREATE, &a, &e) == 0);
	CHECK(store_open(path, 0, &b, &e) == 0);

	memset(&c, 0, sizeof(c));
	memset(&m, 0, sizeof(m));
	c.kind = CAMPAIGN_NOTICE;
	c.subject = "s";
	c.created = 1000;
	c.not_before = 1000;
	m.from_addr = "metandereogen@example.org";
	m.subject = "s";
	m.text = "hallo\n";
	m.created = 1000;
	CHECK(store_begin(a, &e) == 0);
	CHECK(queue_add(a, &key, &c, &m, rc, 3, 1000, &cid, &queued, &e) == 0);
	CHECK(store_commit(a, &e) == 0);
	CHECK_INT(queued, 2);

	CHECK(store_queue_pending(a, 999, &due, &waiting, &e) == 0);
	CHECK_INT(due, 0);
	CHECK_INT(waiting, 2);
	CHECK_INT(store_queue_next_due(a, &when, &e), 1);
	CHECK_INT(when, 1000);

	/* Two connections claim: one row each, never the same. */
	CHECK(store_queue_claim(a, 1000, "aaaa", 41, 1, false, &ra, &na, &e) == 0);
	CHECK(store_queue_claim(b, 1000, "bbbb", 41, 5, false, &rb, &nb, &e) == 0);
	CHECK_INT(na, 1);
	CHECK_INT(nb, 1);
	if (na == 1 && nb == 1) {
		CHECK(ra[0].id != rb[0].id);
		CHECK_INT(ra[0].attempts, 1);
		CHECK(strcmp(ra[0].rcpt, rb[0].rcpt) != 0);
	}
	q_rows_free(&rb, nb);
	CHECK(store_queue_claim(b, 1000, "bbbb", 41, 5, false, &rb, &nb, &e) == 0);
	CHECK_INT(nb, 0);

	/*
	 * Owner bbbb is gone: its row comes back at once, though the same
	 * pid claimed both; aaaa's stays however long it takes, until
	 * aaaa is gone too.
	 */
	{
		const char *both[] = { "aaaa", "bbbb", NULL };
		const char *one[] = { "aaaa", NULL }, *none[] = { NULL };

		CHECK(store_queue_recover(a, alive_in, both, &n, &e) == 0);
		CHECK_INT(n, 0);
		CHECK(store_queue_recover(a, alive_in, one, &n, &e) == 0);
		CHECK_INT(n, 1);
		CHECK(store_queue_recover(a, alive_in, one, &n, &e) == 0);
		CHECK_INT(n, 0);
		CHECK(store_queue_recover(a, alive_in, none, &n, &e) == 0);
		CHECK_INT(n, 1);
	}

	/* A stale sender's late report cannot undo a recorded delivery. */
	memset(&res, 0, sizeof(res));
	res.state = QUEUE_SENT;
	res.code = 250;
	res.text = "ok";
	CHECK(store_begin(a, &e) == 0);
	CHECK(store_queue_result(a, ra[0].id, &res, 1002, &e) == 0);
	res.state = QUEUE_DEFERRED;
	res.code = 451;
	res.next_attempt = 2000;
	CHECK(store_queue_result(a, ra[0].id, &res, 1003, &e) == 0);
	CHECK(store_commit(a, &e) == 0);
	q_rows_free(&ra, na);

	CHECK(store_campaign_each(a, count_cb, counts, &e) == 0);
	CHECK_INT(counts[6], cid);
	CHECK_INT(counts[QUEUE_SENT], 1);
	CHECK_INT(counts[QUEUE_DEFERRED], 1);

	/* Retention: the sent row goes, the pending one stays. */
	CHECK(store_begin(a, &e) == 0);
	CHECK(store_queue_prune(a, 2000, &n, &e) == 0);
	CHECK(store_commit(a, &e) == 0);
	CHECK_INT(n, 1);
	CHECK(store_queue_pending(a, 6000, &due, &waiting, &e) == 0);
	CHECK_INT(due, 1);

	store_close(&a);
	store_close(&b);
	test_members(dir, &key);
	hmac_key_free(&key);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 99;
	return check_done();
}
