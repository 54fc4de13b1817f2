/*
 * render_load - read, parse and check the template set.
 *
 * A file is parsed once, at load, into a flat array of nodes (a section
 * node knows where its body ends), then checked against the table in
 * render_decl.c, so a bad site template is found when kringd starts or
 * reloads, not when someone mails.  Parts cannot include, so includes
 * cannot loop, and sections nest at most RENDER_DEPTH_MAX deep per
 * file, which bounds the recursion of both the check and the render.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "render_int.h"
#include "utf8.h"
#include "xmem.h"

#define NAME_MAX_LEN 64

static enum render_context
ext_context(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot != NULL && strcmp(dot, ".html") == 0)
		return RENDER_HTML;
	return RENDER_TEXT;
}


static void
tpl_clear(struct tpl *t)
{
	free(t->label);
	free(t->path);
	free(t->src);
	free(t->subject.v);
	free(t->body.v);
	memset(t, 0, sizeof(*t));
}

void
render_set_free(struct render_set **setp)
{
	struct render_set *set = *setp;

	if (set == NULL)
		return;
	for (size_t li = 0; li < RENDER_NLANG; li++)
		for (size_t k = 0; k < RENDER_NTPL; k++)
			tpl_clear(&set->t[li][k]);
	free(set);
	*setp = NULL;
}

int
render_tpl_verr(struct err *e, int ex, const struct tpl *t, unsigned line,
    const char *note, const char *fmt, va_list ap)
{
	char why[ERR_MSG_MAX], where[64] = "";

	vsnprintf(why, sizeof(why), fmt, ap);
	if (line > 0)
		snprintf(where, sizeof(where), " line %u", line);
	return err_set(e, ex, "template %s%s: %s (%sfile %s)", t->label, where,
	    why, note ? note : "", t->path ? t->path : "?");
}

static int
tpl_err(struct err *e, int ex, const struct tpl *t, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	render_tpl_verr(e, ex, t, line, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- reading a file ---- */

