/*
 * Unit tests for bounce_read on the corpus of real bounces in
 * tests/data/bounces (see its README): every message is read, the
 * addresses found are compared with expected.tsv, and the detection
 * rate is printed.  The test fails below 95% exact (right addresses,
 * nothing extra), on any address that is not expected, and on any
 * message that takes a second or more.  Each message is also read cut
 * short at a few places, as a hostile or broken sender would send it.
 * The held-out set (tests/data/bounces/heldout: challenges, delays,
 * messages too large, unknown users with other statuses) is scored on
 * addresses and kind together, and its rate printed too.  Then the
 * classification of statuses and texts, case by case.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bounce_read.h"
#include "check.h"
#include "err.h"

#define CORPUS TESTDATADIR "/bounces"
#define HELDOUT CORPUS "/heldout"
#define MIN_RATE 0.95
#define HELDOUT_MIN_RATE 0.9

struct tally {
	int files, exact, missing, extra, kinds, kinds_ok, slow;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		s = malloc((size_t)n + 1);
		*len = fread(s, 1, (size_t)n, f);
		s[*len] = '\0';
	}
	fclose(f);
	return s;
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether addr is among the space-separated words of list. */
static bool
listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);

	for (const char *p = list; *p != '\0';) {
		size_t k = strcspn(p, " ");

		if (k == n && strncasecmp(p, addr, n) == 0)
			return true;
		p += k;
		p += strspn(p, " ");
	}
	return false;
}

static size_t
words(const char *list)
{
	size_t n = 0;

	for (const char *p = list; *p != '\0';) {
		size_t k = strcspn(p, " ");

		n += k > 0;
		p += k;
		p += strspn(p, " ");
	}
	return n;
}

/* Cut copies: parsing must survive a message that stops anywhere. */
static void
read_cut(const char *raw, size_t len)
{
	size_t cuts[] = { len / 7, len / 3, len / 2, len - len / 5 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct bounce_result r;
		struct err e;
		char *part = malloc(cuts[i] + 1);

		memcpy(part, raw, cuts[i]);
		part[cuts[i]] = '\0';
		CHECK(bounce_read(part, cuts[i], &r, &e) == 0);
		bounce_result_free(&r);
		free(part);
	}
}

static void
one(const char *file, const char *kind, const char *want, struct tally *t)
{
	char path[1024];
	struct bounce_result r;
	struct err e;
	size_t len = 0, found = 0;
	bool extra = false;
	double t0, dt;
	char *raw;

	snprintf(path, sizeof(path), "%s/%s", CORPUS, file);
	if ((raw = slurp(path, &len)) == NULL) {
		CHECKM(false, path);
		return;
	}
	t->files++;
	t0 = seconds();
	CHECK(bounce_read(raw, len, &r, &e) == 0);
	dt = seconds() - t0;
	if (dt >= 1.0) {
		t->slow++;
		fprintf(stderr, "%s: %.2f s\n", file, dt);
	}
	for (size_t i = 0; i < r.n; i++) {
		if (listed(want, r.rcpts[i].addr)) {
			found++;
		} else {
			extra = true;
			fprintf(stderr, "%s: extra %s\n", file, r.rcpts[i].addr);
		}
	}
	if (extra)
		t->extra++;
	else if (found == words(want))
		t->exact++;
	else
		t->missing++;
	/* The kind is compared where the corpus gives one kind. */
	if (!extra && found > 0 && found == words(want) &&
	    strchr(kind, ',') == NULL && strcmp(kind, "-") != 0) {
		t->kinds++;
		t->kinds_ok += strcmp(bounce_kind_name(r.rcpts[0].kind),
		    kind) == 0;
	}
	bounce_result_free(&r);
	read_cut(raw, len);
	free(raw);
}

/*
 * The next row of an expected.tsv (path, kind, addresses, source),
 * comments skipped, into cols; how many columns it has, -1 at the end.
 */
static int
next_row(FILE *f, char *line, size_t size, char *cols[4])
{
	while (fgets(line, (int)size, f) != NULL) {
		char *save = NULL;
		int n = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (char *c = strtok_r(line, "\t", &save); c != NULL && n < 4;
		    c = strtok_r(NULL, "\t", &save))
			cols[n++] = c;
		return n;
	}
	return -1;
}

