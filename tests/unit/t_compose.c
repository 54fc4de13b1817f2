/*
 * Unit tests for compose: every message is parsed back with libetpan
 * (mailmime_parse, RFC 2047 and transfer decoding) and the raw bytes are
 * checked for CRLF, line lengths and injected header lines.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <strings.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "check.h"
#include "compose.h"
#include "config.h"
#include "err.h"
#include "xmem.h"

#define TOKEN "abcdefghijklmnopqrstuvwx23"
#define LIST_ADDR(ext) "<mailto:metandereogen+" ext "@example.org>"

/* ---- helpers: building ---- */

static struct config
test_config(char *unsubscribe_url)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.address = "metandereogen@example.org";
	c.local = "metandereogen";
	c.domain = "example.org";
	c.recipient_delimiter = "+";
	c.unsubscribe_url = unsubscribe_url;
	return c;
}

static struct compose_head
newsletter_head(void)
{
	struct compose_head h;

	memset(&h, 0, sizeof(h));
	h.kind = CAMPAIGN_NEWSLETTER;
	h.list_id = "cop-taal";
	h.list_name = "Taal en Didactiek";
	h.list_post = false;
	h.from_name = "Met Andere Ogen";
	h.from_addr = "metandereogen@example.org";
	h.to_name = "Jan Jansen";
	h.to_addr = "jan@example.nl";
	h.subject = "Nieuwsbrief november";
	h.message_id = "q1x.abc@example.org";
	h.unsub_token = TOKEN;
	h.date = 1700000000;	/* Tue, 14 Nov 2023 22:13:20 +0000 */
	return h;
}

static struct compose_head
reply_head(void)
{
	struct compose_head h = newsletter_head();

	h.kind = CAMPAIGN_REPLY;
	h.list_id = NULL;
	h.list_name = NULL;
	h.unsub_token = NULL;
	h.subject = "Re: subscribe";
	return h;
}

/* Head and body as one message (malloc'd), or NULL with e filled. */
static char *
compose(const struct config *cfg, const struct compose_head *h,
    const char *text, const char *html, uint64_t seed, struct err *e)
{
	struct buf b = BUF_INIT;

	err_clear(e);
	if (compose_head(cfg, h, &b, e) != 0 ||
	    compose_body(text, html, seed, &b, e) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static char *
compose_simple(const struct config *cfg, const struct compose_head *h)
{
	struct err e;
	char *m = compose(cfg, h, "Hallo\n", NULL, 1, &e);

	CHECKM(m != NULL, e.msg);
	return m;
}

/* ---- helpers: raw bytes ---- */

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every line ends in CRLF, no line over 998 octets. */
static bool
wire_clean(const char *s)
{
	size_t col = 0;

	for (; *s; s++) {
		if (*s == '\r') {
			if (s[1] != '\n')
				return false;
			s++;
			col = 0;
		} else if (*s == '\n' || ++col > 998) {
			return false;
		}
	}
	return true;
}

/* The header block: up to the first empty line. */
static size_t
head_len(const char *m)
{
	const char *end = strstr(m, "\r\n\r\n");

	return end ? (size_t)(end - m) + 2 : strlen(m);
}

/* true when a header line of the head starts with "name:". */
static bool
has_header_line(const char *m, const char *name)
{
	size_t hl = head_len(m), n = strlen(name);

	for (const char *p = m; p < m + hl; p = strstr(p, "\r\n") + 2)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return true;
	return false;
}

/* The names of the header lines, comma-separated, in order. */
static void
header_names(const char *m, struct buf *out)
{
	size_t hl = head_len(m);

	for (const char *p = m; p < m + hl; p = strstr(p, "\r\n") + 2) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (out->len > 0)
			buf_putc(out, ',');
		buf_add(out, p, strcspn(p, ":"));
	}
}

/* ---- helpers: parsed back with libetpan ---- */

static struct mailmime *
parse(const char *m)
{
	struct mailmime *mime = NULL;
	size_t idx = 0;

	if (mailmime_parse(m, strlen(m), &idx, &mime) != MAILIMF_NO_ERROR)
		return NULL;
	return mime;
}

static struct mailimf_field *
typed_field(struct mailmime *mime, int type)
{
	clistiter *c;

	for (c = clist_begin(mime->mm_data.mm_message.mm_fields->fld_list);
	    c != NULL; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);

		if (f->fld_type == type)
			return f;
	}
	return NULL;
}

/* Unfold (drop CRLF) and trim, as a reader of the header would. */
static void
unfold(const char *v, struct buf *out)
{
	buf_reset(out);
	for (; *v; v++)
		if (*v != '\r' && *v != '\n')
			buf_putc(out, *v);
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		buf_truncate(out, out->len - 1);
	while (out->len > 0 && out->data[0] == ' ') {
		memmove(out->data, out->data + 1, out->len);
		out->len--;
	}
}

/* The unfolded value of an optional (non-RFC 5322) field; NULL if absent. */
static const char *
field(struct mailmime *mime, const char *name, struct buf *out)
{
	clistiter *c;

	for (c = clist_begin(mime->mm_data.mm_message.mm_fields->fld_list);
	    c != NULL; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);

		if (f->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD &&
		    strcasecmp(f->fld_data.fld_optional_field->fld_name, name) == 0) {
			unfold(f->fld_data.fld_optional_field->fld_value, out);
			return buf_str(out);
		}
	}
	return NULL;
}

/* RFC 2047 decoding by libetpan, to UTF-8. */
static void
decode_words(const char *v, struct buf *out)
{
	char *dec = NULL;
	size_t idx = 0;

	buf_reset(out);
	if (mailmime_encoded_phrase_parse("utf-8", v, strlen(v), &idx, "utf-8",
	    &dec) == MAILIMF_NO_ERROR) {
		buf_puts(out, dec);
		free(dec);
	}
}

