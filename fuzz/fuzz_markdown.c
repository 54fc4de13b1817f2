/*
 * fuzz_markdown - a newsletter's Markdown to its HTML and text parts,
 * and the inline styles on cmark's tags.
 */
#include "autoconf.h"

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "html_inline.h"
#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf html = BUF_INIT, text = BUF_INIT, styled = BUF_INIT;
	struct err e;

	if (markdown_render((const char *)data, size, &html, &text, &e) == 0)
		html_inline_styles(buf_str(&html), &styled);
	buf_free(&html);
	buf_free(&text);
	buf_free(&styled);
	return 0;
}
