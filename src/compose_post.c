/*
 * compose_post - a post's body with the list footer (see compose_post.h).
 *
 * The post is read with libetpan from a working copy made safe by the
 * mime module (mime_parse_copy), and a new tree is written with
 * libetpan: parts taken over as they are point into that copy, and
 * the header objects (content type, MIME fields) are moved from the
 * parsed tree into the new one, so nothing is pasted as a string.  A
 * taken-over part keeps its bytes, so a signed body stays verifiable
 * as far as a footer lets it.  Our footer part is marked with a
 * Content-Description, so a footer part quoted back in a reply can be
 * told from one the author attached.  An archive link's token is
 * taken out of text the way a footer is, by its shape after the site's
 * base, so no quoted link of a member reaches the list working.  No
 * state.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "compose.h"
#include "compose_int.h"
#include "compose_post.h"
#include "err.h"
#include "mime.h"
#include "mime_decode.h"
#include "token.h"
#include "xmem.h"

#define FOOTER_DESC "kring list footer"
#define FOOTER_SEP "-- "
#define LINE_MAX_OCTETS 998

/* The bytes the new tree points to, freed once it is written. */
struct build {
	const struct compose_footer *f;
	uint64_t seed;
	size_t parts;
	struct buf **keep;
	size_t nkeep;
	struct err *e;
};

static struct buf *
keep_new(struct build *b)
{
	struct buf *k = xcalloc(1, sizeof(*k));

	b->keep = xreallocarray(b->keep, b->nkeep + 1, sizeof(*b->keep));
	b->keep[b->nkeep++] = k;
	return k;
}

static void
build_free(struct build *b)
{
	for (size_t i = 0; i < b->nkeep; i++) {
		buf_free(b->keep[i]);
		free(b->keep[i]);
	}
	free(b->keep);
}

/* ---- the parsed tree ---- */

static bool
ct_is(const struct mailmime_content *ct, int type, const char *sub)
{
	const struct mailmime_type *t;

	if (ct == NULL || (t = ct->ct_type) == NULL || ct->ct_subtype == NULL)
		return false;
	if (type == MAILMIME_DISCRETE_TYPE_TEXT) {
		if (t->tp_type != MAILMIME_TYPE_DISCRETE_TYPE ||
		    t->tp_data.tp_discrete_type->dt_type != type)
			return false;
	} else if (t->tp_type != MAILMIME_TYPE_COMPOSITE_TYPE ||
	    t->tp_data.tp_composite_type->ct_type != type) {
		return false;
	}
	return sub == NULL || strcasecmp(ct->ct_subtype, sub) == 0;
}

static bool
attachment(const struct mailmime *m)
{
	struct mailmime_single_fields sf;

	mailmime_single_fields_init(&sf, m->mm_mime_fields, m->mm_content_type);
	return sf.fld_disposition != NULL && sf.fld_disposition->dsp_type !=
	    NULL && sf.fld_disposition->dsp_type->dsp_type ==
	    MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
}

/* A footer part of ours, from an earlier list mail. */
static bool
our_footer(const struct mailmime *m)
{
	clistiter *it;

	if (m->mm_type != MAILMIME_SINGLE || m->mm_mime_fields == NULL)
		return false;
	for (it = clist_begin(m->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		const struct mailmime_field *fld = clist_content(it);

		if (fld->fld_type == MAILMIME_FIELD_DESCRIPTION &&
		    fld->fld_data.fld_description != NULL &&
		    strcmp(fld->fld_data.fld_description, FOOTER_DESC) == 0)
			return true;
	}
	return false;
}

/* Lines of at most 998 octets and no NUL: bytes that may go out as they are. */
static bool
wire_safe(const struct mailmime_data *d)
{
	const char *s;
	size_t n, col = 0;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return d == NULL;
	s = d->dt_data.dt_text.dt_data;
	n = d->dt_data.dt_text.dt_length;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r')
			col = 0;
		else if (s[i] == '\0' || ++col > LINE_MAX_OCTETS)
			return false;
	}
	return true;
}

/* ---- moving header objects into the new tree ---- */

/*
 * Move the fields of from that a part keeps (Content-Disposition, -ID,
 * -Description, -Language, -Location, and the transfer encoding when
 * keep_encoding) to a new field list; the others are freed.  from is
 * left empty.
 */
