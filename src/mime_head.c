/*
 * mime_head - the header fields of one message, read with libetpan's IMF
 * parser (see mime_head.h).
 *
 * libetpan types From, To, Cc, Message-ID and the like; Return-Path,
 * Delivered-To, X-Original-To and Envelope-To come as optional fields
 * and are read here with its mailbox parsers.  The first occurrence of a
 * single field counts; address lists gather every occurrence up to
 * MIME_MAX_ADDRS.  Every string goes through mime_decode.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "mime.h"
#include "mime_decode.h"
#include "mime_head.h"
#include "xmem.h"

/*
 * libetpan's mailbox parser is lenient: "<>" comes back as the address
 * "<", "Piet <piet@x" as "Piet<piet@x".  What is empty or keeps an
 * angle bracket is no address.
 */
static char *
mailbox_addr(const struct mailimf_mailbox *mb, int *flags)
{
	char *a;

	if (mb->mb_addr_spec == NULL)
		return NULL;
	a = mime_decode_clean(mb->mb_addr_spec, flags);
	if (a[0] == '\0' || strpbrk(a, "<>") != NULL)
		xfree(&a);
	return a;
}

static void
set_addr(struct mime_addr *a, const struct mailimf_mailbox *mb, int *flags)
{
	a->addr = mailbox_addr(mb, flags);
	a->name = mb->mb_display_name != NULL ?
	    mime_decode_header(mb->mb_display_name, flags) : xstrdup("");
}

static void
add_mailbox(struct mime_addr **v, size_t *n, const struct mailimf_mailbox *mb,
    int *flags)
{
	if (mb == NULL)
		return;
	if (*n >= MIME_MAX_ADDRS) {
		*flags |= MIME_TRUNCATED;
		return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	set_addr(&(*v)[*n], mb, flags);
	/* A list keeps addresses only; a bare name tells nobody anything. */
	if ((*v)[*n].addr == NULL)
		free((*v)[*n].name);
	else
		(*n)++;
}

static void
add_mailboxes(struct mime_addr **v, size_t *n,
    const struct mailimf_mailbox_list *l, int *flags)
{
	if (l == NULL)
		return;
	for (clistiter *it = clist_begin(l->mb_list); it != NULL;
	    it = clist_next(it))
		add_mailbox(v, n, clist_content(it), flags);
}

/* Groups give their members. */
static void
add_addresses(struct mime_addr **v, size_t *n,
    const struct mailimf_address_list *l, int *flags)
{
	if (l == NULL)
		return;
	for (clistiter *it = clist_begin(l->ad_list); it != NULL;
	    it = clist_next(it)) {
		const struct mailimf_address *a = clist_content(it);

		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX)
			add_mailbox(v, n, a->ad_data.ad_mailbox, flags);
		else if (a->ad_type == MAILIMF_ADDRESS_GROUP &&
		    a->ad_data.ad_group != NULL)
			add_mailboxes(v, n, a->ad_data.ad_group->grp_mb_list,
			    flags);
	}
}

/* An address header that is not typed (Delivered-To and the like). */
static void
add_value(struct mime_addr **v, size_t *n, const char *value, int *flags)
{
	struct mailimf_mailbox_list *l = NULL;
	size_t at = 0;
	int r;

	if (*n >= MIME_MAX_ADDRS) {
		*flags |= MIME_TRUNCATED;
		return;
	}
	r = mailimf_mailbox_list_parse(value, strlen(value), &at, &l);
	if (r == MAILIMF_ERROR_MEMORY)
		*flags |= MIME_NOMEM;
	if (r != MAILIMF_NO_ERROR)
		return;
	add_mailboxes(v, n, l, flags);
	mailimf_mailbox_list_free(l);
}

