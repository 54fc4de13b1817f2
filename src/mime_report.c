/*
 * mime_report - the parts of a bounce, read with libetpan (see
 * mime_report.h).
 *
 * A delivery-status part is blocks of header-like fields separated by
 * blank lines; each block is read with mailimf_optional_fields_parse.
 * Real reports bend the rules: a block that holds two recipients, a
 * stray line libetpan will not take as a field, a last field with no
 * line end (libetpan drops it, so one is appended).  A field that would
 * begin a second Final-Recipient in one block starts a new recipient; a
 * line that is no field is skipped.  The walk over the MIME tree has
 * mime.c's bounds on depth and parts.
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
#include "mime_report.h"
#include "xmem.h"

/* Text parts shorter than this in all are no report: read the raw body. */
#define BROKEN_TEXT 64

/* Blocks read from one delivery-status part; real ones have a few. */
#define DSN_MAX_BLOCKS (2 * MIME_REPORT_MAX_RCPTS + 2)

struct rwalk {
	struct mime_report *r;
	size_t parts;
	bool returned;           /* returned headers taken already */
	struct buf plain, html, attached;
};

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && strchr(" \t", *s) != NULL) {
		s++;
		n--;
	}
	while (n > 0 && strchr(" \t", s[n - 1]) != NULL)
		n--;
	return xstrndup(s, n);
}

/*
 * "rfc822; <anna@example.net>" -> "anna@example.net": the address type
 * goes, and one pair of angle brackets.  NULL when nothing is left.
 */
static char *
recipient_value(const char *v)
{
	const char *semi = strchr(v, ';'), *at = strchr(v, '@');
	char *s;
	size_t n;

	if (semi != NULL && (at == NULL || semi < at))
		v = semi + 1;
	s = trimmed(v, strlen(v));
	n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		char *t = trimmed(s + 1, n - 2);

		free(s);
		s = t;
	}
	if (s[0] == '\0')
		xfree(&s);
	return s;
}

/* "smtp; 550 5.1.1 ..." -> "550 5.1.1 ...". */
static char *
typed_text(const char *v)
{
	const char *semi = strchr(v, ';');

	if (semi != NULL && (size_t)(semi - v) < 16 &&
	    strcspn(v, " \t") >= (size_t)(semi - v))
		v = semi + 1;
	return trimmed(v, strlen(v));
}