static struct mailmime_fields *
take_fields(struct mailmime *m, int new_encoding, bool keep_encoding)
{
	struct mailmime_fields *to = compose_need(new_encoding < 0 ?
	    mailmime_fields_new_empty() :
	    mailmime_fields_new_encoding(new_encoding));
	struct mailmime_fields *from = m->mm_mime_fields;
	clistiter *it;

	if (from == NULL)
		return to;
	for (it = clist_begin(from->fld_list); it != NULL; it = clist_next(it)) {
		struct mailmime_field *fld = clist_content(it);
		bool drop = fld->fld_type == MAILMIME_FIELD_VERSION ||
		    fld->fld_type == MAILMIME_FIELD_TYPE ||
		    (fld->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING &&
		    !keep_encoding);

		if (drop)
			mailmime_field_free(fld);
		else
			compose_need_ok(clist_append(to->fld_list, fld));
	}
	clist_free(from->fld_list);
	from->fld_list = compose_need(clist_new());
	return to;
}

static struct mailmime_content *
take_ct(struct mailmime *m)
{
	struct mailmime_content *ct = m->mm_content_type;

	m->mm_content_type = NULL;
	return ct != NULL ? ct :
	    compose_need(mailmime_content_new_with_str("text/plain"));
}

static struct mailmime *
leaf(struct mailmime_fields *fields, struct mailmime_content *ct,
    int encoding, bool encoded, const char *data, size_t len)
{
	struct mailmime_data *d = compose_need(mailmime_data_new(
	    MAILMIME_DATA_TEXT, encoding, encoded, data, len, NULL));

	return compose_need(mailmime_new(MAILMIME_SINGLE, NULL, 0, fields, ct,
	    d, NULL, NULL, NULL, NULL, NULL));
}

/* ---- archive links ---- */

/*
 * Whether m is, or inside a multipart holds, a text part with an
 * archive link of the site in it.  A signed or encrypted body does not
 * count: it must stay as it is.
 */
static bool
holds_link(const struct build *b, struct mailmime *m, int depth)
{
	const struct mailmime_data *d;
	clistiter *it;
	size_t at = 0, n = 0;
	char *dec = NULL;
	bool hit;

	if (b->f->link_base == NULL || depth > COMPOSE_POST_DEPTH_MAX)
		return false;
	if (m->mm_type == MAILMIME_MULTIPLE) {
		if (ct_is(m->mm_content_type, MAILMIME_COMPOSITE_TYPE_MULTIPART,
		    "signed") || ct_is(m->mm_content_type,
		    MAILMIME_COMPOSITE_TYPE_MULTIPART, "encrypted"))
			return false;
		for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			if (holds_link(b, clist_content(it), depth + 1))
				return true;
		return false;
	}
	if (m->mm_type != MAILMIME_SINGLE)
		return false;
	d = m->mm_data.mm_single;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
	    !ct_is(m->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, NULL) ||
	    mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &at, d->dt_encoding, &dec,
	    &n) != MAILIMF_NO_ERROR)
		return false;
	hit = token_scrub(b->f->link_base, dec, n, NULL) > 0;
	mmap_string_unref(dec);
	return hit;
}

/* ---- parts of the post in the new tree ---- */

/* A part as it came: its header objects, and its body bytes as they are. */
static struct mailmime *
as_is(struct mailmime *m)
{
	const struct mailmime_data *d = m->mm_body;
	int enc = d != NULL ? d->dt_encoding : MAILMIME_MECHANISM_8BIT;

	return leaf(take_fields(m, -1, true), take_ct(m), enc, true,
	    d != NULL ? d->dt_data.dt_text.dt_data : "",
	    d != NULL ? d->dt_data.dt_text.dt_length : 0);
}

/*
 * A leaf whose lines are too long, or a text that holds an archive
 * link: decoded, then QP (text, its links' tokens out) or base64.
 */
