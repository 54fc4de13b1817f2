/*
 * html_inline - inline CSS for cmark's tags (see html_inline.h).
 *
 * The values suit a single column of at most 600 pixels on a white
 * background, in the system fonts every mail program has; sizes are in
 * pixels because Outlook's Word engine mishandles em and rem.
 */
#include "autoconf.h"

#include <string.h>

#include "buf.h"
#include "html_inline.h"

#define FONT "font-family:Helvetica,Arial,sans-serif;"
#define MONO "font-family:Menlo,Consolas,'Courier New',monospace;"
#define TEXT_COLOR "color:#1f2933;"

static const struct {
	const char *tag;
	const char *style;
} styles[] = {
	{ "h1", FONT TEXT_COLOR "font-size:26px;line-height:32px;"
	    "margin:0 0 16px 0;font-weight:bold;" },
	{ "h2", FONT TEXT_COLOR "font-size:21px;line-height:28px;"
	    "margin:28px 0 12px 0;font-weight:bold;" },
	{ "h3", FONT TEXT_COLOR "font-size:18px;line-height:24px;"
	    "margin:24px 0 8px 0;font-weight:bold;" },
	{ "h4", FONT TEXT_COLOR "font-size:16px;line-height:22px;"
	    "margin:20px 0 8px 0;font-weight:bold;" },
	{ "h5", FONT TEXT_COLOR "font-size:16px;line-height:22px;"
	    "margin:20px 0 8px 0;font-weight:bold;" },
	{ "h6", FONT TEXT_COLOR "font-size:16px;line-height:22px;"
	    "margin:20px 0 8px 0;font-weight:bold;" },
	{ "p", FONT TEXT_COLOR "font-size:16px;line-height:24px;"
	    "margin:0 0 16px 0;" },
	{ "ul", FONT TEXT_COLOR "margin:0 0 16px 0;padding:0 0 0 24px;" },
	{ "ol", FONT TEXT_COLOR "margin:0 0 16px 0;padding:0 0 0 24px;" },
	{ "li", FONT TEXT_COLOR "font-size:16px;line-height:24px;"
	    "margin:0 0 6px 0;" },
	{ "a", "color:#0b5cad;text-decoration:underline;" },
	{ "blockquote", "margin:0 0 16px 0;padding:4px 0 4px 16px;"
	    "border-left:4px solid #c8d3dd;color:#52606d;" },
	{ "pre", MONO "font-size:14px;line-height:20px;background:#f3f5f7;"
	    "padding:12px;margin:0 0 16px 0;white-space:pre-wrap;"
	    "word-wrap:break-word;" },
	{ "code", MONO "font-size:14px;background:#f3f5f7;" },
	{ "img", "max-width:100%;height:auto;border:0;display:block;" },
	{ "hr", "border:0;border-top:1px solid #d9e2ec;margin:24px 0;" },
};

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

void
html_inline_styles(const char *html, struct buf *out)
{
	const char *p = html, *lt;

	while ((lt = strchr(p, '<')) != NULL) {
		const char *name = lt + 1, *end = name;

		while (name_char(*end))
			end++;
		buf_add(out, p, (size_t)(end - p));
		p = end;
		/* Closing tags and comments start with / or !: no name here. */
		if (end == name || (*end != '>' && *end != ' ' && *end != '/'))
			continue;
		for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
			if (strlen(styles[i].tag) == (size_t)(end - name) &&
			    memcmp(styles[i].tag, name, (size_t)(end - name)) == 0) {
				buf_printf(out, " style=\"%s\"", styles[i].style);
				break;
			}
	}
	buf_puts(out, p);
}