static const char *
subject_of(struct mailmime *mime, struct buf *out)
{
	struct mailimf_field *f = typed_field(mime, MAILIMF_FIELD_SUBJECT);
	struct buf raw = BUF_INIT;

	buf_reset(out);
	if (f == NULL)
		return NULL;
	unfold(f->fld_data.fld_subject->sbj_value, &raw);
	decode_words(buf_str(&raw), out);
	buf_free(&raw);
	return buf_str(out);
}

/* The first mailbox of a From or To field. */
static struct mailimf_mailbox *
mailbox_of(struct mailmime *mime, int type)
{
	struct mailimf_field *f = typed_field(mime, type);
	clist *l;

	if (f == NULL)
		return NULL;
	if (type == MAILIMF_FIELD_FROM)
		l = f->fld_data.fld_from->frm_mb_list->mb_list;
	else {
		struct mailimf_address *a = clist_content(clist_begin(
		    f->fld_data.fld_to->to_addr_list->ad_list));

		return a->ad_type == MAILIMF_ADDRESS_MAILBOX ?
		    a->ad_data.ad_mailbox : NULL;
	}
	return clist_content(clist_begin(l));
}

/* The decoded display name of From, or NULL. */
static const char *
from_name(struct mailmime *mime, struct buf *out)
{
	struct mailimf_mailbox *mb = mailbox_of(mime, MAILIMF_FIELD_FROM);

	buf_reset(out);
	if (mb == NULL || mb->mb_display_name == NULL)
		return NULL;
	decode_words(mb->mb_display_name, out);
	return buf_str(out);
}

/* A message-id list field (In-Reply-To, References) space-joined. */
static const char *
ids_of(struct mailmime *mime, int type, struct buf *out)
{
	struct mailimf_field *f = typed_field(mime, type);
	clist *l;

	buf_reset(out);
	if (f == NULL)
		return NULL;
	l = type == MAILIMF_FIELD_IN_REPLY_TO ?
	    f->fld_data.fld_in_reply_to->mid_list :
	    f->fld_data.fld_references->mid_list;
	for (clistiter *c = clist_begin(l); c != NULL; c = clist_next(c)) {
		if (out->len > 0)
			buf_putc(out, ' ');
		buf_puts(out, clist_content(c));
	}
	return buf_str(out);
}

static bool
is_text(struct mailmime *part, const char *subtype)
{
	struct mailmime_content *ct = part->mm_content_type;

	return part->mm_type == MAILMIME_SINGLE &&
	    ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	    ct->ct_type->tp_data.tp_discrete_type->dt_type ==
	    MAILMIME_DISCRETE_TYPE_TEXT &&
	    strcasecmp(ct->ct_subtype, subtype) == 0 &&
	    strcasecmp(mailmime_content_charset_get(ct), "utf-8") == 0 &&
	    part->mm_data.mm_single->dt_encoding ==
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE;
}