static void
test_corpus(void)
{
	char line[4096];
	struct tally t;
	FILE *f = fopen(CORPUS "/expected.tsv", "r");
	char *cols[4];
	double rate;
	int n;

	memset(&t, 0, sizeof(t));
	CHECKM(f != NULL, CORPUS "/expected.tsv");
	if (f == NULL)
		return;
	while ((n = next_row(f, line, sizeof(line), cols)) >= 0) {
		if (n < 3) {
			CHECKM(false, "a line of expected.tsv");
			continue;
		}
		one(cols[0], cols[1], strcmp(cols[2], "-") == 0 ? "" : cols[2],
		    &t);
	}
	fclose(f);
	rate = t.files ? (double)t.exact / t.files : 0;
	printf("corpus: %d messages, %d exact (%.1f%%), %d missing an "
	    "address, %d with an extra address, %d over a second; kind "
	    "right for %d of %d\n", t.files, t.exact, 100 * rate, t.missing,
	    t.extra, t.slow, t.kinds_ok, t.kinds);
	CHECK(t.files >= 500);
	CHECK(rate >= MIN_RATE);
	CHECK_INT(t.extra, 0);
	CHECK_INT(t.slow, 0);
}

/* The kind a held-out line expects of one address: "delay" for a delay. */
static const char *
kind_word(const struct bounce_rcpt *b)
{
	return b->delayed ? "delay" : bounce_kind_name(b->kind);
}

/*
 * One held-out message: right when the addresses are exactly the
 * expected ones and each has one of the expected kinds ("-": no address
 * and no bounce).  Challenges, delays and messages too large must all
 * be right, whatever the rate.
 */
static bool
heldout_one(const char *file, const char *kind, const char *want,
    const char *source)
{
	char path[1024];
	struct bounce_result r;
	struct err e;
	size_t len = 0, found = 0;
	bool ok = true;
	char *raw;

	snprintf(path, sizeof(path), "%s/%s", HELDOUT, file);
	if ((raw = slurp(path, &len)) == NULL) {
		CHECKM(false, path);
		return false;
	}
	CHECK(bounce_read(raw, len, &r, &e) == 0);
	for (size_t i = 0; i < r.n; i++) {
		if (listed(want, r.rcpts[i].addr) &&
		    strstr(kind, kind_word(&r.rcpts[i])) != NULL)
			found++;
		else
			ok = false;
	}
	ok = ok && found == words(want);
	if (strcmp(kind, "-") == 0)
		ok = r.n == 0 && !r.bounce;
	if (!ok)
		fprintf(stderr, "held-out %s: not as expected (%s %s)\n", file,
		    kind, want);
	if (strcmp(source, "user-unknown") != 0)
		CHECKM(ok, file);
	bounce_result_free(&r);
	free(raw);
	return ok;
}

static void
test_heldout(void)
{
	char line[4096];
	FILE *f = fopen(HELDOUT "/expected.tsv", "r");
	char *cols[4];
	int files = 0, right = 0, n;

	CHECKM(f != NULL, HELDOUT "/expected.tsv");
	if (f == NULL)
		return;
	while ((n = next_row(f, line, sizeof(line), cols)) >= 0) {
		if (n < 4) {
			CHECKM(false, "a line of heldout/expected.tsv");
			continue;
		}
		files++;
		right += heldout_one(cols[0], cols[1], strcmp(cols[2], "-") == 0 ?
		    "" : cols[2], cols[3]);
	}
	fclose(f);
	printf("held-out: %d messages, %d right (addresses and kind, "
	    "%.1f%%)\n", files, right, files ? 100.0 * right / files : 0.0);
	CHECK(files >= 30);
	CHECK(files > 0 && (double)right / files >= HELDOUT_MIN_RATE);
}

