/*
 * store_list - the lists table.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

/* Bind ?1..?8 (id, name, description, kind, lang, policy, digest, aliases). */
static void
bind_list(sqlite3_stmt *s, const struct list *l)
{
	store_bind_text(s, 1, l->id);
	store_bind_text(s, 2, l->name);
	store_bind_text(s, 3, l->description ? l->description : "");
	store_bind_text(s, 4, list_kind_name(l->kind));
	store_bind_text(s, 5, lang_name(l->lang));
	store_bind_text(s, 6, list_policy_name(l->policy));
	store_bind_text(s, 7, list_digest_name(l->digest));
	store_bind_text(s, 8, l->aliases ? l->aliases : "");
}

int
store_list_add(struct store *st, const struct list *l, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO lists(id, name, "
	    "description, kind, lang, policy, digest, aliases, created) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", e);
	int rc;

	if (s == NULL)
		return -1;
	bind_list(s, l);
	store_bind_int(s, 9, l->created);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return err_set(e, EX_DATAERR, "list %s already exists", l->id);
	return store_fail(st, e, "add list");
}

static void
row_to_list(sqlite3_stmt *s, struct list *l)
{
	l->id = store_col_text(s, 0);
	l->name = store_col_text(s, 1);
	l->description = store_col_text(s, 2);
	list_kind_parse((const char *)sqlite3_column_text(s, 3), &l->kind);
	lang_parse((const char *)sqlite3_column_text(s, 4), &l->lang);
	list_policy_parse((const char *)sqlite3_column_text(s, 5), &l->policy);
	list_digest_parse((const char *)sqlite3_column_text(s, 6), &l->digest);
	l->created = sqlite3_column_int64(s, 7);
	l->aliases = store_col_text(s, 8);
}

int
store_list_get(struct store *st, const char *id, struct list *out, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, name, description, kind, "
	    "lang, policy, digest, created, aliases FROM lists WHERE id = ?1", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_to_list(s, out);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "get list");
}

int
store_list_update(struct store *st, const struct list *l, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE lists SET name = ?2, "
	    "description = ?3, kind = ?4, lang = ?5, policy = ?6, digest = ?7, "
	    "aliases = ?8 "
	    "WHERE id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	bind_list(s, l);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "update list");
}

int
store_list_by_word(struct store *st, const char *word, const char *except,
    char **id, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM lists WHERE "
	    "id IS NOT ?2 AND (id = ?1 OR instr(',' || aliases || ',', "
	    "',' || ?1 || ',') > 0) ORDER BY id = ?1 DESC, id LIMIT 1", e);
	int rc;

	*id = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, word);
	store_bind_text(s, 2, except);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = store_col_text(s, 0);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "find list");
}

int
store_list_counts(struct store *st, const char *id, int64_t counts[4],
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT state, count(*) FROM "
	    "subscriptions WHERE list_id = ?1 GROUP BY state", e);
	int rc;

	memset(counts, 0, 4 * sizeof(counts[0]));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		enum sub_state state;

		if (sub_state_parse((const char *)sqlite3_column_text(s, 0),
		    &state) == 0)
			counts[state] = sqlite3_column_int64(s, 1);
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "count subscriptions");
}

int
store_list_remove(struct store *st, const char *id, int64_t *nsubs,
    struct err *e)
{
	sqlite3_stmt *s;
	int64_t counts[4];
	int rc;

	if (store_list_counts(st, id, counts, e) != 0)
		return -1;
	*nsubs = counts[0] + counts[1] + counts[2] + counts[3];
	if ((s = store_stmt(st, "DELETE FROM lists WHERE id = ?1", e)) == NULL)
		return -1;
	store_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "remove list");
}

int
store_list_each(struct store *st, store_list_cb *cb, void *arg, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, name, description, kind, "
	    "lang, policy, digest, created, aliases FROM lists ORDER BY id", e);
	struct list *all = NULL;
	size_t n = 0;
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	/* Collect first, so callbacks may query the store themselves. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		all = xreallocarray(all, n + 1, sizeof(*all));
		memset(&all[n], 0, sizeof(all[n]));
		row_to_list(s, &all[n++]);
	}
	store_done(s);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < n; i++)
			list_clear(&all[i]);
		free(all);
		return store_fail(st, e, "list lists");
	}
	for (size_t i = 0; i < n; i++) {
		if (!stop)
			stop = cb(&all[i], arg);
		list_clear(&all[i]);
	}
	free(all);
	return 0;
}

void
store_memberships_free(struct store_membership *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		list_clear(&v[i].list);
	free(v);
}

int
store_person_memberships(struct store *st, int64_t person_id,
    struct store_membership **out, size_t *n, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT l.id, l.name, l.description, "
	    "l.kind, l.lang, l.policy, l.digest, l.created, l.aliases, "
	    "s.state, s.mode "
	    "FROM subscriptions s JOIN lists l ON l.id = s.list_id "
	    "WHERE s.person_id = ?1 AND s.state <> 'unsubscribed' "
	    "ORDER BY l.id", e);
	struct store_membership *v = NULL;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		memset(&v[cnt], 0, sizeof(v[cnt]));
		row_to_list(s, &v[cnt].list);
		sub_state_parse((const char *)sqlite3_column_text(s, 9),
		    &v[cnt].state);
		sub_mode_parse((const char *)sqlite3_column_text(s, 10),
		    &v[cnt].mode);
		cnt++;
	}
	store_done(s);
	if (rc != SQLITE_DONE) {
		store_memberships_free(v, cnt);
		return store_fail(st, e, "read memberships");
	}
	*out = v;
	*n = cnt;
	return 0;
}
