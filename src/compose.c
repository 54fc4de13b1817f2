/*
 * compose - outgoing mail as bytes, built and written by libetpan.
 *
 * libetpan's writers trust their input, so every outside value is made
 * safe here first: control characters become spaces, bad UTF-8 U+FFFD,
 * what a phrase or an unstructured field cannot carry becomes RFC 2047
 * words, addresses pass addr_normalize.  The quoted-printable bytes are
 * ours: libetpan 1.9.4's encoder doubles white space before a line break
 * ("a \n" gives "a =20") and writes a lone CR as "=0D".  The multipart
 * boundary comes from the caller's seed, not libetpan's random(), so a
 * retry sends what the first try sent.  Every result is checked for
 * CRLF-only line ends and lines of at most 998 octets before it is
 * handed out.  No state; OOM inside libetpan is fatal, as for xmalloc.
 */
#include "autoconf.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sysexits.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "buf.h"
#include "compose.h"
#include "compose_int.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "token.h"
#include "utf8.h"
#include "xmem.h"

#define LINE_MAX_OCTETS 998   /* RFC 5322 2.1.1, without the CRLF */
/*
 * RFC 2047 allows encoded words of 75 characters; ours stop at 62 so
 * the first one still fits after "Subject: " under libetpan's folding at
 * 72 columns, instead of leaving "Subject: " alone on its line.
 */
#define EW_MAX 62
#define EW_OPEN "=?UTF-8?Q?"
#define EW_CLOSE "?="
/*
 * An unencoded word longer than this cannot be folded onto a line under
 * 78 columns, and libetpan cuts words at 998 by inserting a fold, which
 * changes the text; such words are encoded, since encoded words may be
 * split anywhere between characters.
 */
#define PLAIN_WORD_MAX 76
#define NAME_MAX_OCTETS 200
#define MSGID_MAX 250
#define MSGIDS_MAX 20
#define QP_LINE_MAX 76        /* RFC 2045 6.7 (5), the soft break included */

/* libetpan allocates with malloc and reports failure as NULL or nonzero. */
void *
compose_need(void *p)
{
	if (p == NULL)
		log_fatal(EX_OSERR, "out of memory in libetpan");
	return p;
}

void
compose_need_ok(int r)
{
	if (r != 0)
		log_fatal(EX_OSERR, "out of memory in libetpan");
}

/* The one path for header text: controls become spaces, bad UTF-8 U+FFFD. */
static void
sanitize(const char *in, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in);

	for (size_t i = 0, len; i < n; i += len) {
		if ((len = utf8_len(p + i, n - i)) == 0) {
			buf_puts(out, "\xef\xbf\xbd");
			len = 1;
		} else if (len == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			buf_putc(out, ' ');
		} else {
			buf_add(out, p + i, len);
		}
	}
}

/* Strip outer spaces and cut at max octets without splitting a character. */
static void
trim_cap(struct buf *b, size_t max)
{
	size_t start = 0, end = b->len;

	if (b->data == NULL)
		return;
	while (start < end && b->data[start] == ' ')
		start++;
	while (end > start && b->data[end - 1] == ' ')
		end--;
	if (end - start > max) {
		end = start + max;
		while (end > start && ((unsigned char)b->data[end] & 0xc0) == 0x80)
			end--;
		while (end > start && b->data[end - 1] == ' ')
			end--;
	}
	memmove(b->data, b->data + start, end - start);
	buf_truncate(b, end - start);
}

/* ---- RFC 2047 ---- */

static bool
is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

/* atext of RFC 5322 3.2.3: what a phrase may hold without quoting. */
static bool
is_atext(unsigned char c)
{
	return is_ascii_alnum(c) || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* What may stand for itself inside a Q word (RFC 2047 5 (2) and (3)). */
static bool
q_literal(unsigned char c, bool phrase)
{
	if (is_ascii_alnum(c))
		return true;
	if (phrase)
		return c != '\0' && strchr("!*+-/", c) != NULL;
	return c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_';
}

static bool
needs_encoding(const char *s, size_t n, bool phrase)
{
	size_t word = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return true;
		if (c == ' ') {
			word = 0;
			continue;
		}
		if (phrase && !is_atext(c))
			return true;
		if (++word > PLAIN_WORD_MAX)
			return true;
		/* Plain "=?" would be read back as the start of an encoded word. */
		if (c == '=' && i + 1 < n && s[i + 1] == '?')
			return true;
	}
	return false;
}