/* The transfer-decoded content of a single part. */
static void
decoded(struct mailmime *part, struct buf *out)
{
	struct mailmime_data *d = part->mm_data.mm_single;
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

static const char *
boundary_of(struct mailmime *mp)
{
	clistiter *c;

	for (c = clist_begin(mp->mm_content_type->ct_parameters); c != NULL;
	    c = clist_next(c)) {
		struct mailmime_parameter *p = clist_content(c);

		if (strcasecmp(p->pa_name, "boundary") == 0)
			return p->pa_value;
	}
	return NULL;
}

/* The length of the longest encoded word in s. */
static size_t
longest_encoded_word(const char *s)
{
	size_t max = 0;
	const char *p, *q;

	for (p = s; (p = strstr(p, "=?UTF-8?Q?")) != NULL; p = q + 2) {
		if ((q = strstr(p + 10, "?=")) == NULL)
			break;
		if ((size_t)(q + 2 - p) > max)
			max = (size_t)(q + 2 - p);
	}
	return max;
}

/* ---- cases ---- */

static void
test_newsletter_headers(void)
{
	struct config cfg = test_config("https://lists.example.org");
	struct compose_head h = newsletter_head();
	struct buf v = BUF_INIT;
	char *m = compose_simple(&cfg, &h);
	struct mailmime *mime = m ? parse(m) : NULL;
	struct mailimf_mailbox *mb;

	CHECK(mime != NULL);
	if (mime == NULL) {
		free(m);
		return;
	}
	header_names(m, &v);
	CHECK_STR(buf_str(&v), "Date,From,To,Subject,Message-ID,List-Id,"
	    "List-Help,List-Subscribe,List-Post,List-Unsubscribe,"
	    "List-Unsubscribe-Post,Precedence,Auto-Submitted,"
	    "X-Auto-Response-Suppress,X-Loop,MIME-Version,Content-Type,"
	    "Content-Transfer-Encoding");
	CHECK(starts_with(m, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
	mb = mailbox_of(mime, MAILIMF_FIELD_FROM);
	CHECK_STR(mb ? mb->mb_addr_spec : NULL, "metandereogen@example.org");
	CHECK_STR(from_name(mime, &v), "Met Andere Ogen");
	mb = mailbox_of(mime, MAILIMF_FIELD_TO);
	CHECK_STR(mb ? mb->mb_addr_spec : NULL, "jan@example.nl");
	CHECK_STR(mb ? mb->mb_display_name : NULL, "Jan Jansen");
	CHECK_STR(subject_of(mime, &v), "Nieuwsbrief november");
	CHECK(typed_field(mime, MAILIMF_FIELD_MESSAGE_ID) != NULL &&
	    strcmp(typed_field(mime, MAILIMF_FIELD_MESSAGE_ID)->
	    fld_data.fld_message_id->mid_value, "q1x.abc@example.org") == 0);
	CHECK(strstr(m, "\r\nMessage-ID: <q1x.abc@example.org>\r\n") != NULL);
	CHECK(typed_field(mime, MAILIMF_FIELD_REPLY_TO) == NULL);
	CHECK(typed_field(mime, MAILIMF_FIELD_IN_REPLY_TO) == NULL);
	CHECK_STR(field(mime, "List-Id", &v),
	    "\"Taal en Didactiek\" <cop-taal.example.org>");
	CHECK_STR(field(mime, "List-Help", &v), LIST_ADDR("help"));
	CHECK_STR(field(mime, "List-Subscribe", &v), LIST_ADDR("cop-taal-subscribe"));
	CHECK_STR(field(mime, "List-Post", &v), "NO");
	CHECK_STR(field(mime, "List-Unsubscribe", &v),
	    "<https://lists.example.org/u/" TOKEN ">, "
	    LIST_ADDR("cop-taal-unsubscribe-" TOKEN));
	CHECK_STR(field(mime, "List-Unsubscribe-Post", &v),
	    "List-Unsubscribe=One-Click");
	CHECK_STR(field(mime, "Precedence", &v), "bulk");
	CHECK_STR(field(mime, "Auto-Submitted", &v), "auto-generated");
	CHECK_STR(field(mime, "X-Auto-Response-Suppress", &v), "All");
	CHECK_STR(field(mime, "X-Loop", &v), "metandereogen@example.org");
	CHECK(wire_clean(m));
	mailmime_free(mime);
	free(m);
	buf_free(&v);
}

static void
test_reply_to_and_post(void)
{
	struct config cfg = test_config("");
	struct compose_head h = newsletter_head();
	struct buf v = BUF_INIT;
	struct mailimf_field *f;
	struct mailmime *mime;
	char *m;

	h.kind = CAMPAIGN_POST;
	h.list_post = true;
	h.from_name = "Anna de Vries via cop-taal";
	h.from_addr = "metandereogen+cop-taal@example.org";
	h.reply_to = " <Anna@School.NL> ";
	m = compose_simple(&cfg, &h);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECK(0);
		free(m);
		return;
	}
	f = typed_field(mime, MAILIMF_FIELD_REPLY_TO);
	CHECK(f != NULL);
	CHECK(strstr(m, "\r\nReply-To: Anna@school.nl\r\n") != NULL);
	CHECK_STR(field(mime, "List-Post", &v), LIST_ADDR("cop-taal"));
	CHECK_STR(field(mime, "Precedence", &v), "list");
	CHECK(strstr(m, "\r\nFrom: Anna de Vries via cop-taal "
	    "<metandereogen+cop-taal@example.org>\r\n") != NULL);
	mailmime_free(mime);
	free(m);
	buf_free(&v);
}

static void
test_unsubscribe_variants(void)
{
	static const struct {
		const char *url, *token, *want;
		bool post;
	} c[] = {
		{ "https://lists.example.org/", TOKEN,
		  "<https://lists.example.org/u/" TOKEN ">, "
		  LIST_ADDR("cop-taal-unsubscribe-" TOKEN), true },
		{ "", TOKEN, LIST_ADDR("cop-taal-unsubscribe-" TOKEN), false },
		{ "https://lists.example.org", NULL,
		  LIST_ADDR("cop-taal-unsubscribe"), false },
	};
	struct buf v = BUF_INIT;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct config cfg = test_config((char *)c[i].url);
		struct compose_head h = newsletter_head();
		struct mailmime *mime;
		char *m;

		h.unsub_token = c[i].token;
		m = compose_simple(&cfg, &h);
		if (m == NULL || (mime = parse(m)) == NULL) {
			CHECK(0);
			free(m);
			continue;
		}
		CHECK_STR(field(mime, "List-Unsubscribe", &v), c[i].want);
		CHECK_INT(field(mime, "List-Unsubscribe-Post", &v) != NULL, c[i].post);
		mailmime_free(mime);
		free(m);
	}
	buf_free(&v);
}

static void
test_kinds(void)
{
	static const struct {
		enum campaign_kind kind;
		const char *precedence, *auto_submitted;
	} c[] = {
		{ CAMPAIGN_REPLY, NULL, "auto-replied" },
		{ CAMPAIGN_NOTICE, NULL, "auto-generated" },
		{ CAMPAIGN_POST, "list", NULL },
		{ CAMPAIGN_NEWSLETTER, "bulk", "auto-generated" },
		{ CAMPAIGN_DIGEST, "list", "auto-generated" },
	};
	struct config cfg = test_config("https://lists.example.org");
	struct buf v = BUF_INIT;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct compose_head h = newsletter_head();
		struct mailmime *mime;
		char *m;

		h.kind = c[i].kind;
		m = compose_simple(&cfg, &h);
		if (m == NULL || (mime = parse(m)) == NULL) {
			CHECK(0);
			free(m);
			continue;
		}
		CHECK_STR(field(mime, "Precedence", &v), c[i].precedence);
		CHECK_STR(field(mime, "Auto-Submitted", &v), c[i].auto_submitted);
		CHECK_STR(field(mime, "X-Auto-Response-Suppress", &v), "All");
		mailmime_free(mime);
		free(m);
	}
	buf_free(&v);
}

static void
test_reply_has_no_list_headers(void)
{
	struct config cfg = test_config("https://lists.example.org");
	struct compose_head h = reply_head();
	struct buf v = BUF_INIT;
	char *m = compose_simple(&cfg, &h);

	if (m == NULL)
		return;
	header_names(m, &v);
	CHECK_STR(buf_str(&v), "Date,From,To,Subject,Message-ID,"
	    "Auto-Submitted,X-Auto-Response-Suppress,X-Loop,MIME-Version,"
	    "Content-Type,Content-Transfer-Encoding");
	CHECK(strstr(m, "\r\nList-") == NULL);
	CHECK(strstr(m, "\r\nAuto-Submitted: auto-replied\r\n") != NULL);
	free(m);
	buf_free(&v);
}