static char *
lowered(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

static void
rcpt_free(struct mime_dsn_rcpt *d)
{
	free(d->final_rcpt);
	free(d->original_rcpt);
	free(d->action);
	free(d->status);
	free(d->diagnostic);
	memset(d, 0, sizeof(*d));
}

/* Keep cur as a recipient when it names one, else forget it. */
static void
rcpt_close(struct mime_report *r, struct mime_dsn_rcpt *cur)
{
	if (cur->final_rcpt == NULL && cur->original_rcpt == NULL) {
		rcpt_free(cur);
		return;
	}
	if (r->n_rcpts >= MIME_REPORT_MAX_RCPTS) {
		r->flags |= MIME_TRUNCATED;
		rcpt_free(cur);
		return;
	}
	r->rcpts = xreallocarray(r->rcpts, r->n_rcpts + 1, sizeof(*r->rcpts));
	r->rcpts[r->n_rcpts++] = *cur;
	memset(cur, 0, sizeof(*cur));
}

static void
set_once(char **dst, char *v)
{
	if (*dst == NULL && v != NULL)
		*dst = v;
	else
		free(v);
}

static void
dsn_field(struct mime_report *r, struct mime_dsn_rcpt *cur,
    const char *name, const char *raw)
{
	/* Recipients are addresses as written: no RFC 2047 words in them. */
	char *v = strncasecmp(name, "Final-", 6) == 0 ||
	    strncasecmp(name, "Original-", 9) == 0 ?
	    mime_decode_clean(raw, &r->flags) :
	    mime_decode_header(raw, &r->flags);

	if (strcasecmp(name, "Final-Recipient") == 0) {
		if (cur->final_rcpt != NULL)
			rcpt_close(r, cur);
		cur->final_rcpt = recipient_value(v);
	} else if (strcasecmp(name, "Original-Recipient") == 0) {
		if (cur->original_rcpt != NULL)
			rcpt_close(r, cur);
		cur->original_rcpt = recipient_value(v);
	} else if (strcasecmp(name, "Action") == 0) {
		set_once(&cur->action, lowered(trimmed(v, strlen(v))));
	} else if (strcasecmp(name, "Status") == 0) {
		set_once(&cur->status, trimmed(v, strcspn(v, " \t(")));
	} else if (strcasecmp(name, "Diagnostic-Code") == 0) {
		set_once(&cur->diagnostic, typed_text(v));
	}
	free(v);
}

/* The blocks of one delivery-status part, s[0..len) ending in CRLF. */
static void
dsn_blocks(struct mime_report *r, const char *s, size_t len)
{
	struct mime_dsn_rcpt cur;
	size_t at = 0, blocks = 0;

	memset(&cur, 0, sizeof(cur));
	while (at < len && blocks < DSN_MAX_BLOCKS) {
		struct mailimf_fields *f = NULL;
		size_t before = at;
		int rc;

		if (mailimf_crlf_parse(s, len, &at) == MAILIMF_NO_ERROR) {
			rcpt_close(r, &cur);
			continue;
		}
		rc = mailimf_optional_fields_parse(s, len, &at, &f);
		if (rc == MAILIMF_ERROR_MEMORY) {
			r->flags |= MIME_NOMEM;
			break;
		}
		if (rc == MAILIMF_NO_ERROR) {
			for (clistiter *it = clist_begin(f->fld_list); it != NULL;
			    it = clist_next(it)) {
				const struct mailimf_optional_field *o =
				    ((struct mailimf_field *)clist_content(it))->
				    fld_data.fld_optional_field;

				if (o->fld_name != NULL && o->fld_value != NULL)
					dsn_field(r, &cur, o->fld_name, o->fld_value);
			}
			blocks++;
			mailimf_fields_free(f);
		}
		if (at == before) {
			/* Not a field: skip the line. */
			const char *nl = memchr(s + at, '\n', len - at);

			at = nl != NULL ? (size_t)(nl - s) + 1 : len;
			r->flags |= MIME_MALFORMED;
		}
	}
	if (blocks >= DSN_MAX_BLOCKS)
		r->flags |= MIME_TRUNCATED;
	rcpt_close(r, &cur);
}

static void
dsn_part(struct rwalk *w, const struct mailmime *mm)
{
	const struct mailmime_data *d = mm->mm_data.mm_single;
	struct buf text;

	w->r->dsn_parts++;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	buf_init(&text, MIME_DECODE_MAX + 4);
	mime_decode_body(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, d->dt_encoding, "utf-8", &text,
	    &w->r->flags);
	buf_puts(&text, "\r\n");
	dsn_blocks(w->r, buf_str(&text), text.len);
	buf_free(&text);
}

static char *
mailbox_of(const struct mailimf_mailbox *mb, int *flags)
{
	char *a;

	if (mb == NULL || mb->mb_addr_spec == NULL)
		return NULL;
	a = mime_decode_clean(mb->mb_addr_spec, flags);
	if (a[0] == '\0' || strpbrk(a, "<> ") != NULL)
		xfree(&a);
	return a;
}

static void
returned_to(struct mime_report *r, const struct mailimf_address_list *l)
{
	if (l == NULL)
		return;
	for (clistiter *it = clist_begin(l->ad_list); it != NULL;
	    it = clist_next(it)) {
		const struct mailimf_address *a = clist_content(it);
		char *s;

		if (a->ad_type != MAILIMF_ADDRESS_MAILBOX)
			continue;
		if (r->n_returned_to >= MIME_REPORT_MAX_RETURNED) {
			r->flags |= MIME_TRUNCATED;
			return;
		}
		if ((s = mailbox_of(a->ad_data.ad_mailbox, &r->flags)) != NULL)
			r->returned_to[r->n_returned_to++] = s;
	}
}

/* The fields of the returned message (typed by libetpan). */
static void
returned_fields(struct mime_report *r, const struct mailimf_fields *f)
{
	if (f == NULL)
		return;
	for (clistiter *it = clist_begin(f->fld_list); it != NULL;
	    it = clist_next(it)) {
		const struct mailimf_field *fl = clist_content(it);

		switch (fl->fld_type) {
		case MAILIMF_FIELD_RETURN_PATH:
			if (r->returned_return_path == NULL &&
			    fl->fld_data.fld_return_path->ret_path != NULL &&
			    fl->fld_data.fld_return_path->ret_path->pt_addr_spec)
				r->returned_return_path = mime_decode_clean(
				    fl->fld_data.fld_return_path->ret_path->
				    pt_addr_spec, &r->flags);
			break;
		case MAILIMF_FIELD_OPTIONAL_FIELD:
			/* libetpan types Return-Path only among trace fields. */
			if (r->returned_return_path == NULL &&
			    strcasecmp(fl->fld_data.fld_optional_field->fld_name,
			    "Return-Path") == 0 &&
			    fl->fld_data.fld_optional_field->fld_value != NULL)
				r->returned_return_path = mime_return_path(
				    fl->fld_data.fld_optional_field->fld_value,
				    &r->flags);
			break;
		case MAILIMF_FIELD_FROM:
			if (r->returned_from == NULL &&
			    fl->fld_data.fld_from->frm_mb_list != NULL &&
			    clist_begin(fl->fld_data.fld_from->frm_mb_list->mb_list))
				r->returned_from = mailbox_of(clist_content(
				    clist_begin(fl->fld_data.fld_from->frm_mb_list->
				    mb_list)), &r->flags);
			break;
		case MAILIMF_FIELD_TO:
			returned_to(r, fl->fld_data.fld_to->to_addr_list);
			break;
		case MAILIMF_FIELD_CC:
			returned_to(r, fl->fld_data.fld_cc->cc_addr_list);
			break;
		case MAILIMF_FIELD_MESSAGE_ID:
			if (r->returned_msgid == NULL &&
			    fl->fld_data.fld_message_id->mid_value != NULL)
				r->returned_msgid = mime_decode_clean(
				    fl->fld_data.fld_message_id->mid_value,
				    &r->flags);
			break;
		default:
			break;
		}
	}
}

/* text/rfc822-headers: the header block as a body. */
static void
headers_part(struct rwalk *w, const struct mailmime *mm)
{
	const struct mailmime_data *d = mm->mm_data.mm_single;
	struct mailimf_fields *f = NULL;
	struct buf text;
	size_t at = 0;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	buf_init(&text, MIME_DECODE_MAX + 4);
	mime_decode_body(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, d->dt_encoding, "utf-8", &text,
	    &w->r->flags);
	buf_puts(&text, "\r\n");
	if (mailimf_envelope_and_optional_fields_parse(buf_str(&text), text.len,
	    &at, &f) == MAILIMF_NO_ERROR) {
		returned_fields(w->r, f);
		mailimf_fields_free(f);
	}
	buf_free(&text);
}

static void
text_part(struct rwalk *w, const struct mailmime *mm, struct buf *into)
{
	const struct mailmime_data *d = mm->mm_data.mm_single;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	if (into->len > 0)
		buf_puts(into, "\n\n");
	mime_decode_body(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, d->dt_encoding,
	    mailmime_content_charset_get(mm->mm_content_type), into,
	    &w->r->flags);
}

static void
rwalk_single(struct rwalk *w, const struct mailmime *mm)
{
	struct mailmime_content *ct = mm->mm_content_type;

	if (mime_ct_is(ct, "message", "delivery-status") ||
	    mime_ct_is(ct, "message", "global-delivery-status"))
		dsn_part(w, mm);
	else if ((mime_ct_is(ct, "text", "rfc822-headers") ||
	    mime_ct_is(ct, "message", "global-headers")) && !w->returned) {
		w->returned = true;
		headers_part(w, mm);
	} else if (mime_ct_is(ct, "text", "plain") || ct == NULL)
		text_part(w, mm, mime_is_attachment(mm) ? &w->attached : &w->plain);
	else if (mime_ct_is(ct, "text", "html") && !mime_is_attachment(mm))
		text_part(w, mm, &w->html);
}

static void
rwalk(struct rwalk *w, const struct mailmime *mm, int depth)
{
	if (w->parts >= MIME_MAX_PARTS) {
		w->r->flags |= MIME_TRUNCATED;
		return;
	}
	w->parts++;
	switch (mm->mm_type) {
	case MAILMIME_MULTIPLE:
		if (depth >= MIME_MAX_DEPTH) {
			w->r->flags |= MIME_TRUNCATED;
			break;
		}
		for (clistiter *it = clist_begin(
		    mm->mm_data.mm_multipart.mm_mp_list); it != NULL;
		    it = clist_next(it))
			rwalk(w, clist_content(it), depth + 1);
		break;
	case MAILMIME_SINGLE:
		rwalk_single(w, mm);
		break;
	case MAILMIME_MESSAGE:
		/* The returned message: its headers, never its text. */
		if (!w->returned) {
			w->returned = true;
			returned_fields(w->r, mm->mm_data.mm_message.mm_fields);
		}
		break;
	default:
		break;
	}
}

/*
 * Mail whose MIME structure is broken (a boundary that never comes, no
 * Content-Type at all) still holds its report as text: the body after
 * the header block.
 */
static void
raw_body(const char *copy, size_t len, struct buf *out)
{
	const char *p = copy, *end = copy + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			return;
		if (nl == p || (nl == p + 1 && *p == '\r')) {
			buf_add(out, nl + 1, (size_t)(end - nl - 1));
			return;
		}
		p = nl + 1;
	}
}