/*
 * Q-encode clean (sanitised) text as encoded words of at most EW_MAX
 * characters, each holding whole UTF-8 characters, separated by spaces.
 */
static void
encode_q(const char *s, size_t n, bool phrase, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t wlen = strlen(EW_OPEN);

	buf_puts(out, EW_OPEN);
	for (size_t i = 0, len; i < n; i += len) {
		char tok[16];
		size_t t = 0;

		if ((len = utf8_len(p + i, n - i)) == 0)
			len = 1;	/* cannot happen on sanitised text */
		for (size_t k = 0; k < len; k++) {
			unsigned char c = p[i + k];

			if (c == ' ')
				tok[t++] = '_';
			else if (q_literal(c, phrase))
				tok[t++] = (char)c;
			else
				t += (size_t)snprintf(tok + t, sizeof(tok) - t,
				    "=%02X", c);
		}
		if (wlen + t + strlen(EW_CLOSE) > EW_MAX) {
			buf_puts(out, EW_CLOSE " " EW_OPEN);
			wlen = strlen(EW_OPEN);
		}
		buf_add(out, tok, t);
		wlen += t;
	}
	buf_puts(out, EW_CLOSE);
}

/* Sanitised text as it is when it can stand for itself, else encoded. */
static void
encode_clean(const struct buf *clean, bool phrase, struct buf *out)
{
	if (needs_encoding(buf_str(clean), clean->len, phrase))
		encode_q(buf_str(clean), clean->len, phrase, out);
	else
		buf_add(out, buf_str(clean), clean->len);
}

void
compose_encode_words(const char *text, bool phrase, struct buf *out)
{
	struct buf clean = BUF_INIT;

	sanitize(text, &clean);
	encode_clean(&clean, phrase, out);
	buf_free(&clean);
}

/*
 * A display name ready for libetpan's mailbox writer, or NULL for none.
 * Encoded or plain, the result is all atext and spaces, so libetpan
 * writes it as it is and never reaches its quoted-string writer (which
 * neither escapes CR/LF nor accepts names over 499 octets).
 */
static char *
display_name(const char *name)
{
	struct buf clean = BUF_INIT, out = BUF_INIT;

	if (name == NULL)
		return NULL;
	sanitize(name, &clean);
	trim_cap(&clean, NAME_MAX_OCTETS);
	encode_clean(&clean, true, &out);
	buf_free(&clean);
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out);
}

/* ---- output checks ---- */

/* CRLF line ends only, no line over 998 octets, no NUL. */
bool
compose_wire_ok(const char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n')
				return false;
			i++;
			col = 0;
		} else if (s[i] == '\n' || s[i] == '\0') {
			return false;
		} else if (++col > LINE_MAX_OCTETS) {
			return false;
		}
	}
	return true;
}

/* ---- body ---- */

/* One character (len bytes at p, rest bytes left in the text) as QP. */
static size_t
qp_char(const unsigned char *p, size_t len, size_t rest, bool line_start,
    bool eol, char tok[static 16])
{
	bool guard = line_start && (p[0] == '.' ||
	    (rest >= 5 && memcmp(p, "From ", 5) == 0));
	size_t t = 0;

	for (size_t k = 0; k < len; k++) {
		bool lit = (p[k] >= 0x21 && p[k] <= 0x7e && p[k] != '=') ||
		    ((p[k] == ' ' || p[k] == '\t') && !eol);

		if (lit && !(k == 0 && guard))
			tok[t++] = (char)p[k];
		else
			t += (size_t)snprintf(tok + t, 16 - t, "=%02X", p[k]);
	}
	return t;
}

/*
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text whose line ends may be
 * LF, CRLF or a lone CR; all become CRLF and the text ends with one.
 * Soft breaks fall between characters, never inside a UTF-8 sequence,
 * and white space before a line end is encoded.  A "." or "From " at
 * the start of a line is encoded too, for transports that do not
 * dot-stuff and mailboxes that mangle "From ".
 */
