/*
 * store_sub - people and their subscriptions.  A person is one mailbox:
 * addresses that differ only in ASCII case find the same person, who
 * keeps the address first given;
 * a subscription joins a person to a list with a state, a delivery mode
 * and the record of how consent was given.  Unsubscribing keeps the row
 * (state unsubscribed, with its time) so resubscription and audits work.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "store_int.h"
#include "xmem.h"

/* One person by address (email) or by id (email NULL). */
static int
person_get(struct store *st, const char *email, int64_t id,
    struct person *out, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, email, name, created FROM "
	    "people WHERE email = ?1 COLLATE NOCASE OR (?1 IS NULL AND id = ?2)", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, email);
	store_bind_int(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->email = store_col_text(s, 1);
		out->name = store_col_text(s, 2);
		out->created = sqlite3_column_int64(s, 3);
	}
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "find person");
}

int
store_person_find(struct store *st, const char *email, struct person *out,
    struct err *e)
{
	return person_get(st, email, 0, out, e);
}

int
store_person_get(struct store *st, int64_t id, struct person *out,
    struct err *e)
{
	return person_get(st, NULL, id, out, e);
}

int
store_person_ensure(struct store *st, const char *email, const char *name,
    int64_t now, int64_t *id, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO people(email, name, "
	    "created) VALUES (?1, coalesce(?2, ''), ?3) ON CONFLICT(email "
	    "COLLATE NOCASE) DO UPDATE SET name = coalesce(?2, name) RETURNING id", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, email);
	store_bind_text(s, 2, name && *name ? name : NULL);
	store_bind_int(s, 3, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	store_done(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, e, "add person");
}

static void
row_to_sub(sqlite3_stmt *s, struct sub *out)
{
	out->list_id = store_col_text(s, 0);
	out->email = store_col_text(s, 1);
	out->name = store_col_text(s, 2);
	sub_state_parse((const char *)sqlite3_column_text(s, 3), &out->state);
	sub_mode_parse((const char *)sqlite3_column_text(s, 4), &out->mode);
	out->created = sqlite3_column_int64(s, 5);
	out->updated = sqlite3_column_int64(s, 6);
	out->consent = store_col_text(s, 7);
	out->consent_at = sqlite3_column_int64(s, 8);
	out->person_id = sqlite3_column_int64(s, 9);
}

int
store_sub_get(struct store *st, const char *list_id, int64_t person_id,
    struct sub *out, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT s.list_id, p.email, p.name, "
	    "s.state, s.mode, s.created, s.updated, s.consent, s.consent_at, "
	    "s.person_id FROM subscriptions s JOIN people p ON p.id = s.person_id "
	    "WHERE s.list_id = ?1 AND s.person_id = ?2", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_int(s, 2, person_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_to_sub(s, out);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "get subscription");
}

int
store_sub_put(struct store *st, const char *list_id, int64_t person_id,
    enum sub_state state, enum sub_mode mode, const char *consent,
    int64_t now, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO subscriptions(person_id, "
	    "list_id, state, mode, created, updated, unsubscribed_at, consent, "
	    "consent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, "
	    "CASE WHEN ?3 = 'unsubscribed' THEN ?5 END, ?6, "
	    "CASE WHEN ?6 IS NOT NULL THEN ?5 END) "
	    "ON CONFLICT(person_id, list_id) DO UPDATE SET state = ?3, mode = ?4, "
	    "updated = ?5, unsubscribed_at = CASE WHEN ?3 = 'unsubscribed' "
	    "THEN ?5 ELSE unsubscribed_at END, "
	    "consent = coalesce(?6, consent), "
	    "consent_at = CASE WHEN ?6 IS NOT NULL THEN ?5 ELSE consent_at END", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, person_id);
	store_bind_text(s, 2, list_id);
	store_bind_text(s, 3, sub_state_name(state));
	store_bind_text(s, 4, sub_mode_name(mode));
	store_bind_int(s, 5, now);
	store_bind_text(s, 6, consent);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "write subscription");
}

int
store_sub_each(struct store *st, const char *list_id, int state,
    store_sub_cb *cb, void *arg, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT s.list_id, p.email, p.name, "
	    "s.state, s.mode, s.created, s.updated, s.consent, s.consent_at, "
	    "s.person_id FROM subscriptions s JOIN people p ON p.id = s.person_id "
	    "WHERE s.list_id = ?1 AND (?2 IS NULL OR s.state = ?2) "
	    "ORDER BY p.email", e);
	struct sub one;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, state < 0 ? NULL :
	    sub_state_name((enum sub_state)state));
	/*
	 * Stream: a list may have 100,000 members.  Callbacks must not use
	 * the store; the read transaction ends when the statement is reset.
	 */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		row_to_sub(s, &one);
		stop = cb(&one, arg);
		sub_clear(&one);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "list subscriptions");
}
