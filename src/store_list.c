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

/* ?1..?8: id, name, description, kind, lang, policy, digest, aliases. */
#define LIST_VALS(l) \
	STORE_T((l)->id), STORE_T((l)->name), \
	STORE_T((l)->description ? (l)->description : ""), \
	STORE_T(list_kind_name((l)->kind)), STORE_T(lang_name((l)->lang)), \
	STORE_T(list_policy_name((l)->policy)), \
	STORE_T(list_digest_name((l)->digest)), \
	STORE_T((l)->aliases ? (l)->aliases : "")

#define LIST_COLS "id, name, description, kind, lang, policy, digest, " \
	"created, aliases"

int
store_list_add(struct store *st, const struct list *l, struct err *e)
{
	if (store_run(st, "INSERT INTO lists(id, name, description, kind, "
	    "lang, policy, digest, aliases, created) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9)", "add list", NULL, NULL, e,
	    STORE_VALS(LIST_VALS(l), STORE_I(l->created))) == 0)
		return 0;
	if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT)
		return err_set(e, EX_DATAERR, "list %s already exists", l->id);
	return -1;
}

static int
row_to_list(sqlite3_stmt *s, void *arg)
{
	struct list *l = arg;

	l->id = store_col_text(s, 0);
	l->name = store_col_text(s, 1);
	l->description = store_col_text(s, 2);
	list_kind_parse((const char *)sqlite3_column_text(s, 3), &l->kind);
	lang_parse((const char *)sqlite3_column_text(s, 4), &l->lang);
	list_policy_parse((const char *)sqlite3_column_text(s, 5), &l->policy);
	list_digest_parse((const char *)sqlite3_column_text(s, 6), &l->digest);
	l->created = sqlite3_column_int64(s, 7);
	l->aliases = store_col_text(s, 8);
	return 0;
}

int
store_list_get(struct store *st, const char *id, struct list *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT " LIST_COLS " FROM lists WHERE id = ?1",
	    "get list", row_to_list, out, e, STORE_VALS(STORE_T(id)));
}

int
store_list_update(struct store *st, const struct list *l, struct err *e)
{
	return store_run(st, "UPDATE lists SET name = ?2, description = ?3, "
	    "kind = ?4, lang = ?5, policy = ?6, digest = ?7, aliases = ?8 "
	    "WHERE id = ?1", "update list", NULL, NULL, e,
	    STORE_VALS(LIST_VALS(l)));
}

int
store_list_by_word(struct store *st, const char *word, const char *except,
    char **id, struct err *e)
{
	return store_text(st, "SELECT id FROM lists WHERE id IS NOT ?2 AND "
	    "(id = ?1 OR instr(',' || aliases || ',', ',' || ?1 || ',') > 0) "
	    "ORDER BY id = ?1 DESC, id LIMIT 1", "find list", id, e,
	    STORE_VALS(STORE_T(word), STORE_T(except)));
}

static int
count_row(sqlite3_stmt *s, void *arg)
{
	int64_t *counts = arg;
	enum sub_state state;

	if (sub_state_parse((const char *)sqlite3_column_text(s, 0),
	    &state) == 0)
		counts[state] = sqlite3_column_int64(s, 1);
	return 0;
}

int
store_list_counts(struct store *st, const char *id, int64_t counts[4],
    struct err *e)
{
	memset(counts, 0, 4 * sizeof(counts[0]));
	return store_run(st, "SELECT state, count(*) FROM subscriptions "
	    "WHERE list_id = ?1 GROUP BY state", "count subscriptions",
	    count_row, counts, e, STORE_VALS(STORE_T(id)));
}

int
store_list_remove(struct store *st, const char *id, int64_t *nsubs,
    struct err *e)
{
	int64_t counts[4];

	if (store_list_counts(st, id, counts, e) != 0)
		return -1;
	*nsubs = counts[0] + counts[1] + counts[2] + counts[3];
	return store_run(st, "DELETE FROM lists WHERE id = ?1", "remove list",
	    NULL, NULL, e, STORE_VALS(STORE_T(id)));
}

int
store_list_each(struct store *st, store_list_cb *cb, void *arg, struct err *e)
{
	void *v = NULL;
	struct list *all;
	size_t n = 0;
	int rc, stop = 0;

	/* Collect first, so callbacks may query the store themselves. */
	rc = store_all(st, "SELECT " LIST_COLS " FROM lists ORDER BY id",
	    "list lists", sizeof(*all), row_to_list, &v, &n, e, STORE_NOVALS);
	all = v;
	for (size_t i = 0; i < n; i++) {
		if (!stop && rc == 0)
			stop = cb(&all[i], arg);
		list_clear(&all[i]);
	}
	free(all);
	return rc;
}

void
store_memberships_free(struct store_membership *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		list_clear(&v[i].list);
	free(v);
}

static int
membership_read(sqlite3_stmt *s, void *arg)
{
	struct store_membership *m = arg;

	row_to_list(s, &m->list);
	sub_state_parse((const char *)sqlite3_column_text(s, 9), &m->state);
	sub_mode_parse((const char *)sqlite3_column_text(s, 10), &m->mode);
	return 0;
}

int
store_person_memberships(struct store *st, int64_t person_id,
    struct store_membership **out, size_t *n, struct err *e)
{
	void *v = NULL;

	*out = NULL;
	*n = 0;
	if (store_all(st, "SELECT l.id, l.name, l.description, l.kind, "
	    "l.lang, l.policy, l.digest, l.created, l.aliases, s.state, s.mode "
	    "FROM subscriptions s JOIN lists l ON l.id = s.list_id "
	    "WHERE s.person_id = ?1 AND s.state <> 'unsubscribed' "
	    "ORDER BY l.id", "read memberships", sizeof(**out),
	    membership_read, &v, n, e, STORE_VALS(STORE_I(person_id))) != 0) {
		store_memberships_free(v, *n);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}