static void
test_list_id_encoded(void)
{
	static const char *names[] = { "Taal — één", "De \"echte\" lijst",
	    "back\\slash" };
	struct config cfg = test_config("");
	struct buf v = BUF_INIT, d = BUF_INIT;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct compose_head h = newsletter_head();
		struct mailmime *mime;
		const char *lid;
		char *m;

		h.list_name = names[i];
		m = compose_simple(&cfg, &h);
		if (m == NULL || (mime = parse(m)) == NULL) {
			CHECK(0);
			free(m);
			continue;
		}
		lid = field(mime, "List-Id", &v);
		CHECK(lid != NULL && starts_with(lid, "=?UTF-8?Q?"));
		CHECK(lid != NULL && strstr(lid, "?= <cop-taal.example.org>") != NULL);
		if (lid != NULL) {
			buf_truncate(&v, (size_t)(strstr(lid, " <") - lid));
			decode_words(buf_str(&v), &d);
			CHECK_STR(buf_str(&d), names[i]);
		}
		mailmime_free(mime);
		free(m);
	}
	buf_free(&v);
	buf_free(&d);
}

static void
test_dutch_subject(void)
{
	static const char subject[] = "Nieuwsbrief — één overzicht";
	struct config cfg = test_config("");
	struct compose_head h = newsletter_head();
	struct buf v = BUF_INIT;
	struct mailmime *mime;
	char *m;

	h.subject = subject;
	h.from_name = "Zoë Ünal";
	m = compose_simple(&cfg, &h);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECK(0);
		free(m);
		return;
	}
	CHECK(strstr(m, "\r\nSubject: =?UTF-8?Q?") != NULL);
	CHECK_STR(subject_of(mime, &v), subject);
	CHECK_STR(from_name(mime, &v), "Zoë Ünal");
	mailmime_free(mime);
	free(m);
	buf_free(&v);
}

static void
test_long_subject(void)
{
	struct config cfg = test_config("");
	struct compose_head h = newsletter_head();
	struct buf s = BUF_INIT, v = BUF_INIT, name = BUF_INIT;
	struct mailmime *mime;
	char *m;

	for (int i = 0; i < 300; i++)
		buf_puts(&s, i % 3 == 0 ? "é" : i % 3 == 1 ? "—" : "a");
	for (int i = 0; i < 150; i++)
		buf_puts(&name, "ö");	/* 300 bytes: cut to 200 */
	h.subject = buf_str(&s);
	h.from_name = buf_str(&name);
	m = compose_simple(&cfg, &h);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECK(0);
		free(m);
		buf_free(&s);
		buf_free(&name);
		return;
	}
	CHECK(wire_clean(m));
	CHECK(longest_encoded_word(m) <= 75);
	CHECK(longest_encoded_word(m) > 20);
	CHECK_STR(subject_of(mime, &v), buf_str(&s));
	buf_truncate(&name, 200);
	CHECK_STR(from_name(mime, &v), buf_str(&name));
	mailmime_free(mime);
	free(m);
	buf_free(&s);
	buf_free(&v);
	buf_free(&name);
}

static void
test_subject_limit(void)
{
	struct config cfg = test_config("");
	struct compose_head h = newsletter_head();
	char subject[COMPOSE_SUBJECT_MAX + 2];
	struct err e;
	char *m;

	memset(subject, 'x', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '\0';
	h.subject = subject;
	m = compose(&cfg, &h, "x", NULL, 1, &e);
	CHECK(m == NULL);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECKM(strstr(e.msg, "Subject") != NULL, e.msg);
	subject[COMPOSE_SUBJECT_MAX] = '\0';
	m = compose(&cfg, &h, "x", NULL, 1, &e);
	CHECKM(m != NULL, e.msg);
	CHECK(m != NULL && wire_clean(m));
	free(m);
}

static void
test_injection(void)
{
	struct config cfg = test_config("https://lists.example.org");
	struct compose_head h = newsletter_head();
	struct buf v = BUF_INIT;
	struct mailmime *mime;
	const char *subject;
	char *m;

	h.subject = "Hi\r\nBcc: evil@x.org";
	h.from_name = "Anna\nX-Evil: 1";
	h.to_name = "Jan\r\n\r\nbody";
	h.list_name = "Lijst\r\nX-Evil: 2";
	m = compose_simple(&cfg, &h);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECK(0);
		free(m);
		return;
	}
	CHECK(!has_header_line(m, "Bcc"));
	CHECK(!has_header_line(m, "X-Evil"));
	CHECK(typed_field(mime, MAILIMF_FIELD_BCC) == NULL);
	CHECK(field(mime, "X-Evil", &v) == NULL);
	subject = subject_of(mime, &v);
	CHECK(subject != NULL && strstr(subject, "Bcc: evil@x.org") != NULL);
	CHECK(subject != NULL && strpbrk(subject, "\r\n") == NULL);
	CHECK_STR(from_name(mime, &v), "Anna X-Evil: 1");
	CHECK(wire_clean(m));
	mailmime_free(mime);
	free(m);
	buf_free(&v);
}

