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

/* A picture in the Markdown, as the source names it. */
struct markdown_image {
	const char *url;             /* as written, entities and escapes undone */
	const char *alt;             /* its description, plain text */
	int line;                    /* 1-based line of the source */
};

/*
 * Called for each picture, in order.  Sets *src to a new address for
 * the HTML (malloc'd; the caller frees it) or leaves it NULL to keep
 * the picture's own.  0, or -1 and e to stop the rendering.
 */
typedef int markdown_image_fn(void *arg, const struct markdown_image *img,
    char **src, struct err *e);

/*
 * markdown_render, with fn deciding where each picture's HTML points,
 * and each picture written in the text part as "[LABEL: ALT]" (label
 * e.g. "afbeelding").  fn's error is returned as it is.
 */
int markdown_render_images(const char *src, size_t len, markdown_image_fn *fn,
    void *arg, const char *label, struct buf *html, struct buf *text,
    struct err *e);

#endif
