/*
 * render - the texts kring mails to people, from templates per language.
 *
 * A render_set is every template kring knows (render_template_name), in
 * every language (nl, en), loaded and checked as a whole: a template
 * that is missing, malformed or uses a variable its name does not
 * declare fails the load, so kringd refuses to start, or keeps the set
 * it has on a SIGHUP reload, instead of mailing a blank.  A loaded set
 * is immutable and may be shared; render() never touches the files.
 *
 * Lookup: OVERRIDE/LANG/NAME (the site's `templates` directory), then
 * SHIPPED/LANG/NAME (PKGDATADIR "/templates").
 *
 * Syntax (the whole of it):
 *   {{name}}          the value of text variable name, escaped for the
 *                     context (below); a missing value is an error
 *   {{#name}}...{{/name}}
 *                     list: the body once per item, with the item's
 *                     fields in scope; text: once when not empty;
 *                     flag: once when set
 *   {{^name}}...{{/name}}
 *                     once when name is missing, empty, unset or an
 *                     empty list
 *   {{>part.txt}}     the body of part part.txt, same language, in the
 *                     current scope; only mails include, only parts
 *                     are included, with the same extension
 *   {{! text }}       a comment
 * Names are [a-z][a-z0-9_]*; spaces may pad a tag ("{{ name }}").  A
 * tag ends on its own line.  A name is looked up in the innermost scope
 * that declares it, so an item's unset flag never picks up a flag of
 * the same name further out.  A line holding nothing but one #, ^, /, >
 * or ! tag and blanks leaves no trace: the line, its indentation and
 * its line end go.  Sections nest at most RENDER_DEPTH_MAX deep.
 *
 * File form: a mail template starts with "Subject: ..." and an empty
 * line, then the body; a part is body only.  Files are UTF-8 (a BOM is
 * dropped), CRLF and CR become LF, NUL is refused, at most
 * RENDER_TEMPLATE_MAX bytes.
 *
 * Context, from the file's extension: .txt is text (values as they
 * are, CRLF and CR made LF), .html is HTML (also & < > " ' escaped);
 * the Subject line is always header context (every control character,
 * CR and LF above all, becomes a space).  Invalid UTF-8 in a value
 * becomes U+FFFD in every context.  Output is UTF-8 with LF line ends;
 * compose makes it CRLF on the wire.
 */
#ifndef KRING_RENDER_H
#define KRING_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct buf;
struct err;

#define RENDER_DEPTH_MAX 4
#define RENDER_TEMPLATE_MAX (64 * 1024)
#define RENDER_OUTPUT_MAX (1024 * 1024)
#define RENDER_SUBJECT_MAX 998     /* RFC 5322 line, as compose allows */

enum render_context { RENDER_TEXT, RENDER_HTML, RENDER_HEADER };

/* ---- values ---- */

/*
 * A record of named values: text, a flag, or a list of records (the
 * items of a {{#list}} section).  Callers build one per mail.  Setting a
 * name again replaces its value (a list's items are freed with it).
 * Values are NUL-terminated, so they cannot carry NUL.
 */
struct render_vars;

struct render_vars *render_vars_new(void);
/* Frees the record and every item in it; sets *v to NULL. */
void render_vars_free(struct render_vars **v);
/* value is copied; NULL is the same as "". */
void render_vars_set(struct render_vars *v, const char *name,
    const char *value);
/*
 * HTML that kring made safe itself, for a variable declared as HTML: it
 * goes into .html templates as it is.  Never give it anything from
 * outside that has not been through markdown_render().
 */
void render_vars_html(struct render_vars *v, const char *name,
    const char *html);
void render_vars_setf(struct render_vars *v, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void render_vars_flag(struct render_vars *v, const char *name, bool on);
/* Make name an empty list, unless it is a list already. */
void render_vars_list(struct render_vars *v, const char *name);
/*
 * Append a new, empty item to list name (made a list first when it is
 * not one) and return it for the caller to fill.  Owned by v.
 */
struct render_vars *render_vars_item(struct render_vars *v, const char *name);

/* ---- templates ---- */

struct render_set;

/*
 * The template names kring uses, i = 0, 1, ...; NULL after the last.
 * Every one must be found in both languages.
 */
const char *render_template_name(size_t i);

/*
 * Load and check every template in every language.  override_dir may
 * be NULL or "" (no site copies); when given it must be a directory.
 * 0 with *out set (free with render_set_free), or -1 and e:
 * EX_NOINPUT for a template found nowhere or a file or directory that
 * cannot be opened, EX_IOERR for a read error, EX_CONFIG for a
 * template that is not valid, as "template nl/confirm.txt line 3:
 * unknown variable {{foo}} (file PATH)".
 */
int render_set_load(const char *override_dir, const char *shipped_dir,
    struct render_set **out, struct err *e);
void render_set_free(struct render_set **set);

/*
 * Append the body of template name in lang to out, filled from v.
 * -1 and e: EX_SOFTWARE for an unknown name, a value the template
 * needs but v lacks, or a value of the wrong kind (a list where text
 * is declared): the caller's bug, named with the template's line;
 * EX_DATAERR when the result is over RENDER_OUTPUT_MAX or out is full.
 * Nothing is appended on error.
 */
int render(const struct render_set *set, enum lang lang, const char *name,
    const struct render_vars *v, struct buf *out, struct err *e);

/*
 * Append the Subject of mail template name (one line, header context,
 * at most RENDER_SUBJECT_MAX bytes).  Errors as render(); asking for
 * the Subject of a part is EX_SOFTWARE.
 */
int render_subject(const struct render_set *set, enum lang lang,
    const char *name, const struct render_vars *v, struct buf *out,
    struct err *e);

/* Append s escaped for cx, as a value is in a template. */
void render_escape(enum render_context cx, const char *s, struct buf *out);

#endif
