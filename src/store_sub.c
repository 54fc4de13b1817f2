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
person_row(sqlite3_stmt *s, void *arg)
{
	struct person *out = arg;

	out->id = sqlite3_column_int64(s, 0);
	out->email = store_col_text(s, 1);
	out->name = store_col_text(s, 2);
	out->created = sqlite3_column_int64(s, 3);
	return 0;
}

static int
person_get(struct store *st, const char *email, int64_t id,
    struct person *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT id, email, name, created FROM people "
	    "WHERE email = ?1 COLLATE NOCASE OR (?1 IS NULL AND id = ?2)",
	    "find person", person_row, out, e,
	    STORE_VALS(STORE_T(email), STORE_I(id)));
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
	return store_row_int(st, "INSERT INTO people(email, name, created) "
	    "VALUES (?1, coalesce(?2, ''), ?3) ON CONFLICT(email COLLATE "
	    "NOCASE) DO UPDATE SET name = coalesce(?2, name) RETURNING id",
	    "add person", id, e, STORE_VALS(STORE_T(email),
	    STORE_T(name && *name ? name : NULL), STORE_I(now)));
}

static int
row_to_sub(sqlite3_stmt *s, void *arg)
{
	struct sub *out = arg;

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
	return 0;
}

#define SUB_COLS "s.list_id, p.email, p.name, s.state, s.mode, s.created, " \
	"s.updated, s.consent, s.consent_at, s.person_id FROM subscriptions s " \
	"JOIN people p ON p.id = s.person_id"

int
store_sub_get(struct store *st, const char *list_id, int64_t person_id,
    struct sub *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT " SUB_COLS " WHERE s.list_id = ?1 AND "
	    "s.person_id = ?2", "get subscription", row_to_sub, out, e,
	    STORE_VALS(STORE_T(list_id), STORE_I(person_id)));
}

int
store_sub_put(struct store *st, const char *list_id, int64_t person_id,
    enum sub_state state, enum sub_mode mode, const char *consent,
    int64_t now, struct err *e)
{
	return store_run(st, "INSERT INTO subscriptions(person_id, "
	    "list_id, state, mode, created, updated, unsubscribed_at, consent, "
	    "consent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, "
	    "CASE WHEN ?3 = 'unsubscribed' THEN ?5 END, ?6, "
	    "CASE WHEN ?6 IS NOT NULL THEN ?5 END) "
	    "ON CONFLICT(person_id, list_id) DO UPDATE SET state = ?3, mode = ?4, "
	    "updated = ?5, unsubscribed_at = CASE WHEN ?3 = 'unsubscribed' "
	    "THEN ?5 ELSE unsubscribed_at END, "
	    "consent = coalesce(?6, consent), "
	    "consent_at = CASE WHEN ?6 IS NOT NULL THEN ?5 ELSE consent_at END",
	    "write subscription", NULL, NULL, e, STORE_VALS(STORE_I(person_id),
	    STORE_T(list_id), STORE_T(sub_state_name(state)),
	    STORE_T(sub_mode_name(mode)), STORE_I(now), STORE_T(consent)));
}

struct sub_walk {
	store_sub_cb *cb;
	void *arg;
};

static int
sub_step(sqlite3_stmt *s, void *arg)
{
	struct sub_walk *w = arg;
	struct sub one;
	int stop;

	row_to_sub(s, &one);
	stop = w->cb(&one, w->arg);
	sub_clear(&one);
	return stop ? 1 : 0;
}

int
store_sub_each(struct store *st, const char *list_id, int state,
    store_sub_cb *cb, void *arg, struct err *e)
{
	struct sub_walk w = { cb, arg };

	/*
	 * Stream: a list may have 100,000 members.  Callbacks must not use
	 * the store; the read transaction ends when the statement is reset.
	 */
	return store_run(st, "SELECT " SUB_COLS " WHERE s.list_id = ?1 AND "
	    "(?2 IS NULL OR s.state = ?2) ORDER BY p.email",
	    "list subscriptions", sub_step, &w, e, STORE_VALS(STORE_T(list_id),
	    STORE_T(state < 0 ? NULL : sub_state_name((enum sub_state)state))))
	    < 0 ? -1 : 0;
}
