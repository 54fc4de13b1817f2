/*
 * Unit tests for render: the shipped templates load and render in both
 * languages; a site directory holding one test template at a time
 * drives the syntax, escaping, lookup and error cases through the
 * public interface.  With -v every shipped template is printed as
 * rendered, for reading the texts.
 */
#include "autoconf.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "err.h"
#include "model.h"
#include "render.h"
#include "utf8.h"
#include "xmem.h"

#define SHIPPED TESTDATADIR "/../../templates"
#define TOKEN "k3jd8f2mq7xw4vbn9c5tz6ry1a"

/* ---- helpers: files ---- */

static char *
new_dir(void)
{
	char tmpl[] = "/tmp/t_render.XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	return xstrdup(tmpl);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
drop_dir(char **dir)
{
	nftw(*dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	xfree(dir);
}

/* Write dir/rel (e.g. "nl/help.txt"), n bytes of s. */
static void
put_n(const char *dir, const char *rel, const char *s, size_t n)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	FILE *f;

	*slash = '\0';
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		perror(path);
		exit(99);
	}
	*slash = '/';
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	free(path);
}

static void
put(const char *dir, const char *rel, const char *s)
{
	put_n(dir, rel, s, strlen(s));
}

/* ---- helpers: values ---- */

static void
base_vars(struct render_vars *v)
{
	render_vars_set(v, "address", "metandereogen@example.org");
	render_vars_set(v, "local", "metandereogen");
	render_vars_set(v, "domain", "example.org");
	render_vars_set(v, "delimiter", "+");
	render_vars_set(v, "help_address", "metandereogen+help@example.org");
	render_vars_set(v, "person_address", "jan@example.nl");
	render_vars_set(v, "person_name", "Jan de Vries");
	render_vars_set(v, "site_name", "Met Andere Ogen");
	render_vars_set(v, "signature", "Programmabureau Met Andere Ogen");
}

static void
add_list(struct render_vars *v, const char *id, const char *name,
    const char *description, bool newsletter)
{
	struct render_vars *it = render_vars_item(v, "lists");

	render_vars_set(it, "id", id);
	render_vars_set(it, "name", name);
	render_vars_set(it, "description", description);
	render_vars_setf(it, "subscribe_address",
	    "metandereogen+%s-subscribe@example.org", id);
	render_vars_flag(it, "newsletter", newsletter);
}

static void
add_lists(struct render_vars *v)
{
	add_list(v, "nieuwsbrief", "Nieuwsbrief Met Andere Ogen",
	    "Elke maand het nieuws uit de regio's.", true);
	add_list(v, "cop-taal", "CoP Taal en Didactiek",
	    "Voor leraren en logopedisten die taalontwikkeling volgen.", false);
	add_list(v, "cop-zorg", "CoP Zorg en Onderwijs", "", false);
}

static void
add_sub(struct render_vars *v, const char *id, const char *name, bool digest,
    bool pending, bool disabled)
{
	struct render_vars *it = render_vars_item(v, "subscriptions");

	render_vars_set(it, "id", id);
	render_vars_set(it, "name", name);
	render_vars_setf(it, "unsubscribe_address",
	    "metandereogen+%s-unsubscribe@example.org", id);
	render_vars_flag(it, "digest", digest);
	render_vars_flag(it, "pending", pending);
	render_vars_flag(it, "disabled", disabled);
}

static void
add_subs(struct render_vars *v)
{
	add_sub(v, "nieuwsbrief", "Nieuwsbrief Met Andere Ogen", false, false, false);
	add_sub(v, "cop-taal", "CoP Taal en Didactiek", true, false, false);
	add_sub(v, "cop-zorg", "CoP Zorg en Onderwijs", false, true, false);
	add_sub(v, "cop-jeugd", "CoP Jeugdzorg", false, false, true);
}

/* Every outcome a command can have, each in a result of its own. */
static const char *const outcomes[] = {
	"subscribe_confirm_sent", "unsubscribe_confirm_sent",
	"unsubscribe_all_confirm_sent", "subscribed", "unsubscribed",
	"unsubscribed_all", "already_subscribed", "not_subscribed",
	"not_subscribed_any", "unknown_list", "confirm_unknown",
	"confirm_expired", "digest_on", "digest_off", "no_digest",
	"show_lists", "show_which", "show_help", "unknown_command",
};
#define NOUTCOMES (sizeof(outcomes) / sizeof(outcomes[0]))

static void
reply_vars(struct render_vars *v)
{
	for (size_t i = 0; i < NOUTCOMES; i++) {
		struct render_vars *r = render_vars_item(v, "results");

		render_vars_setf(r, "command", "command-%zu cop-taal", i);
		render_vars_set(r, "list_id", "cop-taal");
		render_vars_set(r, "list_name", "CoP Taal en Didactiek");
		render_vars_flag(r, "digest", i % 2 == 0);
		render_vars_flag(r, outcomes[i], true);
	}
	add_lists(v);
	add_subs(v);
	render_vars_flag(v, "too_many_commands", true);
	render_vars_set(v, "max_commands", "10");
}

static void
confirm_vars(struct render_vars *v, const char *action)
{
	render_vars_set(v, "token", TOKEN);
	render_vars_set(v, "confirm_address",
	    "metandereogen+confirm-" TOKEN "@example.org");
	render_vars_set(v, "confirm_url", "https://lists.example.org/c/" TOKEN);
	render_vars_set(v, "expires", "2026-12-01 14:05");
	render_vars_flag(v, action, true);
	render_vars_set(v, "list_id", "cop-taal");
	render_vars_set(v, "list_name", "CoP Taal en Didactiek");
	render_vars_set(v, "list_description",
	    "Voor leraren en logopedisten die taalontwikkeling volgen.");
	render_vars_flag(v, "digest", true);
	add_lists(v);
}

static void
welcome_vars(struct render_vars *v, bool newsletter)
{
	render_vars_set(v, "list_id", "cop-taal");
	render_vars_set(v, "list_name", "CoP Taal en Didactiek");
	render_vars_set(v, "list_description", "Over taal in de klas.");
	render_vars_flag(v, "digest", false);
	render_vars_flag(v, "newsletter", newsletter);
	render_vars_flag(v, "moderated", true);
	render_vars_set(v, "post_address",
	    newsletter ? "" : "metandereogen+cop-taal@example.org");
	render_vars_set(v, "unsubscribe_address",
	    "metandereogen+cop-taal-unsubscribe@example.org");
}

