/*
 * Unit tests for compose_post: every body is checked for the wire (CRLF,
 * lines of at most 998 octets) and read back with libetpan, its text
 * parts decoded, to count the footers in it.  Hostile posts must give
 * an error or a sound body, never a crash.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "check.h"
#include "compose.h"
#include "compose_int.h"
#include "compose_post.h"
#include "err.h"

#define MARK "metandereogen+kinderopvang-unsubscribe@example.org"
#define FOOTER "Je ontvangt dit als lid van CoP Kinderopvang.\n" \
	"Afmelden: " MARK "\n"
#define HEAD "From: Anna <anna@example.net>\r\nSubject: x\r\n"

static const struct compose_footer footer = {
	FOOTER, "metandereogen+", "-unsubscribe@example.org", NULL, NULL
};

/*
 * A footer with each member's archive link: the copies' placeholder
 * ATOM, its twin ARCH (archive_atom) where the token goes, on a line
 * long enough that a soft break would fall inside the placeholder.
 */
#define BASE "https://lists.example.org/a/"
#define ATOM "qcdefghijklmnopqrstuvwxyz2"
#define ARCH "zcdefghijklmnopqrstuvwxyz2"
#define TOKEN "mmmmmmmmmmmmmmmmmmmmmmmmmm"
#define LINKED "Archief CoP Kinderopvang: " BASE
static const struct compose_footer pfooter = {
	FOOTER LINKED ARCH "\n", "metandereogen+", "-unsubscribe@example.org",
	ATOM, BASE
};
/* A member's own link, as a reply quotes it. */
#define QUOTED "> Het archief: " BASE "abcdefghijklmnopqrstuvwx23\r\n"

/* The decoded text of the text parts, and the content types seen. */
struct readback {
	struct buf text;
	struct buf types;
	int parts;
};

static void
walk(struct mailmime *m, struct readback *r, int depth)
{
	struct mailmime_content *ct = m->mm_content_type;
	bool text = false;
	clistiter *it;

	if (depth > 20)
		return;
	r->parts++;
	if (ct != NULL && ct->ct_subtype != NULL) {
		const struct mailmime_type *t = ct->ct_type;

		text = t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
		    t->tp_data.tp_discrete_type->dt_type ==
		    MAILMIME_DISCRETE_TYPE_TEXT;

		buf_printf(&r->types, "%s%s/%s", r->types.len ? " " : "",
		    text ? "text" : t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE ?
		    "multipart-or-message" : "other", ct->ct_subtype);
	}
	switch (m->mm_type) {
	case MAILMIME_SINGLE: {
		struct mailmime_data *d = m->mm_data.mm_single;
		size_t at = 0, n = 0;
		char *dec;

		/* Only text: a binary part's NUL would end the string. */
		if (!text || d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
			break;
		if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
		    d->dt_data.dt_text.dt_length, &at, d->dt_encoding, &dec,
		    &n) == MAILIMF_NO_ERROR) {
			buf_add(&r->text, dec, n);
			mmap_string_unref(dec);
		}
		break;
	}
	case MAILMIME_MULTIPLE:
		for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			walk(clist_content(it), r, depth + 1);
		break;
	default:
		break;
	}
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL;
	    p += strlen(needle))
		n++;
	return n;
}

/*
 * Compose raw; on success check the wire form and read it back into r
 * (free r's bufs).  Returns compose_post_body's result.
 */
static int
run_with(const struct compose_footer *f, const char *raw, size_t len,
    struct readback *r, struct err *e, struct buf *wire)
{
	struct buf out = BUF_INIT;
	struct mailmime *tree = NULL;
	size_t at = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	e->ex = 0;
	e->msg[0] = '\0';
	rc = compose_post_body(raw, len, f, 7, &out, e);
	if (rc == 0 && wire != NULL)
		buf_add(wire, out.data, out.len);
	if (rc == 0 && f->atom != NULL) {
		/* The sender's part: the copy of a member with TOKEN. */
		struct buf one = BUF_INIT;

		compose_personalise(out.data, out.len, ARCH, TOKEN, &one);
		buf_free(&out);
		out = one;
	}
	if (rc == 0) {
		CHECKM(compose_wire_ok(out.data, out.len), out.data);
		CHECK(strncmp(out.data, "MIME-Version: 1.0\r\n", 19) == 0);
		CHECK(mailmime_parse(out.data, out.len, &at, &tree) ==
		    MAILIMF_NO_ERROR);
		if (tree != NULL) {
			if (tree->mm_type == MAILMIME_MESSAGE &&
			    tree->mm_data.mm_message.mm_msg_mime != NULL)
				walk(tree->mm_data.mm_message.mm_msg_mime, r, 0);
			mailmime_free(tree);
		}
	} else {
		CHECK_INT(e->ex, EX_DATAERR);
	}
	buf_free(&out);
	return rc;
}

