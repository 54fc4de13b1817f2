/*
 * render_decl - the contract between kring's code and the template
 * files: every template name kring uses, whether it is a mail (with a
 * Subject line) or a part (included by mails), and the variables it
 * may use.  templates/README.md says the same for people who edit the
 * templates; keep the two together.
 */
#include "autoconf.h"

#include <string.h>

#include "render_int.h"

#define TEXT(n) { n, K_TEXT, NULL }
#define FLAG(n) { n, K_FLAG, NULL }
#define HTML(n) { n, K_HTML, NULL }
#define LIST(n, f) { n, K_LIST, f }
#define END { NULL, K_TEXT, NULL }

/* In scope in every template. */
const struct decl render_common_vars[] = {
	TEXT("address"),          /* L@D, the command address */
	TEXT("local"),            /* L */
	TEXT("domain"),           /* D */
	TEXT("delimiter"),        /* recipient_delimiter */
	TEXT("help_address"),     /* L+help@D */
	TEXT("person_address"),   /* the recipient */
	TEXT("person_name"),      /* the recipient's name, may be "" */
	TEXT("site_name"),        /* name in kring.conf, may be "" */
	TEXT("signature"),        /* signature, else name, else address */
	END
};

/* A list one can join. */
static const struct decl list_fields[] = {
	TEXT("id"), TEXT("name"), TEXT("description"),
	TEXT("subscribe_address"),        /* L+ID-subscribe@D */
	FLAG("newsletter"),               /* kind newsletter: announce-only */
	END
};

/* One of the recipient's subscriptions. */
static const struct decl sub_fields[] = {
	TEXT("id"), TEXT("name"),
	TEXT("unsubscribe_address"),      /* L+ID-unsubscribe@D */
	FLAG("digest"), FLAG("pending"), FLAG("disabled"),
	END
};

/* One command of a command mail and what came of it: one flag is set. */
static const struct decl result_fields[] = {
	TEXT("command"),                  /* the command as it was read */
	TEXT("list_id"), TEXT("list_name"),
	FLAG("digest"),                   /* the subscription is a digest */
	FLAG("subscribe_confirm_sent"),
	FLAG("unsubscribe_confirm_sent"),
	FLAG("unsubscribe_all_confirm_sent"),
	FLAG("subscribed"),               /* confirm: now a member */
	FLAG("unsubscribed"),             /* confirm: left the list */
	FLAG("unsubscribed_all"),         /* confirm: left every list */
	FLAG("already_subscribed"),
	FLAG("not_subscribed"),
	FLAG("not_subscribed_any"),       /* unsubscribe *, but no lists */
	FLAG("unknown_list"),
	FLAG("confirm_unknown"),          /* no such token, or used */
	FLAG("confirm_expired"),
	FLAG("digest_on"),
	FLAG("digest_off"),
	FLAG("no_digest"),                /* the list has no digest */
	FLAG("show_lists"),
	FLAG("show_which"),
	FLAG("show_help"),
	FLAG("unknown_command"),
	/* The archive by mail: */
	FLAG("archive_threads"),          /* archive_text: the latest threads */
	FLAG("archive_empty"),            /* no posts yet */
	FLAG("archive_hits"),             /* archive_text: the hits */
	FLAG("archive_no_hits"),
	FLAG("archive_post_sent"),        /* post number went in a mail */
	FLAG("archive_no_post"),          /* no post number in the list */
	FLAG("archive_members_only"),     /* the sender is no member */
	TEXT("archive_text"), TEXT("number"),
	END
};

/* A post of the archive, sent on request ("bericht LIST N"). */
static const struct decl archive_post_vars[] = {
	TEXT("list_id"), TEXT("list_name"),
	TEXT("number"), TEXT("post_subject"),
	END
};

static const struct decl reply_vars[] = {
	LIST("results", result_fields),
	LIST("lists", list_fields),
	LIST("subscriptions", sub_fields),
	FLAG("too_many_commands"),        /* more than max_commands */
	FLAG("letter"),                   /* read from a letter, not commands */
	TEXT("max_commands"),
	END
};

static const struct decl confirm_vars[] = {
	TEXT("token"),
	TEXT("confirm_address"),          /* L+confirm-TOKEN@D */
	TEXT("confirm_url"),              /* "" without unsubscribe_url */
	TEXT("expires"),                  /* date and time, caller's format */
	FLAG("subscribe"), FLAG("unsubscribe"), FLAG("unsubscribe_all"),
	FLAG("invited"),                  /* subscribe: the office asks, not the person */
	TEXT("list_id"), TEXT("list_name"), TEXT("list_description"),
	FLAG("digest"),
	LIST("lists", list_fields),       /* unsubscribe_all: what is left */
	END
};

static const struct decl welcome_vars[] = {
	TEXT("list_id"), TEXT("list_name"), TEXT("list_description"),
	FLAG("digest"), FLAG("newsletter"), FLAG("moderated"),
	TEXT("post_address"),             /* L+LIST@D; "" when not allowed */
	TEXT("unsubscribe_address"),      /* L+LIST-unsubscribe@D */
	TEXT("archive_url"),              /* a CoP's: URL/a/TOKEN; "" none */
	END
};

