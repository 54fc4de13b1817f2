/*
 * markdown - the office writes newsletters in Markdown (CommonMark);
 * cmark turns them into the HTML part and a plain-text part.
 *
 * Safe by construction: raw HTML in the source is not passed through
 * and links with javascript:, vbscript:, file: or data: (other than
 * images) URLs are emptied (cmark's default safe mode), so a newsletter
 * cannot carry script or a form into a subscriber's mail program.
 * Invalid UTF-8 becomes U+FFFD; quotes and dashes are made typographic
 * ('zo'n' becomes 'zo’n').  The text part is the same document written
 * back as CommonMark at 72 columns: Markdown reads as plain text.
 */
#ifndef KRING_MARKDOWN_H
#define KRING_MARKDOWN_H

#include <stddef.h>

struct buf;
struct err;

#define MARKDOWN_MAX (1024 * 1024)   /* bytes of source */
#define MARKDOWN_WIDTH 72            /* columns of the text part */

/*
 * Append the HTML body fragment (no <html> or <body>) of src to html
 * and its text form to text; either may be NULL.  -1 with EX_DATAERR
 * for a source over MARKDOWN_MAX or holding a NUL byte, EX_OSERR when
 * cmark runs out of memory.
 */
int markdown_render(const char *src, size_t len, struct buf *html,
    struct buf *text, struct err *e);

#endif
