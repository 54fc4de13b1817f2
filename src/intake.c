/*
 * intake - take one raw inbound message into the store (see intake.h).
 */
#include "autoconf.h"

#include <libetpan/libetpan.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "addr.h"
#include "err.h"
#include "intake.h"
#include "store.h"
#include "xmem.h"

/* Where the body starts: after the first empty line, or len. */
static size_t
body_start(const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (raw[i] != '\n')
			continue;
		if (i + 1 < len && raw[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/* An address in lower case, normal form, or NULL when it is none. */
static char *
recipient(const char *addr)
{
	char *r = addr ? addr_normalize(addr, NULL) : NULL;

	for (char *p = r; p != NULL && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

/*
 * The Message-ID as libetpan reads it from the header (*id), and the
 * topmost Delivered-To (*rcpt, in lower case), or NULL.  The envelope
 * parser, not mailimf_fields_parse(): libetpan 1.9.4's full parser
 * leaks on some malformed trace fields.
 */
static void
identity_fields(const char *raw, size_t len, char **id, char **rcpt)
{
	struct mailimf_fields *fields = NULL;
	size_t at = 0;

	*id = *rcpt = NULL;
	if (mailimf_envelope_and_optional_fields_parse(raw, len, &at, &fields) !=
	    MAILIMF_NO_ERROR)
		return;
	for (clistiter *it = clist_begin(fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		struct mailimf_field *f = clist_content(it);
		const struct mailimf_optional_field *o;
		const char *mid;

		if (f->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD && *rcpt == NULL) {
			o = f->fld_data.fld_optional_field;
			if (o != NULL && o->fld_name != NULL && o->fld_value != NULL &&
			    strcasecmp(o->fld_name, "Delivered-To") == 0)
				*rcpt = recipient(o->fld_value);
		}
		if (f->fld_type != MAILIMF_FIELD_MESSAGE_ID || *id != NULL ||
		    f->fld_data.fld_message_id == NULL ||
		    (mid = f->fld_data.fld_message_id->mid_value) == NULL)
			continue;
		if (strlen(mid) <= INTAKE_MSGID_MAX && mid[0] != '\0')
			*id = xstrdup(mid);
	}
	mailimf_fields_free(fields);
}

void
intake_digest(const char *raw, size_t len, const char *envelope_rcpt,
    char out[INTAKE_DIGEST_LEN + 1], char **mid)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *id, *rcpt, *env = recipient(envelope_rcpt);

	identity_fields(raw, len, &id, &rcpt);
	if (env != NULL) {
		free(rcpt);
		rcpt = env;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	/* Without a recipient the digest is what it always was. */
	if (rcpt != NULL) {
		EVP_DigestUpdate(ctx, "rcpt:", 5);
		EVP_DigestUpdate(ctx, rcpt, strlen(rcpt) + 1);
	}
	if (id != NULL) {
		size_t b = body_start(raw, len);

		/* The NUL keeps "id" + "body" apart from "idb" + "ody". */
		EVP_DigestUpdate(ctx, "message-id:", 11);
		EVP_DigestUpdate(ctx, id, strlen(id) + 1);
		EVP_DigestUpdate(ctx, raw + b, len - b);
	} else {
		EVP_DigestUpdate(ctx, raw, len);
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	free(rcpt);
	for (unsigned int i = 0; i < mdlen && i < INTAKE_DIGEST_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[INTAKE_DIGEST_LEN] = '\0';
	if (mid != NULL)
		*mid = id;
	else
		free(id);
}

int
intake_add(struct store *st, const struct intake_msg *m, int64_t max_size,
    enum intake_result *res, int64_t *id, struct err *e)
{
	char digest[INTAKE_DIGEST_LEN + 1], *mid;
	struct store_inbound in;
	uint64_t size = m->size > m->len ? m->size : m->len;
	size_t len = m->len;
	int rc;

	memset(&in, 0, sizeof(in));
	if (max_size > 0 && size > (uint64_t)max_size) {
		len = body_start(m->raw, len < INTAKE_HEAD_MAX ? len :
		    INTAKE_HEAD_MAX);
		in.full_size = size > INT64_MAX ? INT64_MAX : (int64_t)size;
	}
	intake_digest(m->raw, len, m->envelope_rcpt, digest, &mid);
	in.received = m->received;
	in.source = m->source;
	in.source_uid = m->source_uid;
	in.envelope_rcpt = m->envelope_rcpt;
	in.message_id = mid;
	in.digest = digest;
	in.raw = m->raw;
	in.size = len;
	rc = store_inbound_add(st, &in, id, e);
	free(mid);
	if (rc < 0)
		return -1;
	*res = rc == 1 ? INTAKE_STORED : INTAKE_DUPLICATE;
	return 0;
}
