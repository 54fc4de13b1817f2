/*
 * compose_forward - a forward's body (see compose_forward.h).
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "compose.h"
#include "compose_digest.h"
#include "compose_forward.h"
#include "compose_int.h"
#include "err.h"

#define BOUNDARY_TRIES 16

/* The original as a file, for what cannot travel as a message. */
static struct mailmime *
file_part(const char *raw, size_t len)
{
	struct mailmime_fields *f = compose_need(
	    mailmime_fields_new_filename(MAILMIME_DISPOSITION_TYPE_ATTACHMENT,
	    compose_need(strdup("original.eml")), MAILMIME_MECHANISM_BASE64));

	return compose_need(mailmime_new(MAILMIME_SINGLE, NULL, 0, f,
	    compose_need(mailmime_content_new_with_str(
	    "application/octet-stream")),
	    compose_need(mailmime_data_new(MAILMIME_DATA_TEXT,
	    MAILMIME_MECHANISM_BASE64, 0, raw, len, NULL)),
	    NULL, NULL, NULL, NULL, NULL));
}

int
compose_forward_body(const char *text, const char *raw, size_t len,
    uint64_t seed, struct buf *out, struct err *e)
{
	struct buf tq = BUF_INIT, orig = BUF_INIT;
	struct mailmime *mixed, *part;
	bool fits = compose_digest_unfit(raw, len) == UNFIT_NONE, eight = false;
	int tries, rc = -1;

	if (compose_check_part("forward text", text, e) != 0)
		return -1;
	if (fits)
		eight = compose_crlf_copy(raw, len, &orig);
	/* The original must not hold the boundary of the mail around it. */
	for (tries = 0; tries < BOUNDARY_TRIES; tries++) {
		char b[32];
		int n = snprintf(b, sizeof(b), "=_kring_%016" PRIx64,
		    compose_mix64(seed));

		if (!fits || memmem(buf_str(&orig), orig.len, b, (size_t)n) == NULL)
			break;
		seed = compose_mix64(seed);
	}
	if (tries == BOUNDARY_TRIES) {
		buf_free(&orig);
		return err_set(e, EX_SOFTWARE, "no boundary fits the original");
	}
	compose_qp_encode(text, strlen(text), NULL, &tq);
	mixed = compose_multipart("mixed", seed);
	compose_need_ok(mailmime_smart_add_part(mixed,
	    compose_text_part("text/plain; charset=utf-8", &tq)));
	part = fits ? compose_rfc822_part(&orig, eight) : file_part(raw, len);
	compose_need_ok(mailmime_smart_add_part(mixed, part));
	if (eight)
		compose_mark_8bit(mixed);
	rc = compose_write_body(mixed, "the forward", out, e);
	buf_free(&tq);
	buf_free(&orig);
	return rc;
}
