/*
 * markdown - CommonMark to HTML and text with cmark (see markdown.h).
 */
#include "autoconf.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sysexits.h>

#include "buf.h"
#include "err.h"
#include "markdown.h"
#include "xmem.h"

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

/* The pictures of a document, found before any is changed. */
static size_t
images(cmark_node *doc, cmark_node ***out)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	size_t n = 0, cap = 0;

	*out = NULL;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);

		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(node) != CMARK_NODE_IMAGE)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[n++] = node;
	}
	cmark_iter_free(it);
	return n;
}

/* A picture's description: the text inside its brackets. */
static void
alt_text(cmark_node *img, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(img);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
			buf_puts(out, cmark_node_get_literal(node));
		else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			buf_putc(out, ' ');
	}
	cmark_iter_free(it);
}

/* The line a picture is on: inlines may not know it, their block does. */
static int
line_of(cmark_node *node)
{
	for (; node != NULL; node = cmark_node_parent(node))
		if (cmark_node_get_start_line(node) > 0)
			return cmark_node_get_start_line(node);
	return 0;
}

/*
 * The text part names each picture with a marker the CommonMark writer
 * leaves alone (it would escape brackets), put right afterwards.
 */
#define MARK "KRINGPICTUREMARK"

static void
unmark(const char *s, const char *label, char **alts, size_t n,
    struct buf *out)
{
	const char *p = s, *hit;

	while ((hit = strstr(p, MARK)) != NULL) {
		char *end;
		unsigned long k = strtoul(hit + strlen(MARK), &end, 10);

		buf_add(out, p, (size_t)(hit - p));
		if (*end == 'Z' && k < n) {
			buf_printf(out, "[%s: %s]", label, alts[k]);
			p = end + 1;
		} else {
			buf_puts(out, MARK);
			p = hit + strlen(MARK);
		}
	}
	buf_puts(out, p);
}

int
markdown_render_images(const char *src, size_t len, markdown_image_fn *fn,
    void *arg, const char *label, struct buf *html, struct buf *text,
    struct err *e)
{
	cmark_node *doc, **imgs;
	struct buf alt = BUF_INIT, raw = BUF_INIT;
	char **alts;
	size_t n;
	int rc = 0;

	if (len > MARKDOWN_MAX)
		return err_set(e, EX_DATAERR, "markdown: over %d KiB",
		    MARKDOWN_MAX / 1024);
	if (memchr(src, '\0', len) != NULL)
		return markdown_render(src, len, html, text, e);
	if ((doc = cmark_parse_document(src, len, OPTIONS)) == NULL)
		return err_set(e, EX_OSERR, "markdown: out of memory");
	n = images(doc, &imgs);
	alts = xcalloc(n ? n : 1, sizeof(*alts));
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct markdown_image mi;
		char *to = NULL;

		buf_reset(&alt);
		alt_text(imgs[i], &alt);
		alts[i] = xstrdup(buf_str(&alt));
		mi.url = cmark_node_get_url(imgs[i]);
		mi.url = mi.url ? mi.url : "";
		mi.alt = alts[i];
		mi.line = line_of(imgs[i]);
		rc = fn(arg, &mi, &to, e);
		if (rc == 0 && to != NULL && !cmark_node_set_url(imgs[i], to))
			rc = err_set(e, EX_OSERR, "markdown: out of memory");
		free(to);
	}
	if (rc == 0 && html != NULL)
		rc = append(html, cmark_render_html(doc, OPTIONS), e);
	for (size_t i = 0; rc == 0 && text != NULL && i < n; i++) {
		cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
		char mark[64];

		snprintf(mark, sizeof(mark), MARK "%zuZ", i);
		if (t == NULL || !cmark_node_set_literal(t, mark) ||
		    !cmark_node_replace(imgs[i], t)) {
			rc = err_set(e, EX_OSERR, "markdown: out of memory");
			break;
		}
		cmark_node_free(imgs[i]);
	}
	if (rc == 0 && text != NULL &&
	    (rc = append(&raw, cmark_render_commonmark(doc, OPTIONS,
	    MARKDOWN_WIDTH), e)) == 0)
		unmark(buf_str(&raw), label, alts, n, text);
	for (size_t i = 0; i < n; i++)
		free(alts[i]);
	free(alts);
	free(imgs);
	buf_free(&alt);
	buf_free(&raw);
	cmark_node_free(doc);
	return rc;
}