static void
test_classify(void)
{
	static const struct {
		const char *status, *text;
		bool delayed;
		enum bounce_kind kind;
		const char *status_out;
	} t[] = {
		{ "5.1.1", "550 5.1.1 User unknown", false, BOUNCE_HARD, "5.1.1" },
		{ "5.2.2", "552 Mailbox full", false, BOUNCE_SOFT, "5.2.2" },
		{ "4.4.1", "connection timed out", false, BOUNCE_SOFT, "4.4.1" },
		{ "5.7.1", "550 5.7.1 rejected as spam", false, BOUNCE_POLICY, "5.7.1" },
		{ "5.7.1", "550 5.7.1 user unknown", false, BOUNCE_HARD, "5.7.1" },
		{ NULL, "550 no such user here", false, BOUNCE_HARD, "5.1.1" },
		{ NULL, "552 quota exceeded", false, BOUNCE_SOFT, "5.2.2" },
		{ NULL, "554 blocked by spamhaus", false, BOUNCE_POLICY, "5.7.1" },
		{ NULL, "still trying", true, BOUNCE_SOFT, "4.0.0" },
		{ "5.0.0", "554 message refused by policy", false, BOUNCE_POLICY, "5.0.0" },
		{ "5.0.0", "mailbox is full", false, BOUNCE_SOFT, "5.0.0" },
		{ NULL, NULL, false, BOUNCE_HARD, "5.0.0" },
		{ "garbage", "nothing", false, BOUNCE_HARD, "5.0.0" },
		/* Unknown users are dead whatever the status says. */
		{ "5.7.1", "553 Invalid recipient x@example.org", false,
		    BOUNCE_HARD, "5.7.1" },
		{ "5.0.0", "550 Recipient address rejected: User unknown", false,
		    BOUNCE_HARD, "5.0.0" },
		{ "5.2.2", "x: mailbox full; y: user unknown", false, BOUNCE_SOFT,
		    "5.2.2" },
		/* A message too large says nothing of the address. */
		{ "5.3.4", "552 5.3.4 Message size exceeds fixed limit", false,
		    BOUNCE_POLICY, "5.3.4" },
		{ "5.2.3", "552 5.2.3 Message length exceeds limit", false,
		    BOUNCE_POLICY, "5.2.3" },
		{ NULL, "552 message size exceeds maximum", false, BOUNCE_POLICY,
		    "5.3.4" },
		{ "5.0.0", "534 SIZE=Message too big.", false, BOUNCE_POLICY,
		    "5.0.0" },
		{ NULL, "552 mailbox size limit exceeded", false, BOUNCE_SOFT,
		    "5.2.2" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char st[BOUNCE_STATUS_MAX];

		CHECK_INT(bounce_classify(t[i].status, t[i].text, t[i].delayed,
		    st), t[i].kind);
		CHECK_STR(st, t[i].status_out);
	}
}

/* Mail that is no bounce gives no address, however it reads. */
static void
test_not_bounces(void)
{
	static const char *const mails[] = {
		/* An out-of-office reply that quotes an address. */
		"From: Anna <anna@example.net>\r\nTo: x@example.org\r\n"
		"Subject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\n"
		"I am away; mail piet@example.net instead.\r\n",
		/* A person's mail with failure words and an address. */
		"From: Piet <piet@example.net>\r\nTo: x@example.org\r\n"
		"Subject: hello\r\n\r\nMy mail to kees@example.com failed, "
		"it does not exist?\r\n",
		/* A DSN of success. */
		"From: MAILER-DAEMON@example.net\r\nTo: x@example.org\r\n"
		"Subject: Delivery Status Notification\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/report; report-type=delivery-status; "
		"boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
		"Delivered.\r\n--b\r\nContent-Type: message/delivery-status\r\n"
		"\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: "
		"rfc822; anna@example.net\r\nAction: delivered\r\nStatus: 2.0.0"
		"\r\n--b--\r\n",
		"",
		"\r\n\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(mails) / sizeof(mails[0]); i++) {
		struct bounce_result r;
		struct err e;

		CHECK(bounce_read(mails[i], strlen(mails[i]), &r, &e) == 0);
		CHECK_INT(r.n, 0);
		bounce_result_free(&r);
	}
}

/*
 * Many recipient groups: kept up to the limit, never more.  (mime.c
 * does not give libetpan a message with more than 256 "rfc822" words.)
 */
static void
test_limits(void)
{
	char *raw = malloc(1 << 20), *p = raw;
	struct bounce_result r;
	struct err e;

	p += sprintf(p, "From: MAILER-DAEMON@example.net\r\nSubject: failure"
	    "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; "
	    "report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
	    "Content-Type: message/delivery-status\r\n\r\n");
	for (int i = 0; i < 150; i++)
		p += sprintf(p, "Final-Recipient: rfc822; u%d@example.com\r\n"
		    "Action: failed\r\nStatus: 5.1.1\r\n\r\n", i);
	p += sprintf(p, "--b--\r\n");
	CHECK(bounce_read(raw, (size_t)(p - raw), &r, &e) == 0);
	CHECK_INT(r.n, 100);
	bounce_result_free(&r);
	free(raw);
}

int
main(void)
{
	test_classify();
	test_not_bounces();
	test_limits();
	test_corpus();
	test_heldout();
	return check_done();
}