static void
newsletter_vars(struct render_vars *v)
{
	render_vars_set(v, "subject", "Nieuwsbrief december");
	render_vars_set(v, "list_id", "nieuwsbrief");
	render_vars_set(v, "list_name", "Nieuwsbrief Met Andere Ogen");
	render_vars_set(v, "list_description", "");
	render_vars_set(v, "text", "# December\n\nNieuws uit de regio’s.\n");
	render_vars_html(v, "content", "<h1>December</h1>\n"
	    "<p>Nieuws uit de regio’s &amp; <b>meer</b>.</p>\n");
	render_vars_set(v, "unsubscribe_address",
	    "metandereogen+nieuwsbrief-unsubscribe-" TOKEN "@example.org");
	render_vars_set(v, "unsubscribe_url", "https://lists.example.org/u/"
	    TOKEN);
	render_vars_set(v, "subscribe_address",
	    "metandereogen+nieuwsbrief-subscribe@example.org");
}

static void
digest_vars(struct render_vars *v)
{
	struct render_vars *it;

	render_vars_set(v, "list_id", "cop-taal");
	render_vars_set(v, "list_name", "CoP Taal en Didactiek");
	render_vars_set(v, "list_description", "Over taal in de klas.");
	render_vars_set(v, "volume", "2026");
	render_vars_set(v, "issue", "3");
	render_vars_set(v, "date", "2026-12-01");
	render_vars_set(v, "count", "2");
	it = render_vars_item(v, "posts");
	render_vars_set(it, "number", "1");
	render_vars_set(it, "subject", "Café & <overleg>");
	render_vars_set(it, "from_name", "Zoë de Wit");
	render_vars_set(it, "from_addr", "zoe@example.net");
	render_vars_set(it, "date", "2026-11-20 10:15");
	it = render_vars_item(v, "posts");
	render_vars_set(it, "number", "2");
	render_vars_set(it, "subject", "Te breed");
	render_vars_set(it, "from_name", "");
	render_vars_set(it, "from_addr", "bram@example.net");
	render_vars_set(it, "date", "2026-11-21 09:00");
	render_vars_flag(it, "left_out", true);
	render_vars_set(v, "waiting", "3");
	render_vars_set(v, "post_address", "metandereogen+cop-taal@example.org");
	render_vars_set(v, "unsubscribe_address",
	    "metandereogen+cop-taal-unsubscribe-PLACEHOLDER@example.org");
	render_vars_set(v, "unsubscribe_url",
	    "https://lijsten.example.org/u/PLACEHOLDER");
}

static void
digest_note_vars(struct render_vars *v)
{
	render_vars_set(v, "number", "2");
	render_vars_set(v, "subject", "Te breed");
	render_vars_set(v, "from_name", "");
	render_vars_set(v, "from_addr", "bram@example.net");
	render_vars_set(v, "date", "2026-11-21 09:00");
	render_vars_flag(v, "long_line", true);
	render_vars_set(v, "max_size", "8M");
}

/* A post to a list, for the post_* templates. */
static void
post_vars(struct render_vars *v)
{
	render_vars_set(v, "list_id", "cop-taal");
	render_vars_set(v, "list_name", "CoP Taal en Didactiek");
	render_vars_set(v, "post_address", "metandereogen+cop-taal@example.org");
	render_vars_set(v, "unsubscribe_address",
	    "metandereogen+cop-taal-unsubscribe@example.org");
	render_vars_set(v, "post_subject", "Leesplezier in groep 3 \xe2\x80\x93 tips?");
	render_vars_set(v, "reason", "Dit past beter bij de CoP Lezen.");
	render_vars_flag(v, "not_member", true);
	render_vars_flag(v, "closed", true);
}

/* The pages of the web endpoint, each a flag of web.html. */
static const char *const web_pages[] = {
	"ask_unsubscribe", "ask_subscribe", "ask_leave", "ask_leave_all",
	"unsubscribed", "left_all", "subscribed", "already", "unknown",
	"used", "expired", "busy", "failed", "bad_request", "not_found",
	"bad_method", "too_large", "too_many",
};
#define NWEB_PAGES (sizeof(web_pages) / sizeof(web_pages[0]))

/* web.html showing page (an ask_ page shows the form). */
static void
web_vars(struct render_vars *v, const char *page)
{
	render_vars_set(v, "person_address", "");
	render_vars_set(v, "person_name", "");
	for (size_t i = 0; i < NWEB_PAGES; i++)
		render_vars_flag(v, web_pages[i], strcmp(page, web_pages[i]) == 0);
	render_vars_flag(v, "ask", strncmp(page, "ask_", 4) == 0);
	render_vars_set(v, "form_name", "List-Unsubscribe");
	render_vars_set(v, "form_value", "One-Click");
	render_vars_set(v, "list_id", "cop-taal");
	render_vars_set(v, "list_name", "CoP Taal en Didactiek");
	render_vars_set(v, "list_description", "Over taal in de klas.");
	render_vars_flag(v, "digest", true);
	add_lists(v);
}

/* A letter for the office, after kring asked to confirm a subscription. */
static void
forward_vars(struct render_vars *v)
{
	struct render_vars *r;

	render_vars_set(v, "original_from", "anna@example.nl");
	render_vars_set(v, "original_name", "Anna de Vries");
	render_vars_set(v, "original_date", "Thu, 3 Dec 2026 09:14:00 +0100");
	render_vars_set(v, "original_subject", "Aanmelden en een vraag");
	render_vars_set(v, "original_text", "Graag aanmelden voor de "
	    "nieuwsbrief.\nKomt er ook een Doen-Dag in Zwolle?\n");
	render_vars_flag(v, "attachments", true);
	r = render_vars_item(v, "results");
	render_vars_set(r, "command", "Graag aanmelden voor de nieuwsbrief");
	render_vars_set(r, "list_id", "nieuwsbrief");
	render_vars_set(r, "list_name", "Nieuwsbrief Met Andere Ogen");
	render_vars_flag(r, "subscribe_confirm_sent", true);
}

/* The web version of a newsletter, or with archive its archive. */
static void
news_vars(struct render_vars *v, bool archive)
{
	struct render_vars *it;

	render_vars_set(v, "list_id", "nieuwsbrief");
	render_vars_set(v, "list_name", "Nieuwsbrief Met Andere Ogen");
	render_vars_set(v, "list_description", "Elke maand & gratis");
	render_vars_set(v, "subscribe_address",
	    "metandereogen+nieuwsbrief-subscribe@example.org");
	render_vars_set(v, "archive_url",
	    "https://lists.example.org/n/nieuwsbrief");
	render_vars_set(v, "feed_url",
	    "https://lists.example.org/n/nieuwsbrief/feed.xml");
	render_vars_flag(v, archive ? "archive" : "issue", true);
	render_vars_set(v, "subject", "December <nieuws>");
	render_vars_set(v, "date", "2026-12-01");
	render_vars_html(v, "content", "<h1>December</h1>\n<p>Nieuws.</p>\n");
	render_vars_list(v, "issues");
	it = render_vars_item(v, "issues");
	render_vars_set(it, "subject", "December <nieuws>");
	render_vars_set(it, "date", "2026-12-01");
	render_vars_set(it, "url", "https://lists.example.org/n/nieuwsbrief/7");
}