static void
test_bad_values(void)
{
	enum which { TO, FROM, REPLY_TO, MSGID, UNSUB, LIST };
	static const struct {
		enum which which;
		const char *value, *why;
	} c[] = {
		{ TO, "jan@example.nl\r\nBcc: evil@x.org",
		  "To: address contains a line break" },
		{ TO, "jan@example.nl\n", "To: address contains a line break" },
		{ TO, "not an address", "To: " },
		{ TO, "", "To: " },
		{ FROM, "\"a\"@b.nl", "From: " },
		{ REPLY_TO, "x@y.nl, z@y.nl", "Reply-To: " },
		{ MSGID, "no-at-sign", "Message-ID" },
		{ MSGID, "<a@b.nl>", "Message-ID" },
		{ MSGID, "a b@c.nl", "Message-ID" },
		{ MSGID, "a@b.nl\r\nBcc: x@y.nl", "Message-ID" },
		{ UNSUB, "short", "List-Unsubscribe" },
		{ LIST, "Bad List", "List-Id" },
	};
	struct config cfg = test_config("");

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct compose_head h = newsletter_head();
		struct buf b = BUF_INIT;
		struct err e = { 0, "" };

		switch (c[i].which) {
		case TO:	h.to_addr = c[i].value; break;
		case FROM:	h.from_addr = c[i].value; break;
		case REPLY_TO:	h.reply_to = c[i].value; break;
		case MSGID:	h.message_id = c[i].value; break;
		case UNSUB:	h.unsub_token = c[i].value; break;
		case LIST:	h.list_id = c[i].value; break;
		}
		CHECK_INT(compose_head(&cfg, &h, &b, &e), -1);
		CHECK_INT(e.ex, EX_DATAERR);
		CHECKM(strncmp(e.msg, c[i].why, strlen(c[i].why)) == 0, e.msg);
		CHECK_INT(b.len, 0);
		buf_free(&b);
	}
}

static void
test_message_id_lists(void)
{
	struct config cfg = test_config("");
	struct compose_head h = reply_head();
	struct buf v = BUF_INIT, refs = BUF_INIT, want = BUF_INIT;
	struct mailmime *mime;
	char *m;

	h.in_reply_to = "garbage <not valid> <x y@z.nl> <(c)@x.nl> <a@b@c> "
	    "<@x.nl> <good.1@example.org> (comment) <trailing";
	for (int i = 0; i < 30; i++)
		buf_printf(&refs, "<r%d@example.org>\r\n ", i);
	buf_puts(&refs, "<bad>");
	h.references = buf_str(&refs);
	m = compose_simple(&cfg, &h);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECK(0);
		free(m);
		buf_free(&refs);
		return;
	}
	CHECK_STR(ids_of(mime, MAILIMF_FIELD_IN_REPLY_TO, &v), "good.1@example.org");
	CHECK(strstr(m, "\r\nIn-Reply-To: <good.1@example.org>\r\n") != NULL);
	buf_puts(&want, "r0@example.org");
	for (int i = 11; i < 30; i++)
		buf_printf(&want, " r%d@example.org", i);
	CHECK_STR(ids_of(mime, MAILIMF_FIELD_REFERENCES, &v), buf_str(&want));
	CHECK(wire_clean(m));
	mailmime_free(mime);
	free(m);

	h.in_reply_to = "<no good> garbage";
	h.references = "";
	m = compose_simple(&cfg, &h);
	CHECK(m != NULL && !has_header_line(m, "In-Reply-To"));
	CHECK(m != NULL && !has_header_line(m, "References"));
	free(m);
	buf_free(&v);
	buf_free(&refs);
	buf_free(&want);
}

static void
test_text_body(void)
{
	static const char text[] = "Hallo allemaal,\n\nDit is één test.\r\n"
	    "regel met spatie aan het eind \n-- \nkring";
	static const char want[] = "Hallo allemaal,\r\n\r\nDit is één test.\r\n"
	    "regel met spatie aan het eind \r\n-- \r\nkring\r\n";
	struct config cfg = test_config("");
	struct compose_head h = reply_head();
	struct buf v = BUF_INIT;
	struct mailmime *mime, *body;
	struct err e;
	char *m = compose(&cfg, &h, text, NULL, 7, &e);

	CHECKM(m != NULL, e.msg);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECK(0);
		free(m);
		return;
	}
	body = mime->mm_data.mm_message.mm_msg_mime;
	CHECK(strstr(m, "\r\nMIME-Version: 1.0\r\n") != NULL);
	CHECK(body != NULL && is_text(body, "plain"));
	if (body != NULL && body->mm_type == MAILMIME_SINGLE) {
		decoded(body, &v);
		CHECK_STR(buf_str(&v), want);
	}
	CHECK(wire_clean(m));
	mailmime_free(mime);
	free(m);
	buf_free(&v);
}

static void
test_body_starts_with_mime_version(void)
{
	struct buf b = BUF_INIT;
	struct err e = { 0, "" };

	CHECK_INT(compose_body("x\n", NULL, 1, &b, &e), 0);
	CHECK(starts_with(buf_str(&b), "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain"));
	CHECK(b.len >= 2 && strcmp(buf_str(&b) + b.len - 2, "\r\n") == 0);
	buf_reset(&b);
	CHECK_INT(compose_body("x", "<p>x</p>", 1, &b, &e), 0);
	CHECK(starts_with(buf_str(&b), "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative"));
	CHECK(b.len >= 2 && strcmp(buf_str(&b) + b.len - 2, "\r\n") == 0);
	buf_free(&b);
}

/*
 * A placeholder at any column, in text and html, survives encoding
 * whole, and personalising gives exactly what encoding the recipient's
 * own text would have given.
 */
/*
 * The archive link's placeholder, the twin of the personal one with
 * another first character, survives encoding at any column too, and
 * compose_pieces puts both values in at once, as two passes would.
 */
