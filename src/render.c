/*
 * render - fill a loaded template with values (syntax in render.h).
 *
 * Rendering only walks the nodes render_load.c made and checked; no
 * I/O, no state besides the loaded set, so one set may serve every
 * mail and be swapped whole on a reload.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "err.h"
#include "render_int.h"
#include "utf8.h"

#define REPLACEMENT "\xef\xbf\xbd"   /* U+FFFD */

/* ---- escaping ---- */

static void
escape_byte(enum render_context cx, const unsigned char *p, size_t i,
    size_t n, struct buf *out)
{
	unsigned char c = p[i];

	if (cx == RENDER_HEADER) {
		/* A value must never end the header line it stands in. */
		buf_putc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
		return;
	}
	if (c == '\r') {
		if (i + 1 == n || p[i + 1] != '\n')
			buf_putc(out, '\n');
		return;
	}
	if (cx == RENDER_HTML) {
		switch (c) {
		case '&': buf_puts(out, "&amp;"); return;
		case '<': buf_puts(out, "&lt;"); return;
		case '>': buf_puts(out, "&gt;"); return;
		case '"': buf_puts(out, "&quot;"); return;
		case '\'': buf_puts(out, "&#39;"); return;
		}
	}
	buf_putc(out, (char)c);
}

void
render_escape(enum render_context cx, const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0, len; i < n; i += len) {
		len = utf8_len(p + i, n - i);
		if (len == 0) {
			buf_puts(out, REPLACEMENT);
			len = 1;
		} else if (len > 1) {
			buf_add(out, p + i, len);
		} else {
			escape_byte(cx, p, i, n, out);
		}
	}
}

/* ---- rendering ---- */

struct run {
	const struct render_set *set;
	size_t li;
	enum render_context cx;
	struct scope sc[RENDER_SCOPE_MAX];
	const struct render_vars *val[RENDER_SCOPE_MAX];
	size_t nsc;
	struct buf out;
	struct err *e;
};

