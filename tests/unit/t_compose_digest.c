/*
 * Unit tests for compose_digest: bodies parsed back with libetpan (the
 * tree of parts, content types, transfer encodings, the posts' subjects),
 * the posts' bytes found whole in the output, and hostile posts: NUL,
 * long lines, none at all, lone CRs, a post that holds the digest's own
 * boundary or the recipients' placeholder.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "check.h"
#include "compose.h"
#include "compose_digest.h"
#include "compose_int.h"
#include "err.h"

#define ATOM "zq8personalplaceholder7k"

static const char post_lf[] =
    "From: Anna de Vries <anna@example.net>\n"
    "To: metandereogen+taal@example.org\n"
    "Subject: Eerste bericht\n"
    "Message-ID: <p1@example.net>\n"
    "\n"
    "Hallo allemaal,\n"
    ".een regel met een punt\n"
    "From the start of a line\n";

static const char post_crlf[] =
    "From: Bram <bram@example.net>\r\n"
    "Subject: =?UTF-8?Q?Caf=C3=A9_overleg?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "tekst\r\n"
    "--inner--\r\n";

/* 8-bit: raw UTF-8 in the header and body, as many mailers send. */
static const char post_8bit[] =
    "From: Zoë <zoe@example.net>\n"
    "Subject: Re: één \xe2\x80\x99overleg\xe2\x80\x99\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Groetjes uit Zoetermeer, één keer.";

/* ---- helpers ---- */

static bool
wire_clean(const char *s, size_t n)
{
	return compose_wire_ok(s, n);
}

static struct mailmime *
parse(const struct buf *b)
{
	struct mailmime *mime = NULL;
	size_t idx = 0;

	if (mailmime_parse(buf_str(b), b->len, &idx, &mime) != MAILIMF_NO_ERROR)
		return NULL;
	return mime;
}

/* "type/subtype" of a part. */
static void
ctype(const struct mailmime *m, char *out, size_t n)
{
	const struct mailmime_content *c = m->mm_content_type;
	const char *t = "?";

	if (c == NULL) {
		snprintf(out, n, "(none)");
		return;
	}
	if (c->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		switch (c->ct_type->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:
			t = "text";
			break;
		default:
			t = "other";
		}
	} else {
		t = c->ct_type->tp_data.tp_composite_type->ct_type ==
		    MAILMIME_COMPOSITE_TYPE_MESSAGE ? "message" : "multipart";
	}
	snprintf(out, n, "%s/%s", t, c->ct_subtype);
}

static bool
is_type(const struct mailmime *m, const char *want)
{
	char got[64];

	ctype(m, got, sizeof(got));
	if (strcasecmp(got, want) == 0)
		return true;
	fprintf(stderr, "  type %s, want %s\n", got, want);
	return false;
}

/* The Content-Transfer-Encoding of a part, -1 when none is given. */
static int
encoding(const struct mailmime *m)
{
	clistiter *c;

	if (m->mm_mime_fields == NULL)
		return -1;
	for (c = clist_begin(m->mm_mime_fields->fld_list); c; c = clist_next(c)) {
		struct mailmime_field *f = clist_content(c);

		if (f->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING)
			return f->fld_data.fld_encoding->enc_type;
	}
	return -1;
}

static struct mailmime *
nth(const struct mailmime *multi, int i)
{
	clistiter *c;

	if (multi->mm_type != MAILMIME_MULTIPLE)
		return NULL;
	for (c = clist_begin(multi->mm_data.mm_multipart.mm_mp_list); c;
	    c = clist_next(c))
		if (i-- == 0)
			return clist_content(c);
	return NULL;
}

static int
count(const struct mailmime *multi)
{
	return multi->mm_type == MAILMIME_MULTIPLE ?
	    clist_count(multi->mm_data.mm_multipart.mm_mp_list) : -1;
}

/* The decoded Subject of an embedded message, or "". */
static void
subject(const struct mailmime *msg, struct buf *out)
{
	clistiter *c;

	buf_reset(out);
	if (msg->mm_type != MAILMIME_MESSAGE ||
	    msg->mm_data.mm_message.mm_fields == NULL)
		return;
	for (c = clist_begin(msg->mm_data.mm_message.mm_fields->fld_list); c;
	    c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);
		char *dec = NULL;
		size_t idx = 0;
		const char *v;

		if (f->fld_type != MAILIMF_FIELD_SUBJECT)
			continue;
		v = f->fld_data.fld_subject->sbj_value;
		if (mailmime_encoded_phrase_parse("utf-8", v, strlen(v), &idx,
		    "utf-8", &dec) == MAILIMF_NO_ERROR) {
			buf_puts(out, dec);
			free(dec);
		}
	}
}