static int
run(const char *raw, size_t len, struct readback *r, struct err *e)
{
	return run_with(&footer, raw, len, r, e, NULL);
}

static int
run_s(const char *raw, struct readback *r, struct err *e)
{
	return run(raw, strlen(raw), r, e);
}

static void
rb_free(struct readback *r)
{
	buf_free(&r->text);
	buf_free(&r->types);
}

/* ---- the three shapes ---- */

static void
test_plain(void)
{
	struct readback r;
	struct err e;

	CHECK_INT(run_s(HEAD "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "Hoi allemaal, \xc3\xa9\xc3\xa9n vraag.\r\n\r\nAnna\r\n-- \r\n"
	    "Anna de Vries, IKC De Linde\r\n", &r, &e), 0);
	CHECK_STR(buf_str(&r.types), "text/plain");
	CHECK(strstr(buf_str(&r.text), "Hoi allemaal, \xc3\xa9\xc3\xa9n vraag.\r\n") != NULL);
	/* The author's own signature stays; ours follows it. */
	CHECK(strstr(buf_str(&r.text), "-- \r\nAnna de Vries, IKC De Linde\r\n"
	    "\r\n-- \r\nJe ontvangt") != NULL);
	CHECK_INT(count(buf_str(&r.text), MARK), 1);
	rb_free(&r);

	/* Latin-1 in quoted-printable comes out as UTF-8. */
	CHECK_INT(run_s(HEAD "Content-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nJos=E9 M=FCller\r\n",
	    &r, &e), 0);
	CHECK(strstr(buf_str(&r.text), "Jos\xc3\xa9 M\xc3\xbcller") != NULL);
	rb_free(&r);

	/* No Content-Type, LF line ends, a line of 3000 octets. */
	{
		struct buf raw = BUF_INIT;

		buf_puts(&raw, "From: a@b.example\nSubject: lang\n\n");
		for (int i = 0; i < 3000; i++)
			buf_putc(&raw, 'x');
		buf_puts(&raw, "\n");
		CHECK_INT(run(raw.data, raw.len, &r, &e), 0);
		CHECK_INT(count(buf_str(&r.text), "xxxxxxxxxx"), 300);
		CHECK_INT(count(buf_str(&r.text), MARK), 1);
		rb_free(&r);
		buf_free(&raw);
	}
}

static void
test_strip(void)
{
	static const char *const bodies[] = {
		/* A top-posted reply quoting a list mail. */
		"Goed idee.\r\n\r\nOp 1 dec schreef Anna:\r\n> Hoi\r\n> \r\n"
		"> -- \r\n> Je ontvangt dit als lid van CoP Kinderopvang.\r\n"
		"> Afmelden: " MARK "\r\n>\r\n\r\n",
		/* Quoted twice, the space of "-- " lost on the way. */
		"Eens.\r\n\r\n> Goed idee.\r\n> -- \r\n> Afmelden: " MARK "\r\n"
		">\r\n> > Hoi\r\n> > --\r\n> > Afmelden: " MARK "\r\n",
		/* A forward of a list mail, the footer as it was. */
		"Zie hieronder.\r\n\r\nHoi\r\n\r\n-- \r\nJe ontvangt dit.\r\n"
		"Afmelden: " MARK "\r\n",
	};
	struct readback r;
	struct err e;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct buf raw = BUF_INIT;

		buf_printf(&raw, HEAD "Content-Type: text/plain; charset=utf-8"
		    "\r\n\r\n%s", bodies[i]);
		CHECK_INT(run(raw.data, raw.len, &r, &e), 0);
		CHECKM(count(buf_str(&r.text), MARK) == 1, buf_str(&r.text));
		CHECK_INT(count(buf_str(&r.text), "-- \r\n"), 1);
		rb_free(&r);
		buf_free(&raw);
	}

	/* An answer below a quoted footer: the answer stays, and the quote. */
	CHECK_INT(run_s(HEAD "\r\n> Hoi\r\n> -- \r\n> Afmelden: " MARK "\r\n"
	    ">\r\n\r\nMijn antwoord.\r\n", &r, &e), 0);
	CHECK(strstr(buf_str(&r.text), "> Afmelden: " MARK "\r\n>\r\n\r\n"
	    "Mijn antwoord.\r\n\r\n-- \r\n") != NULL);
	CHECK_INT(count(buf_str(&r.text), MARK), 2);
	rb_free(&r);

	/* A separator far from the end, or without our mark, stays. */
	CHECK_INT(run_s(HEAD "\r\nTekst\r\n-- \r\nJan\r\nAfmelden kan niet.\r\n",
	    &r, &e), 0);
	CHECK(strstr(buf_str(&r.text), "-- \r\nJan\r\n") != NULL);
	CHECK_INT(count(buf_str(&r.text), "-- \r\n"), 2);
	rb_free(&r);
}

