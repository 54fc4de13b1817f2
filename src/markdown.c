/*
 * markdown - CommonMark to HTML and text with cmark (see markdown.h).
 */
#include "autoconf.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "err.h"
#include "markdown.h"

/* CMARK_OPT_UNSAFE is never set: safe mode is cmark's default. */
#define OPTIONS (CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART)

static int
append(struct buf *out, char *s, struct err *e)
{
	if (s == NULL)
		return err_set(e, EX_OSERR, "markdown: out of memory");
	buf_puts(out, s);
	free(s);
	return 0;
}

int
markdown_render(const char *src, size_t len, struct buf *html,
    struct buf *text, struct err *e)
{
	cmark_node *doc;
	int rc = 0;

	if (len > MARKDOWN_MAX)
		return err_set(e, EX_DATAERR, "markdown: over %d KiB",
		    MARKDOWN_MAX / 1024);
	if (memchr(src, '\0', len) != NULL)
		return err_set(e, EX_DATAERR, "markdown: a NUL byte at offset "
		    "%zu", (size_t)((const char *)memchr(src, '\0', len) - src));
	if ((doc = cmark_parse_document(src, len, OPTIONS)) == NULL)
		return err_set(e, EX_OSERR, "markdown: out of memory");
	if (html != NULL)
		rc = append(html, cmark_render_html(doc, OPTIONS), e);
	if (rc == 0 && text != NULL)
		rc = append(text, cmark_render_commonmark(doc, OPTIONS,
		    MARKDOWN_WIDTH), e);
	cmark_node_free(doc);
	return rc;
}
