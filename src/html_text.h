/*
 * html_text - the text a person reads in an HTML mail body, so that the
 * command parser can read an HTML-only mail as it reads text/plain.
 *
 * Tags are dropped and the content of script, style, title and template
 * is skipped; character references are decoded (named ones common in
 * Dutch and English mail, and every numeric one); br, p, div, li, tr,
 * headings and the other block elements become line breaks, blockquote
 * lines get "> " as quoted text does; runs of white space collapse to
 * one space except inside pre.  Not a browser: broken markup gives some
 * text, never an error.  Pure, no library, no state.
 */
#ifndef KRING_HTML_TEXT_H
#define KRING_HTML_TEXT_H

#include <stddef.h>

struct buf;

/*
 * Append the text of html[0..len) (UTF-8) to out, lines ending in LF,
 * the last one too.  Writes no CR and no NUL; out's limit bounds the work.
 */
void html_text(const char *html, size_t len, struct buf *out);

#endif
