/* Unit tests for markdown: what a newsletter's HTML and text parts get. */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "check.h"
#include "err.h"
#include "markdown.h"

static const char *html_of(const char *src, struct buf *h)
{
	struct err e;

	buf_reset(h);
	CHECK(markdown_render(src, strlen(src), h, NULL, &e) == 0);
	return buf_str(h);
}

#define HAS(hay, needle) CHECKM(strstr((hay), (needle)) != NULL, needle)
#define HASNT(hay, needle) CHECKM(strstr((hay), (needle)) == NULL, needle)

static void
test_html(void)
{
	struct buf h = BUF_INIT;
	const char *out;

	out = html_of("# Nieuwsbrief november\n\n## CoP Kinderopvang\n\n"
	    "Een *mooie* maand met **veel** nieuws.\n\n"
	    "- één\n- twee\n\n1. eerst\n2. dan\n\n"
	    "[Meer lezen](https://example.org/nieuws?a=1&b=2)\n", &h);
	HAS(out, "<h1>Nieuwsbrief november</h1>");
	HAS(out, "<h2>CoP Kinderopvang</h2>");
	HAS(out, "<em>mooie</em>");
	HAS(out, "<strong>veel</strong>");
	HAS(out, "<li>één</li>");
	HAS(out, "<ol>");
	HAS(out, "<a href=\"https://example.org/nieuws?a=1&amp;b=2\">Meer lezen</a>");
	/* Typography: zo'n, quotes, dashes. */
	out = html_of("Zo'n \"mooie\" dag -- echt.\n", &h);
	HAS(out, "Zo\xe2\x80\x99n");
	HAS(out, "\xe2\x80\x9cmooie\xe2\x80\x9d");
	HAS(out, "\xe2\x80\x93");
	buf_free(&h);
}

static void
test_safe(void)
{
	struct buf h = BUF_INIT;
	const char *out;

	out = html_of("Hallo <script>alert(1)</script> daar\n\n"
	    "<div onclick=\"x()\">blok</div>\n\n"
	    "[klik](javascript:alert(1)) [data](data:text/html;base64,AAAA)\n"
	    "<img src=x onerror=alert(1)>\n", &h);
	HASNT(out, "<script");
	HASNT(out, "onclick");
	HASNT(out, "onerror");
	HASNT(out, "javascript:");
	HASNT(out, "data:text/html");
	HAS(out, "raw HTML omitted");
	/* Invalid UTF-8 is replaced, never passed on. */
	out = html_of("bad \xff\xfe bytes\n", &h);
	HAS(out, "\xef\xbf\xbd");
	HASNT(out, "\xff");
	buf_free(&h);
}

static void
test_text(void)
{
	struct buf t = BUF_INIT;
	struct err e;
	const char *src = "# Nieuws\n\nDit is een lange zin die over de "
	    "tweeënzeventig tekens heen gaat, zodat de tekstversie haar "
	    "moet afbreken op een woordgrens.\n\n[Lees](https://example.org/x)\n";
	const char *p, *nl;

	CHECK(markdown_render(src, strlen(src), NULL, &t, &e) == 0);
	HAS(buf_str(&t), "# Nieuws");
	HAS(buf_str(&t), "https://example.org/x");
	/* No line over MARKDOWN_WIDTH columns (each é is one column). */
	for (p = buf_str(&t); *p != '\0'; p = nl + 1) {
		size_t cols = 0;

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		for (const char *q = p; q < nl; q++)
			cols += ((unsigned char)*q & 0xc0) != 0x80;
		CHECK(cols <= MARKDOWN_WIDTH);
		if (*nl == '\0')
			break;
	}
	buf_free(&t);
}

static void
test_limits(void)
{
	struct buf h = BUF_INIT;
	struct err e;
	char *big = malloc(MARKDOWN_MAX + 2);

	memset(big, 'a', MARKDOWN_MAX + 1);
	big[MARKDOWN_MAX + 1] = '\0';
	CHECK(markdown_render(big, MARKDOWN_MAX + 1, &h, NULL, &e) == -1);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK(markdown_render("a\0b", 3, &h, NULL, &e) == -1);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK(strstr(e.msg, "offset 1") != NULL);
	CHECK_INT(h.len, 0);
	/* Deep nesting is rendered, not a crash. */
	memset(big, '>', 100000);
	big[100000] = ' ';
	big[100001] = 'x';
	CHECK(markdown_render(big, 100002, &h, NULL, &e) == 0);
	memset(big, '[', 100000);
	CHECK(markdown_render(big, 100000, &h, NULL, &e) == 0);
	free(big);
	buf_free(&h);
}

/* Each picture's url and alt as seen; the first moves to "cid:one". */
struct seen {
	struct buf log;
	int n;
	bool fail;
};

static int
picture(void *arg, const struct markdown_image *img, char **src,
    struct err *e)
{
	struct seen *s = arg;

	buf_printf(&s->log, "%d|%s|%s|", img->line, img->url, img->alt);
	if (s->fail)
		return err_set(e, EX_DATAERR, "line %d: no", img->line);
	*src = s->n++ == 0 ? strdup("cid:one") : NULL;
	return 0;
}

static void
test_images(void)
{
	struct seen s = { BUF_INIT, 0, false };
	struct buf h = BUF_INIT, t = BUF_INIT;
	struct err e;
	const char *src = "# Kop\n\nTekst ![Foto van de *Doen*-Dag](doendag.jpg)\n\n"
	    "![](https://example.org/x.png) en KRINGPICTUREMARK9Z blijft.\n";

	CHECK(markdown_render_images(src, strlen(src), picture, &s, "afbeelding",
	    &h, &t, &e) == 0);
	CHECK_STR(buf_str(&s.log), "3|doendag.jpg|Foto van de Doen-Dag|"
	    "5|https://example.org/x.png||");
	CHECK(strstr(buf_str(&h), "<img src=\"cid:one\" alt=\"Foto van de "
	    "Doen-Dag\" />") != NULL);
	CHECK(strstr(buf_str(&h), "src=\"https://example.org/x.png\"") != NULL);
	CHECK(strstr(buf_str(&t), "Tekst [afbeelding: Foto van de Doen-Dag]\n")
	    != NULL);
	CHECK(strstr(buf_str(&t), "[afbeelding: ] en KRINGPICTUREMARK9Z "
	    "blijft.") != NULL);
	CHECK(strstr(buf_str(&t), "doendag.jpg") == NULL);
	/* The caller's refusal stops the rendering with its error. */
	buf_reset(&h);
	buf_reset(&t);
	s.fail = true;
	CHECK(markdown_render_images(src, strlen(src), picture, &s, "image",
	    &h, &t, &e) == -1);
	CHECK_STR(e.msg, "line 3: no");
	CHECK_INT(e.ex, EX_DATAERR);
	buf_free(&s.log);
	buf_free(&h);
	buf_free(&t);
}

int
main(void)
{
	test_html();
	test_safe();
	test_text();
	test_limits();
	test_images();
	return check_done();
}
