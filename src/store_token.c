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
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO tokens(hash, kind, "
	    "action, person_id, list_id, mode, request_msgid, created, expires, "
	    "lang) VALUES (?1, 'confirm', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, hash);
	store_bind_text(s, 2, action_names[t->action]);
	store_bind_int(s, 3, t->person_id);
	store_bind_text(s, 4, t->list_id);
	store_bind_text(s, 5, t->action == TOKEN_SUBSCRIBE ?
	    sub_mode_name(t->mode) : NULL);
	store_bind_text(s, 6, t->request_msgid);
	store_bind_int(s, 7, t->created);
	store_bind_int(s, 8, t->expires);
	store_bind_text(s, 9, lang_name(t->lang));
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "keep token");
}

int
store_token_get(struct store *st, const char *hash, bool confirm,
    struct store_token *out, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT action, person_id, list_id, "
	    "mode, request_msgid, created, expires, used_at, lang FROM tokens "
	    "WHERE hash = ?1 AND kind = ?2", e);
	char *action, *mode, *lang;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, hash);
	store_bind_text(s, 2, confirm ? "confirm" : "unsubscribe");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		action = store_col_text(s, 0);
		mode = store_col_text(s, 3);
		lang = store_col_text(s, 8);
		out->person_id = sqlite3_column_int64(s, 1);
		out->list_id = store_col_text(s, 2);
		out->request_msgid = store_col_text(s, 4);
		out->created = sqlite3_column_int64(s, 5);
		out->expires = sqlite3_column_int64(s, 6);
		out->used_at = sqlite3_column_int64(s, 7);
		out->mode = MODE_EACH;
		if (mode != NULL)
			sub_mode_parse(mode, &out->mode);
		out->lang = LANG_NL;
		if (lang != NULL)
			lang_parse(lang, &out->lang);
		found = action_parse(action, &out->action) == 0;
		free(action);
		free(mode);
		free(lang);
		rc = SQLITE_DONE;
	}
	store_done(s);
	if (rc != SQLITE_DONE) {
		store_token_clear(out);
		return store_fail(st, e, "read token");
	}
	if (!found)
		store_token_clear(out);
	return found;
}

int
store_token_use(struct store *st, const char *hash, int64_t now,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE tokens SET used_at = ?2 "
	    "WHERE hash = ?1 AND kind = 'confirm' AND used_at IS NULL", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, hash);
	store_bind_int(s, 2, now);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "use token");
	return sqlite3_changes(st->db) > 0;
}

int
store_confirm_count(struct store *st, int64_t person_id, int64_t since,
    int64_t *n, struct err *e)
{
	/* person_id 0: the site's, answering requests (confirm_sent_at). */
	sqlite3_stmt *s = store_stmt(st, person_id != 0 ?
	    "SELECT count(*) FROM confirm_sent WHERE person_id = ?1 AND "
	    "at >= ?2" : "SELECT count(*) FROM confirm_sent WHERE at >= ?2 "
	    "AND invited = 0 AND ?1 = 0", e);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_int(s, 2, since);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "count confirmations");
}

int
store_confirm_note(struct store *st, int64_t person_id, int64_t now,
    bool invited, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO confirm_sent(person_id, "
	    "at, invited) VALUES (?1, ?2, ?3)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_int(s, 2, now);
	store_bind_int(s, 3, invited);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "note confirmation");
}

int
store_sub_consent(struct store *st, const char *list_id, int64_t person_id,
    const char *request_msgid, const char *confirm_msgid, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE subscriptions SET "
	    "consent_request_msgid = ?3, consent_confirm_msgid = ?4 "
	    "WHERE person_id = ?1 AND list_id = ?2", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_text(s, 2, list_id);
	store_bind_text(s, 3, request_msgid);
	store_bind_text(s, 4, confirm_msgid);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "record consent");
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

int
store_invites_due(struct store *st, size_t max, struct store_invite **out,
    size_t *n, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT s.person_id, s.list_id, "
	    "p.email, p.name, s.mode FROM subscriptions s JOIN people p ON "
	    "p.id = s.person_id WHERE s.state = 'pending' AND s.consent = "
	    "'import' ORDER BY s.list_id, s.person_id LIMIT ?1", e);
	struct store_invite *v = NULL;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, (int64_t)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *mode = store_col_text(s, 4);

		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt].person_id = sqlite3_column_int64(s, 0);
		v[cnt].list_id = store_col_text(s, 1);
		v[cnt].email = store_col_text(s, 2);
		v[cnt].name = store_col_text(s, 3);
		v[cnt].mode = MODE_EACH;
		if (mode != NULL)
			sub_mode_parse(mode, &v[cnt].mode);
		free(mode);
		cnt++;
	}
	store_done(s);
	if (rc != SQLITE_DONE) {
		store_invites_free(v, cnt);
		return store_fail(st, e, "read invitations");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
store_invite_sent(struct store *st, const char *list_id, int64_t person_id,
    int64_t now, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE subscriptions SET consent = "
	    "'import-invited', updated = ?3 WHERE person_id = ?1 AND "
	    "list_id = ?2 AND consent = 'import'", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_text(s, 2, list_id);
	store_bind_int(s, 3, now);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "note invitation");
}