void
compose_qp_encode(const char *s, size_t n, const char *atom, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t col = 0, i = 0, alen = atom ? strlen(atom) : 0;

	while (i < n) {
		char tok[16];
		size_t len, t;
		bool eol;

		/*
		 * The placeholder stays whole, so it can be found after
		 * encoding; so does its twin with another first letter or
		 * digit (archive.h: the archive link's).
		 */
		if (alen > 0 && n - i >= alen && isalnum(p[i]) && p[i] < 0x80 &&
		    memcmp(p + i + 1, atom + 1, alen - 1) == 0) {
			if (col + alen > QP_LINE_MAX - 1) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			buf_add(out, p + i, alen);
			col += alen;
			i += alen;
			continue;
		}
		if (p[i] == '\r' || p[i] == '\n') {
			bool crlf = p[i] == '\r' && i + 1 < n && p[i + 1] == '\n';

			i += crlf ? 2 : 1;
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		if ((len = utf8_len(p + i, n - i)) == 0)
			len = 1;	/* not reached: the caller checked */
		eol = i + len == n || p[i + len] == '\r' || p[i + len] == '\n';
		t = qp_char(p + i, len, n - i, col == 0, eol, tok);
		/* A soft break needs room for its "=", a hard one does not. */
		if (col + t > (eol ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
			buf_puts(out, "=\r\n");
			col = 0;
			t = qp_char(p + i, len, n - i, true, eol, tok);
		}
		buf_add(out, tok, t);
		col += t;
		i += len;
	}
	if (n > 0 && p[n - 1] != '\r' && p[n - 1] != '\n')
		buf_puts(out, "\r\n");
}

int
compose_check_part(const char *what, const char *s, struct err *e)
{
	size_t n = strlen(s);

	if (n > COMPOSE_BODY_MAX)
		return err_set(e, EX_DATAERR, "%s is larger than %d bytes", what,
		    COMPOSE_BODY_MAX);
	if (!utf8_valid(s, n))
		return err_set(e, EX_DATAERR, "%s is not UTF-8", what);
	return 0;
}

/*
 * A text leaf holding our own quoted-printable bytes.  mailmime_data's
 * dt_encoded tells the writer they are already encoded (see the top of
 * this file for why libetpan's encoder is not used).  The bytes are not
 * copied: qp must outlive the part.
 */
struct mailmime *
compose_text_part(const char *content_type, const struct buf *qp)
{
	struct mailmime *part = NULL;
	struct mailmime_fields *fields = compose_need(mailmime_fields_new_encoding(
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE));

	compose_need_ok(mailmime_new_with_content(content_type, fields, &part));
	/* libetpan's API is not const-correct; it only reads the bytes. */
	compose_need_ok(mailmime_set_body_text(part, (char *)buf_str(qp), qp->len));
	part->mm_data.mm_single->dt_encoded = 1;
	return part;
}

/* A 64-bit mix (splitmix64's finaliser): near seeds, unrelated boundaries. */
uint64_t
compose_mix64(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * multipart/SUBTYPE with our boundary.  mailmime_multiple_new would add
 * a second, random boundary parameter, so the node is built with
 * mailmime_new.  "=_" cannot occur in quoted-printable text, so the
 * boundary never collides with a part's content; the seed's level
 * keeps nested multiparts apart.
 */
struct mailmime *
compose_multipart(const char *subtype, uint64_t seed)
{
	char ct[160];

	snprintf(ct, sizeof(ct), "multipart/%s; "
	    "boundary=\"=_kring_%016" PRIx64 "\"", subtype, compose_mix64(seed));
	return compose_need(mailmime_new(MAILMIME_MULTIPLE, NULL, 0,
	    compose_need(mailmime_fields_new_empty()),
	    compose_need(mailmime_content_new_with_str(ct)), NULL, NULL, NULL,
	    compose_need(clist_new()), NULL, NULL));
}

/* raw with CRLF line ends (a lone CR or LF counts as one), ending in one. */
bool
compose_crlf_copy(const char *raw, size_t len, struct buf *out)
{
	bool eight = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < len && raw[i + 1] == '\n')
				i++;
			buf_puts(out, "\r\n");
			continue;
		}
		eight |= c >= 0x80;
		buf_putc(out, (char)c);
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		buf_puts(out, "\r\n");
	return eight;
}

void
compose_mark_8bit(struct mailmime *m)
{
	compose_need_ok(mailmime_fields_add(m->mm_mime_fields,
	    compose_need(mailmime_field_new(MAILMIME_FIELD_TRANSFER_ENCODING,
	    NULL, compose_need(mailmime_mechanism_new(MAILMIME_MECHANISM_8BIT,
	    NULL)), NULL, NULL, 0, NULL, NULL, NULL))));
}

/* A message/rfc822 leaf holding bytes as they are (not copied). */
struct mailmime *
compose_rfc822_part(const struct buf *bytes, bool eight)
{
	int enc = eight ? MAILMIME_MECHANISM_8BIT : MAILMIME_MECHANISM_7BIT;

	return compose_need(mailmime_new(MAILMIME_SINGLE, NULL, 0,
	    compose_need(mailmime_fields_new_encoding(enc)),
	    compose_need(mailmime_content_new_with_str("message/rfc822")),
	    compose_need(mailmime_data_new(MAILMIME_DATA_TEXT, enc, 1,
	    buf_str(bytes), bytes->len, NULL)),
	    NULL, NULL, NULL, NULL, NULL));
}

int
compose_write(struct mailmime *top, struct buf *out, struct err *e)
{
	static const char mime_version[] = "MIME-Version: 1.0\r\n";
	struct mailmime *msg;
	MMAPString *s;
	int col = 0, r, rc = 0;

	/* A message node without IMF fields writes MIME-Version only. */
	msg = compose_need(mailmime_new_message_data(NULL));
	compose_need_ok(mailmime_smart_add_part(msg, top));
	s = compose_need(mmap_string_new(""));
	if ((r = mailmime_write_mem(s, &col, msg)) != MAILIMF_NO_ERROR)
		rc = err_set(e, EX_SOFTWARE, "libetpan could not write the "
		    "body (error %d)", r);
	else if (s->len < strlen(mime_version) ||
	    memcmp(s->str, mime_version, strlen(mime_version)) != 0 ||
	    !compose_wire_ok(s->str, s->len))
		rc = err_set(e, EX_SOFTWARE, "libetpan wrote a malformed body");
	else
		buf_add(out, s->str, s->len);
	mmap_string_free(s);
	mailmime_free(msg);
	return rc;
}

int
compose_body(const char *text, const char *html, uint64_t boundary_seed,
    struct buf *out, struct err *e)
{
	return compose_body_personal(text, html, boundary_seed, NULL, out, e);
}

static bool
atom_ok(const char *atom)
{
	size_t n = atom ? strlen(atom) : 0;

	if (n < 8 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ascii_alnum((unsigned char)atom[i]))
			return false;
	return true;
}

int
compose_body_personal(const char *text, const char *html,
    uint64_t boundary_seed, const char *atom, struct buf *out, struct err *e)
{
	struct buf tq = BUF_INIT, hq = BUF_INIT;
	struct mailmime *top;
	int rc;

	if (text == NULL)
		return err_set(e, EX_DATAERR, "text is missing");
	if (compose_check_part("text", text, e) != 0 ||
	    (html != NULL && compose_check_part("html", html, e) != 0))
		return -1;
	if (atom != NULL && !atom_ok(atom))
		return err_set(e, EX_SOFTWARE, "bad placeholder");
	compose_qp_encode(text, strlen(text), atom, &tq);
	if (html == NULL) {
		top = compose_text_part("text/plain; charset=utf-8", &tq);
	} else {
		compose_qp_encode(html, strlen(html), atom, &hq);
		top = compose_multipart("alternative", boundary_seed);
		compose_need_ok(mailmime_smart_add_part(top,
		    compose_text_part("text/plain; charset=utf-8", &tq)));
		compose_need_ok(mailmime_smart_add_part(top,
		    compose_text_part("text/html; charset=utf-8", &hq)));
	}
	rc = compose_write(top, out, e);
	buf_free(&tq);
	buf_free(&hq);
	return rc;
}

size_t
compose_atoms(const char *body, size_t len, const char *atom, size_t **at)
{
	size_t alen = strlen(atom), i = 0, n = 0, cap = 0;
	const char *hit;

	*at = NULL;
	while (alen > 0 && len - i >= alen &&
	    (hit = memmem(body + i, len - i, atom, alen)) != NULL) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*at = xreallocarray(*at, cap, sizeof(**at));
		}
		(*at)[n++] = (size_t)(hit - body);
		i = (size_t)(hit - body) + alen;
	}
	return n;
}