static int
run_err(struct run *r, const struct tpl *t, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	render_tpl_verr(r->e, EX_SOFTWARE, t, line, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The value of a tag's name in the scope that declares it, or NULL.
 * Looking only there keeps an item's unset flag from picking up a flag
 * of the same name from an outer scope.
 */
static int
lookup(struct run *r, const struct tpl *t, const struct node *nd,
    const struct decl **dp, const struct entry **out)
{
	size_t level;
	const struct decl *d = render_resolve(r->sc, r->nsc, nd->s, nd->n, &level);
	const struct entry *en;

	if (d == NULL)    /* the load's check makes this impossible */
		return run_err(r, t, nd->line, "undeclared {{%.*s}}",
		    (int)nd->n, nd->s);
	en = render_entry_find(r->val[level], nd->s, nd->n);
	if (en != NULL && en->kind != d->kind)
		return run_err(r, t, nd->line, "{{%.*s}} is given as %s, "
		    "declared as %s", (int)nd->n, nd->s, render_kind_name(en->kind),
		    render_kind_name(d->kind));
	*dp = d;
	*out = en;
	return 0;
}

static bool
truthy(const struct entry *en)
{
	if (en == NULL)
		return false;
	switch (en->kind) {
	case K_TEXT:
	case K_HTML:
		return en->text[0] != '\0';
	case K_FLAG:
		return en->flag;
	default:
		return en->nitems > 0;
	}
}

static int run_nodes(struct run *r, const struct tpl *t,
    const struct nodes *ns, size_t begin, size_t end);

static int
run_var(struct run *r, const struct tpl *t, const struct node *nd)
{
	const struct decl *d;
	const struct entry *en;

	if (lookup(r, t, nd, &d, &en) != 0)
		return -1;
	if (en == NULL)
		return run_err(r, t, nd->line, "no value for {{%.*s}}",
		    (int)nd->n, nd->s);
	if (d->kind == K_HTML && r->cx == RENDER_HTML)
		buf_puts(&r->out, en->text);
	else
		render_escape(r->cx, en->text, &r->out);
	return 0;
}

static int
run_items(struct run *r, const struct tpl *t, const struct nodes *ns,
    size_t i, const struct decl *d, const struct entry *en)
{
	int rc = 0;

	if (r->nsc == RENDER_SCOPE_MAX)    /* the depth limits make this impossible */
		return run_err(r, t, ns->v[i].line, "scopes nested too deep");
	r->sc[r->nsc].a = d->fields;
	r->sc[r->nsc].b = NULL;
	r->nsc++;
	for (size_t k = 0; k < en->nitems && rc == 0; k++) {
		r->val[r->nsc - 1] = en->items[k];
		rc = run_nodes(r, t, ns, i + 1, ns->v[i].end);
	}
	r->nsc--;
	return rc;
}

static int
run_section(struct run *r, const struct tpl *t, const struct nodes *ns,
    size_t i)
{
	const struct node *nd = &ns->v[i];
	const struct decl *d;
	const struct entry *en;

	if (lookup(r, t, nd, &d, &en) != 0)
		return -1;
	if (nd->type == N_INVERTED)
		return truthy(en) ? 0 : run_nodes(r, t, ns, i + 1, nd->end);
	if (en != NULL && en->kind == K_LIST)
		return run_items(r, t, ns, i, d, en);
	return truthy(en) ? run_nodes(r, t, ns, i + 1, nd->end) : 0;
}

static int
run_nodes(struct run *r, const struct tpl *t, const struct nodes *ns,
    size_t begin, size_t end)
{
	for (size_t i = begin; i < end;) {
		const struct node *nd = &ns->v[i];
		const struct tpl *part;
		int rc = 0;

		switch (nd->type) {
		case N_TEXT:
			buf_add(&r->out, nd->s, nd->n);
			break;
		case N_VAR:
			rc = run_var(r, t, nd);
			break;
		case N_SECTION:
		case N_INVERTED:
			rc = run_section(r, t, ns, i);
			i = nd->end - 1;
			break;
		case N_INCLUDE:
			part = &r->set->t[r->li][nd->part];
			rc = run_nodes(r, part, &part->body, 0, part->body.n);
			break;
		}
		if (rc != 0)
			return -1;
		/* Stop early: the result is refused anyway. */
		if (buf_overflowed(&r->out))
			return 0;
		i++;
	}
	return 0;
}

static int
run_template(const struct render_set *set, enum lang lang, const char *name,
    const struct render_vars *v, bool subject, struct buf *out, struct err *e)
{
	int li = render_lang_index(lang), k = render_tpl_index(name, strlen(name));
	size_t max = subject ? RENDER_SUBJECT_MAX : RENDER_OUTPUT_MAX;
	const struct tpl *t;
	struct run r;
	int rc;

	if (li < 0)
		return err_set(e, EX_SOFTWARE, "template %s: no language %d",
		    name, (int)lang);
	if (k < 0)
		return err_set(e, EX_SOFTWARE, "template %s/%s: no such "
		    "template", lang_name(lang), name);
	t = &set->t[li][k];
	if (subject && !t->mail)
		return err_set(e, EX_SOFTWARE, "template %s: a part has no "
		    "Subject", t->label);
	memset(&r, 0, sizeof(r));
	r.set = set;
	r.li = (size_t)li;
	r.cx = subject ? RENDER_HEADER : t->cx;
	r.sc[0].a = render_common_vars;
	r.sc[0].b = render_tpls[k].vars;
	r.val[0] = v;
	r.nsc = 1;
	r.e = e;
	buf_init(&r.out, max);
	rc = subject ? run_nodes(&r, t, &t->subject, 0, t->subject.n) :
	    run_nodes(&r, t, &t->body, 0, t->body.n);
	if (rc == 0 && buf_overflowed(&r.out))
		rc = err_set(e, EX_DATAERR, "template %s: the %s is over %zu "
		    "bytes", t->label, subject ? "Subject" : "result", max);
	if (rc == 0 && out->max != 0 && out->len + r.out.len > out->max)
		rc = err_set(e, EX_DATAERR, "template %s: no room for the "
		    "result", t->label);
	if (rc == 0)
		buf_add(out, buf_str(&r.out), r.out.len);
	buf_free(&r.out);
	return rc;
}

int
render(const struct render_set *set, enum lang lang, const char *name,
    const struct render_vars *v, struct buf *out, struct err *e)
{
	return run_template(set, lang, name, v, false, out, e);
}

int
render_subject(const struct render_set *set, enum lang lang,
    const char *name, const struct render_vars *v, struct buf *out,
    struct err *e)
{
	return run_template(set, lang, name, v, true, out, e);
}
