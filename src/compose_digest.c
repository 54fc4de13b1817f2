/*
 * compose_digest - a digest's body with libetpan's MIME writer (see
 * compose_digest.h).
 *
 * The posts are copied once, CRLF-normalised, into buffers that live
 * until the body is written: libetpan's parts point into them.  They
 * are written as already encoded (dt_encoded), so libetpan passes them
 * through unchanged; its writer would otherwise cut long lines, which
 * is why long lines are refused before it runs.
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
#include "compose.h"
#include "compose_digest.h"
#include "compose_int.h"
#include "err.h"
#include "xmem.h"

#define LINE_MAX_OCTETS 998
#define BOUNDARY_TRIES 16
#define ATOM_MIN 8
#define ATOM_MAX 64

enum compose_unfit
compose_digest_unfit(const char *raw, size_t len)
{
	size_t col = 0;

	if (raw == NULL || len == 0)
		return UNFIT_EMPTY;
	if (memchr(raw, '\0', len) != NULL)
		return UNFIT_NUL;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '\r' || raw[i] == '\n')
			col = 0;
		else if (++col > LINE_MAX_OCTETS)
			return UNFIT_LONG_LINE;
	}
	return UNFIT_NONE;
}

/* What each item puts in the digest: the post's CRLF bytes or the note's QP. */
struct prepared {
	struct buf *bytes;
	bool *eight;
	bool any8;
	size_t n;
};

static void
prepared_free(struct prepared *p)
{
	for (size_t i = 0; i < p->n; i++)
		buf_free(&p->bytes[i]);
	free(p->bytes);
	free(p->eight);
}

static int
prepare(const struct compose_digest *d, struct prepared *p, struct err *e)
{
	size_t alen = d->atom != NULL ? strlen(d->atom) : 0;

	memset(p, 0, sizeof(*p));
	p->bytes = xcalloc(d->n, sizeof(*p->bytes));
	p->eight = xcalloc(d->n, sizeof(*p->eight));
	p->n = d->n;
	for (size_t i = 0; i < d->n; i++) {
		const struct compose_digest_item *it = &d->items[i];
		struct buf *b = &p->bytes[i];

		if (it->note != NULL) {
			if (compose_check_part("a note", it->note, e) != 0)
				return -1;
			compose_qp_encode(it->note, strlen(it->note), NULL, b);
			continue;
		}
		if (compose_digest_unfit(it->raw, it->len) != UNFIT_NONE)
			return err_set(e, EX_DATAERR, "post %zu of the digest "
			    "cannot go in as it is", i + 1);
		if (alen > 0 && memmem(it->raw, it->len, d->atom, alen) != NULL)
			return err_set(e, EX_SOFTWARE, "the placeholder occurs "
			    "in post %zu", i + 1);
		p->eight[i] = compose_crlf_copy(it->raw, it->len, b);
		p->any8 |= p->eight[i];
	}
	return 0;
}

/* The seeds of the three boundaries: mixed, digest, alternative. */
static void
seeds_of(uint64_t seed, uint64_t s[3])
{
	for (int k = 0; k < 3; k++)
		s[k] = seed + (uint64_t)k;
}

/* true when no post holds any of the boundaries seeds s make. */
static bool
boundaries_free(const struct prepared *p, const uint64_t s[3])
{
	for (int k = 0; k < 3; k++) {
		char b[32];
		int n = snprintf(b, sizeof(b), "=_kring_%016" PRIx64,
		    compose_mix64(s[k]));

		for (size_t i = 0; i < p->n; i++)
			if (memmem(buf_str(&p->bytes[i]), p->bytes[i].len, b,
			    (size_t)n) != NULL)
				return false;
	}
	return true;
}

static struct mailmime *
toc_part(const struct compose_digest *d, uint64_t seed, struct buf *tq,
    struct buf *hq)
{
	struct mailmime *alt;

	compose_qp_encode(d->toc_text, strlen(d->toc_text), d->atom, tq);
	if (d->toc_html == NULL)
		return compose_text_part("text/plain; charset=utf-8", tq);
	compose_qp_encode(d->toc_html, strlen(d->toc_html), d->atom, hq);
	alt = compose_multipart("alternative", seed);
	compose_need_ok(mailmime_smart_add_part(alt,
	    compose_text_part("text/plain; charset=utf-8", tq)));
	compose_need_ok(mailmime_smart_add_part(alt,
	    compose_text_part("text/html; charset=utf-8", hq)));
	return alt;
}

static bool
atom_ok(const char *atom)
{
	size_t n = atom != NULL ? strlen(atom) : 0;

	if (n < ATOM_MIN || n > ATOM_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = atom[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

static int
check_args(const struct compose_digest *d, struct err *e)
{
	if (d->toc_text == NULL || d->n == 0 || d->items == NULL)
		return err_set(e, EX_SOFTWARE, "a digest needs a table of "
		    "contents and posts");
	if (d->atom != NULL && !atom_ok(d->atom))
		return err_set(e, EX_SOFTWARE, "bad placeholder");
	if (compose_check_part("the table of contents", d->toc_text, e) != 0 ||
	    (d->toc_html != NULL && compose_check_part("the HTML table of "
	    "contents", d->toc_html, e) != 0))
		return -1;
	return 0;
}

int
compose_digest_body(const struct compose_digest *d, struct buf *out,
    struct err *e)
{
	struct buf tq = BUF_INIT, hq = BUF_INIT;
	struct prepared p;
	struct mailmime *mixed, *digest;
	uint64_t s[3];
	int tries, rc = -1;

	if (check_args(d, e) != 0)
		return -1;
	if (prepare(d, &p, e) != 0)
		goto out;
	seeds_of(d->seed, s);
	for (tries = 0; tries < BOUNDARY_TRIES && !boundaries_free(&p, s); tries++)
		seeds_of(compose_mix64(s[0]), s);
	if (tries == BOUNDARY_TRIES) {
		rc = err_set(e, EX_SOFTWARE, "no boundary fits the posts");
		goto out;
	}
	mixed = compose_multipart("mixed", s[0]);
	digest = compose_multipart("digest", s[1]);
	for (size_t i = 0; i < d->n; i++)
		compose_need_ok(mailmime_smart_add_part(digest,
		    d->items[i].note != NULL ?
		    compose_text_part("text/plain; charset=utf-8", &p.bytes[i]) :
		    compose_rfc822_part(&p.bytes[i], p.eight[i])));
	/* RFC 2045 6.4: a multipart holding 8bit data says so too. */
	if (p.any8) {
		compose_mark_8bit(digest);
		compose_mark_8bit(mixed);
	}
	compose_need_ok(mailmime_smart_add_part(mixed, toc_part(d, s[2], &tq,
	    &hq)));
	compose_need_ok(mailmime_smart_add_part(mixed, digest));
	rc = compose_write_body(mixed, "the digest", out, e);
out:
	prepared_free(&p);
	buf_free(&tq);
	buf_free(&hq);
	return rc;
}