/* The transfer-decoded text of a leaf. */
static void
decoded(const struct mailmime *part, struct buf *out)
{
	const struct mailmime_data *d = part->mm_data.mm_single;
	char *dec = NULL;
	size_t idx = 0, len = 0;

	buf_reset(out);
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, d->dt_encoding, &dec,
	    &len) == MAILIMF_NO_ERROR) {
		buf_add(out, dec, len);
		mmap_string_unref(dec);
	}
}

static size_t
occurrences(const struct buf *b, const char *s)
{
	size_t n = 0, sl = strlen(s);
	const char *p = buf_str(b), *end = p + b->len;

	while ((p = memmem(p, (size_t)(end - p), s, sl)) != NULL) {
		n++;
		p += sl;
	}
	return n;
}

static bool
contains(const struct buf *b, const char *s, size_t n)
{
	return memmem(buf_str(b), b->len, s, n) != NULL;
}

static int
build(const char *toc, const char *html, const struct compose_digest_item *it,
    size_t n, uint64_t seed, struct buf *out, struct err *e)
{
	struct compose_digest d;

	memset(&d, 0, sizeof(d));
	d.toc_text = toc;
	d.toc_html = html;
	d.items = it;
	d.n = n;
	d.atom = ATOM;
	d.seed = seed;
	err_clear(e);
	buf_reset(out);
	return compose_digest_body(&d, out, e);
}

/* ---- tests ---- */

static const char toc[] =
    "Samenvatting Taal en Didactiek, jaargang 2026, nummer 3\n"
    "\n"
    "1. Eerste bericht (Anna de Vries)\n"
    "2. Café overleg (Bram)\n"
    "3. Re: één ’overleg’ (Zoë)\n"
    "\n"
    "Afmelden: een mail naar het adres dat hier op een lange regel staat, "
    "metandereogen+taal-unsubscribe-" ATOM "@example.org\n";