/*
 * A delivery-status block written into the text (no MIME around it):
 * from the first line that opens one at the start of a line.
 */
static void
dsn_in_text(struct mime_report *r, const char *t)
{
	static const char *const opens[] = {
		"\nReporting-MTA:", "\nFinal-Recipient:", "\nOriginal-Recipient:",
	};
	const char *from = NULL;
	struct buf text;

	for (size_t i = 0; i < sizeof(opens) / sizeof(opens[0]); i++) {
		const char *p = strcasestr(t, opens[i]);

		if (p != NULL && (from == NULL || p < from))
			from = p;
	}
	if (from == NULL)
		return;
	buf_init(&text, MIME_MAX_TEXT + 4);
	buf_puts(&text, from + 1);
	buf_puts(&text, "\r\n");
	dsn_blocks(r, buf_str(&text), text.len);
	buf_free(&text);
}

static void
set_text(struct rwalk *w)
{
	struct mime_report *r = w->r;
	struct buf plain;

	if (w->plain.len > 0) {
		r->text = mime_decode_text(buf_str(&w->plain), w->plain.len,
		    &r->flags);
	} else if (w->html.len > 0) {
		buf_init(&plain, MIME_DECODE_MAX);
		html_text(buf_str(&w->html), w->html.len, &plain);
		r->text = mime_decode_text(buf_str(&plain), plain.len, &r->flags);
		buf_free(&plain);
	} else {
		r->text = mime_decode_text(buf_str(&w->attached),
		    w->attached.len, &r->flags);
	}
}

