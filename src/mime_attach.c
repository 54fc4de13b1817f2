/*
 * mime_attach - attached files of a stored message (see mime_attach.h),
 * read with libetpan's MIME parser and part decoder.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "mime.h"
#include "mime_attach.h"
#include "mime_decode.h"
#include "mime_head.h"
#include "xmem.h"

#define NAME_MAX_BYTES 200

struct files {
	struct mime_file *f;
	size_t n, cap;
	size_t want;
	struct buf *data;
	int parts;
	bool nomem;
};

static bool
token_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(".+-", *s) == NULL)
			return false;
	return true;
}

static char *
type_of(const struct mailmime_content *ct)
{
	const char *t = mime_ct_type(ct);
	char *out;

	if (ct == NULL || !token_ok(t) || !token_ok(ct->ct_subtype))
		return xstrdup("application/octet-stream");
	out = xasprintf("%s/%s", t, ct->ct_subtype);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* The part's file name, decoded, without a path or controls. */
static char *
name_of(struct mailmime *mm)
{
	struct mailmime_single_fields sf;
	const char *raw;
	char *dec, *base, *out;
	int flags = 0;

	mailmime_single_fields_init(&sf, mm->mm_mime_fields,
	    mm->mm_content_type);
	raw = sf.fld_disposition_filename ? sf.fld_disposition_filename :
	    sf.fld_content_name;
	if (raw == NULL)
		return xstrdup("bijlage");
	dec = mime_decode_header(raw, &flags);
	base = strrchr(dec, '/');
	base = base ? base + 1 : dec;
	if (strrchr(base, '\\') != NULL)
		base = strrchr(base, '\\') + 1;
	for (char *p = base; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
			*p = '_';
	if (strlen(base) > NAME_MAX_BYTES)
		base[NAME_MAX_BYTES] = '\0';
	out = xstrdup(*base && strcmp(base, ".") && strcmp(base, "..") ?
	    base : "bijlage");
	free(dec);
	return out;
}

static bool
is_file(struct mailmime *mm)
{
	struct mailmime_content *ct = mm->mm_content_type;

	if (mime_is_attachment(mm))
		return true;
	if (mime_ct_is(ct, "text", "plain") || mime_ct_is(ct, "text", "html") ||
	    mime_ct_is(ct, "multipart", NULL) ||
	    mime_ct_is(ct, "message", "delivery-status"))
		return false;
	return !(mime_ct_is(ct, "image", NULL) && mime_has_id(mm));
}

static void
add(struct files *fs, struct mailmime *mm)
{
	const struct mailmime_data *d = mm->mm_data.mm_single;
	struct mime_file *f;
	char *dec = NULL;
	size_t declen = 0, at = 0;
	int r = MAILIMF_ERROR_PARSE;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 8;
		fs->f = xrealloc(fs->f, fs->cap * sizeof(*fs->f));
	}
	f = &fs->f[fs->n];
	memset(f, 0, sizeof(*f));
	if (d != NULL && d->dt_type == MAILMIME_DATA_TEXT)
		r = mailmime_part_parse(d->dt_data.dt_text.dt_data,
		    d->dt_data.dt_text.dt_length, &at, d->dt_encoding, &dec,
		    &declen);
	if (r == MAILIMF_ERROR_MEMORY) {
		fs->nomem = true;
		return;
	}
	f->name = name_of(mm);
	f->type = type_of(mm->mm_content_type);
	f->size = r == MAILIMF_NO_ERROR ? declen : 0;
	if (fs->n == fs->want && fs->data != NULL && r == MAILIMF_NO_ERROR)
		buf_add(fs->data, dec, declen);
	if (r == MAILIMF_NO_ERROR)
		mmap_string_unref(dec);
	fs->n++;
}

static void
walk(struct files *fs, struct mailmime *mm, int depth)
{
	if (++fs->parts > MIME_MAX_PARTS || fs->nomem)
		return;
	if (mm->mm_type == MAILMIME_MULTIPLE && depth < MIME_MAX_DEPTH) {
		for (clistiter *it = clist_begin(
		    mm->mm_data.mm_multipart.mm_mp_list); it != NULL;
		    it = clist_next(it))
			walk(fs, clist_content(it), depth + 1);
	} else if (mm->mm_type == MAILMIME_SINGLE && is_file(mm)) {
		add(fs, mm);
	}
}

int
mime_files(const char *raw, size_t len, size_t want, struct buf *data,
    struct mime_file **out, size_t *n)
{
	struct files fs = { NULL, 0, 0, want, data, 0, false };
	struct mailmime *top = NULL;
	char *copy;
	size_t copylen, at = 0;
	int flags = 0;

	*out = NULL;
	*n = 0;
	if (mime_parse_copy(raw, len, &copy, &copylen, &flags) != 0)
		return 0;
	if (mailmime_parse(copy, copylen, &at, &top) == MAILIMF_NO_ERROR) {
		if (top->mm_type == MAILMIME_MESSAGE &&
		    top->mm_data.mm_message.mm_msg_mime != NULL)
			walk(&fs, top->mm_data.mm_message.mm_msg_mime, 0);
		mailmime_free(top);
	}
	free(copy);
	if (fs.nomem) {
		mime_files_free(fs.f, fs.n);
		return -1;
	}
	*out = fs.f;
	*n = fs.n;
	return 0;
}

void
mime_files_free(struct mime_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].type);
	}
	free(f);
}