static void
test_multipart(void)
{
	struct readback r;
	struct err e;

	/* alternative: wrapped, kept byte for byte, footer part second. */
	CHECK_INT(run_s(HEAD "Content-Type: multipart/alternative; boundary=\"a\"\r\n"
	    "\r\n--a\r\nContent-Type: text/plain\r\n\r\nplat\r\n--a\r\n"
	    "Content-Type: text/html\r\n\r\n<p>html</p>\r\n--a--\r\n", &r, &e), 0);
	CHECK_STR(buf_str(&r.types), "multipart-or-message/mixed "
	    "multipart-or-message/alternative text/plain text/html text/plain");
	CHECK_INT(count(buf_str(&r.text), MARK), 1);
	rb_free(&r);

	/* mixed with an old footer part of ours: it goes, one comes. */
	CHECK_INT(run_s(HEAD "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
	    "--m\r\nContent-Type: text/plain\r\n\r\nTekst\r\n"
	    "--m\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n"
	    "--m\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Description: kring list footer\r\n\r\n-- \r\nAfmelden: "
	    MARK "\r\n--m--\r\n", &r, &e), 0);
	CHECK_STR(buf_str(&r.types), "multipart-or-message/mixed text/plain "
	    "other/octet-stream text/plain");
	CHECK_INT(count(buf_str(&r.text), MARK), 1);
	rb_free(&r);

	/* text/html alone, and a long line inside an alternative. */
	{
		struct buf raw = BUF_INIT;

		buf_puts(&raw, HEAD "Content-Type: multipart/alternative; "
		    "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>");
		for (int i = 0; i < 1500; i++)
			buf_putc(&raw, 'y');
		buf_puts(&raw, "</p>\r\n--b--\r\n");
		CHECK_INT(run(raw.data, raw.len, &r, &e), 0);
		CHECK(strstr(buf_str(&r.text), "yyyy</p>") != NULL);
		CHECK_INT(count(buf_str(&r.text), "y"), 1500);
		rb_free(&r);
		buf_free(&raw);
	}
}

/* ---- the member's archive link ---- */

/*
 * Every shape ends with exactly one placeholder, whole in the encoded
 * bytes, in the footer; filled in, it reads as the member's link.
 */
static void
test_personal(void)
{
	static const char *const posts[] = {
		HEAD "Content-Type: text/plain; charset=utf-8\r\n\r\nHoi\r\n",
		/* Unknown charset: wrapped, the footer a part of its own. */
		HEAD "Content-Type: text/plain; charset=x-onbekend\r\n\r\nHoi\r\n",
		HEAD "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
		"--m\r\nContent-Type: text/plain\r\n\r\nTekst\r\n--m--\r\n",
		HEAD "Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
		"--a\r\nContent-Type: text/plain\r\n\r\nplat\r\n--a\r\n"
		"Content-Type: text/html\r\n\r\n<p>html</p>\r\n--a--\r\n",
		HEAD "Content-Type: text/html\r\n\r\n<p>html</p>\r\n",
		HEAD "Content-Type: multipart/signed; boundary=\"s\"; "
		"protocol=\"application/pgp-signature\"\r\n\r\n"
		"--s\r\nContent-Type: text/plain\r\n\r\nondertekend\r\n--s\r\n"
		"Content-Type: application/pgp-signature\r\n\r\nSIG\r\n--s--\r\n",
		HEAD,
	};
	struct readback r;
	struct err e;

	for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		struct buf wire = BUF_INIT;
		size_t *at;

		CHECKM(run_with(&pfooter, posts[i], strlen(posts[i]), &r, &e,
		    &wire) == 0, e.msg);
		CHECKM(compose_atoms(wire.data, wire.len, ARCH, &at) == 1,
		    posts[i]);
		free(at);
		CHECK(compose_atoms(wire.data, wire.len, ATOM, &at) == 0);
		free(at);
		CHECKM(count(buf_str(&r.text), LINKED TOKEN "\r\n") == 1,
		    buf_str(&r.text));
		CHECK_INT(count(buf_str(&r.text), MARK), 1);
		rb_free(&r);
		buf_free(&wire);
	}
}

