/*
 * fuzz_markdown - a newsletter's Markdown to its HTML and text parts,
 * and the inline styles on cmark's tags; and again with its pictures
 * given addresses of their own and named in the text part.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "html_inline.h"
#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every other picture moves, as the mail's cid: addresses do. */
static int
move(void *arg, const struct markdown_image *img, char **src, struct err *e)
{
	int *n = arg;

	(void)e;
	*src = (*n)++ % 2 ? NULL : strdup(img->url);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf html = BUF_INIT, text = BUF_INIT, styled = BUF_INIT;
	struct err e;
	int n = 0;

	if (markdown_render((const char *)data, size, &html, &text, &e) == 0)
		html_inline_styles(buf_str(&html), &styled);
	buf_reset(&html);
	buf_reset(&text);
	(void)markdown_render_images((const char *)data, size, move, &n,
	    "afbeelding", &html, &text, &e);
	buf_free(&html);
	buf_free(&text);
	buf_free(&styled);
	return 0;
}
