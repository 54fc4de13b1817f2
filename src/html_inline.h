/*
 * html_inline - the look of a newsletter's body, as inline CSS on the
 * tags cmark writes.
 *
 * Mail programs drop or ignore <style> blocks (Outlook, many webmails),
 * so every tag carries its own style attribute.  This works on cmark's
 * output only: in safe mode every "<" in it opens a tag cmark wrote
 * itself (text and attribute values are escaped, raw HTML is left out
 * as a comment), so finding the tags is not parsing untrusted HTML.
 */
#ifndef KRING_HTML_INLINE_H
#define KRING_HTML_INLINE_H

struct buf;

/* Append html with a style attribute added to each opening tag we style. */
void html_inline_styles(const char *html, struct buf *out);

#endif