/* A member's link quoted in a reply reaches the list without its token. */
static void
test_quoted_link(void)
{
	/* An inline reply: the quoted footer is not at the end. */
	static const char inline_reply[] = HEAD "Content-Type: text/plain; "
	    "charset=utf-8\r\n\r\n> Hoi\r\n> -- \r\n" QUOTED "\r\n"
	    "Goed idee.\r\nZie " BASE "public/jgz en https://elders.example/a/"
	    "abcdefghijklmnopqrstuvwx23\r\n";
	/*
	 * An HTML reply: both alternatives quote the link, the text's in
	 * quoted-printable broken inside the token, the HTML's in base64.
	 */
	static const char html_reply[] = HEAD "Content-Type: multipart/"
	    "alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: "
	    "text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n"
	    "\r\nEens.\r\n> Het archief: " BASE "abcdefghijk=\r\n"
	    "lmnopqrstuvwx23\r\n--a\r\nContent-Type: text/html\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    /* <p>Eens.</p><a href="BASE...">archief</a> */
	    "PHA+RWVucy48L3A+PGEgaHJlZj0iaHR0cHM6Ly9saXN0cy5leGFtcGxlLm9yZy9h"
	    "L2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eDIzIj5hcmNoaWVmPC9hPg==\r\n"
	    "--a--\r\n";
	/* A signed reply stays as it is: the limit, not a wish. */
	static const char signed_reply[] = HEAD "Content-Type: multipart/"
	    "signed; boundary=\"s\"; protocol=\"application/pgp-signature\""
	    "\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\n" QUOTED
	    "--s\r\nContent-Type: application/pgp-signature\r\n\r\nSIG\r\n"
	    "--s--\r\n";
	struct readback r;
	struct err e;

	CHECK_INT(run_with(&pfooter, inline_reply, strlen(inline_reply), &r, &e,
	    NULL), 0);
	CHECKM(strstr(buf_str(&r.text), "> Het archief: " BASE "...\r\n") !=
	    NULL, buf_str(&r.text));
	CHECK_INT(count(buf_str(&r.text), "abcdefghijklmnopqrstuvwx23"), 1);
	CHECK(strstr(buf_str(&r.text), "elders.example/a/"
	    "abcdefghijklmnopqrstuvwx23") != NULL);
	CHECK(strstr(buf_str(&r.text), BASE "public/jgz ") != NULL);
	CHECK_INT(count(buf_str(&r.text), LINKED TOKEN), 1);
	rb_free(&r);

	CHECK_INT(run_with(&pfooter, html_reply, strlen(html_reply), &r, &e,
	    NULL), 0);
	CHECK_STR(buf_str(&r.types), "multipart-or-message/mixed "
	    "multipart-or-message/alternative text/plain text/html text/plain");
	CHECK_INT(count(buf_str(&r.text), "abcdefghijklmnopqrstuvwx23"), 0);
	CHECKM(strstr(buf_str(&r.text), "> Het archief: " BASE "...\r\n") !=
	    NULL, buf_str(&r.text));
	CHECK(strstr(buf_str(&r.text), "<a href=\"" BASE "...\">archief</a>") !=
	    NULL);
	CHECK_INT(count(buf_str(&r.text), LINKED TOKEN), 1);
	rb_free(&r);

	CHECK_INT(run_with(&pfooter, signed_reply, strlen(signed_reply), &r, &e,
	    NULL), 0);
	CHECK_INT(count(buf_str(&r.text), "abcdefghijklmnopqrstuvwx23"), 1);
	CHECK_INT(count(buf_str(&r.text), LINKED TOKEN), 1);
	rb_free(&r);

	/* Without a web endpoint there is nothing to take out. */
	CHECK_INT(run_s(inline_reply, &r, &e), 0);
	CHECK_INT(count(buf_str(&r.text), "abcdefghijklmnopqrstuvwx23"), 2);
	rb_free(&r);
}