char *
mime_return_path(const char *value, int *flags)
{
	struct mailimf_mailbox *mb = NULL;
	size_t at = 0, k = 0;
	char bare[3], *addr = NULL;
	int r;

	/* libetpan's mailbox parser reads "<>" as the address "<". */
	for (const char *p = value; *p != '\0' && k < sizeof(bare); p++)
		if (strchr(" \t\r\n", *p) == NULL)
			bare[k++] = *p;
	if (k == 2 && bare[0] == '<' && bare[1] == '>')
		return xstrdup("");
	r = mailimf_mailbox_parse(value, strlen(value), &at, &mb);
	if (r == MAILIMF_ERROR_MEMORY)
		*flags |= MIME_NOMEM;
	if (r == MAILIMF_NO_ERROR) {
		addr = mailbox_addr(mb, flags);
		mailimf_mailbox_free(mb);
	}
	/* Unreadable: taken as absent rather than as the null sender. */
	if (addr == NULL)
		*flags |= MIME_MALFORMED;
	return addr;
}

static char *
msgid(const char *id, int *flags)
{
	char *s;

	if (id == NULL)
		return NULL;
	s = mime_decode_clean(id, flags);
	if (s[0] == '\0')
		xfree(&s);
	return s;
}

static char *
references(const clist *ids, int *flags)
{
	struct buf b = BUF_INIT;

	for (clistiter *it = clist_begin(ids); it != NULL;
	    it = clist_next(it)) {
		char *id = msgid(clist_content(it), flags);

		if (id == NULL)
			continue;
		if (b.len + strlen(id) + 3 > MIME_MAX_VALUE) {
			*flags |= MIME_TRUNCATED;
			free(id);
			break;
		}
		buf_printf(&b, "%s<%s>", b.len ? " " : "", id);
		free(id);
	}
	return b.len ? buf_steal(&b) : NULL;
}

struct seen {
	bool from, sender, reply_to, subject, message_id, in_reply_to;
	bool references, return_path, x_original_to, envelope_to;
};

static void
optional_field(struct mime_msg *m, struct seen *s,
    const struct mailimf_optional_field *f)
{
	const char *name = f->fld_name, *value = f->fld_value;

	if (name == NULL || value == NULL)
		return;
	if (strcasecmp(name, "Return-Path") == 0 && !s->return_path) {
		s->return_path = true;
		m->return_path = mime_return_path(value, &m->flags);
	} else if (strcasecmp(name, "Delivered-To") == 0) {
		add_value(&m->delivered_to, &m->n_delivered_to, value,
		    &m->flags);
	} else if (strcasecmp(name, "X-Original-To") == 0 &&
	    !s->x_original_to) {
		s->x_original_to = true;
		add_value(&m->x_original_to, &m->n_x_original_to, value,
		    &m->flags);
	} else if (strcasecmp(name, "Envelope-To") == 0 && !s->envelope_to) {
		s->envelope_to = true;
		add_value(&m->envelope_to, &m->n_envelope_to, value, &m->flags);
	} else if (strcasecmp(name, "From") == 0) {
		/* A From that libetpan could not read as mailboxes. */
		m->flags |= MIME_MALFORMED;
	}
}

/* The first mailbox of an address list, looking into groups. */
static const struct mailimf_mailbox *
first_mailbox(const struct mailimf_address_list *l)
{
	if (l == NULL)
		return NULL;
	for (clistiter *it = clist_begin(l->ad_list); it != NULL;
	    it = clist_next(it)) {
		const struct mailimf_address *a = clist_content(it);
		const struct mailimf_mailbox_list *g;

		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX)
			return a->ad_data.ad_mailbox;
		if (a->ad_type != MAILIMF_ADDRESS_GROUP ||
		    a->ad_data.ad_group == NULL)
			continue;
		g = a->ad_data.ad_group->grp_mb_list;
		if (g != NULL && clist_begin(g->mb_list) != NULL)
			return clist_content(clist_begin(g->mb_list));
	}
	return NULL;
}