void
compose_fill(const char *body, size_t len, const size_t *at, size_t n,
    size_t alen, const char *value, struct buf *out)
{
	size_t from = 0, vlen = strlen(value);

	for (size_t k = 0; k < n; k++) {
		buf_add(out, body + from, at[k] - from);
		buf_add(out, value, vlen);
		from = at[k] + alen;
	}
	buf_add(out, body + from, len - from);
}

static struct iovec
piece(const char *p, size_t n)
{
	/* The pieces are only read: writev's type just lacks the const. */
	return (struct iovec){ .iov_base = (void *)p, .iov_len = n };
}

size_t
compose_pieces(const char *body, size_t len, const size_t *at1, size_t n1,
    const char *v1, const size_t *at2, size_t n2, const char *v2,
    size_t alen, struct iovec *out)
{
	size_t from = 0, i = 0, k = 0, m = 0;
	size_t l1 = n1 > 0 ? strlen(v1) : 0, l2 = n2 > 0 ? strlen(v2) : 0;

	while (i < n1 || k < n2) {
		bool one = k == n2 || (i < n1 && at1[i] < at2[k]);
		size_t at = one ? at1[i++] : at2[k++];

		out[m++] = piece(body + from, at - from);
		out[m++] = one ? piece(v1, l1) : piece(v2, l2);
		from = at + alen;
	}
	out[m++] = piece(body + from, len - from);
	return m;
}