static void
test_twin_placeholder(void)
{
	static const char atom[] = "q7zk3m9x2hv4wp5rt8nb6yc2da";
	static const char twin[] = "z7zk3m9x2hv4wp5rt8nb6yc2da";
	static const char tok[] = "abcdefghijklmnopqrstuvwxyz";
	static const char arch[] = "zyxwvutsrqponmlkjihgfedcba";
	struct buf text = BUF_INIT, b = BUF_INIT, one = BUF_INIT,
	    two = BUF_INIT, both = BUF_INIT;
	struct err e = { 0, "" };
	size_t *a1, *a2, n1, n2, np;
	struct iovec iov[2 * 160 + 1];

	for (int col = 0; col < 80; col++) {
		for (int k = 0; k < col; k++)
			buf_putc(&text, k % 7 == 6 ? ' ' : 'x');
		buf_printf(&text, "u/%s a/%s\n", atom, twin);
	}
	CHECK_INT(compose_body_personal(text.data, NULL, 5, atom, &b, &e), 0);
	n1 = compose_atoms(b.data, b.len, atom, &a1);
	n2 = compose_atoms(b.data, b.len, twin, &a2);
	CHECK_INT(n1, 80);
	CHECK_INT(n2, 80);
	compose_personalise(b.data, b.len, twin, arch, &one);
	compose_personalise(one.data, one.len, atom, tok, &two);
	np = compose_pieces(b.data, b.len, a1, n1, tok, a2, n2, arch,
	    strlen(atom), iov);
	CHECK_INT(np, 2 * 160 + 1);
	for (size_t i = 0; i < np; i++)
		buf_add(&both, iov[i].iov_base, iov[i].iov_len);
	CHECK(two.len == both.len && memcmp(two.data, both.data,
	    both.len) == 0);
	free(a1);
	free(a2);
	buf_free(&text);
	buf_free(&b);
	buf_free(&one);
	buf_free(&two);
	buf_free(&both);
}

static void
test_personal_placeholder(void)
{
	static const char atom[] = "q7zk3m9x2hv4wp5rt8nb6yc2da";
	static const char tok[] = "abcdefghijklmnopqrstuvwxyz";
	struct buf text = BUF_INIT, html = BUF_INIT, own_t = BUF_INIT,
	    own_h = BUF_INIT, b = BUF_INIT, mine = BUF_INIT, want = BUF_INIT;
	struct err e = { 0, "" };

	for (int col = 0; col < 80; col++) {
		for (int k = 0; k < col; k++)
			buf_putc(&text, k % 7 == 6 ? ' ' : 'x');
		buf_printf(&text, "%s@example.org\n", atom);
		buf_printf(&html, "<a href=\"mailto:l+x-unsubscribe-%s@d\">"
		    "%*s</a>\n", atom, col, "u");
	}
	compose_personalise(text.data, text.len, atom, tok, &own_t);
	compose_personalise(html.data, html.len, atom, tok, &own_h);
	CHECK_INT(compose_body_personal(text.data, html.data, 5, atom, &b, &e),
	    0);
	compose_personalise(b.data, b.len, atom, tok, &mine);
	CHECK(strstr(mine.data, atom) == NULL);
	CHECK_INT(compose_body_personal(own_t.data, own_h.data, 5, tok, &want,
	    &e), 0);
	CHECK(mine.len == want.len && memcmp(mine.data, want.data,
	    want.len) == 0);
	CHECK_INT(compose_body_personal("x", NULL, 5, "short", &b, &e), -1);
	CHECK_INT(compose_body_personal("x", NULL, 5, "has space in it", &b,
	    &e), -1);
	buf_free(&text);
	buf_free(&html);
	buf_free(&own_t);
	buf_free(&own_h);
	buf_free(&b);
	buf_free(&mine);
	buf_free(&want);
}

static void
test_alternative_body(void)
{
	static const char text[] = "Één overzicht\n";
	static const char html[] = "<p>Één <b>overzicht</b></p>\n";
	struct config cfg = test_config("");
	struct compose_head h = newsletter_head();
	struct buf v = BUF_INIT;
	struct mailmime *mime, *alt, *p1 = NULL, *p2 = NULL;
	struct err e;
	char *m = compose(&cfg, &h, text, html, 99, &e);

	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECKM(0, e.msg);
		free(m);
		return;
	}
	alt = mime->mm_data.mm_message.mm_msg_mime;
	CHECK(alt != NULL && alt->mm_type == MAILMIME_MULTIPLE);
	if (alt != NULL && alt->mm_type == MAILMIME_MULTIPLE) {
		clist *l = alt->mm_data.mm_multipart.mm_mp_list;

		CHECK_STR(alt->mm_content_type->ct_subtype, "alternative");
		CHECK_INT(clist_count(l), 2);
		p1 = clist_count(l) > 0 ? clist_nth_data(l, 0) : NULL;
		p2 = clist_count(l) > 1 ? clist_nth_data(l, 1) : NULL;
	}
	CHECK(p1 != NULL && is_text(p1, "plain"));
	CHECK(p2 != NULL && is_text(p2, "html"));
	if (p1 != NULL && p2 != NULL) {
		decoded(p1, &v);
		CHECK_STR(buf_str(&v), "Één overzicht\r\n");
		decoded(p2, &v);
		CHECK_STR(buf_str(&v), "<p>Één <b>overzicht</b></p>\r\n");
	}
	CHECK(wire_clean(m));
	mailmime_free(mime);
	free(m);
	buf_free(&v);
}