/* Realistic values for each shipped template. */
static struct render_vars *
vars_for(const char *name)
{
	struct render_vars *v = render_vars_new();

	base_vars(v);
	if (strcmp(name, "reply.txt") == 0)
		reply_vars(v);
	else if (strcmp(name, "confirm.txt") == 0)
		confirm_vars(v, "subscribe");
	else if (strcmp(name, "welcome.txt") == 0)
		welcome_vars(v, false);
	else if (strcmp(name, "goodbye.txt") == 0 || strcmp(name, "lists.txt") == 0)
		add_lists(v);
	else if (strcmp(name, "bounce_disabled.txt") == 0) {
		add_lists(v);
		render_vars_set(v, "bounces", "3");
	}
	else if (strcmp(name, "which.txt") == 0)
		add_subs(v);
	else if (strncmp(name, "newsletter.", 11) == 0)
		newsletter_vars(v);
	else if (strncmp(name, "digest.", 7) == 0)
		digest_vars(v);
	else if (strcmp(name, "digest_note.txt") == 0)
		digest_note_vars(v);
	else if (strncmp(name, "post_", 5) == 0)
		post_vars(v);
	else if (strcmp(name, "web.html") == 0)
		web_vars(v, "ask_unsubscribe");
	else if (strcmp(name, "forward.txt") == 0)
		forward_vars(v);
	else if (strcmp(name, "news.html") == 0)
		news_vars(v, false);
	else if (strcmp(name, "archive_post.txt") == 0) {
		render_vars_set(v, "number", "12");
		render_vars_set(v, "list_id", "jgz");
		render_vars_set(v, "list_name", "CoP Jeugdzorg");
		render_vars_set(v, "post_subject", "Thuiszitters in de regio");
	}
	return v;
}

/* ---- helpers: rendering ---- */

static struct render_set *
load(const char *override, const char *shipped)
{
	struct render_set *set = NULL;
	struct err e;

	err_clear(&e);
	if (render_set_load(override, shipped, &set, &e) != 0) {
		CHECKM(0, e.msg);
		return NULL;
	}
	return set;
}

