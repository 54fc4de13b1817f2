/*
 * Unit tests for a CoP's archive in the store: the search finds Dutch
 * words in other forms ("thuiszitter" finds "thuiszitters",
 * "samenwerken" "samenwerking"), ranks, marks the words found, and
 * never returns a held post; replies join their thread by
 * In-Reply-To, References or, failing both, the subject; a rolled
 * back post leaves nothing in the index.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "model.h"
#include "store.h"

static int64_t
add(struct store *st, const char *subject, const char *body,
    const char *msgid, const char *irt, const char *refs,
    enum post_state state, int64_t at)
{
	struct err e = { 0, "" };
	struct post p;
	int64_t id = 0;

	memset(&p, 0, sizeof(p));
	p.list_id = "jgz";
	p.from_addr = "anna@example.org";
	p.from_name = "Anna de Vries";
	p.subject = (char *)subject;
	p.message_id = (char *)msgid;
	p.body = body;
	p.in_reply_to = irt;
	p.references = refs;
	p.raw = "Subject: x\n\nx\n";
	p.raw_len = strlen(p.raw);
	p.state = state;
	p.created = at;
	CHECK(store_begin(st, &e) == 0);
	CHECK(store_post_add(st, &p, &id, &e) == 0);
	CHECK(store_commit(st, &e) == 0);
	return id;
}

static size_t
search(struct store *st, const char *words, int64_t *first, char **snip)
{
	struct err e = { 0, "" };
	struct archive_post *a;
	size_t n;

	CHECK(store_archive_search(st, "jgz", words, 10, &a, &n, &e) == 0);
	if (n > 0 && first != NULL)
		*first = a[0].id;
	if (n > 0 && snip != NULL)
		*snip = strdup(a[0].text);
	archive_posts_free(a, n);
	return n;
}

static void
searching(struct store *st)
{
	int64_t a, b, held, got = 0;
	char *snip = NULL;

	a = add(st, "Thuiszitters in de regio", "Wie heeft ervaring met "
	    "thuiszitters en leerplicht?", "a@x", NULL, NULL, POST_ACCEPTED,
	    1000);
	b = add(st, "Netwerk", "Over de samenwerking met het onderwijs.",
	    "b@x", NULL, NULL, POST_ACCEPTED, 2000);
	held = add(st, "Geheim", "Een gehouden bericht over vaccinaties.",
	    "c@x", NULL, NULL, POST_HELD, 3000);
	CHECK_INT(search(st, "thuiszitter", &got, &snip), 1);
	CHECK_INT(got, a);
	CHECK(snip != NULL && strstr(snip, "uiszitters" ARCHIVE_MARK_OFF) !=
	    NULL && strstr(snip, ARCHIVE_MARK_ON) != NULL);
	free(snip);
	CHECK_INT(search(st, "samenwerken", &got, NULL), 1);
	CHECK_INT(got, b);
	CHECK_INT(search(st, "SAMENWERKING onderwijs", &got, NULL), 1);
	CHECK_INT(search(st, "samenwerking leerplicht", NULL, NULL), 0);
	CHECK_INT(search(st, "vries", NULL, NULL), 2);
	/* A held post is indexed, but never found. */
	CHECK_INT(search(st, "vaccinaties", NULL, NULL), 0);
	(void)held;
	/* FTS5 syntax of the person's is only words. */
	CHECK_INT(search(st, "\"thuis* OR NEAR(", NULL, NULL), 0);
	CHECK_INT(search(st, "   ", NULL, NULL), 0);
}

static int64_t
thread_of(struct store *st, int64_t id)
{
	struct err e = { 0, "" };
	struct archive_post p;
	int64_t t;

	CHECK_INT(store_archive_raw(st, "jgz", id, &p, &e), 1);
	t = p.thread_id;
	archive_post_clear(&p);
	return t;
}

static void
threading(struct store *st)
{
	struct err e = { 0, "" };
	struct archive_post *a;
	size_t n;
	int64_t root, r1, r2, r3, other;

	root = add(st, "[jgz] Vraag over verzuim", "Vraag.", "root@x", NULL,
	    NULL, POST_ACCEPTED, 10000);
	r1 = add(st, "Re: [jgz] Vraag over verzuim", "Antwoord.", "r1@x",
	    "root@x", "<root@x>", POST_ACCEPTED, 10100);
	r2 = add(st, "Andere titel", "Nog een.", "r2@x", NULL,
	    "<root@x> <r1@x>", POST_ACCEPTED, 10200);
	r3 = add(st, "AW: Vraag over verzuim", "Zonder kop.", "r3@x", NULL,
	    NULL, POST_ACCEPTED, 10300);
	other = add(st, "Vraag over verzuim", "Nieuw, zonder Re.", "o@x",
	    NULL, NULL, POST_ACCEPTED, 10400);
	CHECK_INT(thread_of(st, root), root);
	CHECK_INT(thread_of(st, r1), root);
	CHECK_INT(thread_of(st, r2), root);
	CHECK_INT(thread_of(st, r3), root);
	CHECK_INT(thread_of(st, other), other);
	CHECK(store_archive_thread(st, "jgz", root, &a, &n, &e) == 0);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_INT(a[0].id, root);
		CHECK_INT(a[3].id, r3);
		CHECK_STR(a[1].author, "Anna de Vries");
	}
	archive_posts_free(a, n);
	CHECK(store_archive_threads(st, "jgz", 0, 20000, 50, &a, &n, &e) == 0);
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_INT(a[0].id, other);
		CHECK_INT(a[1].id, root);
		CHECK_INT(a[1].count, 4);
	}
	archive_posts_free(a, n);
}

static void
rolled_back(struct store *st)
{
	struct err e = { 0, "" };
	struct post p;
	int64_t id;

	memset(&p, 0, sizeof(p));
	p.list_id = "jgz";
	p.from_addr = "bert@example.org";
	p.subject = "Teruggedraaid";
	p.body = "schoolverzuimcijfers";
	p.raw = "x";
	p.raw_len = 1;
	p.created = 5;
	CHECK(store_begin(st, &e) == 0);
	CHECK(store_post_add(st, &p, &id, &e) == 0);
	store_rollback(st);
	CHECK_INT(search(st, "schoolverzuimcijfers", NULL, NULL), 0);
}

int
main(void)
{
	char dir[] = "/tmp/kring-t_archive-XXXXXX";
	char path[256];
	struct store *st = NULL;
	struct err e = { 0, "" };
	struct list l = { .id = "jgz", .name = "JGZ", .kind = LIST_COP };

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/kring.db", dir);
	CHECK(store_open(path, STORE_CREATE, &st, &e) == 0);
	CHECK(store_begin(st, &e) == 0);
	CHECK(store_list_add(st, &l, &e) == 0);
	CHECK(store_commit(st, &e) == 0);
	searching(st);
	threading(st);
	rolled_back(st);
	store_close(&st);
	/* A second connection registers the tokenizer too. */
	CHECK(store_open(path, 0, &st, &e) == 0);
	CHECK_INT(search(st, "thuiszitter", NULL, NULL), 1);
	store_close(&st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kring.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kring.db-shm", dir);
	unlink(path);
	if (getenv("KEEP") == NULL)
		rmdir(dir);
	return check_done();
}
