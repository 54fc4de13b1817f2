/*
 * mime - one inbound message read with libetpan (see mime.h).
 *
 * libetpan reads a working copy of the message three times: its header
 * fields typed and as written (mime_head.c), and its MIME tree
 * (mailmime_parse), whose parts point into the copy until the tree is
 * freed.  The copy is also where input that would crash libetpan 1.9.4
 * is made harmless first (prepare()).  The walk over the tree is
 * bounded by MIME_MAX_DEPTH and MIME_MAX_PARTS, libetpan's own
 * recursion before it starts (nesting()).  Every string handed out
 * passes mime_decode.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "err.h"
#include "html_text.h"
#include "mime.h"
#include "mime_decode.h"
#include "mime_head.h"
#include "xmem.h"

/*
 * mailmime_parse recurses once per nested multipart or message/rfc822
 * and rescans each level's whole body: 60,000 levels overflow an 8 MB
 * stack, 30,000 take 16 s, and 250 levels over 10 MB take 3 s.  Every
 * level needs the word "multipart" or "rfc822" in a header, so a
 * message with more of them than NESTING_WORDS_MAX, or with so many
 * that words times bytes passes NESTING_WORK_MAX (about 0.2 s), is not
 * given to it.  Real mail stays far below: a digest of 50 posts has
 * about 100 words, a large attachment comes with two or three.
 */
#define NESTING_WORDS_MAX 256
#define NESTING_WORK_MAX ((size_t)256 << 20)

struct copy {
	char *buf;
	size_t len;
};

struct walk {
	struct mime_msg *m;
	size_t parts;
	struct mailmime *plain;  /* the first text/plain, not an attachment */
	struct mailmime *html;   /* the first text/html, not an attachment */
};

/*
 * libetpan 1.9.4's mailmime_extract_boundary writes far out of bounds
 * for boundary="\"" (a value of one double quote; upstream 3f14913).
 * Such a quoted string after "=" (or after a comment) loses its
 * backslash, which makes the value a space.
 */
static void
defuse_boundaries(struct copy *c, int *flags)
{
	char *p = c->buf, *end = c->buf + c->len;

	while ((p = memmem(p, (size_t)(end - p), "\"\\\"\"", 4)) != NULL) {
		char *q = p;

		while (q > c->buf && strchr(" \t\r\n", q[-1]) != NULL)
			q--;
		if (q > c->buf && (q[-1] == '=' || q[-1] == ')')) {
			p[1] = ' ';
			*flags |= MIME_MALFORMED;
		}
		p += 4;
	}
}

static void
prepare(const char *raw, size_t len, struct copy *c, int *flags)
{
	size_t skip = 0;

	/* An mbox "From " line would stop libetpan's header parser at once. */
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		skip = nl != NULL ? (size_t)(nl - raw) + 1 : len;
	}
	c->len = len - skip;
	c->buf = xmalloc(c->len + 2);
	memcpy(c->buf, raw + skip, c->len);
	/* CR-only line ends (old Mac mail): libetpan knows CRLF and LF only. */
	if (memchr(c->buf, '\n', c->len) == NULL)
		for (size_t i = 0; i < c->len; i++)
			if (c->buf[i] == '\r')
				c->buf[i] = '\n';
	/* A last header line without a line end is dropped by libetpan. */
	if (c->len > 0 && c->buf[c->len - 1] != '\n')
		c->buf[c->len++] = '\n';
	c->buf[c->len] = '\0';
	defuse_boundaries(c, flags);
}

static size_t
nesting(const struct copy *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->len; i++) {
		char ch = (char)(c->buf[i] | 0x20);

		if (ch == 'm' && c->len - i >= 9 &&
		    strncasecmp(c->buf + i, "multipart", 9) == 0)
			n++;
		else if (ch == 'r' && c->len - i >= 6 &&
		    strncasecmp(c->buf + i, "rfc822", 6) == 0)
			n++;
	}
	return n;
}

/* ---- the MIME tree ---- */

/*
 * libetpan takes a multipart whose closing delimiter never comes as
 * ending with the message; its last part then ends where the multipart
 * does, without room for "--boundary--" after it.
 */
static bool
unclosed(const struct mailmime *mm)
{
	clistiter *last = clist_end(mm->mm_data.mm_multipart.mm_mp_list);
	const struct mailmime *child;
	const char *b, *end, *cend;

	if (last == NULL)
		return true;
	child = clist_content(last);
	b = mailmime_content_param_get(mm->mm_content_type, "boundary");
	end = mm->mm_mime_start + mm->mm_length;
	cend = child->mm_mime_start + child->mm_length;
	return cend <= end && (size_t)(end - cend) < (b ? strlen(b) : 0) + 4;
}