static void
test_structure(void)
{
	struct compose_digest_item it[] = {
		{ post_lf, sizeof(post_lf) - 1, NULL },
		{ post_crlf, sizeof(post_crlf) - 1, NULL },
		{ post_8bit, sizeof(post_8bit) - 1, NULL },
	};
	struct buf out = BUF_INIT, v = BUF_INIT, again = BUF_INIT;
	struct err e;
	struct mailmime *m, *mixed, *dg;

	CHECKM(build(toc, NULL, it, 3, 42, &out, &e) == 0, e.msg);
	CHECK(wire_clean(buf_str(&out), out.len));
	CHECK(strncmp(buf_str(&out), "MIME-Version: 1.0\r\n", 19) == 0);
	/* The placeholder stays whole wherever the encoder breaks lines. */
	CHECK_INT(occurrences(&out, ATOM), 1);
	/* The posts' bytes, CRLF, are in the body as they are. */
	{
		static const char want[] = "Subject: Eerste bericht\r\n"
		    "Message-ID: <p1@example.net>\r\n\r\nHallo allemaal,\r\n"
		    ".een regel met een punt\r\nFrom the start of a line\r\n";

		CHECK(contains(&out, want, sizeof(want) - 1));
	}
	CHECK(contains(&out, post_crlf, sizeof(post_crlf) - 1));
	CHECK(contains(&out, "Zoetermeer, \xc3\xa9\xc3\xa9n keer.\r\n", 24));
	CHECK(!contains(&out, "\n\n", 2));

	m = parse(&out);
	CHECK(m != NULL);
	if (m == NULL)
		goto done;
	mixed = m->mm_data.mm_message.mm_msg_mime;
	CHECK(mixed != NULL && is_type(mixed, "multipart/mixed"));
	if (mixed == NULL)
		goto free;
	CHECK_INT(count(mixed), 2);
	CHECK(is_type(nth(mixed, 0), "text/plain"));
	CHECK_INT(encoding(nth(mixed, 0)), MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	decoded(nth(mixed, 0), &v);
	CHECK(strstr(buf_str(&v), "3. Re: één ’overleg’ (Zoë)\r\n") != NULL);
	CHECK(strstr(buf_str(&v), "unsubscribe-" ATOM "@example.org") != NULL);
	dg = nth(mixed, 1);
	CHECK(dg != NULL && is_type(dg, "multipart/digest"));
	if (dg == NULL)
		goto free;
	CHECK_INT(count(dg), 3);
	for (int i = 0; i < 3; i++)
		CHECK(is_type(nth(dg, i), "message/rfc822"));
	subject(nth(dg, 0), &v);
	CHECK_STR(buf_str(&v), "Eerste bericht");
	subject(nth(dg, 1), &v);
	CHECK_STR(buf_str(&v), "Café overleg");
	/* The 8-bit part, and the multiparts holding it, are marked 8bit. */
	CHECK_INT(encoding(nth(dg, 0)), MAILMIME_MECHANISM_7BIT);
	CHECK_INT(encoding(nth(dg, 1)), MAILMIME_MECHANISM_7BIT);
	CHECK_INT(encoding(nth(dg, 2)), MAILMIME_MECHANISM_8BIT);
	CHECK_INT(encoding(dg), MAILMIME_MECHANISM_8BIT);
	CHECK_INT(encoding(mixed), MAILMIME_MECHANISM_8BIT);
	/* The embedded multipart keeps its own structure. */
	{
		struct mailmime *inner = nth(dg, 1)->mm_data.mm_message.mm_msg_mime;

		CHECK(inner != NULL && is_type(inner, "multipart/alternative"));
	}
free:
	mailmime_free(m);
done:
	/* The same posts and seed give the same bytes. */
	CHECK(build(toc, NULL, it, 3, 42, &again, &e) == 0);
	CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
	/* Without 8-bit posts nothing is marked 8bit. */
	CHECK(build(toc, NULL, it, 2, 42, &out, &e) == 0);
	CHECK(!contains(&out, "8bit", 4));
	buf_free(&out);
	buf_free(&again);
	buf_free(&v);
}

static void
test_html(void)
{
	struct compose_digest_item it[] = { { post_lf, sizeof(post_lf) - 1, NULL } };
	struct buf out = BUF_INIT, v = BUF_INIT;
	struct err e;
	struct mailmime *m, *mixed, *alt;

	CHECKM(build(toc, "<p>Samenvatting <a href=\"mailto:metandereogen+taal-"
	    "unsubscribe-" ATOM "@example.org\">afmelden</a></p>\n", it, 1, 7,
	    &out, &e) == 0, e.msg);
	CHECK(wire_clean(buf_str(&out), out.len));
	CHECK_INT(occurrences(&out, ATOM), 2);
	m = parse(&out);
	CHECK(m != NULL);
	if (m == NULL)
		goto done;
	mixed = m->mm_data.mm_message.mm_msg_mime;
	alt = nth(mixed, 0);
	CHECK(alt != NULL && is_type(alt, "multipart/alternative"));
	if (alt != NULL) {
		CHECK(is_type(nth(alt, 0), "text/plain"));
		CHECK(is_type(nth(alt, 1), "text/html"));
		decoded(nth(alt, 1), &v);
		CHECK(strstr(buf_str(&v), "<a href=\"mailto:") != NULL);
	}
	CHECK(is_type(nth(mixed, 1), "multipart/digest"));
	CHECK_INT(count(nth(mixed, 1)), 1);
	mailmime_free(m);
done:
	buf_free(&out);
	buf_free(&v);
}

static void
test_unfit(void)
{
	char longline[1200], fits[1100], lone_cr[] = "Subject: cr\rX: y\r\rbody";
	char nul[] = "Subject: nul\n\nbefore\0after";
	struct buf out = BUF_INIT, v = BUF_INIT;
	struct err e;
	struct mailmime *m;

	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "Subject: long\n\n", 15);
	/* A line of exactly 998 octets fits; 999 does not. */
	memset(fits, 'b', sizeof(fits));
	memcpy(fits, "Subject: fits\r\n\r\n", 17);
	memcpy(fits + 17 + 998, "\r\n", 2);
	CHECK_INT(compose_digest_unfit(fits, 17 + 998 + 2), UNFIT_NONE);
	fits[17 + 998] = 'b';
	CHECK_INT(compose_digest_unfit(fits, 17 + 998 + 2), UNFIT_LONG_LINE);
	fits[17 + 998] = '\r';
	CHECK_INT(compose_digest_unfit(longline, sizeof(longline)), UNFIT_LONG_LINE);
	CHECK_INT(compose_digest_unfit(nul, sizeof(nul) - 1), UNFIT_NUL);
	CHECK_INT(compose_digest_unfit("", 0), UNFIT_EMPTY);
	CHECK_INT(compose_digest_unfit(NULL, 0), UNFIT_EMPTY);
	CHECK_INT(compose_digest_unfit(lone_cr, sizeof(lone_cr) - 1), UNFIT_NONE);

	{
		/* Unfit bytes without a note are refused, not mangled. */
		struct compose_digest_item bad[] = {
			{ post_lf, sizeof(post_lf) - 1, NULL },
			{ longline, sizeof(longline), NULL },
		};

		CHECK(build(toc, NULL, bad, 2, 1, &out, &e) == -1);
		CHECK_INT(e.ex, EX_DATAERR);
		CHECK(strstr(e.msg, "post 2") != NULL);
		bad[1].raw = nul;
		bad[1].len = sizeof(nul) - 1;
		CHECK(build(toc, NULL, bad, 2, 1, &out, &e) == -1);
	}
	{
		/* With notes in their places the digest goes out whole. */
		struct compose_digest_item it[] = {
			{ longline, sizeof(longline), "Bericht 1 (long) was te "
			    "breed voor de samenvatting: één regel van 1185 tekens." },
			{ post_lf, sizeof(post_lf) - 1, NULL },
			{ nul, sizeof(nul) - 1, "Bericht 3 bevat een NUL." },
			{ lone_cr, sizeof(lone_cr) - 1, NULL },
			{ fits, 17 + 998 + 2, NULL },
		};
		struct mailmime *dg;

		CHECKM(build(toc, NULL, it, 5, 3, &out, &e) == 0, e.msg);
		CHECK(wire_clean(buf_str(&out), out.len));
		CHECK(!contains(&out, "aaaaaaaaaaaaaaaaaaaa", 20));
		CHECK(contains(&out, "Subject: cr\r\nX: y\r\n\r\nbody\r\n", 26));
		m = parse(&out);
		CHECK(m != NULL);
		if (m != NULL) {
			dg = nth(m->mm_data.mm_message.mm_msg_mime, 1);
			CHECK_INT(count(dg), 5);
			CHECK(is_type(nth(dg, 0), "text/plain"));
			decoded(nth(dg, 0), &v);
			CHECK(strstr(buf_str(&v), "één regel") != NULL);
			CHECK(is_type(nth(dg, 1), "message/rfc822"));
			CHECK(is_type(nth(dg, 2), "text/plain"));
			CHECK(is_type(nth(dg, 3), "message/rfc822"));
			subject(nth(dg, 3), &v);
			CHECK_STR(buf_str(&v), "cr");
			CHECK(is_type(nth(dg, 4), "message/rfc822"));
			mailmime_free(m);
		}
	}
	buf_free(&out);
	buf_free(&v);
}

