/*
 * store_token - confirmation tokens, the confirmations sent per person
 * (confirm_limit), and the consent a confirmation records.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

static const char *const action_names[] = {
	"subscribe", "unsubscribe", "digest-on", "digest-off",
};

static int
action_parse(const char *s, enum token_action *a)
{
	for (size_t i = 0; s != NULL && i < sizeof(action_names) /
	    sizeof(action_names[0]); i++)
		if (strcmp(s, action_names[i]) == 0) {
			*a = (enum token_action)i;
			return 0;
		}
	return -1;
}

void
store_token_clear(struct store_token *t)
{
	free(t->list_id);
	free(t->request_msgid);
	memset(t, 0, sizeof(*t));
}

int
store_token_add(struct store *st, const char *hash, const struct store_token *t,
    struct err *e)
{
	return store_run(st, "INSERT INTO tokens(hash, kind, action, "
	    "person_id, list_id, mode, request_msgid, created, expires, lang) "
	    "VALUES (?1, 'confirm', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    "keep token", NULL, NULL, e, STORE_VALS(STORE_T(hash),
	    STORE_T(action_names[t->action]), STORE_I(t->person_id),
	    STORE_T(t->list_id), STORE_T(t->action == TOKEN_SUBSCRIBE ?
	    sub_mode_name(t->mode) : NULL), STORE_T(t->request_msgid),
	    STORE_I(t->created), STORE_I(t->expires),
	    STORE_T(lang_name(t->lang))));
}

/* A mode column: one-by-one where it holds none. */
static enum sub_mode
col_mode(sqlite3_stmt *s, int col)
{
	const char *v = (const char *)sqlite3_column_text(s, col);
	enum sub_mode mode = MODE_EACH;

	if (v != NULL)
		sub_mode_parse(v, &mode);
	return mode;
}

/* The row into out; 1 when its action is one kring knows. */
static int
token_row(sqlite3_stmt *s, void *arg)
{
	struct store_token *out = arg;
	const char *lang = (const char *)sqlite3_column_text(s, 8);

	out->person_id = sqlite3_column_int64(s, 1);
	out->list_id = store_col_text(s, 2);
	out->request_msgid = store_col_text(s, 4);
	out->created = sqlite3_column_int64(s, 5);
	out->expires = sqlite3_column_int64(s, 6);
	out->used_at = sqlite3_column_int64(s, 7);
	out->mode = col_mode(s, 3);
	out->lang = LANG_NL;
	if (lang != NULL)
		lang_parse(lang, &out->lang);
	return action_parse((const char *)sqlite3_column_text(s, 0),
	    &out->action) == 0;
}

int
store_token_get(struct store *st, const char *hash, bool confirm,
    struct store_token *out, struct err *e)
{
	int r;

	memset(out, 0, sizeof(*out));
	/* 1: found, with an action kring knows; 0 no row, or not. */
	r = store_run(st, "SELECT action, person_id, list_id, mode, "
	    "request_msgid, created, expires, used_at, lang FROM tokens "
	    "WHERE hash = ?1 AND kind = ?2", "read token", token_row,
	    out, e, STORE_VALS(STORE_T(hash),
	    STORE_T(confirm ? "confirm" : "unsubscribe")));
	if (r != 1)
		store_token_clear(out);
	return r;
}

int
store_token_use(struct store *st, const char *hash, int64_t now,
    struct err *e)
{
	if (store_run(st, "UPDATE tokens SET used_at = ?2 WHERE hash = ?1 AND "
	    "kind = 'confirm' AND used_at IS NULL", "use token", NULL, NULL, e,
	    STORE_VALS(STORE_T(hash), STORE_I(now))) != 0)
		return -1;
	return sqlite3_changes(st->db) > 0;
}

int
store_confirm_count(struct store *st, int64_t person_id, int64_t since,
    int64_t *n, struct err *e)
{
	*n = 0;
	/* person_id 0: the site's, answering requests (confirm_sent_at). */
	return store_row_int(st, person_id != 0 ?
	    "SELECT count(*) FROM confirm_sent WHERE person_id = ?1 AND "
	    "at >= ?2" : "SELECT count(*) FROM confirm_sent WHERE at >= ?2 "
	    "AND invited = 0 AND ?1 = 0", "count confirmations", n, e,
	    STORE_VALS(STORE_I(person_id), STORE_I(since)));
}

int
store_confirm_note(struct store *st, int64_t person_id, int64_t now,
    bool invited, struct err *e)
{
	return store_run(st, "INSERT INTO confirm_sent(person_id, at, invited) "
	    "VALUES (?1, ?2, ?3)", "note confirmation", NULL, NULL, e,
	    STORE_VALS(STORE_I(person_id), STORE_I(now), STORE_I(invited)));
}

int
store_sub_consent(struct store *st, const char *list_id, int64_t person_id,
    const char *request_msgid, const char *confirm_msgid, struct err *e)
{
	return store_run(st, "UPDATE subscriptions SET consent_request_msgid = "
	    "?3, consent_confirm_msgid = ?4 WHERE person_id = ?1 AND "
	    "list_id = ?2", "record consent", NULL, NULL, e,
	    STORE_VALS(STORE_I(person_id), STORE_T(list_id),
	    STORE_T(request_msgid), STORE_T(confirm_msgid)));
}

void
store_invites_free(struct store_invite *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].list_id);
		free(v[i].email);
		free(v[i].name);
	}
	free(v);
}

static int
invite_read(sqlite3_stmt *s, void *arg)
{
	struct store_invite *i = arg;

	i->person_id = sqlite3_column_int64(s, 0);
	i->list_id = store_col_text(s, 1);
	i->email = store_col_text(s, 2);
	i->name = store_col_text(s, 3);
	i->mode = col_mode(s, 4);
	return 0;
}

int
store_invites_due(struct store *st, size_t max, struct store_invite **out,
    size_t *n, struct err *e)
{
	void *v = NULL;

	*out = NULL;
	*n = 0;
	if (store_all(st, "SELECT s.person_id, s.list_id, p.email, p.name, "
	    "s.mode FROM subscriptions s JOIN people p ON p.id = s.person_id "
	    "WHERE s.state = 'pending' AND s.consent = 'import' "
	    "ORDER BY s.list_id, s.person_id LIMIT ?1", "read invitations",
	    sizeof(**out), invite_read, &v, n, e,
	    STORE_VALS(STORE_I(max))) != 0) {
		store_invites_free(v, *n);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

int
store_invite_sent(struct store *st, const char *list_id, int64_t person_id,
    int64_t now, struct err *e)
{
	return store_run(st, "UPDATE subscriptions SET consent = "
	    "'import-invited', updated = ?3 WHERE person_id = ?1 AND "
	    "list_id = ?2 AND consent = 'import'", "note invitation", NULL,
	    NULL, e, STORE_VALS(STORE_I(person_id), STORE_T(list_id),
	    STORE_I(now)));
}