static void
walk(struct walk *w, struct mailmime *mm, int depth)
{
	struct mailmime_content *ct = mm->mm_content_type;

	if (w->parts >= MIME_MAX_PARTS) {
		w->m->flags |= MIME_TRUNCATED;
		return;
	}
	w->parts++;
	switch (mm->mm_type) {
	case MAILMIME_MULTIPLE:
		if (mime_ct_is(ct, "multipart", "report"))
			mime_report(w->m, ct);
		if (depth >= MIME_MAX_DEPTH) {
			w->m->flags |= MIME_TRUNCATED;
			break;
		}
		if (unclosed(mm))
			w->m->flags |= MIME_MALFORMED;
		for (clistiter *it = clist_begin(
		    mm->mm_data.mm_multipart.mm_mp_list); it != NULL;
		    it = clist_next(it))
			walk(w, clist_content(it), depth + 1);
		break;
	case MAILMIME_SINGLE:
		/* A multipart without a boundary comes as one single part. */
		if (mime_ct_is(ct, "multipart", NULL))
			w->m->flags |= MIME_MALFORMED;
		else if (mime_ct_is(ct, "message", "delivery-status"))
			w->m->is_dsn = true;
		else if (mime_ct_is(ct, "text", "plain") && w->plain == NULL &&
		    !mime_is_attachment(mm))
			w->plain = mm;
		else if (mime_ct_is(ct, "text", "html") && w->html == NULL &&
		    !mime_is_attachment(mm))
			w->html = mm;
		else if (mime_is_attachment(mm) ||
		    (!mime_ct_is(ct, "text", "plain") &&
		    !mime_ct_is(ct, "text", "html") &&
		    !(mime_ct_is(ct, "image", NULL) && mime_has_id(mm))))
			w->m->n_attachments++;
		break;
	default:
		/* An attached message: its text is not this mail's. */
		w->m->n_attachments++;
		break;
	}
}

static char *
part_text(struct mailmime *mm, bool html, int *flags)
{
	const struct mailmime_data *d = mm->mm_data.mm_single;
	struct buf utf8 = BUF_INIT, text = BUF_INIT;
	char *s;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return xstrdup("");
	mime_decode_body(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, d->dt_encoding,
	    mailmime_content_charset_get(mm->mm_content_type), &utf8, flags);
	if (!html) {
		s = mime_decode_text(buf_str(&utf8), utf8.len, flags);
	} else {
		buf_init(&text, MIME_DECODE_MAX);
		html_text(buf_str(&utf8), utf8.len, &text);
		if (buf_overflowed(&text))
			*flags |= MIME_TRUNCATED;
		s = mime_decode_text(buf_str(&text), text.len, flags);
		buf_free(&text);
	}
	buf_free(&utf8);
	return s;
}

/* Whether libetpan's recursion can take c (see NESTING_WORDS_MAX). */
static bool
parseable(const struct copy *c)
{
	size_t words = nesting(c);

	return words <= NESTING_WORDS_MAX && words * c->len <= NESTING_WORK_MAX;
}

int
mime_parse_copy(const char *raw, size_t len, char **out, size_t *outlen,
    int *flags)
{
	struct copy c;

	prepare(raw, len, &c, flags);
	if (!parseable(&c)) {
		free(c.buf);
		*flags |= MIME_MALFORMED | MIME_TRUNCATED;
		return -1;
	}
	*out = c.buf;
	*outlen = c.len;
	return 0;
}

static void
read_body(const struct copy *c, struct mime_msg *m)
{
	struct mailmime *top = NULL, *body;
	struct walk w;
	size_t at = 0;
	int r;

	if (!parseable(c)) {
		m->flags |= MIME_MALFORMED | MIME_TRUNCATED;
		return;
	}
	r = mailmime_parse(c->buf, c->len, &at, &top);
	if (r != MAILIMF_NO_ERROR) {
		m->flags |= r == MAILIMF_ERROR_MEMORY ? MIME_NOMEM :
		    MIME_MALFORMED;
		return;
	}
	body = top->mm_type == MAILMIME_MESSAGE ?
	    top->mm_data.mm_message.mm_msg_mime : NULL;
	memset(&w, 0, sizeof(w));
	w.m = m;
	if (body != NULL)
		walk(&w, body, 0);
	else
		m->flags |= MIME_MALFORMED;
	if (w.plain != NULL) {
		m->text = part_text(w.plain, false, &m->flags);
	} else if (w.html != NULL) {
		m->text = part_text(w.html, true, &m->flags);
		m->flags |= MIME_FROM_HTML;
	}
	mailmime_free(top);
}

int
mime_parse(const char *raw, size_t len, struct mime_msg *m, struct err *e)
{
	struct copy c;

	prepare(raw, len, &c, &m->flags);
	mime_head_read(c.buf, c.len, m);
	read_body(&c, m);
	free(c.buf);
	if (m->text == NULL)
		m->text = xstrdup("");
	if (m->flags & MIME_NOMEM) {
		mime_msg_free(m);
		return err_set(e, EX_OSERR, "reading a message: out of memory "
		    "in libetpan");
	}
	return 0;
}

static void
free_addr(struct mime_addr *a)
{
	free(a->addr);
	free(a->name);
}

static void
free_addrs(struct mime_addr *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free_addr(&v[i]);
	free(v);
}

void
mime_msg_free(struct mime_msg *m)
{
	if (m == NULL)
		return;
	free_addr(&m->from);
	free_addr(&m->sender);
	free_addr(&m->reply_to);
	free(m->return_path);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->content_type);
	free(m->report_type);
	free_addrs(m->delivered_to, m->n_delivered_to);
	free_addrs(m->x_original_to, m->n_x_original_to);
	free_addrs(m->envelope_to, m->n_envelope_to);
	free_addrs(m->to, m->n_to);
	free_addrs(m->cc, m->n_cc);
	for (size_t i = 0; i < m->n_fields; i++) {
		free(m->fields[i].name);
		free(m->fields[i].value);
	}
	free(m->fields);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

const char *
mime_field(const struct mime_msg *m, const char *name)
{
	for (size_t i = 0; i < m->n_fields; i++)
		if (strcasecmp(m->fields[i].name, name) == 0)
			return m->fields[i].value;
	return NULL;
}