static void
test_dots_and_long_lines(void)
{
	struct config cfg = test_config("");
	struct compose_head h = reply_head();
	struct buf text = BUF_INIT, want = BUF_INIT, v = BUF_INIT;
	struct buf line = BUF_INIT, word = BUF_INIT;
	struct mailmime *mime, *body;
	struct err e;
	char *m;

	for (int i = 0; i < 2000; i++)
		buf_putc(&line, i % 100 == 99 ? ' ' : (char)('a' + i % 26));
	for (int i = 0; i < 500; i++)
		buf_puts(&word, "ë");	/* 1000 bytes, no spaces */
	buf_printf(&text, ".\n.begint met een punt\nFrom the start\n%s\n"
	    "lone\rcr \r\n%s", buf_str(&line), buf_str(&word));
	buf_printf(&want, ".\r\n.begint met een punt\r\nFrom the start\r\n"
	    "%s\r\nlone\r\ncr \r\n%s\r\n", buf_str(&line), buf_str(&word));
	buf_free(&line);
	buf_free(&word);
	m = compose(&cfg, &h, buf_str(&text), NULL, 3, &e);
	if (m == NULL || (mime = parse(m)) == NULL) {
		CHECKM(0, e.msg);
		free(m);
		buf_free(&text);
		buf_free(&want);
		return;
	}
	body = mime->mm_data.mm_message.mm_msg_mime;
	CHECK(body != NULL && is_text(body, "plain"));
	if (body != NULL && body->mm_type == MAILMIME_SINGLE) {
		decoded(body, &v);
		CHECK_STR(buf_str(&v), buf_str(&want));
	}
	CHECK(wire_clean(m));
	CHECK(strstr(m, "=0D") == NULL);
	CHECK(strstr(m, "\r\r") == NULL);
	/* QP keeps encoded lines short, well under 998. */
	for (const char *p = m + head_len(m); *p; p = strstr(p, "\r\n") + 2)
		CHECK(strstr(p, "\r\n") - p <= 76);
	mailmime_free(mime);
	free(m);
	buf_free(&text);
	buf_free(&want);
	buf_free(&v);
}

static void
test_bad_text(void)
{
	struct buf b = BUF_INIT;
	struct err e = { 0, "" };

	CHECK_INT(compose_body("caf\xe9\n", NULL, 1, &b, &e), -1);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK_STR(e.msg, "text is not UTF-8");
	err_clear(&e);
	CHECK_INT(compose_body("ok\n", "<p>\xc3\x28</p>", 1, &b, &e), -1);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK_STR(e.msg, "html is not UTF-8");
	CHECK_INT(compose_body("\xed\xa0\x80", NULL, 1, &b, &e), -1);
	CHECK_INT(b.len, 0);
	buf_free(&b);
}

static void
test_determinism(void)
{
	struct config cfg = test_config("https://lists.example.org");
	struct compose_head h = newsletter_head();
	struct err e;
	char *a, *b, *c;
	struct mailmime *ma, *mc;

	h.subject = "Nieuwsbrief — één overzicht";
	h.in_reply_to = "<x@y.nl>";
	a = compose(&cfg, &h, "tekst\n", "<p>html</p>", 12345, &e);
	b = compose(&cfg, &h, "tekst\n", "<p>html</p>", 12345, &e);
	c = compose(&cfg, &h, "tekst\n", "<p>html</p>", 12346, &e);
	CHECK(a != NULL && b != NULL && c != NULL);
	if (a == NULL || b == NULL || c == NULL) {
		free(a);
		free(b);
		free(c);
		return;
	}
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	ma = parse(a);
	mc = parse(c);
	if (ma != NULL && mc != NULL) {
		const char *ba = boundary_of(ma->mm_data.mm_message.mm_msg_mime);
		const char *bc = boundary_of(mc->mm_data.mm_message.mm_msg_mime);

		CHECK(ba != NULL && bc != NULL && strcmp(ba, bc) != 0);
		CHECK(ba != NULL && starts_with(ba, "=_kring_") &&
		    strlen(ba) == 8 + 16);
	} else {
		CHECK(0);
	}
	if (ma != NULL)
		mailmime_free(ma);
	if (mc != NULL)
		mailmime_free(mc);
	free(a);
	free(b);
	free(c);
}

/* A tiny Q decoder of our own, to look inside single encoded words. */
static bool
q_word_utf8(const char *w, size_t n)
{
	unsigned char out[128];
	size_t o = 0, i = 10;	/* after "=?UTF-8?Q?" */

	if (n < 12 || n - 2 > sizeof(out))
		return false;
	for (; i < n - 2; i++) {
		if (w[i] == '=' && i + 2 < n - 2) {
			char hex[3] = { w[i + 1], w[i + 2], '\0' };

			out[o++] = (unsigned char)strtoul(hex, NULL, 16);
			i += 2;
		} else {
			out[o++] = w[i] == '_' ? ' ' : (unsigned char)w[i];
		}
	}
	/* Whole characters only: every lead byte has all its continuations. */
	for (size_t k = 0; k < o; ) {
		size_t len = out[k] < 0x80 ? 1 : out[k] < 0xe0 ? 2 :
		    out[k] < 0xf0 ? 3 : 4;

		if (out[k] >= 0x80 && out[k] < 0xc0)
			return false;
		if (k + len > o)
			return false;
		k += len;
	}
	return true;
}

static void
test_encode_words(void)
{
	static const struct { const char *in; bool phrase; const char *want; } c[] = {
		{ "Hello world", false, "Hello world" },
		{ "Anna de Vries", true, "Anna de Vries" },
		{ "Re: [cop] vraag (2)", false, "Re: [cop] vraag (2)" },
		{ "J. Jansen", true, "=?UTF-8?Q?J=2E_Jansen?=" },
		{ "Vries, Anna", true, "=?UTF-8?Q?Vries=2C_Anna?=" },
		{ "één", false, "=?UTF-8?Q?=C3=A9=C3=A9n?=" },
		{ "a_b=c?", true, "a_b=c?" },
		{ "=?UTF-8?Q?x?=", false, "=?UTF-8?Q?=3D=3FUTF-8=3FQ=3Fx=3F=3D?=" },
		{ "tab\there", false, "tab here" },
		{ "bad \xff byte", false, "=?UTF-8?Q?bad_=EF=BF=BD_byte?=" },
		{ "", false, "" },
	};
	struct buf b = BUF_INIT, d = BUF_INIT;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		buf_reset(&b);
		compose_encode_words(c[i].in, c[i].phrase, &b);
		CHECK_STR(buf_str(&b), c[i].want);
	}
	/* 4-byte characters are never split across encoded words. */
	buf_reset(&b);
	{
		struct buf in = BUF_INIT;

		for (int i = 0; i < 40; i++)
			buf_puts(&in, i % 2 ? "\xf0\x9f\x93\xab" : "x\xc3\xa9");
		compose_encode_words(buf_str(&in), true, &b);
		for (const char *p = buf_str(&b); *p; ) {
			size_t n = strcspn(p, " ");

			CHECK(n <= 75);
			CHECK(q_word_utf8(p, n));
			p += n + (p[n] == ' ');
		}
		decode_words(buf_str(&b), &d);
		CHECK_STR(buf_str(&d), buf_str(&in));
		buf_free(&in);
	}
	buf_free(&b);
	buf_free(&d);
}