void
compose_personalise(const char *body, size_t len, const char *atom,
    const char *value, struct buf *out)
{
	size_t *at, n = compose_atoms(body, len, atom, &at);

	compose_fill(body, len, at, n, strlen(atom), value, out);
	free(at);
}

/* ---- header ---- */

/* An empty field of a type; the caller sets the fld_data member it names. */
static struct mailimf_field *
field_new(int type)
{
	return compose_need(mailimf_field_new(type, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL));
}

static void
add_field(struct mailimf_fields *f, struct mailimf_field *fld)
{
	compose_need_ok(mailimf_fields_add(f, fld));
}

static void
add_custom(struct mailimf_fields *f, const char *name, const char *value)
{
	add_field(f, compose_need(mailimf_field_new_custom(xstrdup(name),
	    xstrdup(value))));
}

/* "id-left@id-right" of printable ASCII without the msg-id specials. */
static bool
msgid_ok(const char *s, size_t n)
{
	size_t ats = 0, at = 0;

	if (n == 0 || n > MSGID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("<>(),;\\\"[]", c) != NULL)
			return false;
		if (c == '@') {
			ats++;
			at = i;
		}
	}
	return ats == 1 && at > 0 && at < n - 1;
}

bool
compose_msgid_ok(const char *id)
{
	return id != NULL && msgid_ok(id, strlen(id));
}

struct span {
	const char *p;
	size_t n;
};

/*
 * The well-formed <ids> of a raw In-Reply-To or References value, or NULL.
 * Of more than MSGIDS_MAX, the first (the thread's root) and the last
 * ones (the nearest parents) are kept, as Netnews trims (RFC 5537).
 */
static clist *
msgid_list(const char *raw)
{
	struct span *ids = NULL;
	size_t nids = 0, cap = 0;
	const char *p = raw, *q;
	clist *l;

	while (raw != NULL && (p = strchr(p, '<')) != NULL &&
	    (q = strchr(p, '>')) != NULL) {
		const char *start = (const char *)memrchr(p, '<',
		    (size_t)(q - p)) + 1;

		if (msgid_ok(start, (size_t)(q - start))) {
			if (nids == cap) {
				cap = cap ? cap * 2 : 8;
				ids = xreallocarray(ids, cap, sizeof(*ids));
			}
			ids[nids].p = start;
			ids[nids++].n = (size_t)(q - start);
		}
		p = q + 1;
	}
	if (nids == 0) {
		free(ids);
		return NULL;
	}
	l = compose_need(clist_new());
	for (size_t i = 0; i < nids; i++)
		if (nids <= MSGIDS_MAX || i == 0 || i >= nids - (MSGIDS_MAX - 1))
			compose_need_ok(clist_append(l, xstrndup(ids[i].p, ids[i].n)));
	free(ids);
	return l;
}

/* Values from outside, validated; all owned here. */
struct head_vals {
	char *from_addr, *reply_to, *to_addr;
	char *from_name, *to_name;
	char *subject;           /* encoded */
	struct tm date;
	char *unsub_url;         /* "" when none; trailing '/' stripped */
};