static const struct decl goodbye_vars[] = {
	LIST("lists", list_fields),       /* the lists left */
	END
};

static const struct decl bounce_disabled_vars[] = {
	LIST("lists", list_fields),       /* the lists paused */
	TEXT("bounces"),                  /* bounces counted, e.g. "3" */
	END
};

static const struct decl lists_vars[] = {
	LIST("lists", list_fields),
	END
};

static const struct decl which_vars[] = {
	LIST("subscriptions", sub_fields),
	END
};

/*
 * A newsletter's body is the same for every subscriber but for their
 * one-click token, which is put in at send time; person_address and
 * person_name are therefore empty in these two.
 */
static const struct decl newsletter_vars[] = {
	TEXT("subject"),
	TEXT("list_id"), TEXT("list_name"), TEXT("list_description"),
	TEXT("text"),                     /* the Markdown as plain text */
	HTML("content"),                  /* the Markdown as styled HTML */
	TEXT("unsubscribe_address"),      /* personal L+LIST-unsubscribe-TOKEN@D */
	TEXT("unsubscribe_url"),          /* personal; "" without unsubscribe_url */
	TEXT("subscribe_address"),        /* L+LIST-subscribe@D, to pass it on */
	TEXT("web_url"),                  /* its web version; "" without one */
	END
};

/* One post in a digest's table of contents. */
static const struct decl digest_post_fields[] = {
	TEXT("number"),                   /* 1, 2, ... in this digest */
	TEXT("subject"), TEXT("from_name"), TEXT("from_addr"),
	TEXT("date"),                     /* when it arrived, local time */
	FLAG("left_out"),                 /* a note stands in its place */
	END
};

/*
 * A digest is one message for every digest member, so the common
 * person_address and person_name are empty; what is personal is the
 * one-click address and link, filled in per copy at send time.
 */
static const struct decl digest_vars[] = {
	TEXT("list_id"), TEXT("list_name"), TEXT("list_description"),
	TEXT("volume"), TEXT("issue"),    /* the year; the count in it */
	TEXT("date"),                     /* the day it was made */
	TEXT("count"),                    /* posts in this digest */
	LIST("posts", digest_post_fields),
	TEXT("waiting"),                  /* posts left for the next; "" none */
	TEXT("post_address"),             /* L+LIST@D; "" when closed */
	TEXT("unsubscribe_address"),      /* L+LIST-unsubscribe-TOKEN@D */
	TEXT("unsubscribe_url"),          /* "" without unsubscribe_url */
	TEXT("archive_url"),              /* as post_footer's; "" none */
	FLAG("archive_public"),
	END
};

/* The note that stands in a digest where a post could not go. */
static const struct decl digest_note_vars[] = {
	TEXT("number"), TEXT("subject"), TEXT("from_name"), TEXT("from_addr"),
	TEXT("date"),
	FLAG("empty"), FLAG("nul"), FLAG("long_line"), FLAG("too_large"),
	TEXT("max_size"),                 /* too_large: the limit, "8M" */
	END
};

/* The list of a post, in the author's notices and in the footer. */
#define POST_LIST_VARS \
	TEXT("list_id"), TEXT("list_name"), \
	TEXT("post_address"),             /* L+LIST@D */ \
	TEXT("unsubscribe_address")       /* L+LIST-unsubscribe@D */

static const struct decl post_held_vars[] = {
	POST_LIST_VARS,
	TEXT("post_subject"),             /* the post's Subject, decoded */
	TEXT("reason"),                   /* always "" here */
	FLAG("moderated"),                /* every post waits for a moderator */
	FLAG("not_member"),               /* the author is no active member */
	END
};

static const struct decl post_refused_vars[] = {
	POST_LIST_VARS,
	TEXT("post_subject"),
	TEXT("reason"),                   /* always "" here */
	FLAG("newsletter"),               /* announce-only */
	FLAG("closed"),                   /* policy closed */
	FLAG("too_large"),                /* over max_message_size */
	END
};

static const struct decl post_decided_vars[] = {
	POST_LIST_VARS,
	TEXT("post_subject"),
	TEXT("reason"),                   /* the moderator's; may be "" */
	END
};

static const struct decl post_footer_vars[] = {
	POST_LIST_VARS,
	TEXT("archive_url"),              /* URL/a/TOKEN, URL/a/public/LIST; "" none */
	FLAG("archive_public"),           /* archive_url is the public one */
	END
};

/*
 * The pages of kringd's web endpoint: exactly one page flag is set.
 * A page is for whoever holds the link, so it names the list but not
 * the person: person_address and person_name are empty.
 */