/* 1 opened (*fd, *path set), 0 not there, -1 error (errno, *path set). */
static int
try_open(const char *dir, const char *lang, const char *name, char **path,
    int *fd)
{
	free(*path);
	*path = xasprintf("%s/%s/%s", dir, lang, name);
	/* O_NONBLOCK: a FIFO in the site's directory must not hang kringd. */
	*fd = open(*path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (*fd >= 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

static int
find_file(struct tpl *t, const char *lang, const char *name,
    const char *override, const char *shipped, int *fd, struct err *e)
{
	int r = 0;

	if (override != NULL)
		r = try_open(override, lang, name, &t->path, fd);
	if (r == 0)
		r = try_open(shipped, lang, name, &t->path, fd);
	if (r == 1)
		return 0;
	if (r < 0)
		return err_set(e, EX_NOINPUT, "template %s: %s: %s", t->label,
		    t->path, strerror(errno));
	if (override != NULL)
		return err_set(e, EX_NOINPUT, "template %s: not found in %s/%s "
		    "or %s/%s", t->label, override, lang, shipped, lang);
	return err_set(e, EX_NOINPUT, "template %s: not found in %s/%s",
	    t->label, shipped, lang);
}

/* The whole file into t->src, refusing more than RENDER_TEMPLATE_MAX. */
static int
read_file(struct tpl *t, int fd, struct err *e)
{
	struct stat st;
	size_t cap = RENDER_TEMPLATE_MAX + 1, n = 0;
	ssize_t r;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tpl_err(e, EX_NOINPUT, t, 0, "not a regular file");
	}
	t->src = xmalloc(cap + 1);
	while (n < cap) {
		r = read(fd, t->src + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			close(fd);
			return tpl_err(e, EX_IOERR, t, 0, "%s",
			    strerror(saved));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > RENDER_TEMPLATE_MAX)
		return tpl_err(e, EX_CONFIG, t, 0, "over %d KiB",
		    RENDER_TEMPLATE_MAX / 1024);
	t->src[n] = '\0';
	t->len = n;
	return 0;
}

static unsigned
count_lines(const char *s, size_t n)
{
	unsigned lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* Refuse NUL and bad UTF-8, drop a BOM, make CRLF and CR into LF. */
static int
normalize(struct tpl *t, struct err *e)
{
	const unsigned char *p = (const unsigned char *)t->src;
	size_t i, o = 0, len;

	for (i = 0; i < t->len; i += len) {
		len = utf8_len(p + i, t->len - i);
		if (len == 0 || p[i] == '\0')
			return tpl_err(e, EX_CONFIG, t,
			    1 + count_lines(t->src, i),
			    len == 0 ? "not UTF-8" : "a NUL byte");
	}
	i = t->len >= 3 && memcmp(t->src, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (; i < t->len; i++) {
		if (t->src[i] == '\r' && i + 1 < t->len &&
		    t->src[i + 1] == '\n')
			continue;
		t->src[o++] = t->src[i] == '\r' ? '\n' : t->src[i];
	}
	t->src[o] = '\0';
	t->len = o;
	return 0;
}

/* ---- parsing ---- */

struct tag {
	char sigil;          /* 0 for {{name}}, else one of # ^ / > ! */
	const char *name;
	size_t n;
	size_t end;          /* index after the closing braces */
};

struct parser {
	const struct tpl *t;
	struct nodes *out;
	size_t open[RENDER_DEPTH_MAX];  /* indexes of the open sections */
	size_t nopen;
	bool one_line;
	struct err *e;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Variables: [a-z][a-z0-9_]*.  Parts: file names, [a-z0-9][a-z0-9_.-]*. */
static bool
name_ok(const char *s, size_t n, bool part)
{
	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	if (!is_lower(s[0]) && !(part && is_digit(s[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    !(part && (s[i] == '.' || s[i] == '-')))
			return false;
	return true;
}

static struct node *
node_add(struct nodes *ns, enum node_type type, const char *s, size_t n,
    unsigned line)
{
	struct node *nd;

	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 16;
		ns->v = xreallocarray(ns->v, ns->cap, sizeof(*ns->v));
	}
	nd = &ns->v[ns->n++];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->s = s;
	nd->n = n;
	nd->line = line;
	return nd;
}

/* The tag whose "{{" is at s[at]; it must close on its own line. */
static int
lex_tag(struct parser *p, const char *s, size_t n, size_t at, unsigned line,
    struct tag *tg)
{
	size_t i = at + 2, close = i, stop;

	memset(tg, 0, sizeof(*tg));
	while (close + 1 < n && s[close] != '\n' &&
	    !(s[close] == '}' && s[close + 1] == '}'))
		close++;
	if (close + 1 >= n || s[close] != '}')
		return tpl_err(p->e, EX_CONFIG, p->t, line, "{{ without }}");
	tg->end = close + 2;
	tg->sigil = i < close && strchr("#^/>!", s[i]) != NULL ? s[i] : 0;
	if (tg->sigil != 0)
		i++;
	if (tg->sigil == '!')
		return 0;
	while (i < close && is_blank(s[i]))
		i++;
	for (stop = close; stop > i && is_blank(s[stop - 1]); stop--)
		;
	tg->name = s + i;
	tg->n = stop - i;
	if (!name_ok(tg->name, tg->n, tg->sigil == '>'))
		return tpl_err(p->e, EX_CONFIG, p->t, line, "bad tag %.*s",
		    (int)(tg->end - at > 80 ? 80 : tg->end - at), s + at);
	return 0;
}

/*
 * When the tag is alone on its line, widen [*cut, *next) to take the
 * line's blanks and line end with it, so that section tags written on
 * lines of their own do not leave empty lines behind.
 */
static void
standalone(const char *s, size_t n, size_t text, size_t at, size_t end,
    size_t *cut, size_t *next)
{
	size_t ls = at, le = end;

	while (ls > text && is_blank(s[ls - 1]))
		ls--;
	if (ls > 0 && s[ls - 1] != '\n')
		return;
	while (le < n && is_blank(s[le]))
		le++;
	if (le < n && s[le] != '\n')
		return;
	*cut = ls;
	*next = le < n ? le + 1 : n;
}

static int
close_section(struct parser *p, const struct tag *tg, unsigned line)
{
	struct node *top;

	if (p->nopen == 0)
		return tpl_err(p->e, EX_CONFIG, p->t, line,
		    "{{/%.*s}} closes no section", (int)tg->n, tg->name);
	top = &p->out->v[p->open[p->nopen - 1]];
	if (top->n != tg->n || memcmp(top->s, tg->name, tg->n) != 0)
		return tpl_err(p->e, EX_CONFIG, p->t, line,
		    "{{/%.*s}} does not close {{%c%.*s}} of line %u",
		    (int)tg->n, tg->name, top->type == N_SECTION ? '#' : '^',
		    (int)top->n, top->s, top->line);
	top->end = p->out->n;
	p->nopen--;
	return 0;
}

static int
apply_tag(struct parser *p, const struct tag *tg, unsigned line)
{
	switch (tg->sigil) {
	case '!':
		return 0;
	case 0:
		node_add(p->out, N_VAR, tg->name, tg->n, line);
		return 0;
	case '#':
	case '^':
		if (p->nopen == RENDER_DEPTH_MAX)
			return tpl_err(p->e, EX_CONFIG, p->t, line,
			    "sections nested deeper than %d", RENDER_DEPTH_MAX);
		p->open[p->nopen++] = p->out->n;
		node_add(p->out, tg->sigil == '#' ? N_SECTION : N_INVERTED,
		    tg->name, tg->n, line);
		return 0;
	case '/':
		return close_section(p, tg, line);
	default:
		if (p->one_line)
			return tpl_err(p->e, EX_CONFIG, p->t, line,
			    "{{>%.*s}} in the Subject line", (int)tg->n,
			    tg->name);
		node_add(p->out, N_INCLUDE, tg->name, tg->n, line);
		return 0;
	}
}

/* s[0..n) into p->out; s starts a line, numbered line. */
static int
parse(struct parser *p, const char *s, size_t n, unsigned line)
{
	size_t pos = 0, text = 0, counted = 0;
	const char *q;

	while ((q = memmem(s + pos, n - pos, "{{", 2)) != NULL) {
		size_t at = (size_t)(q - s), cut = at, next;
		struct tag tg;

		line += count_lines(s + counted, at - counted);
		counted = at;
		if (lex_tag(p, s, n, at, line, &tg) != 0)
			return -1;
		next = tg.end;
		if (tg.sigil != 0 && !p->one_line)
			standalone(s, n, text, at, tg.end, &cut, &next);
		if (cut > text)
			node_add(p->out, N_TEXT, s + text, cut - text, line);
		if (apply_tag(p, &tg, line) != 0)
			return -1;
		pos = text = next;
	}
	if (n > text)
		node_add(p->out, N_TEXT, s + text, n - text, line);
	if (p->nopen > 0) {
		const struct node *nd = &p->out->v[p->open[p->nopen - 1]];

		return tpl_err(p->e, EX_CONFIG, p->t, nd->line,
		    "{{%c%.*s}} is not closed",
		    nd->type == N_SECTION ? '#' : '^', (int)nd->n, nd->s);
	}
	return 0;
}

static int
parse_part(struct tpl *t, const char *s, size_t n, unsigned line,
    bool one_line, struct nodes *out, struct err *e)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.out = out;
	p.one_line = one_line;
	p.e = e;
	return parse(&p, s, n, line);
}

/* A mail: "Subject: ...", an empty line, the body.  A part: the body. */
static int
parse_file(struct tpl *t, struct err *e)
{
	const char *s = t->src, *nl, *subj, *stop;
	bool has_subject = strncasecmp(s, "Subject:", 8) == 0;

	if (!t->mail) {
		if (has_subject)
			return tpl_err(e, EX_CONFIG, t, 1, "a part has no "
			    "Subject line: it is shown inside another mail");
		return parse_part(t, s, t->len, 1, false, &t->body, e);
	}
	if (!has_subject)
		return tpl_err(e, EX_CONFIG, t, 1, "a mail template starts "
		    "with a \"Subject: ...\" line");
	nl = strchr(s, '\n');
	if (nl == NULL || nl[1] != '\n')
		return tpl_err(e, EX_CONFIG, t, 2, "the Subject line must be "
		    "followed by an empty line");
	for (subj = s + 8; is_blank(*subj); subj++)
		;
	for (stop = nl; stop > subj && is_blank(stop[-1]); stop--)
		;
	if (stop == subj)
		return tpl_err(e, EX_CONFIG, t, 1, "empty Subject");
	if (parse_part(t, subj, (size_t)(stop - subj), 1, true, &t->subject,
	    e) != 0)
		return -1;
	return parse_part(t, nl + 2, t->len - (size_t)(nl + 2 - s), 3, false,
	    &t->body, e);
}

static int
load_one(struct render_set *set, size_t li, size_t k, const char *override,
    const char *shipped, struct err *e)
{
	struct tpl *t = &set->t[li][k];
	const char *lang = lang_name(render_langs[li]);
	int fd;

	t->label = xasprintf("%s/%s", lang, render_tpls[k].name);
	t->mail = render_tpls[k].mail;
	t->cx = ext_context(render_tpls[k].name);
	if (find_file(t, lang, render_tpls[k].name, override, shipped, &fd, e) != 0 ||
	    read_file(t, fd, e) != 0 || normalize(t, e) != 0)
		return -1;
	return parse_file(t, e);
}

/* ---- the check, at load ---- */

struct checker {
	struct render_set *set;
	size_t li;
	struct scope sc[RENDER_SCOPE_MAX];
	size_t nsc;
	const struct tpl *from;     /* the includer while checking a part */
	unsigned from_line;
	struct err *e;
};

static int
check_err(struct checker *ck, const struct tpl *t, unsigned line,
    const char *fmt, ...)
{
	char note[128] = "";
	va_list ap;

	if (ck->from != NULL)
		snprintf(note, sizeof(note), "included from %s line %u; ",
		    ck->from->label, ck->from_line);
	va_start(ap, fmt);
	render_tpl_verr(ck->e, EX_CONFIG, t, line, note, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_nodes(struct checker *ck, const struct tpl *t,
    struct nodes *ns, size_t begin, size_t end);

static int
check_include(struct checker *ck, const struct tpl *t, struct node *nd)
{
	int k = render_tpl_index(nd->s, nd->n);
	struct tpl *part;
	int rc;

	if (k < 0)
		return check_err(ck, t, nd->line, "{{>%.*s}}: no such template",
		    (int)nd->n, nd->s);
	part = &ck->set->t[ck->li][k];
	if (!t->mail)
		return check_err(ck, t, nd->line, "{{>%.*s}}: a part cannot "
		    "include another template", (int)nd->n, nd->s);
	if (part->mail)
		return check_err(ck, t, nd->line, "{{>%.*s}}: a mail, only "
		    "parts can be included", (int)nd->n, nd->s);
	if (part->cx != t->cx)
		return check_err(ck, t, nd->line, "{{>%.*s}}: not the same "
		    "kind of file", (int)nd->n, nd->s);
	nd->part = (size_t)k;
	ck->from = t;
	ck->from_line = nd->line;
	rc = check_nodes(ck, part, &part->body, 0, part->body.n);
	ck->from = NULL;
	return rc;
}

static int
check_section(struct checker *ck, const struct tpl *t, struct nodes *ns,
    size_t i)
{
	const struct node *nd = &ns->v[i];
	size_t level;
	const struct decl *d = render_resolve(ck->sc, ck->nsc, nd->s, nd->n, &level);
	int rc;

	if (d == NULL)
		return check_err(ck, t, nd->line, "unknown variable {{%c%.*s}}",
		    nd->type == N_SECTION ? '#' : '^', (int)nd->n, nd->s);
	if (nd->type == N_INVERTED || d->kind != K_LIST)
		return check_nodes(ck, t, ns, i + 1, nd->end);
	ck->sc[ck->nsc].a = d->fields;
	ck->sc[ck->nsc++].b = NULL;
	rc = check_nodes(ck, t, ns, i + 1, nd->end);
	ck->nsc--;
	return rc;
}

static int
check_var(struct checker *ck, const struct tpl *t, const struct node *nd)
{
	size_t level;
	const struct decl *d = render_resolve(ck->sc, ck->nsc, nd->s, nd->n, &level);
	int n = (int)nd->n;

	if (d == NULL)
		return check_err(ck, t, nd->line, "unknown variable {{%.*s}}",
		    n, nd->s);
	if (d->kind == K_HTML && t->cx != RENDER_HTML)
		return check_err(ck, t, nd->line, "{{%.*s}} is HTML: only "
		    ".html templates may use it", n, nd->s);
	if (d->kind != K_TEXT && d->kind != K_HTML)
		return check_err(ck, t, nd->line, "{{%.*s}} is %s: use "
		    "{{#%.*s}}...{{/%.*s}}", n, nd->s, render_kind_name(d->kind), n,
		    nd->s, n, nd->s);
	return 0;
}

static int
check_nodes(struct checker *ck, const struct tpl *t, struct nodes *ns,
    size_t begin, size_t end)
{
	for (size_t i = begin; i < end;) {
		struct node *nd = &ns->v[i];

		switch (nd->type) {
		case N_TEXT:
			break;
		case N_VAR:
			if (check_var(ck, t, nd) != 0)
				return -1;
			break;
		case N_SECTION:
		case N_INVERTED:
			if (check_section(ck, t, ns, i) != 0)
				return -1;
			i = nd->end;
			continue;
		case N_INCLUDE:
			if (check_include(ck, t, nd) != 0)
				return -1;
			break;
		}
		i++;
	}
	return 0;
}

static int
check_one(struct render_set *set, size_t li, size_t k, struct err *e)
{
	struct tpl *t = &set->t[li][k];
	struct checker ck;

	memset(&ck, 0, sizeof(ck));
	ck.set = set;
	ck.li = li;
	ck.e = e;
	ck.sc[0].a = render_common_vars;
	ck.sc[0].b = render_tpls[k].vars;
	ck.nsc = 1;
	if (check_nodes(&ck, t, &t->subject, 0, t->subject.n) != 0)
		return -1;
	return check_nodes(&ck, t, &t->body, 0, t->body.n);
}

static int
dir_ok(const char *dir, struct err *e)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return err_set(e, EX_NOINPUT, "templates directory %s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(e, EX_NOINPUT, "templates directory %s: not a "
		    "directory", dir);
	return 0;
}

int
render_set_load(const char *override_dir, const char *shipped_dir,
    struct render_set **out, struct err *e)
{
	struct render_set *set = xcalloc(1, sizeof(*set));

	if (override_dir != NULL && *override_dir == '\0')
		override_dir = NULL;
	if (override_dir != NULL && dir_ok(override_dir, e) != 0)
		goto fail;
	/* All is read before anything is checked: mails check their parts. */
	for (size_t li = 0; li < RENDER_NLANG; li++)
		for (size_t k = 0; k < RENDER_NTPL; k++)
			if (load_one(set, li, k, override_dir, shipped_dir,
			    e) != 0)
				goto fail;
	/* Parts first, so that a broken part is named as itself. */
	for (size_t li = 0; li < RENDER_NLANG; li++)
		for (int mail = 0; mail < 2; mail++)
			for (size_t k = 0; k < RENDER_NTPL; k++)
				if (render_tpls[k].mail == mail &&
				    check_one(set, li, k, e) != 0)
					goto fail;
	*out = set;
	return 0;
fail:
	render_set_free(&set);
	return -1;
}