static struct mailmime *
encoded_again(struct build *b, struct mailmime *m)
{
	const struct mailmime_data *d = m->mm_data.mm_single;
	bool text = ct_is(m->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, NULL);
	struct buf *k = keep_new(b);
	size_t at = 0, n = 0;
	char *dec = NULL;
	int enc = text ? MAILMIME_MECHANISM_QUOTED_PRINTABLE :
	    MAILMIME_MECHANISM_BASE64;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
	    mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &at, d->dt_encoding, &dec,
	    &n) != MAILIMF_NO_ERROR) {
		err_set(b->e, EX_DATAERR, "a part of the post cannot be decoded");
		return NULL;
	}
	if (text) {
		struct buf clean = BUF_INIT;

		token_scrub(b->f->link_base, dec, n, &clean);
		compose_qp_encode(buf_str(&clean), clean.len, NULL, k);
		buf_free(&clean);
	} else {
		buf_add(k, dec, n);
	}
	mmap_string_unref(dec);
	/* libetpan writes base64 itself; our QP is already encoded. */
	return leaf(take_fields(m, enc, false), take_ct(m), enc, text,
	    buf_str(k), k->len);
}

static struct mailmime *copy_part(struct build *b, struct mailmime *m,
    int depth);

static struct mailmime *
copy_multipart(struct build *b, struct mailmime *m, int depth)
{
	struct mailmime *mp;
	clistiter *it;

	if (depth >= COMPOSE_POST_DEPTH_MAX) {
		err_set(b->e, EX_DATAERR, "the post nests more than %d levels "
		    "deep", COMPOSE_POST_DEPTH_MAX);
		return NULL;
	}
	/* The content type keeps its boundary: the parts are ours again. */
	mp = compose_need(mailmime_new(MAILMIME_MULTIPLE, NULL, 0,
	    take_fields(m, -1, false), take_ct(m), NULL, NULL, NULL,
	    compose_need(clist_new()), NULL, NULL));
	for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it != NULL;
	    it = clist_next(it)) {
		struct mailmime *c = copy_part(b, clist_content(it), depth + 1);

		if (c == NULL) {
			mailmime_free(mp);
			return NULL;
		}
		compose_need_ok(mailmime_smart_add_part(mp, c));
	}
	return mp;
}

static struct mailmime *
copy_part(struct build *b, struct mailmime *m, int depth)
{
	if (++b->parts > COMPOSE_POST_PARTS_MAX) {
		err_set(b->e, EX_DATAERR, "the post has more than %d parts",
		    COMPOSE_POST_PARTS_MAX);
		return NULL;
	}
	if (wire_safe(m->mm_body) && !holds_link(b, m, depth))
		return as_is(m);
	switch (m->mm_type) {
	case MAILMIME_SINGLE:
		return encoded_again(b, m);
	case MAILMIME_MULTIPLE:
		return copy_multipart(b, m, depth);
	default:
		/* message/rfc822 may not be encoded (RFC 2046 5.2.1). */
		err_set(b->e, EX_DATAERR, "an attached message has lines longer "
		    "than %d octets", LINE_MAX_OCTETS);
		return NULL;
	}
}

/* ---- the footer ---- */

/* Where s[0..n) holds needle, case-insensitive, or NULL. */
static const char *
find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k > 0 && i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

static bool
has_mark(const struct compose_footer *f, const char *s, size_t n)
{
	const char *h = find_ci(s, n, f->mark_head);

	return h != NULL && find_ci(h, n - (size_t)(h - s), f->mark_tail) != NULL;
}

/* A line [s, end) past its quote marks ("> > "); *depth (or NULL) their count. */
static const char *
unquoted(const char *s, const char *end, int *depth)
{
	int n = 0;

	while (s < end && *s == '>') {
		s++;
		n++;
		if (s < end && *s == ' ')
			s++;
	}
	if (depth != NULL)
		*depth = n;
	return s;
}

/* "-- " or "--" (some mail programs drop the space), quoted or not. */
static bool
separator(const char *s, const char *end)
{
	s = unquoted(s, end, NULL);
	return (end - s == 2 || (end - s == 3 && s[2] == ' ')) &&
	    s[0] == '-' && s[1] == '-';
}

/* The line that ends at e (a '\n' or the end): where it starts. */
static size_t
line_start(const struct buf *t, size_t e)
{
	while (e > 0 && t->data[e - 1] != '\n')
		e--;
	return e;
}

/* Drop the lines at the end of t that hold nothing but quote marks and blanks. */
static void
trim_blank_end(struct buf *t)
{
	size_t n = t->len;

	while (n > 0) {
		size_t e = t->data[n - 1] == '\n' ? n - 1 : n;
		size_t s = line_start(t, e);

		if (strspn(t->data + s, "> \t") < e - s)
			break;
		n = s;
	}
	buf_truncate(t, n);
}