int
mime_report_read(const char *raw, size_t len, struct mime_report *r,
    struct err *e)
{
	struct mailmime *top = NULL;
	struct rwalk w;
	char *copy;
	size_t clen, at = 0;

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	w.r = r;
	buf_init(&w.plain, MIME_DECODE_MAX);
	buf_init(&w.html, MIME_DECODE_MAX);
	buf_init(&w.attached, MIME_DECODE_MAX);
	if (mime_parse_copy(raw, len, &copy, &clen, &r->flags) == 0) {
		int rc = mailmime_parse(copy, clen, &at, &top);

		if (rc == MAILIMF_ERROR_MEMORY)
			r->flags |= MIME_NOMEM;
		else if (rc != MAILIMF_NO_ERROR)
			r->flags |= MIME_MALFORMED;
		else if (top->mm_type == MAILMIME_MESSAGE &&
		    top->mm_data.mm_message.mm_msg_mime != NULL)
			rwalk(&w, top->mm_data.mm_message.mm_msg_mime, 0);
		if (top != NULL)
			mailmime_free(top);
		/* Next to nothing read: the structure is broken. */
		if (w.plain.len + w.html.len + w.attached.len < BROKEN_TEXT &&
		    r->dsn_parts == 0) {
			buf_reset(&w.plain);
			raw_body(copy, clen, &w.plain);
		}
		free(copy);
	}
	if (w.plain.overflow || w.html.overflow || w.attached.overflow)
		r->flags |= MIME_TRUNCATED;
	set_text(&w);
	if (r->dsn_parts == 0)
		dsn_in_text(r, r->text);
	buf_free(&w.plain);
	buf_free(&w.html);
	buf_free(&w.attached);
	if (r->flags & MIME_NOMEM) {
		mime_report_free(r);
		return err_set(e, EX_OSERR, "reading a report: out of memory "
		    "in libetpan");
	}
	return 0;
}

void
mime_report_free(struct mime_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_rcpts; i++)
		rcpt_free(&r->rcpts[i]);
	free(r->rcpts);
	free(r->text);
	free(r->returned_return_path);
	free(r->returned_from);
	free(r->returned_msgid);
	for (size_t i = 0; i < r->n_returned_to; i++)
		free(r->returned_to[i]);
	memset(r, 0, sizeof(*r));
}
