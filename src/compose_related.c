/*
 * compose_related - a newsletter body with its pictures (see
 * compose_related.h).
 */
#include "autoconf.h"

#include <string.h>
#include <sysexits.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "compose.h"
#include "compose_int.h"
#include "compose_related.h"
#include "err.h"

/* One picture: inline, base64 (libetpan encodes), named by its cid. */
static struct mailmime *
pic_part(const struct compose_pic *p)
{
	struct mailmime_fields *f = compose_need(mailmime_fields_new_with_data(
	    compose_need(mailmime_mechanism_new(MAILMIME_MECHANISM_BASE64,
	    NULL)), compose_need(strdup(p->cid)), NULL,
	    compose_need(mailmime_disposition_new_with_data(
	    MAILMIME_DISPOSITION_TYPE_INLINE, compose_need(strdup(p->filename)),
	    NULL, NULL, NULL, (size_t)-1)), NULL));

	return compose_need(mailmime_new(MAILMIME_SINGLE, NULL, 0, f,
	    compose_need(mailmime_content_new_with_str(p->type)),
	    compose_need(mailmime_data_new(MAILMIME_DATA_TEXT,
	    MAILMIME_MECHANISM_BASE64, 0, p->data, p->len, NULL)),
	    NULL, NULL, NULL, NULL, NULL));
}

int
compose_related_body(const char *text, const char *html,
    const struct compose_pic *pics, size_t n, uint64_t seed,
    const char *atom, struct buf *out, struct err *e)
{
	struct buf tq = BUF_INIT, hq = BUF_INIT;
	struct mailmime *alt, *rel;
	int rc;

	if (n == 0 || html == NULL)
		return compose_body_personal(text, html, seed, atom, out, e);
	if (text == NULL)
		return err_set(e, EX_DATAERR, "text is missing");
	if (compose_check_part("text", text, e) != 0 ||
	    compose_check_part("html", html, e) != 0)
		return -1;
	compose_qp_encode(text, strlen(text), atom, &tq);
	compose_qp_encode(html, strlen(html), atom, &hq);
	alt = compose_multipart("alternative", seed);
	compose_need_ok(mailmime_smart_add_part(alt,
	    compose_text_part("text/plain; charset=utf-8", &tq)));
	/* A boundary of its own: the seed's next step. */
	rel = compose_multipart("related; type=\"text/html\"",
	    compose_mix64(seed));
	compose_need_ok(mailmime_smart_add_part(rel,
	    compose_text_part("text/html; charset=utf-8", &hq)));
	for (size_t i = 0; i < n; i++)
		compose_need_ok(mailmime_smart_add_part(rel, pic_part(&pics[i])));
	compose_need_ok(mailmime_smart_add_part(alt, rel));
	rc = compose_write_body(alt, "the newsletter", out, e);
	buf_free(&tq);
	buf_free(&hq);
	return rc;
}