static void
test_no_bare_lf_anywhere(void)
{
	struct config cfg = test_config("https://lists.example.org/");
	struct compose_head h = newsletter_head();
	struct err e;
	char *m;

	h.subject = "a\nb\rc\r\n";
	h.to_name = "\r";
	h.from_name = "\n";
	h.list_name = "\r\n";
	h.references = "<a@b.nl>\n<c@d.nl>\r";
	m = compose(&cfg, &h, "\n\r\n\r\r\n\n", "\r<p>\n</p>\r", 5, &e);
	CHECKM(m != NULL, e.msg);
	CHECK(m != NULL && wire_clean(m));
	CHECK(m != NULL && strstr(m, "=0D") == NULL);
	free(m);
}

/* The header's fields, unfolded, sorted: what a reader sees of it. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sorted_fields(const struct buf *m, struct buf *out)
{
	char *lines[64], *copy = xstrndup(m->data, m->len), *save = NULL;
	size_t k = 0;

	for (char *l = strtok_r(copy, "\r\n", &save); l != NULL && k < 64;
	    l = strtok_r(NULL, "\r\n", &save)) {
		if ((*l == ' ' || *l == '\t') && k > 0) {
			char *j = xasprintf("%s%s", lines[k - 1], l);

			free(lines[k - 1]);
			lines[k - 1] = j;
		} else
			lines[k++] = xstrdup(l);
	}
	qsort(lines, k, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < k; i++) {
		buf_printf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(copy);
}

/*
 * The part made once for a message and each copy's own hold, between
 * them, exactly the fields compose_head() writes; the own part only
 * what differs from copy to copy; each part refuses only what it writes.
 */
static void
test_head_parts(void)
{
	struct config cfg = test_config("https://lists.example.org");
	struct compose_head hs[4];
	struct err e = { 0, "" };
	struct buf x = BUF_INIT;

	hs[0] = newsletter_head();
	hs[1] = reply_head();
	hs[2] = newsletter_head();
	hs[2].unsub_token = NULL;
	hs[2].kind = CAMPAIGN_POST;
	hs[2].list_post = true;
	hs[2].reply_to = "anna@example.net";
	hs[2].in_reply_to = "<a@example.net>";
	hs[2].references = "<r@example.net> <a@example.net>";
	hs[3] = newsletter_head();
	hs[3].to_name = "J\xc3\xb6nsson, Jan";
	for (size_t i = 0; i < 4; i++) {
		struct buf all = BUF_INIT, parts = BUF_INIT, a = BUF_INIT,
		    b = BUF_INIT, own = BUF_INIT;

		CHECK_INT(compose_head(&cfg, &hs[i], &all, &e), 0);
		CHECK_INT(compose_head_part(&cfg, &hs[i], COMPOSE_HEAD_SHARED,
		    &parts, &e), 0);
		CHECK_INT(compose_head_part(&cfg, &hs[i], COMPOSE_HEAD_OWN, &own,
		    &e), 0);
		buf_add(&parts, own.data, own.len);
		sorted_fields(&all, &a);
		sorted_fields(&parts, &b);
		CHECK_STR(buf_str(&b), buf_str(&a));
		CHECK(starts_with(buf_str(&own), "To: "));
		CHECK(strstr(buf_str(&own), "\r\nMessage-ID: ") != NULL);
		CHECK(strstr(buf_str(&own), "From:") == NULL);
		CHECK(strstr(buf_str(&own), "List-Id:") == NULL);
		buf_free(&all);
		buf_free(&parts);
		buf_free(&a);
		buf_free(&b);
		buf_free(&own);
	}
	hs[0].to_addr = "not an address";
	CHECK_INT(compose_head_part(&cfg, &hs[0], COMPOSE_HEAD_SHARED, &x, &e),
	    0);
	CHECK_INT(compose_head_part(&cfg, &hs[0], COMPOSE_HEAD_OWN, &x, &e), -1);
	hs[1].from_addr = "not an address";
	CHECK_INT(compose_head_part(&cfg, &hs[1], COMPOSE_HEAD_OWN, &x, &e), 0);
	CHECK_INT(compose_head_part(&cfg, &hs[1], COMPOSE_HEAD_SHARED, &x, &e),
	    -1);
	buf_free(&x);
}

int
main(void)
{
	test_newsletter_headers();
	test_head_parts();
	test_reply_to_and_post();
	test_unsubscribe_variants();
	test_kinds();
	test_reply_has_no_list_headers();
	test_list_id_encoded();
	test_dutch_subject();
	test_long_subject();
	test_subject_limit();
	test_injection();
	test_bad_values();
	test_message_id_lists();
	test_text_body();
	test_body_starts_with_mime_version();
	test_alternative_body();
	test_personal_placeholder();
	test_twin_placeholder();
	test_dots_and_long_lines();
	test_bad_text();
	test_determinism();
	test_encode_words();
	test_no_bare_lf_anywhere();
	return check_done();
}