/*
 * Whether every line of t from at on that is not blank is quoted at
 * least depth deep: what follows a separator is the footer, not an
 * answer written below a quoted footer.
 */
static bool
quoted_below(const struct buf *t, size_t at, int depth)
{
	while (at < t->len) {
		const char *s = t->data + at, *nl = memchr(s, '\n', t->len - at);
		const char *end = nl != NULL ? nl : t->data + t->len;
		int d;

		unquoted(s, end, &d);
		if (strspn(s, "> \t") < (size_t)(end - s) && d < depth)
			return false;
		at = (size_t)(end - t->data) + 1;
	}
	return true;
}

/*
 * Cut footers of ours off the end of t (LF text): from the last
 * separator line among the last lines, when what follows it carries
 * the mark and is quoted as deep as it.  Again, for a footer quoted in
 * a quoted reply.
 */
static void
strip_footers(const struct compose_footer *f, struct buf *t)
{
	for (;;) {
		size_t e, s = 0;
		bool cut = false;

		trim_blank_end(t);
		if (t->len == 0)
			return;
		e = t->data[t->len - 1] == '\n' ? t->len - 1 : t->len;
		for (int lines = 0; lines < COMPOSE_POST_FOOTER_LINES; lines++) {
			s = line_start(t, e);
			if (separator(t->data + s, t->data + e)) {
				int depth;

				unquoted(t->data + s, t->data + e, &depth);
				cut = has_mark(f, t->data + e, t->len - e) &&
				    quoted_below(t, e, depth);
				break;
			}
			if (s == 0)
				break;
			e = s - 1;
		}
		if (!cut)
			return;
		buf_truncate(t, s);
	}
}

/* decoded[0..n) with CRLF and lone CR made LF. */
static void
to_lf(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			buf_putc(out, '\n');
		} else {
			buf_putc(out, s[i]);
		}
	}
}

static void
add_footer_text(const struct compose_footer *f, struct buf *t)
{
	if (t->len > 0)
		buf_puts(t, "\n");
	buf_puts(t, FOOTER_SEP "\n");
	buf_puts(t, f->text);
	if (t->len > 0 && t->data[t->len - 1] != '\n')
		buf_putc(t, '\n');
}

static struct mailmime *
footer_part(struct build *b)
{
	struct buf text = BUF_INIT, *qp = keep_new(b);
	struct mailmime *part;

	add_footer_text(b->f, &text);
	compose_qp_encode(buf_str(&text), text.len, b->f->atom, qp);
	buf_free(&text);
	part = compose_text_part("text/plain; charset=utf-8", qp);
	compose_need_ok(mailmime_fields_add(part->mm_mime_fields,
	    compose_need(mailmime_field_new(MAILMIME_FIELD_DESCRIPTION, NULL,
	    NULL, NULL, xstrdup(FOOTER_DESC), 0, NULL, NULL, NULL))));
	return part;
}

/* ---- the three shapes ---- */

/* The content type of the new text: UTF-8, format=flowed kept. */
static void
text_type(const struct mailmime_content *ct, char *out, size_t len)
{
	const char *format = mailmime_content_param_get(
	    (struct mailmime_content *)ct, "format");
	const char *delsp = mailmime_content_param_get(
	    (struct mailmime_content *)ct, "delsp");
	bool flowed = format != NULL && strcasecmp(format, "flowed") == 0;
	bool del = flowed && delsp != NULL && strcasecmp(delsp, "yes") == 0;

	snprintf(out, len, "text/plain; charset=utf-8%s%s",
	    flowed ? "; format=flowed" : "", del ? "; delsp=yes" : "");
}

/*
 * One text/plain: decoded, old footers cut, ours added.  NULL when the
 * text cannot be decoded faithfully (an unknown charset, too large):
 * then it is wrapped as it is.
 */