/* ---- hostile posts ---- */

static void
test_nesting(void)
{
	struct readback r;
	struct err e;

	for (int depth = 5; depth <= 400; depth = depth < 20 ? depth + 5 : depth * 4) {
		struct buf raw = BUF_INIT;

		buf_puts(&raw, HEAD);
		for (int i = 0; i < depth; i++)
			buf_printf(&raw, "Content-Type: multipart/alternative; "
			    "boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i);
		buf_puts(&raw, "Content-Type: text/plain\r\n\r\n");
		/* A long line: every level must be taken apart. */
		for (int i = 0; i < 1200; i++)
			buf_putc(&raw, 'z');
		buf_puts(&raw, "\r\n");
		for (int i = depth - 1; i >= 0; i--)
			buf_printf(&raw, "--b%d--\r\n", i);
		if (run(raw.data, raw.len, &r, &e) == 0) {
			CHECKM(depth < COMPOSE_POST_DEPTH_MAX, "deep post composed");
			CHECK_INT(count(buf_str(&r.text), MARK), 1);
		} else {
			CHECKM(depth >= COMPOSE_POST_DEPTH_MAX - 1, e.msg);
		}
		rb_free(&r);
		buf_free(&raw);
	}
}

static void
test_broken(void)
{
	static const char *const posts[] = {
		"",
		"From: a@b.example",
		HEAD,
		HEAD "\r\n",
		/* A boundary that never comes, an unclosed multipart. */
		HEAD "Content-Type: multipart/mixed; boundary=\"nooit\"\r\n\r\ntekst\r\n",
		HEAD "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\n"
		"Content-Type: text/plain\r\n\r\nhalf",
		HEAD "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\nx\r\n----\r\n",
		HEAD "Content-Type: multipart/mixed; boundary=\"\\\"\"\r\n\r\n--\"\r\n",
		HEAD "Content-Type: multipart/mixed\r\n\r\n--x\r\nhi\r\n--x--\r\n",
		/* Broken encodings and charsets. */
		HEAD "Content-Type: text/plain; charset=x-onbekend\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64\xff\r\n",
		HEAD "Content-Type: text/plain; charset=utf-8\r\n\r\n\xc3\x28 \xff\xfe\r\n",
		/* 8-bit header bytes, and CR/LF where a name goes. */
		"From: Jos\xe9 <jos@example.net>\r\nSubject: caf\xe9\r\n"
		"Content-Type: text/plain; charset=\"iso-8859-1\"; name=\"r\xe9sum\xe9\"\r\n"
		"\r\nTekst\r\n",
		HEAD "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\n"
		"Content-Type: application/pdf; name=\"a\r\n b.pdf\"\r\n"
		"Content-Disposition: attachment; filename=\"a\r\nBcc: x@y\"\r\n\r\n%PDF\r\n--m--\r\n",
		HEAD "Content-Type: message/rfc822\r\n\r\nSubject: binnen\r\n\r\nbinnen\r\n",
		/* NUL bytes and a bare CR. */
		HEAD "Content-Type: application/octet-stream\r\n\r\na\0b\rc\r\n",
	};
	struct readback r;
	struct err e;

	for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		size_t len = strlen(posts[i]);

		if (i == sizeof(posts) / sizeof(posts[0]) - 1)
			len += strlen(posts[i] + len + 1) + 1;   /* past the NUL */
		if (run(posts[i], len, &r, &e) == 0)
			CHECKM(count(buf_str(&r.text), MARK) == 1, posts[i]);
		rb_free(&r);
	}
}

static void
test_limits(void)
{
	struct buf raw = BUF_INIT;
	struct readback r;
	struct err e;

	/* More parts than COMPOSE_POST_PARTS_MAX, each too long to keep. */
	buf_puts(&raw, HEAD "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n");
	for (int i = 0; i < COMPOSE_POST_PARTS_MAX + 10; i++) {
		buf_puts(&raw, "--m\r\nContent-Type: text/plain\r\n\r\nx\r\n");
	}
	buf_puts(&raw, "--m--\r\n");
	CHECK_INT(run(raw.data, raw.len, &r, &e), -1);
	CHECK(strstr(e.msg, "parts") != NULL);
	rb_free(&r);
	buf_free(&raw);
}

int
main(void)
{
	test_plain();
	test_strip();
	test_multipart();
	test_personal();
	test_quoted_link();
	test_nesting();
	test_broken();
	test_limits();
	return check_done();
}
