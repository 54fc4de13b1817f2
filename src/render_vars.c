/*
 * render_vars - the values a caller gives a template: a record of named
 * text, flags and lists of records.  A record holds a handful of names,
 * so a linear search is the fastest there is.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "render_int.h"
#include "xmem.h"

struct render_vars *
render_vars_new(void)
{
	return xcalloc(1, sizeof(struct render_vars));
}

static void
entry_clear(struct entry *en)
{
	free(en->text);
	en->text = NULL;
	for (size_t i = 0; i < en->nitems; i++)
		render_vars_free(&en->items[i]);
	free(en->items);
	en->items = NULL;
	en->nitems = 0;
	en->flag = false;
}

void
render_vars_free(struct render_vars **vp)
{
	struct render_vars *v = *vp;

	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		entry_clear(&v->v[i]);
		free(v->v[i].name);
	}
	free(v->v);
	free(v);
	*vp = NULL;
}

struct entry *
render_entry_find(const struct render_vars *v, const char *name, size_t n)
{
	for (size_t i = 0; i < v->n; i++)
		if (render_name_eq(name, n, v->v[i].name))
			return &v->v[i];
	return NULL;
}

/* The entry for name, emptied and made of kind k. */
static struct entry *
entry_put(struct render_vars *v, const char *name, enum kind k)
{
	struct entry *en = render_entry_find(v, name, strlen(name));

	if (en == NULL) {
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 8;
			v->v = xreallocarray(v->v, v->cap, sizeof(*v->v));
		}
		en = &v->v[v->n++];
		memset(en, 0, sizeof(*en));
		en->name = xstrdup(name);
	} else {
		entry_clear(en);
	}
	en->kind = k;
	return en;
}

void
render_vars_set(struct render_vars *v, const char *name, const char *value)
{
	entry_put(v, name, K_TEXT)->text = xstrdup(value ? value : "");
}

void
render_vars_html(struct render_vars *v, const char *name, const char *html)
{
	entry_put(v, name, K_HTML)->text = xstrdup(html ? html : "");
}

void
render_vars_setf(struct render_vars *v, const char *name, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	entry_put(v, name, K_TEXT)->text = buf_steal(&b);
}

void
render_vars_flag(struct render_vars *v, const char *name, bool on)
{
	entry_put(v, name, K_FLAG)->flag = on;
}

void
render_vars_list(struct render_vars *v, const char *name)
{
	struct entry *en = render_entry_find(v, name, strlen(name));

	if (en == NULL || en->kind != K_LIST)
		entry_put(v, name, K_LIST);
}

struct render_vars *
render_vars_item(struct render_vars *v, const char *name)
{
	struct entry *en;

	render_vars_list(v, name);
	en = render_entry_find(v, name, strlen(name));
	en->items = xreallocarray(en->items, en->nitems + 1,
	    sizeof(*en->items));
	en->items[en->nitems] = render_vars_new();
	return en->items[en->nitems++];
}