static struct mailmime *
plain_with_footer(struct build *b, struct mailmime *m)
{
	const struct mailmime_data *d = m->mm_data.mm_single;
	struct buf utf8 = BUF_INIT, text = BUF_INIT, clean = BUF_INIT, *qp;
	char ct[80];
	int flags = 0;

	if (d != NULL && d->dt_type == MAILMIME_DATA_TEXT)
		mime_decode_body(d->dt_data.dt_text.dt_data,
		    d->dt_data.dt_text.dt_length, d->dt_encoding,
		    mailmime_content_charset_get(m->mm_content_type), &utf8,
		    &flags);
	if (flags != 0) {
		buf_free(&utf8);
		return NULL;
	}
	to_lf(buf_str(&utf8), utf8.len, &text);
	buf_free(&utf8);
	strip_footers(b->f, &text);
	token_scrub(b->f->link_base, buf_str(&text), text.len, &clean);
	buf_free(&text);
	add_footer_text(b->f, &clean);
	qp = keep_new(b);
	compose_qp_encode(buf_str(&clean), clean.len, b->f->atom, qp);
	buf_free(&clean);
	text_type(m->mm_content_type, ct, sizeof(ct));
	return compose_text_part(ct, qp);
}

/* multipart/mixed: its parts but our old footers, then the footer. */
static struct mailmime *
mixed_with_footer(struct build *b, struct mailmime *m)
{
	struct mailmime *mp = compose_multipart("mixed", b->seed);
	clistiter *it;

	b->parts++;
	for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it != NULL;
	    it = clist_next(it)) {
		struct mailmime *c = clist_content(it);

		if (our_footer(c))
			continue;
		if ((c = copy_part(b, c, 1)) == NULL) {
			mailmime_free(mp);
			return NULL;
		}
		compose_need_ok(mailmime_smart_add_part(mp, c));
	}
	compose_need_ok(mailmime_smart_add_part(mp, footer_part(b)));
	return mp;
}

/* Anything else: multipart/mixed of the body as it is and the footer. */
static struct mailmime *
wrapped(struct build *b, struct mailmime *m)
{
	struct mailmime *mp, *c;

	if ((c = copy_part(b, m, 1)) == NULL)
		return NULL;
	mp = compose_multipart("mixed", b->seed);
	compose_need_ok(mailmime_smart_add_part(mp, c));
	compose_need_ok(mailmime_smart_add_part(mp, footer_part(b)));
	return mp;
}

static struct mailmime *
with_footer(struct build *b, struct mailmime *body)
{
	struct mailmime *top;

	if (body == NULL) {
		/* No body at all: the footer is the whole text. */
		struct buf *qp = keep_new(b), text = BUF_INIT;

		add_footer_text(b->f, &text);
		compose_qp_encode(buf_str(&text), text.len, b->f->atom, qp);
		buf_free(&text);
		return compose_text_part("text/plain; charset=utf-8", qp);
	}
	if (body->mm_type == MAILMIME_SINGLE &&
	    ct_is(body->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, "plain") &&
	    !attachment(body) && (top = plain_with_footer(b, body)) != NULL)
		return top;
	if (body->mm_type == MAILMIME_MULTIPLE &&
	    ct_is(body->mm_content_type, MAILMIME_COMPOSITE_TYPE_MULTIPART,
	    "mixed"))
		return mixed_with_footer(b, body);
	return wrapped(b, body);
}

int
compose_post_body(const char *raw, size_t len, const struct compose_footer *f,
    uint64_t seed, struct buf *out, struct err *e)
{
	struct build b = { f, seed, 0, NULL, 0, e };
	struct mailmime *tree = NULL, *body = NULL, *top;
	char *copy;
	size_t clen, at = 0;
	int flags = 0, r, rc = -1;

	if (len > COMPOSE_BODY_MAX)
		return err_set(e, EX_DATAERR, "the post is larger than %d bytes",
		    COMPOSE_BODY_MAX);
	if (mime_parse_copy(raw, len, &copy, &clen, &flags) != 0)
		return err_set(e, EX_DATAERR, "the post nests too deeply to be "
		    "read");
	r = mailmime_parse(copy, clen, &at, &tree);
	if (r == MAILIMF_ERROR_MEMORY)
		compose_need(NULL);
	if (r != MAILIMF_NO_ERROR) {
		err_set(e, EX_DATAERR, "the post cannot be read as MIME "
		    "(error %d)", r);
		goto out;
	}
	if (tree->mm_type == MAILMIME_MESSAGE)
		body = tree->mm_data.mm_message.mm_msg_mime;
	if ((top = with_footer(&b, body)) != NULL)
		rc = compose_write(top, out, e);
out:
	if (tree != NULL)
		mailmime_free(tree);
	free(copy);
	build_free(&b);
	return rc;
}