/* Whole: one case per libetpan field type: a table in code. */
static void
typed_field(struct mime_msg *m, struct seen *s, const struct mailimf_field *f)
{
	int *fl = &m->flags;
	const struct mailimf_mailbox *mb;

	switch (f->fld_type) {
	case MAILIMF_FIELD_FROM:
		if (s->from || f->fld_data.fld_from->frm_mb_list == NULL)
			break;
		s->from = true;
		mb = clist_begin(f->fld_data.fld_from->frm_mb_list->mb_list) ?
		    clist_content(clist_begin(
		    f->fld_data.fld_from->frm_mb_list->mb_list)) : NULL;
		if (mb != NULL)
			set_addr(&m->from, mb, fl);
		break;
	case MAILIMF_FIELD_SENDER:
		if (!s->sender && f->fld_data.fld_sender->snd_mb != NULL) {
			s->sender = true;
			set_addr(&m->sender, f->fld_data.fld_sender->snd_mb,
			    fl);
		}
		break;
	case MAILIMF_FIELD_REPLY_TO:
		mb = first_mailbox(f->fld_data.fld_reply_to->rt_addr_list);
		if (!s->reply_to && mb != NULL) {
			s->reply_to = true;
			set_addr(&m->reply_to, mb, fl);
		}
		break;
	case MAILIMF_FIELD_TO:
		add_addresses(&m->to, &m->n_to,
		    f->fld_data.fld_to->to_addr_list, fl);
		break;
	case MAILIMF_FIELD_CC:
		add_addresses(&m->cc, &m->n_cc,
		    f->fld_data.fld_cc->cc_addr_list, fl);
		break;
	case MAILIMF_FIELD_SUBJECT:
		if (!s->subject && f->fld_data.fld_subject->sbj_value != NULL) {
			s->subject = true;
			m->subject = mime_decode_header(
			    f->fld_data.fld_subject->sbj_value, fl);
		}
		break;
	case MAILIMF_FIELD_MESSAGE_ID:
		if (!s->message_id) {
			s->message_id = true;
			m->message_id = msgid(
			    f->fld_data.fld_message_id->mid_value, fl);
		}
		break;
	case MAILIMF_FIELD_IN_REPLY_TO:
		if (!s->in_reply_to && f->fld_data.fld_in_reply_to->mid_list &&
		    clist_begin(f->fld_data.fld_in_reply_to->mid_list)) {
			s->in_reply_to = true;
			m->in_reply_to = msgid(clist_content(clist_begin(
			    f->fld_data.fld_in_reply_to->mid_list)), fl);
		}
		break;
	case MAILIMF_FIELD_REFERENCES:
		if (!s->references && f->fld_data.fld_references->mid_list) {
			s->references = true;
			m->references = references(
			    f->fld_data.fld_references->mid_list, fl);
		}
		break;
	case MAILIMF_FIELD_OPTIONAL_FIELD:
		optional_field(m, s, f->fld_data.fld_optional_field);
		break;
	}
}

/* The fields as written, in order, for mime_field() and the caller. */
static void
fields_as_written(const char *buf, size_t len, struct mime_msg *m)
{
	struct mailimf_fields *all = NULL;
	size_t at = 0, n;
	int r = mailimf_optional_fields_parse(buf, len, &at, &all);

	if (r == MAILIMF_ERROR_MEMORY)
		m->flags |= MIME_NOMEM;
	if (r != MAILIMF_NO_ERROR)
		return;
	n = (size_t)clist_count(all->fld_list);
	if (n > MIME_MAX_HEADERS) {
		n = MIME_MAX_HEADERS;
		m->flags |= MIME_TRUNCATED;
	}
	m->fields = xcalloc(n, sizeof(*m->fields));
	for (clistiter *it = clist_begin(all->fld_list);
	    it != NULL && m->n_fields < n; it = clist_next(it)) {
		const struct mailimf_field *f = clist_content(it);
		const struct mailimf_optional_field *o =
		    f->fld_data.fld_optional_field;
		struct mime_field *mf = &m->fields[m->n_fields++];

		mf->name = mime_decode_clean(o->fld_name ? o->fld_name : "",
		    &m->flags);
		mf->value = mime_decode_header(o->fld_value ? o->fld_value : "",
		    &m->flags);
	}
	mailimf_fields_free(all);
}

/* ---- content types ---- */