static void
head_vals_free(struct head_vals *v)
{
	free(v->from_addr);
	free(v->reply_to);
	free(v->to_addr);
	free(v->from_name);
	free(v->to_name);
	free(v->subject);
	free(v->unsub_url);
}

static int
address(const char *hdr, const char *in, char **out, struct err *e)
{
	if (in == NULL || *in == '\0')
		return err_set(e, EX_DATAERR, "%s: address is missing", hdr);
	if ((*out = addr_normalize(in, e)) == NULL)
		return err_prefix(e, "%s", hdr);
	return 0;
}

/* The base of the one-click link, or "" when none is configured. */
static int
unsubscribe_base(const char *url, char **out, struct err *e)
{
	size_t n = strlen(url);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c >= 0x7f || strchr("<>\",", c) != NULL)
			return err_set(e, EX_DATAERR, "unsubscribe_url: "
			    "character %#x cannot go in a header", c);
	}
	if (n > 0 && url[n - 1] == '/')
		n--;
	*out = xstrndup(url, n);
	return 0;
}

static int
check_list(const struct compose_head *h, struct err *e)
{
	if (!addr_list_id_ok(h->list_id))
		return err_set(e, EX_DATAERR, "List-Id: malformed list id");
	if (h->unsub_token != NULL && !token_well_formed(h->unsub_token))
		return err_set(e, EX_DATAERR, "List-Unsubscribe: malformed token");
	return 0;
}

static int
head_vals_init(const struct config *cfg, const struct compose_head *h,
    enum compose_part part, struct head_vals *v, struct err *e)
{
	struct buf b = BUF_INIT;
	time_t t = (time_t)h->date;
	bool shared = part != COMPOSE_HEAD_OWN, own = part != COMPOSE_HEAD_SHARED;

	memset(v, 0, sizeof(*v));
	if ((shared && (address("From", h->from_addr, &v->from_addr, e) != 0 ||
	    (h->reply_to != NULL && *h->reply_to != '\0' &&
	    address("Reply-To", h->reply_to, &v->reply_to, e) != 0))) ||
	    (own && address("To", h->to_addr, &v->to_addr, e) != 0))
		return -1;
	if (shared && h->subject != NULL &&
	    strlen(h->subject) > COMPOSE_SUBJECT_MAX)
		return err_set(e, EX_DATAERR, "Subject: longer than %d bytes",
		    COMPOSE_SUBJECT_MAX);
	if (own && (h->message_id == NULL ||
	    !msgid_ok(h->message_id, strlen(h->message_id))))
		return err_set(e, EX_DATAERR, "Message-ID: malformed message-id");
	if (shared && (h->date < 0 || (int64_t)t != h->date ||
	    gmtime_r(&t, &v->date) == NULL || v->date.tm_year > 9999 - 1900))
		return err_set(e, EX_DATAERR, "Date: %" PRId64 " is out of range",
		    h->date);
	if (h->list_id != NULL && (check_list(h, e) != 0 ||
	    unsubscribe_base(cfg->unsubscribe_url, &v->unsub_url, e) != 0))
		return -1;
	if (own)
		v->to_name = display_name(h->to_name);
	if (shared) {
		v->from_name = display_name(h->from_name);
		compose_encode_words(h->subject != NULL ? h->subject : "",
		    false, &b);
		v->subject = xstrdup(buf_str(&b));
		buf_free(&b);
	}
	return 0;
}

static struct mailimf_address_list *
address_list(char *name, char *addr)
{
	struct mailimf_address_list *al = compose_need(mailimf_address_list_new_empty());

	compose_need_ok(mailimf_address_list_add(al, compose_need(mailimf_address_new(
	    MAILIMF_ADDRESS_MAILBOX, compose_need(mailimf_mailbox_new(name, addr)),
	    NULL))));
	return al;
}

/* Which fields a part of the head holds. */
static bool
shared_in(enum compose_part part)
{
	return part != COMPOSE_HEAD_OWN;
}

static bool
own_in(enum compose_part part)
{
	return part != COMPOSE_HEAD_SHARED;
}

/* Date, From, Reply-To, To, Subject: RFC 5322 fields of their own type. */
static void
add_originator(struct mailimf_fields *f, struct head_vals *v,
    enum compose_part part)
{
	struct mailimf_mailbox_list *mbl;
	struct mailimf_field *fld;

