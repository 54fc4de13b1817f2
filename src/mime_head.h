/*
 * mime_head - the header fields of one message, read into a struct
 * mime_msg with libetpan's IMF parser, and what mime.c needs to know of
 * a content type.  Private to the mime module.
 */
#ifndef KRING_MIME_HEAD_H
#define KRING_MIME_HEAD_H

#include <stdbool.h>
#include <stddef.h>

struct mailmime;
struct mailmime_content;
struct mime_msg;

/*
 * Fill m's header part (addresses, ids, subject, fields, content_type)
 * from buf[0..len), which libetpan reads up to the first line that is no
 * header field; m->flags tells what could not be read.
 */
void mime_head_read(const char *buf, size_t len, struct mime_msg *m);

/*
 * The address of a Return-Path value, newly allocated: "" for "<>",
 * NULL (and MIME_MALFORMED in *flags) when it cannot be read.
 */
char *mime_return_path(const char *value, int *flags);

/* ct's type as written ("text", "multipart", ...); "" when none. */
const char *mime_ct_type(const struct mailmime_content *ct);

/* ct is type/sub (case-insensitive; sub NULL: any subtype). */
bool mime_ct_is(const struct mailmime_content *ct, const char *type,
    const char *sub);

/* The part says Content-Disposition: attachment. */
bool mime_is_attachment(const struct mailmime *mm);

/* The part has a Content-ID (an inline picture of an HTML body). */
bool mime_has_id(const struct mailmime *mm);

/* ct is a multipart/report: note its report-type and whether it is a DSN. */
void mime_report(struct mime_msg *m, struct mailmime_content *ct);

#endif