/* The body (or Subject) as a malloc'd string, or NULL with e filled. */
static char *
run(const struct render_set *set, enum lang lang, const char *name,
    const struct render_vars *v, bool subject, struct err *e)
{
	struct buf b = BUF_INIT;
	int rc;

	err_clear(e);
	rc = subject ? render_subject(set, lang, name, v, &b, e) :
	    render(set, lang, name, v, &b, e);
	if (rc != 0) {
		CHECK_INT(b.len, 0);
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* The body, expecting success. */
static char *
body(const struct render_set *set, enum lang lang, const char *name,
    const struct render_vars *v)
{
	struct err e;
	char *s = run(set, lang, name, v, false, &e);

	CHECKM(s != NULL, e.msg);
	return s;
}

/*
 * Load with one site template of n bytes (SIZE_MAX: a string),
 * expecting failure: the error.
 */
static struct err
load_error(const char *rel, const char *content, size_t n)
{
	char *site = new_dir();
	struct render_set *set = NULL;
	struct err e;

	put_n(site, rel, content, n == SIZE_MAX ? strlen(content) : n);
	err_clear(&e);
	CHECKM(render_set_load(site, SHIPPED, &set, &e) == -1, rel);
	CHECK(set == NULL);
	drop_dir(&site);
	return e;
}

static bool
contains(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

/* ---- the shipped templates ---- */

static void
check_output(const char *label, const char *s)
{
	CHECKM(s != NULL && *s != '\0', label);
	if (s == NULL)
		return;
	CHECKM(strstr(s, "{{") == NULL && strstr(s, "}}") == NULL, label);
	CHECKM(strchr(s, '\r') == NULL, label);
	CHECKM(utf8_valid(s, strlen(s)), label);
	CHECKM(s[strlen(s) - 1] == '\n', label);
	CHECKM(strstr(s, "\n\n\n") == NULL, label);
}

static void
test_shipped_all(bool show)
{
	struct render_set *set = load(NULL, SHIPPED);
	const enum lang langs[] = { LANG_NL, LANG_EN };

	if (set == NULL)
		return;
	for (size_t li = 0; li < 2; li++) {
		for (size_t i = 0; render_template_name(i) != NULL; i++) {
			const char *name = render_template_name(i);
			struct render_vars *v = vars_for(name);
			char *label = xasprintf("%s/%s", lang_name(langs[li]), name);
			struct err e;
			char *subj = run(set, langs[li], name, v, true, &e);
			char *text = body(set, langs[li], name, v);

			check_output(label, text);
			if (subj != NULL) {
				CHECKM(*subj != '\0' && strchr(subj, '\n') == NULL, label);
				CHECKM(!contains(subj, "{{"), label);
			} else {
				CHECKM(e.ex == EX_SOFTWARE, label);    /* a part */
			}
			if (show)
				printf("==== %s\nSubject: %s\n\n%s", label,
				    subj ? subj : "(part)", text ? text : "(error)\n");
			free(label);
			free(subj);
			free(text);
			render_vars_free(&v);
			CHECK(v == NULL);
		}
	}
	render_set_free(&set);
	CHECK(set == NULL);
}

/* Both pages of news.html, escaped where they must be. */
static void
test_news_pages(void)
{
	struct render_set *set = load(NULL, SHIPPED);

	if (set == NULL)
		return;
	for (int a = 0; a < 2; a++) {
		struct render_vars *v = render_vars_new();
		char *html;

		base_vars(v);
		news_vars(v, a == 1);
		html = body(set, a ? LANG_EN : LANG_NL, "news.html", v);
		CHECK(contains(html, "December &lt;nieuws&gt;"));
		CHECK(!contains(html, "<nieuws>"));
		CHECK(!contains(html, "<script"));
		CHECK(contains(html, a ? "Past newsletters" : "<h1>December</h1>"));
		CHECK(a == 1 || !contains(html, "Past newsletters"));
		free(html);
		render_vars_free(&v);
	}
	render_set_free(&set);
}

/* HTML kring made itself goes in as it is; text values are escaped. */
static void
test_newsletter_html(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("newsletter.html");
	char *html, *text;

	if (set == NULL)
		return;
	render_vars_set(v, "subject", "<b>Tom & Jerry</b>");
	html = body(set, LANG_NL, "newsletter.html", v);
	text = body(set, LANG_NL, "newsletter.txt", v);
	CHECK(contains(html, "<p>Nieuws uit de regio’s &amp; <b>meer</b>.</p>"));
	CHECK(contains(html, "<title>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</title>"));
	CHECK(contains(html, "href=\"https://lists.example.org/u/" TOKEN "\""));
	CHECK(!contains(text, "<h1>"));
	CHECK(contains(text, "# December"));
	free(html);
	free(text);
	render_vars_free(&v);
	render_set_free(&set);
}

/*
 * Every page of web.html in both languages: one heading, the language
 * in the html element, the form only on the pages that ask, and every
 * value escaped.
 */
static void
test_web_pages(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	const enum lang langs[] = { LANG_NL, LANG_EN };

	if (set == NULL)
		return;
	for (size_t li = 0; li < 2; li++) {
		for (size_t i = 0; i < NWEB_PAGES; i++) {
			struct render_vars *v = vars_for("web.html");
			char *html, *label = xasprintf("%s/web.html %s",
			    lang_name(langs[li]), web_pages[i]);
			bool ask = strncmp(web_pages[i], "ask_", 4) == 0;
			const char *h1;

			web_vars(v, web_pages[i]);
			render_vars_set(v, "list_name", "<b>Tom & \"Jerry\"</b>");
			html = body(set, langs[li], "web.html", v);
			check_output(label, html);
			h1 = html ? strstr(html, "<h1>") : NULL;
			CHECKM(h1 != NULL && strstr(h1 + 1, "<h1>") == NULL, label);
			CHECKM(html && contains(html, langs[li] == LANG_NL ?
			    "<html lang=\"nl\">" : "<html lang=\"en\">"), label);
			CHECKM(html && contains(html, "<form method=\"post\">") == ask,
			    label);
			CHECKM(html && contains(html, "<input type=\"hidden\" "
			    "name=\"List-Unsubscribe\" value=\"One-Click\">") == ask,
			    label);
			CHECKM(html && !contains(html, "<b>Tom"), label);
			CHECKM(html && !contains(html, "<script"), label);
			free(html);
			free(label);
			render_vars_free(&v);
		}
	}
	render_set_free(&set);
}

static void
test_web_escaped(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("web.html");
	char *html;

	if (set == NULL)
		return;
	render_vars_set(v, "list_name", "<b>Tom & \"Jerry\"</b>");
	html = body(set, LANG_EN, "web.html", v);
	CHECK(contains(html, "<h1>Unsubscribe from &lt;b&gt;Tom &amp; "
	    "&quot;Jerry&quot;&lt;/b&gt;?</h1>"));
	free(html);
	render_vars_free(&v);
	render_set_free(&set);
}

static void
test_shipped_confirm(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("confirm.txt");
	struct err e;
	char *s;

	if (set == NULL)
		return;
	/* A plain reply must parse as the one confirm command (SPEC). */
	s = run(set, LANG_NL, "confirm.txt", v, true, &e);
	CHECK_STR(s, "bevestig " TOKEN);
	free(s);
	s = run(set, LANG_EN, "confirm.txt", v, true, &e);
	CHECK_STR(s, "confirm " TOKEN);
	free(s);
	for (size_t li = 0; li < 2; li++) {
		s = body(set, li ? LANG_EN : LANG_NL, "confirm.txt", v);
		CHECK(contains(s, "metandereogen+confirm-" TOKEN "@example.org"));
		CHECK(contains(s, "https://lists.example.org/c/" TOKEN));
		CHECK(contains(s, "2026-12-01 14:05"));
		CHECK(contains(s, "CoP Taal en Didactiek"));
		CHECK(!contains(s, "cop-zorg"));    /* lists only for unsubscribe_all */
		free(s);
	}
	/* Without a web endpoint the URL paragraph goes. */
	render_vars_set(v, "confirm_url", "");
	s = body(set, LANG_NL, "confirm.txt", v);
	CHECK(!contains(s, "https://"));
	check_output("confirm without url", s);
	free(s);
	render_vars_free(&v);
	v = vars_for("");
	confirm_vars(v, "unsubscribe_all");
	s = body(set, LANG_EN, "confirm.txt", v);
	CHECK(contains(s, "  - CoP Zorg en Onderwijs (cop-zorg)\n"));
	check_output("confirm unsubscribe_all", s);
	free(s);
	render_vars_free(&v);
	render_set_free(&set);
}

static void
test_shipped_reply(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("reply.txt");

	if (set == NULL)
		return;
	for (size_t li = 0; li < 2; li++) {
		char *s = body(set, li ? LANG_EN : LANG_NL, "reply.txt", v);

		for (size_t i = 0; i < NOUTCOMES; i++) {
			char want[64];

			snprintf(want, sizeof(want), "> command-%zu cop-taal\n\n", i);
			CHECKM(contains(s, want), want);
		}
		/* unknown_list and lists include lists.txt; which and help too. */
		CHECK(contains(s, "  cop-zorg\n"));
		CHECK(contains(s, "  cop-jeugd\n"));
		CHECK(contains(s, li ? "  unsubscribe LIST\n" : "  afmelden LIJST\n"));
		CHECK(contains(s, "Jan de Vries,"));
		CHECK(contains(s, "\n-- \n"));
		free(s);
	}
	/* A person without a name is greeted all the same. */
	render_vars_set(v, "person_name", "");
	{
		char *s = body(set, LANG_NL, "reply.txt", v);

		CHECK(strncmp(s, "Hallo,\n", 7) == 0);
		free(s);
	}
	render_vars_free(&v);
	render_set_free(&set);
}

static void
test_shipped_help(void)
{
	/* Every command word of SPEC, and the sub-addresses. */
	static const char *const nl[] = {
		"aanmelden LIJST", "aanmelden LIJST samenvatting", "inschrijven",
		"afmelden LIJST", "uitschrijven", "\"stop\"", "afmelden alles",
		"bevestig CODE", "samenvatting LIJST aan", "samenvatting LIJST uit",
		"overzicht", "lijsten", "status", "hulp",
		"metandereogen+LIJST-subscribe@example.org",
		"metandereogen+LIJST-unsubscribe@example.org",
		"metandereogen+help@example.org", "metandereogen+LIJST@example.org",
	};
	static const char *const en[] = {
		"subscribe LIST", "subscribe LIST digest", "unsubscribe LIST",
		"unsubscribe *", "confirm CODE", "digest LIST on", "digest LIST off",
		"  lists\n", "  which\n", "  help\n",
		"metandereogen+LIST-subscribe@example.org",
		"metandereogen+LIST-unsubscribe@example.org",
		"metandereogen+help@example.org", "metandereogen+LIST@example.org",
	};
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("help.txt");
	char *s;

	if (set == NULL)
		return;
	s = body(set, LANG_NL, "help.txt", v);
	for (size_t i = 0; i < sizeof(nl) / sizeof(nl[0]); i++)
		CHECKM(contains(s, nl[i]), nl[i]);
	free(s);
	s = body(set, LANG_EN, "help.txt", v);
	for (size_t i = 0; i < sizeof(en) / sizeof(en[0]); i++)
		CHECKM(contains(s, en[i]), en[i]);
	free(s);
	render_vars_free(&v);
	render_set_free(&set);
}

static void
test_shipped_which_and_welcome(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("which.txt");
	char *s;

	if (set == NULL)
		return;
	render_vars_list(v, "subscriptions");   /* already a list: kept */
	s = body(set, LANG_EN, "which.txt", v);
	CHECK(contains(s, "  cop-zorg\n      CoP Zorg en Onderwijs\n      Not confirmed"));
	CHECK(!contains(s, "not subscribed to any"));
	free(s);
	render_vars_free(&v);
	v = vars_for("");
	render_vars_list(v, "subscriptions");
	s = body(set, LANG_NL, "which.txt", v);
	CHECK(contains(s, "Je bent voor geen enkele lijst aangemeld."));
	free(s);
	render_vars_free(&v);

	v = vars_for("");
	welcome_vars(v, true);
	s = body(set, LANG_NL, "welcome.txt", v);
	CHECK(contains(s, "nieuwsbrief"));
	CHECK(!contains(s, "samenvatting"));
	CHECK(!contains(s, "metandereogen+cop-taal@"));
	check_output("welcome newsletter", s);
	free(s);
	render_vars_free(&v);
	render_set_free(&set);
}

static void
test_shipped_digest(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("digest.txt");
	struct err e;
	char *s;

	if (set == NULL)
		return;
	s = run(set, LANG_NL, "digest.txt", v, true, &e);
	CHECK_STR(s, "Samenvatting CoP Taal en Didactiek, jaargang 2026, "
	    "nummer 3");
	free(s);
	s = run(set, LANG_EN, "digest.txt", v, true, &e);
	CHECK_STR(s, "CoP Taal en Didactiek digest, volume 2026, issue 3");
	free(s);
	s = body(set, LANG_NL, "digest.txt", v);
	CHECK(contains(s, "1. Café & <overleg>\n   Zoë de Wit, 2026-11-20 10:15\n"));
	CHECK(contains(s, "2. Te breed\n   bram@example.net, 2026-11-21 09:00 "
	    "(niet opgenomen"));
	CHECK(contains(s, "de overige 3 komen in de volgende"));
	CHECK(contains(s, "\nmetandereogen+cop-taal-unsubscribe-PLACEHOLDER@"
	    "example.org\n"));
	CHECK(contains(s, "https://lijsten.example.org/u/PLACEHOLDER"));
	free(s);
	s = body(set, LANG_EN, "digest.html", v);
	CHECK(contains(s, "<strong>Café &amp; &lt;overleg&gt;</strong>"));
	CHECK(contains(s, "href=\"mailto:metandereogen+cop-taal-unsubscribe-"
	    "PLACEHOLDER@example.org\""));
	free(s);
	render_vars_set(v, "waiting", "");
	render_vars_set(v, "unsubscribe_url", "");
	s = body(set, LANG_EN, "digest.txt", v);
	CHECK(!contains(s, "waiting"));
	CHECK(!contains(s, "this page"));
	check_output("digest without waiting posts", s);
	free(s);
	render_vars_free(&v);
	v = vars_for("digest_note.txt");
	s = body(set, LANG_NL, "digest_note.txt", v);
	CHECK(contains(s, "\"Te breed\" van\n<bram@example.net>"));
	CHECK(contains(s, "998 tekens"));
	CHECK(!contains(s, "NUL"));
	free(s);
	render_vars_free(&v);
	render_set_free(&set);
}

/* ---- syntax ---- */

static void
test_substitution(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = vars_for("help.txt");
	char *s;

	put(site, "nl/help.txt",
	    "Hallo {{person_name}}, {{ address }}!\n"
	    "  {{! a comment, on a line of its own }}  \n"
	    "{{person_name}}{{person_name}} {{! inline }}end\n");
	set = load(site, SHIPPED);
	if (set != NULL) {
		s = body(set, LANG_NL, "help.txt", v);
		CHECK_STR(s, "Hallo Jan de Vries, metandereogen@example.org!\n"
		    "Jan de VriesJan de Vries end\n");
		free(s);
		/* Values are set again, not added. */
		render_vars_setf(v, "person_name", "%s-%d", "Piet", 7);
		s = body(set, LANG_NL, "help.txt", v);
		CHECK(contains(s, "Hallo Piet-7,"));
		free(s);
	}
	render_set_free(&set);
	render_vars_free(&v);
	drop_dir(&site);
}

static void
test_sections(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = render_vars_new();
	struct render_vars *it;
	char *s;

	put(site, "nl/lists.txt",
	    "{{#lists}}\n"
	    "- {{id}}: {{name}}{{#newsletter}} (n){{/newsletter}}\n"
	    "  {{/lists}}  \n"
	    "{{^lists}}\n"
	    "geen\n"
	    "{{/lists}}\n"
	    "[{{#person_name}}naam{{/person_name}}{{^person_name}}anoniem{{/person_name}}]\n");
	set = load(site, SHIPPED);
	if (set == NULL)
		goto out;
	/* Missing list and missing text: inverted sections render. */
	s = body(set, LANG_NL, "lists.txt", v);
	CHECK_STR(s, "geen\n[anoniem]\n");
	free(s);
	/* Empty list and empty text: the same. */
	render_vars_list(v, "lists");
	render_vars_set(v, "person_name", "");
	s = body(set, LANG_NL, "lists.txt", v);
	CHECK_STR(s, "geen\n[anoniem]\n");
	free(s);
	/* Items, each with its own fields; an unset flag is false. */
	it = render_vars_item(v, "lists");
	render_vars_set(it, "id", "a");
	render_vars_set(it, "name", "A");
	it = render_vars_item(v, "lists");
	render_vars_set(it, "id", "b");
	render_vars_set(it, "name", "B");
	render_vars_flag(it, "newsletter", true);
	render_vars_set(v, "person_name", "Jan");
	s = body(set, LANG_NL, "lists.txt", v);
	CHECK_STR(s, "- a: A\n- b: B (n)\n[naam]\n");
	free(s);
	/* A list set again as a flag is a flag, refused where a list is declared. */
	render_vars_list(v, "lists");
	render_vars_flag(v, "lists", false);
	CHECK(run(set, LANG_NL, "lists.txt", v, false, &(struct err){0}) == NULL);
out:
	render_set_free(&set);
	render_vars_free(&v);
	drop_dir(&site);
}

/* A name is found in the scope that declares it, and only there. */
static void
test_scopes(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = render_vars_new();
	struct render_vars *r, *sub;
	char *s;

	put(site, "nl/reply.txt",
	    "Subject: s\n\n"
	    "{{#results}}\n"
	    "{{#subscriptions}}\n"
	    "{{command}}/{{id}}:{{#digest}}D{{/digest}}{{^digest}}E{{/digest}}\n"
	    "{{/subscriptions}}\n"
	    "{{/results}}\n");
	set = load(site, SHIPPED);
	if (set == NULL)
		goto out;
	r = render_vars_item(v, "results");
	render_vars_set(r, "command", "c1");
	render_vars_flag(r, "digest", true);          /* must not leak inward */
	sub = render_vars_item(v, "subscriptions");
	render_vars_set(sub, "id", "x");
	sub = render_vars_item(v, "subscriptions");
	render_vars_set(sub, "id", "y");
	render_vars_flag(sub, "digest", true);
	s = body(set, LANG_NL, "reply.txt", v);
	CHECK_STR(s, "c1/x:E\nc1/y:D\n");
	free(s);
out:
	render_set_free(&set);
	render_vars_free(&v);
	drop_dir(&site);
}

static void
test_depth(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = vars_for("help.txt");
	struct err e;
	char *s;

	put(site, "nl/help.txt",
	    "{{#person_name}}{{#person_name}}{{#person_name}}{{#person_name}}"
	    "x{{/person_name}}{{/person_name}}{{/person_name}}{{/person_name}}\n");
	set = load(site, SHIPPED);
	if (set != NULL) {
		s = body(set, LANG_NL, "help.txt", v);
		CHECK_STR(s, "x\n");
		free(s);
	}
	render_set_free(&set);
	drop_dir(&site);

	e = load_error("nl/help.txt", "\n"
	    "{{#person_name}}{{#person_name}}{{#person_name}}{{#person_name}}"
	    "{{#person_name}}x{{/person_name}}{{/person_name}}{{/person_name}}"
	    "{{/person_name}}{{/person_name}}\n", SIZE_MAX);
	CHECK_INT(e.ex, EX_CONFIG);
	CHECKM(strncmp(e.msg, "template nl/help.txt line 2: sections nested "
	    "deeper than 4 (file ", 61) == 0, e.msg);
	render_vars_free(&v);
}

/* ---- escaping and UTF-8 ---- */

static char *
escaped(enum render_context cx, const char *in)
{
	struct buf b = BUF_INIT;

	render_escape(cx, in, &b);
	return buf_steal(&b);
}

static void
test_escape(void)
{
	static const struct {
		enum render_context cx;
		const char *in, *want;
	} c[] = {
		{ RENDER_TEXT, "a\r\nb\rc\nd\te", "a\nb\nc\nd\te" },
		{ RENDER_TEXT, "<b>&\"'</b>", "<b>&\"'</b>" },
		{ RENDER_HTML, "<a href=\"x\">Tom & Jerry's</a>",
		    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;" },
		{ RENDER_HTML, "a\r\nb", "a\nb" },
		{ RENDER_HEADER, "x\r\nBcc: evil@example.org",
		    "x  Bcc: evil@example.org" },
		{ RENDER_HEADER, "a\tb\x01" "c\x7f" "d\ne", "a b c d e" },
		{ RENDER_HEADER, "<&>", "<&>" },
		/* UTF-8 stays; what is not UTF-8 becomes U+FFFD. */
		{ RENDER_TEXT, "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80",
		    "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ RENDER_TEXT, "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ RENDER_HTML, "\xc3<", "\xef\xbf\xbd&lt;" },
		{ RENDER_HEADER, "\xed\xa0\x80", /* a surrogate */
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ RENDER_HEADER, "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ RENDER_TEXT, "", "" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *got = escaped(c[i].cx, c[i].in);

		CHECK_STR(got, c[i].want);
		free(got);
	}
}

/* Values through real templates: Subject in header, body in text. */
static void
test_contexts(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = vars_for("welcome.txt");
	struct buf long_name = BUF_INIT;
	struct err e;
	char *s;

	put(site, "nl/welcome.txt",
	    "Subject: Welkom bij {{list_name}}\n\n[{{list_name}}]\n");
	set = load(site, SHIPPED);
	if (set == NULL)
		goto out;
	render_vars_set(v, "list_name", "x\r\nBcc: evil@example.org");
	s = run(set, LANG_NL, "welcome.txt", v, true, &e);
	CHECK_STR(s, "Welkom bij x  Bcc: evil@example.org");
	CHECK(s != NULL && strpbrk(s, "\r\n") == NULL);
	free(s);
	s = body(set, LANG_NL, "welcome.txt", v);
	CHECK_STR(s, "[x\nBcc: evil@example.org]\n");
	free(s);
	/* The shipped English Subject, the same value. */
	s = run(set, LANG_EN, "welcome.txt", v, true, &e);
	CHECK_STR(s, "Welcome to x  Bcc: evil@example.org");
	free(s);

	render_vars_set(v, "list_name", "Caf\xc3\xa9 \xff");
	s = run(set, LANG_NL, "welcome.txt", v, true, &e);
	CHECK_STR(s, "Welkom bij Caf\xc3\xa9 \xef\xbf\xbd");
	free(s);

	/* A Subject over one header line is refused, not cut. */
	for (int i = 0; i < 1000; i++)
		buf_putc(&long_name, 'x');
	render_vars_set(v, "list_name", buf_str(&long_name));
	CHECK(run(set, LANG_NL, "welcome.txt", v, true, &e) == NULL);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECKM(contains(e.msg, "template nl/welcome.txt: the Subject is over 998"),
	    e.msg);
out:
	buf_free(&long_name);
	render_set_free(&set);
	render_vars_free(&v);
	drop_dir(&site);
}

/* A template saved on Windows: BOM, CRLF; a lone CR too. */
static void
test_line_ends(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = vars_for("reply.txt");
	struct err e;
	char *s;

	put(site, "en/reply.txt",
	    "\xef\xbb\xbfSubject: Hi {{person_name}}  \r\n\r\n"
	    "one\r\n{{#results}}\r\n- {{command}}\r\n{{/results}}\r\ntwo\rthree\r\n");
	set = load(site, SHIPPED);
	if (set != NULL) {
		s = run(set, LANG_EN, "reply.txt", v, true, &e);
		CHECK_STR(s, "Hi Jan de Vries");
		free(s);
		render_vars_list(v, "results");
		render_vars_set(render_vars_item(v, "results"), "command", "c");
		s = body(set, LANG_EN, "reply.txt", v);
		CHECK(s != NULL && strncmp(s, "one\n", 4) == 0);
		CHECK(contains(s, "two\nthree\n"));
		free(s);
	}
	render_set_free(&set);
	render_vars_free(&v);
	drop_dir(&site);
}

/* ---- lookup ---- */

static void
test_override(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = vars_for("help.txt");
	struct err e;
	char *s;

	put(site, "en/help.txt", "Site help for {{address}}\n");
	set = load(site, SHIPPED);
	if (set != NULL) {
		s = body(set, LANG_EN, "help.txt", v);
		CHECK_STR(s, "Site help for metandereogen@example.org\n");
		free(s);
		s = body(set, LANG_NL, "help.txt", v);   /* no site copy: shipped */
		CHECK(contains(s, "aanmelden LIJST"));
		free(s);
		/* A mail includes the site's part. */
		render_vars_free(&v);
		v = vars_for("");
		render_vars_flag(render_vars_item(v, "results"), "show_help", true);
		s = run(set, LANG_EN, "reply.txt", v, false, &e);
		CHECK(s == NULL);        /* the result has no command */
		CHECKM(contains(e.msg, "line 20: no value for {{command}}"), e.msg);
		render_vars_free(&v);
		v = vars_for("");
		{
			struct render_vars *r = render_vars_item(v, "results");

			render_vars_set(r, "command", "help");
			render_vars_flag(r, "show_help", true);
		}
		s = body(set, LANG_EN, "reply.txt", v);
		CHECK(contains(s, "> help\n\nSite help for metandereogen@example.org\n"));
		free(s);
	}
	render_set_free(&set);
	render_vars_free(&v);
	/* The same directory as override and as shipped is fine. */
	set = load(SHIPPED, SHIPPED);
	CHECK(set != NULL);
	render_set_free(&set);
	set = load("", SHIPPED);
	CHECK(set != NULL);
	render_set_free(&set);
	drop_dir(&site);
}

static void
test_missing(void)
{
	char *site = new_dir(), *empty = new_dir(), *want;
	struct render_set *set = NULL;
	struct err e;

	err_clear(&e);
	CHECK(render_set_load(NULL, empty, &set, &e) == -1);
	CHECK(set == NULL);
	CHECK_INT(e.ex, EX_NOINPUT);
	want = xasprintf("template nl/reply.txt: not found in %s/nl", empty);
	CHECK_STR(e.msg, want);
	free(want);

	/* Everything but one file, which neither directory has. */
	put(site, "en/which.txt", "x\n");
	err_clear(&e);
	CHECK(render_set_load(site, empty, &set, &e) == -1);
	want = xasprintf("template nl/reply.txt: not found in %s/nl or %s/nl",
	    site, empty);
	CHECK_STR(e.msg, want);
	free(want);

	/* The site directory must exist when it is named. */
	err_clear(&e);
	CHECK(render_set_load("/nonexistent/kring", SHIPPED, &set, &e) == -1);
	CHECK_INT(e.ex, EX_NOINPUT);
	CHECK_STR(e.msg, "templates directory /nonexistent/kring: No such file "
	    "or directory");

	/* A site copy that is there but cannot be read is not skipped. */
	put(site, "nl/lists.txt", "x\n");
	want = xasprintf("%s/nl/lists.txt", site);
	if (chmod(want, 0) == 0 && access(want, R_OK) != 0) {
		err_clear(&e);
		CHECK(render_set_load(site, SHIPPED, &set, &e) == -1);
		CHECK_INT(e.ex, EX_NOINPUT);
		CHECKM(strncmp(e.msg, "template nl/lists.txt: ", 23) == 0, e.msg);
	}
	chmod(want, 0600);
	free(want);
	/* A directory where a template should be. */
	want = xasprintf("%s/en/goodbye.txt", site);
	CHECK(mkdir(want, 0700) == 0);
	free(want);
	err_clear(&e);
	CHECK(render_set_load(site, SHIPPED, &set, &e) == -1);
	CHECK(e.ex == EX_NOINPUT);
	CHECKM(contains(e.msg, "not a regular file"), e.msg);
	/* A FIFO neither hangs the load nor passes for a template. */
	want = xasprintf("%s/en/welcome.txt", site);
	CHECK(mkfifo(want, 0600) == 0);
	free(want);
	want = xasprintf("%s/en/goodbye.txt", site);
	CHECK(rmdir(want) == 0);
	free(want);
	err_clear(&e);
	CHECK(render_set_load(site, SHIPPED, &set, &e) == -1);
	CHECKM(contains(e.msg, "template en/welcome.txt: not a regular file"), e.msg);
	drop_dir(&site);
	drop_dir(&empty);
}

/* ---- load errors ---- */

static void
test_unknown_variable(void)
{
	char *site = new_dir(), *want;
	struct render_set *set = NULL;
	struct err e;

	put(site, "nl/confirm.txt", "Subject: bevestig {{token}}\n\n{{foo}}\n");
	err_clear(&e);
	CHECK(render_set_load(site, SHIPPED, &set, &e) == -1);
	CHECK_INT(e.ex, EX_CONFIG);
	want = xasprintf("template nl/confirm.txt line 3: unknown variable {{foo}} "
	    "(file %s/nl/confirm.txt)", site);
	CHECK_STR(e.msg, want);
	free(want);
	drop_dir(&site);
}

/* One bad site template at a time: the message after "template X". */
static void
test_load_errors(void)
{
	static const struct {
		const char *rel, *text, *want;
	} c[] = {
		{ "nl/confirm.txt", "Subject: {{bar}}\n\n",
		    "nl/confirm.txt line 1: unknown variable {{bar}}" },
		{ "nl/confirm.txt", "Subject: x\n\n{{#foo}}x{{/foo}}\n",
		    "nl/confirm.txt line 3: unknown variable {{#foo}}" },
		{ "en/lists.txt", "a\n\n{{^nope}}{{/nope}}",
		    "en/lists.txt line 3: unknown variable {{^nope}}" },
		/* Item fields exist only inside their list. */
		{ "nl/lists.txt", "{{#lists}}{{/lists}}\n{{id}}\n",
		    "nl/lists.txt line 2: unknown variable {{id}}" },
		{ "nl/which.txt", "{{#subscriptions}}{{description}}{{/subscriptions}}",
		    "nl/which.txt line 1: unknown variable {{description}}" },
		{ "nl/lists.txt", "{{#lists}}\nx\n",
		    "nl/lists.txt line 1: {{#lists}} is not closed" },
		{ "nl/lists.txt", "{{#lists}}\n{{^person_name}}\n{{/lists}}\n",
		    "nl/lists.txt line 3: {{/lists}} does not close "
		    "{{^person_name}} of line 2" },
		{ "nl/lists.txt", "a\n{{/lists}}\n",
		    "nl/lists.txt line 2: {{/lists}} closes no section" },
		{ "nl/lists.txt", "\n\nx {{address\n}}\n",
		    "nl/lists.txt line 3: {{ without }}" },
		{ "nl/lists.txt", "x {{address}", "nl/lists.txt line 1: {{ without }}" },
		{ "nl/lists.txt", "{{Address}}", "nl/lists.txt line 1: bad tag {{Address}}" },
		{ "nl/lists.txt", "{{a b}}", "nl/lists.txt line 1: bad tag {{a b}}" },
		{ "nl/lists.txt", "{{}}", "nl/lists.txt line 1: bad tag {{}}" },
		{ "nl/lists.txt", "{{{address}}}",
		    "nl/lists.txt line 1: bad tag {{{address}}" },
		{ "nl/lists.txt", "{{#}}", "nl/lists.txt line 1: bad tag {{#}}" },
		{ "nl/lists.txt", "{{lists}}", "nl/lists.txt line 1: {{lists}} is a "
		    "list: use {{#lists}}...{{/lists}}" },
		{ "nl/reply.txt", "Subject: x\n\n{{#results}}{{subscribed}}{{/results}}",
		    "nl/reply.txt line 3: {{subscribed}} is a flag: use "
		    "{{#subscribed}}...{{/subscribed}}" },
		{ "nl/reply.txt", "Subject: x\n\n{{>nothing.txt}}\n",
		    "nl/reply.txt line 3: {{>nothing.txt}}: no such template" },
		{ "nl/reply.txt", "Subject: x\n\n{{>confirm.txt}}\n",
		    "nl/reply.txt line 3: {{>confirm.txt}}: a mail, only parts can "
		    "be included" },
		{ "nl/help.txt", "{{>lists.txt}}\n",
		    "nl/help.txt line 1: {{>lists.txt}}: a part cannot include "
		    "another template" },
		{ "nl/reply.txt", "Subject: {{>help.txt}}\n\n",
		    "nl/reply.txt line 1: {{>help.txt}} in the Subject line" },
		{ "nl/reply.txt", "Hallo\n", "nl/reply.txt line 1: a mail template "
		    "starts with a \"Subject: ...\" line" },
		{ "nl/reply.txt", "Subject: x\nbody\n", "nl/reply.txt line 2: the "
		    "Subject line must be followed by an empty line" },
		{ "nl/reply.txt", "Subject: x", "nl/reply.txt line 2: the "
		    "Subject line must be followed by an empty line" },
		{ "nl/reply.txt", "Subject:  \n\n", "nl/reply.txt line 1: empty Subject" },
		{ "en/help.txt", "Subject: x\n\nbody\n", "en/help.txt line 1: a part "
		    "has no Subject line: it is shown inside another mail" },
		{ "nl/newsletter.txt", "Subject: x\n\n{{content}}\n",
		    "nl/newsletter.txt line 3: {{content}} is HTML: only .html "
		    "templates may use it" },
		{ "nl/help.txt", "ok\n\xff\n", "nl/help.txt line 2: not UTF-8" },
		{ "nl/help.txt", "ok\n\xe2\x82\n", "nl/help.txt line 2: not UTF-8" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct err e = load_error(c[i].rel, c[i].text, SIZE_MAX);
		char *want = xasprintf("template %s (", c[i].want);

		CHECKM(e.ex == EX_CONFIG, c[i].want);
		CHECKM(strncmp(e.msg, want, strlen(want)) == 0, e.msg);
		CHECKM(contains(e.msg, " (file /tmp/t_render."), e.msg);
		free(want);
	}
}

static void
test_load_limits(void)
{
	struct buf big = BUF_INIT;
	struct err e;

	e = load_error("nl/help.txt", "ok\n\0\n", 5);
	CHECK_INT(e.ex, EX_CONFIG);
	CHECKM(strncmp(e.msg, "template nl/help.txt line 2: a NUL byte", 39) == 0,
	    e.msg);
	for (size_t i = 0; i <= RENDER_TEMPLATE_MAX; i++)
		buf_putc(&big, 'x');
	e = load_error("nl/help.txt", big.data, big.len);
	CHECK_INT(e.ex, EX_CONFIG);
	CHECKM(strncmp(e.msg, "template nl/help.txt: over 64 KiB (file ", 40) == 0,
	    e.msg);
	buf_free(&big);
}

/* ---- render errors: the caller's mistakes ---- */

static void
test_render_errors(void)
{
	char *site = new_dir();
	struct render_set *set;
	struct render_vars *v = render_vars_new();
	struct buf b = BUF_INIT;
	struct err e;

	put(site, "nl/help.txt", "\n{{person_name}}\n");
	set = load(site, SHIPPED);
	if (set == NULL)
		goto out;
	CHECK(run(set, LANG_NL, "help.txt", v, false, &e) == NULL);
	CHECK_INT(e.ex, EX_SOFTWARE);
	CHECKM(strncmp(e.msg, "template nl/help.txt line 2: no value for "
	    "{{person_name}} (file ", 62) == 0, e.msg);

	render_vars_flag(v, "person_name", true);
	CHECK(run(set, LANG_NL, "help.txt", v, false, &e) == NULL);
	CHECKM(contains(e.msg, "{{person_name}} is given as a flag, declared as "
	    "text"), e.msg);

	render_vars_set(v, "person_name", "Jan");
	CHECK(run(set, LANG_NL, "nope.txt", v, false, &e) == NULL);
	CHECK_INT(e.ex, EX_SOFTWARE);
	CHECK_STR(e.msg, "template nl/nope.txt: no such template");
	CHECK(run(set, (enum lang)7, "help.txt", v, false, &e) == NULL);
	CHECK_INT(e.ex, EX_SOFTWARE);
	CHECK(run(set, LANG_NL, "help.txt", v, true, &e) == NULL);
	CHECK_INT(e.ex, EX_SOFTWARE);
	CHECK_STR(e.msg, "template nl/help.txt: a part has no Subject");

	/* A full caller buffer gets nothing, not a cut text. */
	buf_init(&b, 3);
	buf_puts(&b, "ab");
	err_clear(&e);
	CHECK(render(set, LANG_NL, "help.txt", v, &b, &e) == -1);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK_STR(buf_str(&b), "ab");
	buf_free(&b);
out:
	render_set_free(&set);
	render_vars_free(&v);
	drop_dir(&site);
}

static void
test_output_limit(void)
{
	struct render_set *set = load(NULL, SHIPPED);
	struct render_vars *v = vars_for("lists.txt");
	struct buf desc = BUF_INIT;
	struct err e;

	if (set == NULL)
		return;
	for (int i = 0; i < 1000; i++)
		buf_putc(&desc, 'd');
	for (int i = 0; i < 1100; i++)
		add_list(v, "cop-x", "X", buf_str(&desc), false);
	CHECK(run(set, LANG_NL, "lists.txt", v, false, &e) == NULL);
	CHECK_INT(e.ex, EX_DATAERR);
	CHECK_STR(e.msg, "template nl/lists.txt: the result is over 1048576 bytes");
	buf_free(&desc);
	render_vars_free(&v);
	render_set_free(&set);
}

static void
test_names(void)
{
	size_t n = 0;

	while (render_template_name(n) != NULL)
		n++;
	CHECK_INT(n, 22);
	CHECK_STR(render_template_name(0), "reply.txt");
	CHECK(render_template_name(n) == NULL);
	render_set_free(&(struct render_set *){NULL});
	render_vars_free(&(struct render_vars *){NULL});
}

int
main(int argc, char **argv)
{
	bool show = argc > 1 && strcmp(argv[1], "-v") == 0;

	test_shipped_all(show);
	test_shipped_confirm();
	test_shipped_reply();
	test_shipped_help();
	test_shipped_which_and_welcome();
	test_shipped_digest();
	test_substitution();
	test_sections();
	test_scopes();
	test_depth();
	test_escape();
	test_contexts();
	test_line_ends();
	test_override();
	test_missing();
	test_unknown_variable();
	test_load_errors();
	test_newsletter_html();
	test_news_pages();
	test_web_pages();
	test_web_escaped();
	test_load_limits();
	test_render_errors();
	test_output_limit();
	test_names();
	return check_done();
}