	if (!shared_in(part))
		goto to;
	fld = field_new(MAILIMF_FIELD_ORIG_DATE);
	fld->fld_data.fld_orig_date = compose_need(mailimf_orig_date_new(compose_need(
	    mailimf_date_time_new(v->date.tm_mday, v->date.tm_mon + 1,
	    v->date.tm_year + 1900, v->date.tm_hour, v->date.tm_min,
	    v->date.tm_sec, 0))));
	add_field(f, fld);

	mbl = compose_need(mailimf_mailbox_list_new_empty());
	compose_need_ok(mailimf_mailbox_list_add(mbl, compose_need(mailimf_mailbox_new(
	    v->from_name, v->from_addr))));
	v->from_name = v->from_addr = NULL;
	fld = field_new(MAILIMF_FIELD_FROM);
	fld->fld_data.fld_from = compose_need(mailimf_from_new(mbl));
	add_field(f, fld);

	if (v->reply_to != NULL) {
		fld = field_new(MAILIMF_FIELD_REPLY_TO);
		fld->fld_data.fld_reply_to = compose_need(mailimf_reply_to_new(
		    address_list(NULL, v->reply_to)));
		v->reply_to = NULL;
		add_field(f, fld);
	}
to:
	if (own_in(part)) {
		fld = field_new(MAILIMF_FIELD_TO);
		fld->fld_data.fld_to = compose_need(mailimf_to_new(
		    address_list(v->to_name, v->to_addr)));
		v->to_name = v->to_addr = NULL;
		add_field(f, fld);
	}
	if (!shared_in(part))
		return;
	fld = field_new(MAILIMF_FIELD_SUBJECT);
	fld->fld_data.fld_subject = compose_need(mailimf_subject_new(v->subject));
	v->subject = NULL;
	add_field(f, fld);
}

static void
add_ids(struct mailimf_fields *f, const struct compose_head *h,
    enum compose_part part)
{
	struct mailimf_field *fld;
	clist *l;

	if (own_in(part)) {
		fld = field_new(MAILIMF_FIELD_MESSAGE_ID);
		fld->fld_data.fld_message_id = compose_need(
		    mailimf_message_id_new(xstrdup(h->message_id)));
		add_field(f, fld);
	}
	if (!shared_in(part))
		return;
	if ((l = msgid_list(h->in_reply_to)) != NULL) {
		fld = field_new(MAILIMF_FIELD_IN_REPLY_TO);
		fld->fld_data.fld_in_reply_to = compose_need(mailimf_in_reply_to_new(l));
		add_field(f, fld);
	}
	if ((l = msgid_list(h->references)) != NULL) {
		fld = field_new(MAILIMF_FIELD_REFERENCES);
		fld->fld_data.fld_references = compose_need(mailimf_references_new(l));
		add_field(f, fld);
	}
}

/* RFC 2919 List-Id: "NAME" <LIST.D>, NAME as an encoded word when needed. */
static void
add_list_id(struct mailimf_fields *f, const struct config *cfg,
    const struct compose_head *h)
{
	struct buf name = BUF_INIT, v = BUF_INIT;

	sanitize(h->list_name != NULL ? h->list_name : "", &name);
	trim_cap(&name, NAME_MAX_OCTETS);
	if (name.len > 0) {
		const char *s = buf_str(&name);

		if (needs_encoding(s, name.len, false) || strpbrk(s, "\"\\") != NULL)
			encode_q(s, name.len, true, &v);
		else
			buf_printf(&v, "\"%s\"", s);
		buf_putc(&v, ' ');
	}
	buf_printf(&v, "<%s.%s>", h->list_id, cfg->domain);
	add_custom(f, "List-Id", buf_str(&v));
	buf_free(&name);
	buf_free(&v);
}

/* "<mailto:L+EXT@D>" appended to b. */
static void
mailto(struct buf *b, const struct config *cfg, const char *ext)
{
	char *a = addr_with_extension(cfg->local, cfg->domain,
	    cfg->recipient_delimiter, ext);

	buf_printf(b, "<mailto:%s>", a);
	free(a);
}

static void
add_list(struct mailimf_fields *f, const struct config *cfg,
    const struct compose_head *h, const char *unsub_url,
    enum compose_part part)
{
	struct buf v = BUF_INIT;
	char *ext;