/* A post holding the boundary the seed would give: another is drawn. */
static void
test_boundary_in_post(void)
{
	char hostile[512], b0[40], b1[40];
	struct compose_digest_item it[2];
	struct buf out = BUF_INIT;
	struct err e;
	struct mailmime *m;
	uint64_t seed = 99;

	snprintf(b0, sizeof(b0), "=_kring_%016" PRIx64, compose_mix64(seed));
	snprintf(b1, sizeof(b1), "=_kring_%016" PRIx64, compose_mix64(seed + 1));
	snprintf(hostile, sizeof(hostile), "Subject: kwaad\n\nvoor\n--%s--\n"
	    "--%s\nContent-Type: text/plain\n\ningeschoven\n--%s--\nna\n",
	    b1, b0, b0);
	it[0].raw = hostile;
	it[0].len = strlen(hostile);
	it[0].note = NULL;
	it[1].raw = post_lf;
	it[1].len = sizeof(post_lf) - 1;
	it[1].note = NULL;
	CHECKM(build(toc, NULL, it, 2, seed, &out, &e) == 0, e.msg);
	/* The hostile lines are there once each: in the post, not as ours. */
	CHECK_INT(occurrences(&out, b0), 2);
	CHECK_INT(occurrences(&out, b1), 1);
	m = parse(&out);
	CHECK(m != NULL);
	if (m != NULL) {
		struct mailmime *mixed = m->mm_data.mm_message.mm_msg_mime;

		CHECK_INT(count(mixed), 2);
		CHECK_INT(count(nth(mixed, 1)), 2);
		mailmime_free(m);
	}
	buf_free(&out);
}

static void
test_refused(void)
{
	struct compose_digest_item it[] = { { post_lf, sizeof(post_lf) - 1, NULL } };
	char with_atom[] = "Subject: x\n\n" ATOM "\n";
	struct buf out = BUF_INIT;
	struct compose_digest d;
	struct err e;

	CHECK(build("niet \xff UTF-8\n", NULL, it, 1, 1, &out, &e) == -1);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK(build(toc, NULL, it, 0, 1, &out, &e) == -1);
	it[0].raw = with_atom;
	it[0].len = strlen(with_atom);
	CHECK(build(toc, NULL, it, 1, 1, &out, &e) == -1);
	CHECK_INT(e.ex, EX_SOFTWARE);
	memset(&d, 0, sizeof(d));
	d.toc_text = toc;
	d.items = it;
	d.n = 1;
	d.atom = "short";
	it[0].raw = post_lf;
	it[0].len = sizeof(post_lf) - 1;
	CHECK(compose_digest_body(&d, &out, &e) == -1);
	CHECK_INT(e.ex, EX_SOFTWARE);
	/* No placeholder at all is fine. */
	d.atom = NULL;
	CHECK(compose_digest_body(&d, &out, &e) == 0);
	buf_free(&out);
}

int
main(void)
{
	test_structure();
	test_html();
	test_unfit();
	test_boundary_in_post();
	test_refused();
	return check_done();
}
