/*
 * mime_attach - the files attached to a stored message, as the archive
 * offers them for download: each one's name, type and size, and the
 * decoded bytes of one.
 *
 * An attachment is what mime.h counts as one (a part marked
 * attachment, or a single part that is neither the text nor an inline
 * picture), of single parts only: a forwarded message is not offered.
 * Names are decoded (RFC 2047/2231 as libetpan reads them) and made
 * safe: no path, no control characters, "bijlage" when none is left.
 * Types are "type/subtype" of [a-z0-9.+-], else
 * application/octet-stream.  At most MIME_MAX_PARTS are listed.
 */
#ifndef KRING_MIME_ATTACH_H
#define KRING_MIME_ATTACH_H

#include <stddef.h>

struct buf;

struct mime_file {
	char *name;
	char *type;
	size_t size;              /* decoded */
};

/*
 * The attachments of raw (len bytes) in *out (free with
 * mime_files_free), and, when want < *n, the decoded bytes of
 * attachment want appended to data (may be NULL otherwise).  0, or -1
 * when memory runs out.  A message that cannot be read has none.
 */
int mime_files(const char *raw, size_t len, size_t want, struct buf *data,
    struct mime_file **out, size_t *n);
void mime_files_free(struct mime_file *f, size_t n);

#endif