	if (!shared_in(part))
		goto unsubscribe;
	add_list_id(f, cfg, h);
	mailto(&v, cfg, "help");
	add_custom(f, "List-Help", buf_str(&v));
	buf_reset(&v);
	ext = xasprintf("%s-subscribe", h->list_id);
	mailto(&v, cfg, ext);
	free(ext);
	add_custom(f, "List-Subscribe", buf_str(&v));
	buf_reset(&v);
	if (h->list_post)
		mailto(&v, cfg, h->list_id);
	else
		buf_puts(&v, "NO");
	add_custom(f, "List-Post", buf_str(&v));
	buf_reset(&v);
unsubscribe:
	if (!own_in(part)) {
		buf_free(&v);
		return;
	}
	if (h->unsub_token != NULL && *unsub_url != '\0')
		buf_printf(&v, "<%s/u/%s>, ", unsub_url, h->unsub_token);
	if (h->unsub_token != NULL)
		ext = xasprintf("%s-unsubscribe-%s", h->list_id, h->unsub_token);
	else
		ext = xasprintf("%s-unsubscribe", h->list_id);
	mailto(&v, cfg, ext);
	free(ext);
	add_custom(f, "List-Unsubscribe", buf_str(&v));
	if (h->unsub_token != NULL && *unsub_url != '\0')
		add_custom(f, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
	buf_free(&v);
}

/* Loop and auto-responder protection, on every mail kring sends. */
static void
add_auto(struct mailimf_fields *f, const struct config *cfg,
    enum campaign_kind kind)
{
	char *self;

	if (kind == CAMPAIGN_NEWSLETTER)
		add_custom(f, "Precedence", "bulk");
	else if (kind == CAMPAIGN_POST || kind == CAMPAIGN_DIGEST)
		add_custom(f, "Precedence", "list");
	/*
	 * A post is a person's mail that the list passes on, not one made
	 * by a program (RFC 3834 5): Precedence and the List headers tell
	 * responders to keep quiet.
	 */
	if (kind != CAMPAIGN_POST)
		add_custom(f, "Auto-Submitted", kind == CAMPAIGN_REPLY ?
		    "auto-replied" : "auto-generated");
	add_custom(f, "X-Auto-Response-Suppress", "All");
	self = addr_with_extension(cfg->local, cfg->domain,
	    cfg->recipient_delimiter, NULL);
	add_custom(f, "X-Loop", self);
	free(self);
}

int
compose_head(const struct config *cfg, const struct compose_head *h,
    struct buf *out, struct err *e)
{
	return compose_head_part(cfg, h, COMPOSE_HEAD_ALL, out, e);
}

int
compose_head_part(const struct config *cfg, const struct compose_head *h,
    enum compose_part part, struct buf *out, struct err *e)
{
	struct head_vals v;
	struct mailimf_fields *f;
	MMAPString *s;
	int col = 0, r, rc = 0;

	if (head_vals_init(cfg, h, part, &v, e) != 0) {
		head_vals_free(&v);
		return -1;
	}
	f = compose_need(mailimf_fields_new_empty());
	add_originator(f, &v, part);
	add_ids(f, h, part);
	if (h->list_id != NULL)
		add_list(f, cfg, h, v.unsub_url, part);
	if (shared_in(part))
		add_auto(f, cfg, h->kind);
	s = compose_need(mmap_string_new(""));
	if ((r = mailimf_fields_write_mem(s, &col, f)) != MAILIMF_NO_ERROR)
		rc = err_set(e, EX_SOFTWARE, "libetpan could not write the "
		    "header (error %d)", r);
	else if (!compose_wire_ok(s->str, s->len))
		rc = err_set(e, EX_SOFTWARE, "libetpan wrote a malformed header");
	else
		buf_add(out, s->str, s->len);
	mmap_string_free(s);
	mailimf_fields_free(f);
	head_vals_free(&v);
	return rc;
}

int
compose_write_body(struct mailmime *top, const char *what, struct buf *out,
    struct err *e)
{
	struct buf body = BUF_INIT;
	int rc;

	if ((rc = compose_write(top, &body, e)) == 0) {
		if (body.len > COMPOSE_BODY_MAX)
			rc = err_set(e, EX_DATAERR, "%s is larger than %d bytes",
			    what, COMPOSE_BODY_MAX);
		else
			buf_add(out, buf_str(&body), body.len);
	}
	buf_free(&body);
	return rc;
}