static const struct decl web_vars[] = {
	FLAG("ask"),                      /* one of the ask_ pages: the form */
	FLAG("ask_unsubscribe"),          /* /u/: unsubscribe at once? */
	FLAG("ask_subscribe"),            /* /c/: confirm a subscription? */
	FLAG("ask_leave"),                /* /c/: confirm leaving a list? */
	FLAG("ask_leave_all"),            /* /c/: confirm leaving every list? */
	FLAG("unsubscribed"), FLAG("left_all"), FLAG("subscribed"),
	FLAG("already"),                  /* not subscribed (any more) */
	FLAG("unknown"), FLAG("used"), FLAG("expired"),
	FLAG("busy"), FLAG("failed"), FLAG("bad_request"),
	FLAG("not_found"), FLAG("bad_method"), FLAG("too_large"),
	FLAG("too_many"),
	TEXT("form_name"), TEXT("form_value"),   /* the form's one field */
	TEXT("list_id"), TEXT("list_name"), TEXT("list_description"),
	FLAG("digest"),                   /* ask_subscribe: as a digest */
	LIST("lists", list_fields),       /* ask_leave_all: the lists */
	END
};

/*
 * A letter handed on to the programme office: what its writer wrote,
 * and what kring did with it already (the results of reply.txt).
 */
static const struct decl forward_vars[] = {
	TEXT("original_from"),            /* the writer's address */
	TEXT("original_name"),            /* the writer's name, may be "" */
	TEXT("original_date"),            /* its Date header, as written */
	TEXT("original_subject"),         /* decoded, may be "" */
	TEXT("original_text"),            /* its text, quotes included */
	FLAG("attachments"),              /* it has files attached */
	LIST("results", result_fields),   /* empty: kring did nothing */
	END
};

/* A newsletter on the archive page, newest first. */
static const struct decl issue_fields[] = {
	TEXT("subject"), TEXT("date"),
	TEXT("url"),                      /* its web version */
	END
};

/*
 * The public newsletter pages (/n/LIST and /n/LIST/ID): one of the
 * flags issue and archive.  For everyone, so nothing of any person.
 */
static const struct decl news_vars[] = {
	FLAG("issue"), FLAG("archive"),
	TEXT("list_id"), TEXT("list_name"), TEXT("list_description"),
	TEXT("subscribe_address"),        /* L+LIST-subscribe@D */
	TEXT("archive_url"), TEXT("feed_url"),
	TEXT("subject"), TEXT("date"),    /* issue */
	HTML("content"),                  /* issue: the newsletter, no footer */
	LIST("issues", issue_fields),     /* archive */
	END
};

static const struct decl no_vars[] = { END };

const struct tpl_decl render_tpls[RENDER_NTPL] = {
	{ "reply.txt", true, reply_vars },
	{ "confirm.txt", true, confirm_vars },
	{ "welcome.txt", true, welcome_vars },
	{ "goodbye.txt", true, goodbye_vars },
	{ "help.txt", false, no_vars },
	{ "lists.txt", false, lists_vars },
	{ "which.txt", false, which_vars },
	{ "newsletter.txt", true, newsletter_vars },
	{ "newsletter.html", false, newsletter_vars },
	{ "digest.txt", true, digest_vars },
	{ "digest.html", false, digest_vars },
	{ "digest_note.txt", false, digest_note_vars },
	{ "post_held.txt", true, post_held_vars },
	{ "post_refused.txt", true, post_refused_vars },
	{ "post_approved.txt", true, post_decided_vars },
	{ "post_rejected.txt", true, post_decided_vars },
	{ "post_footer.txt", false, post_footer_vars },
	{ "bounce_disabled.txt", true, bounce_disabled_vars },
	{ "web.html", false, web_vars },
	{ "forward.txt", true, forward_vars },
	{ "news.html", false, news_vars },
	{ "archive_post.txt", true, archive_post_vars },
};

const enum lang render_langs[RENDER_NLANG] = { LANG_NL, LANG_EN };

const char *
render_template_name(size_t i)
{
	return i < RENDER_NTPL ? render_tpls[i].name : NULL;
}

bool
render_name_eq(const char *s, size_t n, const char *name)
{
	return strncmp(name, s, n) == 0 && name[n] == '\0';
}

int
render_tpl_index(const char *name, size_t n)
{
	for (size_t k = 0; k < RENDER_NTPL; k++)
		if (render_name_eq(name, n, render_tpls[k].name))
			return (int)k;
	return -1;
}

int
render_lang_index(enum lang lang)
{
	for (size_t i = 0; i < RENDER_NLANG; i++)
		if (render_langs[i] == lang)
			return (int)i;
	return -1;
}

const char *
render_kind_name(enum kind k)
{
	return k == K_LIST ? "a list" : k == K_FLAG ? "a flag" :
	    k == K_HTML ? "HTML" : "text";
}

static const struct decl *
decl_in(const struct decl *d, const char *name, size_t n)
{
	for (; d != NULL && d->name != NULL; d++)
		if (render_name_eq(name, n, d->name))
			return d;
	return NULL;
}

const struct decl *
render_resolve(const struct scope *sc, size_t nsc, const char *name,
    size_t n, size_t *level)
{
	const struct decl *d;

	for (size_t i = nsc; i-- > 0;) {
		if ((d = decl_in(sc[i].a, name, n)) != NULL ||
		    (d = decl_in(sc[i].b, name, n)) != NULL) {
			*level = i;
			return d;
		}
	}
	return NULL;
}