const char *
mime_ct_type(const struct mailmime_content *ct)
{
	const struct mailmime_type *t = ct != NULL ? ct->ct_type : NULL;

	if (t == NULL)
		return "";
	if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		const struct mailmime_discrete_type *d =
		    t->tp_data.tp_discrete_type;

		switch (d->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT: return "text";
		case MAILMIME_DISCRETE_TYPE_IMAGE: return "image";
		case MAILMIME_DISCRETE_TYPE_AUDIO: return "audio";
		case MAILMIME_DISCRETE_TYPE_VIDEO: return "video";
		case MAILMIME_DISCRETE_TYPE_APPLICATION: return "application";
		default: return d->dt_extension ? d->dt_extension : "";
		}
	}
	switch (t->tp_data.tp_composite_type->ct_type) {
	case MAILMIME_COMPOSITE_TYPE_MESSAGE: return "message";
	case MAILMIME_COMPOSITE_TYPE_MULTIPART: return "multipart";
	default:
		return t->tp_data.tp_composite_type->ct_token ?
		    t->tp_data.tp_composite_type->ct_token : "";
	}
}

bool
mime_ct_is(const struct mailmime_content *ct, const char *type, const char *sub)
{
	return strcasecmp(mime_ct_type(ct), type) == 0 && (sub == NULL ||
	    (ct->ct_subtype != NULL && strcasecmp(ct->ct_subtype, sub) == 0));
}

static char *
lower(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

void
mime_report(struct mime_msg *m, struct mailmime_content *ct)
{
	const char *rt = mailmime_content_param_get(ct, "report-type");

	if (rt == NULL)
		return;
	if (m->report_type == NULL)
		m->report_type = lower(mime_decode_clean(rt, &m->flags));
	if (strcasecmp(rt, "delivery-status") == 0)
		m->is_dsn = true;
}

/* The top-level Content-Type, read from the typed header fields. */
static void
top_content_type(struct mailimf_fields *env, struct mime_msg *m)
{
	struct mailmime_fields *mf = NULL;
	struct mailmime_content *ct = NULL;
	int r = mailmime_fields_parse(env, &mf);

	if (r == MAILIMF_ERROR_MEMORY)
		m->flags |= MIME_NOMEM;
	if (r == MAILIMF_NO_ERROR) {
		for (clistiter *it = clist_begin(mf->fld_list); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_field *f = clist_content(it);

			if (f->fld_type == MAILMIME_FIELD_TYPE) {
				ct = f->fld_data.fld_content;
				break;
			}
		}
	}
	if (ct != NULL && ct->ct_subtype != NULL) {
		char *t = xasprintf("%s/%s", mime_ct_type(ct), ct->ct_subtype);

		m->content_type = lower(mime_decode_clean(t, &m->flags));
		free(t);
		if (mime_ct_is(ct, "multipart", "report"))
			mime_report(m, ct);
	} else {
		m->content_type = xstrdup("text/plain");
	}
	if (mf != NULL)
		mailmime_fields_free(mf);
}

void
mime_head_read(const char *buf, size_t len, struct mime_msg *m)
{
	struct mailimf_fields *env = NULL;
	struct seen seen;
	size_t at = 0;
	int r;

	memset(&seen, 0, sizeof(seen));
	r = mailimf_envelope_and_optional_fields_parse(buf, len, &at, &env);
	if (r != MAILIMF_NO_ERROR) {
		m->flags |= r == MAILIMF_ERROR_MEMORY ? MIME_NOMEM :
		    MIME_MALFORMED;
		m->content_type = xstrdup("text/plain");
		return;
	}
	/* libetpan stops quietly at a line that is no header field. */
	if (len == 0 || (at < len &&
	    mailimf_crlf_parse(buf, len, &at) != MAILIMF_NO_ERROR))
		m->flags |= MIME_MALFORMED;
	for (clistiter *it = clist_begin(env->fld_list); it != NULL;
	    it = clist_next(it))
		typed_field(m, &seen, clist_content(it));
	top_content_type(env, m);
	mailimf_fields_free(env);
	fields_as_written(buf, len, m);
}

bool
mime_has_id(const struct mailmime *mm)
{
	struct mailmime_single_fields sf;

	mailmime_single_fields_init(&sf, mm->mm_mime_fields,
	    mm->mm_content_type);
	return sf.fld_id != NULL;
}

bool
mime_is_attachment(const struct mailmime *mm)
{
	struct mailmime_single_fields sf;

	mailmime_single_fields_init(&sf, mm->mm_mime_fields,
	    mm->mm_content_type);
	return sf.fld_disposition != NULL &&
	    sf.fld_disposition->dsp_type != NULL &&
	    sf.fld_disposition->dsp_type->dsp_type ==
	    MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
}
