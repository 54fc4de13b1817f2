/*
 * render_int - what the files of the render module share: the table of
 * templates and their variables (render_decl.c), the value records
 * (render_vars.c), the parsed templates (render_load.c), which
 * render.c walks.  Nothing outside render*.c includes it.
 */
#ifndef KRING_RENDER_INT_H
#define KRING_RENDER_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "render.h"

struct err;

/* Level 0, then one per list section: per file, and in one included part. */
#define RENDER_SCOPE_MAX (2 * RENDER_DEPTH_MAX + 1)
#define RENDER_NTPL 22     /* entries of render_tpls */
#define RENDER_NLANG 2     /* entries of render_langs */

/* ---- the declared templates and their variables (render_decl.c) ---- */

/*
 * K_HTML: markup kring made safe itself (a newsletter's Markdown through
 * cmark's safe mode), written as it is into .html templates; .txt
 * templates may not use it, and a Subject gets it escaped.
 */
enum kind { K_TEXT, K_FLAG, K_LIST, K_HTML };

struct decl {
	const char *name;
	enum kind kind;
	const struct decl *fields;   /* K_LIST: what each item holds */
};

struct tpl_decl {
	const char *name;
	bool mail;                        /* has a Subject line; else a part */
	const struct decl *vars;
};

extern const struct decl render_common_vars[];
extern const struct tpl_decl render_tpls[RENDER_NTPL];
extern const enum lang render_langs[RENDER_NLANG];

/* s[0..n) equals the string name. */
bool render_name_eq(const char *s, size_t n, const char *name);
/* Index in render_tpls or render_langs, -1 when unknown. */
int render_tpl_index(const char *name, size_t n);
int render_lang_index(enum lang lang);
const char *render_kind_name(enum kind k);

/* Where names are declared while a template is checked or rendered. */
struct scope {
	const struct decl *a, *b;   /* b: NULL, or level 0's template vars */
};

/* The innermost declaration of name, and its level; NULL when none. */
const struct decl *render_resolve(const struct scope *sc, size_t nsc,
    const char *name, size_t n, size_t *level);

/* ---- values (render_vars.c) ---- */

struct entry {
	char *name;
	enum kind kind;
	char *text;
	bool flag;
	struct render_vars **items;
	size_t nitems;
};

struct render_vars {
	struct entry *v;
	size_t n, cap;
};

struct entry *render_entry_find(const struct render_vars *v,
    const char *name, size_t n);

/* ---- the loaded templates (render_load.c) ---- */

enum node_type { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_INCLUDE };

struct node {
	enum node_type type;
	unsigned line;
	const char *s;       /* N_TEXT: the text; otherwise the name */
	size_t n;
	size_t end;          /* sections: the index after the closing tag */
	size_t part;         /* N_INCLUDE: index in render_tpls, set by the check */
};

struct nodes {
	struct node *v;
	size_t n, cap;
};

struct tpl {
	char *label;         /* "nl/reply.txt" */
	char *path;          /* the file it was read from */
	char *src;           /* the normalized file; nodes point into it */
	size_t len;
	enum render_context cx;
	bool mail;
	struct nodes subject;
	struct nodes body;
};

struct render_set {
	struct tpl t[RENDER_NLANG][RENDER_NTPL];
};

/* "template nl/x.txt line 3: WHY (NOTEfile PATH)"; returns -1. */
int render_tpl_verr(struct err *e, int ex, const struct tpl *t,
    unsigned line, const char *note, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

#endif
