/*
 * store_person - privacy: what is stored about a person, erasing them,
 * and the suppression list of erased addresses.  Erasure keeps nothing
 * that names the person; where a row must stay (the event log, posts
 * others replied to) the address becomes its keyed hash, which can be
 * recognised again (so an import does not re-add them) but not read.
 * A person is one mailbox: rows that name them in another ASCII case
 * are theirs too.
 */
#include "autoconf.h"

#include <string.h>

#include "err.h"
#include "store_int.h"

int
store_suppressed(struct store *st, const char *hash, struct err *e)
{
	return store_one(st, "SELECT 1 FROM suppression WHERE hash = ?1",
	    "suppression", NULL, NULL, e, STORE_VALS(STORE_T(hash)));
}

/* Per section: its SQL (?1 person id, ?2 address) and the time columns. */
static const struct {
	const char *name;
	const char *sql;
	const char *times;   /* space-separated names of Unix-time columns */
} sections[STORE_SECTIONS] = {
	[SECTION_SUBSCRIPTIONS] = { "subscriptions",
	    "SELECT list_id AS list, state, mode, created AS since, updated, "
	    "unsubscribed_at, consent, consent_at, consent_request_msgid, "
	    "consent_confirm_msgid FROM subscriptions WHERE person_id = ?1 "
	    "ORDER BY list_id",
	    " since updated unsubscribed_at consent_at " },
	[SECTION_TOKENS] = { "tokens",
	    "SELECT kind, action, list_id AS list, mode, request_msgid, created, "
	    "expires, used_at FROM tokens WHERE person_id = ?1 ORDER BY created",
	    " created expires used_at " },
	[SECTION_BOUNCES] = { "bounces",
	    "SELECT created AS date, list_id AS list, kind, status, diagnostic, "
	    "score FROM bounces WHERE person_id = ?1 "
	    "ORDER BY created",
	    " date " },
	[SECTION_POSTS] = { "posts",
	    "SELECT created AS date, list_id AS list, subject, state, message_id "
	    "FROM posts WHERE person_id = ?1 OR from_addr = ?2 COLLATE NOCASE "
	    "ORDER BY created",
	    " date " },
	[SECTION_EVENTS] = { "events",
	    "SELECT at, event, list_id AS list, result, detail FROM events "
	    "WHERE addr = ?2 COLLATE NOCASE ORDER BY at, id",
	    " at " },
	[SECTION_CONFIRMATIONS] = { "confirmations_sent",
	    "SELECT at FROM confirm_sent WHERE person_id = ?1 ORDER BY at",
	    " at " },
};

const char *
store_section_name(enum store_section sec)
{
	return sections[sec].name;
}

static bool
is_time(const char *times, const char *name)
{
	const char *p = strstr(times, name);
	size_t n = strlen(name);

	return p != NULL && p[-1] == ' ' && p[n] == ' ';
}

struct section_walk {
	enum store_section sec;
	store_row_cb *cb;
	void *arg;
};

static int
section_row(sqlite3_stmt *s, void *arg)
{
	struct section_walk *w = arg;
	struct store_cell cells[16];
	int n = sqlite3_column_count(s);

	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++) {
		struct store_cell *c = &cells[i];

		c->name = sqlite3_column_name(s, i);
		c->text = NULL;
		c->i = 0;
		c->d = 0;
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_NULL:
			c->type = CELL_NULL;
			break;
		case SQLITE_INTEGER:
			c->i = sqlite3_column_int64(s, i);
			c->type = is_time(sections[w->sec].times, c->name) ?
			    CELL_TIME : CELL_INT;
			break;
		case SQLITE_FLOAT:
			c->d = sqlite3_column_double(s, i);
			c->type = CELL_REAL;
			break;
		default:
			c->text = (const char *)sqlite3_column_text(s, i);
			c->type = CELL_TEXT;
		}
	}
	return w->cb(cells, n, w->arg) != 0;
}

int
store_person_section(struct store *st, enum store_section sec,
    const struct person *p, store_row_cb *cb, void *arg, struct err *e)
{
	struct section_walk w = { sec, cb, arg };

	return store_run(st, sections[sec].sql, sections[sec].name,
	    section_row, &w, e, STORE_VALS(STORE_I(p->id), STORE_T(p->email)))
	    < 0 ? -1 : 0;
}

static int
run(struct store *st, const char *sql, const struct person *p,
    const char *hash, int64_t now, int64_t *changed, struct err *e)
{
	if (store_run(st, sql, "erase", NULL, NULL, e,
	    STORE_VALS(STORE_I(p->id), STORE_T(p->email), STORE_T(hash),
	    STORE_I(now))) != 0)
		return -1;
	if (changed)
		*changed += sqlite3_changes(st->db);
	return 0;
}

int
store_person_erase(struct store *st, const struct person *p, const char *hash,
    int64_t now, struct store_erase_counts *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	/* ?1 person id, ?2 address, ?3 hash, ?4 now (unused ones bind nothing). */
	if (run(st, "UPDATE events SET addr = ?3 WHERE addr = ?2 COLLATE "
	    "NOCASE", p, hash, now, &c->events, e) ||
	    run(st, "UPDATE events SET detail = replace(detail, ?2, ?3) WHERE "
	    "instr(detail, ?2) > 0", p, hash, now, &c->events, e) ||
	    /*
	     * What they said stays in the archive, without them: no name, no
	     * address (in the text neither), no raw message.
	     */
	    run(st, "UPDATE posts SET from_addr = ?3, from_name = '', body = "
	    "replace(CASE WHEN length(from_name) >= 3 THEN replace(body, "
	    "from_name, '') ELSE body END, ?2, ''), raw = X'', person_id = "
	    "NULL WHERE (person_id = ?1 OR from_addr = ?2 COLLATE NOCASE)", p,
	    hash, now, &c->posts, e) ||
	    run(st, "DELETE FROM inbound WHERE instr(lower(CAST(raw AS TEXT)), "
	    "lower(?2)) > 0", p, hash, now, &c->inbound, e) ||
	    run(st, "UPDATE news_pages SET sent = 1 WHERE sent = 0 AND "
	    "campaign_id IN (SELECT campaign_id FROM queue WHERE state = "
	    "'sent' AND (rcpt = ?2 COLLATE NOCASE OR person_id = ?1))", p,
	    hash, now, NULL, e) ||
	    run(st, "DELETE FROM queue WHERE rcpt = ?2 COLLATE NOCASE OR "
	    "person_id = ?1", p, hash, now, &c->queue, e) ||
	    run(st, "DELETE FROM messages WHERE id NOT IN (SELECT message_id "
	    "FROM queue) AND campaign_id IN (SELECT id FROM campaigns WHERE "
	    "kind IN ('reply','notice'))", p, hash, now, NULL, e) ||
	    run(st, "DELETE FROM people WHERE id = ?1", p, hash, now, NULL, e) ||
	    run(st, "INSERT INTO suppression(hash, reason, created) VALUES "
	    "(?3, 'erased', ?4) ON CONFLICT(hash) DO NOTHING", p, hash, now,
	    NULL, e) ||
	    /* Merged segments keep no token of what was deleted. */
	    run(st, "INSERT INTO post_fts(post_fts) VALUES ('optimize')", p,
	    hash, now, NULL, e))
		return -1;
	return 0;
}
