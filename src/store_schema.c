/*
 * store_schema - the tables of kring's store and their migrations.
 *
 * migrations[i] takes a store from user_version i to i + 1; each runs in
 * one transaction with the version bump, so a store is always at a version
 * that exists.  Never edit a migration that has been released: add one.
 * Times are Unix seconds (UTC).  Addresses are in addr_normalize() form.
 * Tokens are stored only as token_hash() values.  people.email is
 * unique without regard to ASCII case (one person per mailbox): look a
 * person up with COLLATE NOCASE.
 */
#include "autoconf.h"

#include <stdio.h>
#include <sysexits.h>

#include "err.h"
#include "store_int.h"

static const char *const migrations[] = {
	/* 0 -> 1: everything SPEC describes, even what later work fills in. */
	"CREATE TABLE meta ("
	"  key   TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") STRICT;"

	"CREATE TABLE lists ("
	"  id          TEXT PRIMARY KEY,"
	"  name        TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  kind        TEXT NOT NULL CHECK (kind IN ('cop','newsletter')),"
	"  lang        TEXT NOT NULL CHECK (lang IN ('nl','en')),"
	"  policy      TEXT NOT NULL CHECK (policy IN ('members','moderated','closed')),"
	"  digest      TEXT NOT NULL CHECK (digest IN ('none','weekly','monthly')),"
	"  created     INTEGER NOT NULL"
	") STRICT;"

	"CREATE TABLE people ("
	"  id           INTEGER PRIMARY KEY,"
	"  email        TEXT NOT NULL UNIQUE,"
	"  name         TEXT NOT NULL DEFAULT '',"
	"  created      INTEGER NOT NULL,"
	"  bounce_score REAL NOT NULL DEFAULT 0,"
	"  bounce_at    INTEGER"
	") STRICT;"

	/* consent: admin | import | import-confirmed | mail | web (double opt-in). */
	"CREATE TABLE subscriptions ("
	"  person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  list_id    TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
	"  state      TEXT NOT NULL CHECK (state IN ('pending','active','disabled','unsubscribed')),"
	"  mode       TEXT NOT NULL CHECK (mode IN ('each','digest')),"
	"  created    INTEGER NOT NULL,"
	"  updated    INTEGER NOT NULL,"
	"  unsubscribed_at INTEGER,"
	"  consent    TEXT,"
	"  consent_at INTEGER,"
	"  consent_request_msgid TEXT,"
	"  consent_confirm_msgid TEXT,"
	"  PRIMARY KEY (person_id, list_id)"
	") STRICT;"
	"CREATE INDEX subscriptions_list ON subscriptions(list_id, state);"

	/*
	 * kind confirm: a pending action (subscribe, unsubscribe, digest on
	 * or off) waiting for the person's confirmation; list_id NULL with
	 * action unsubscribe means every list.  kind unsubscribe: the
	 * long-lived personal one-click token of one subscription.
	 */
	"CREATE TABLE tokens ("
	"  hash      TEXT PRIMARY KEY,"
	"  kind      TEXT NOT NULL CHECK (kind IN ('confirm','unsubscribe')),"
	"  action    TEXT NOT NULL CHECK (action IN ('subscribe','unsubscribe','digest-on','digest-off')),"
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  list_id   TEXT REFERENCES lists(id) ON DELETE CASCADE,"
	"  mode      TEXT CHECK (mode IN ('each','digest')),"
	"  request_msgid TEXT,"
	"  created   INTEGER NOT NULL,"
	"  expires   INTEGER,"
	"  used_at   INTEGER"
	") STRICT;"
	"CREATE INDEX tokens_person ON tokens(person_id, kind);"

	/* Confirmation mails sent per address, for confirm_limit. */
	"CREATE TABLE confirm_sent ("
	"  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  at        INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX confirm_sent_person ON confirm_sent(person_id, at);"

	/*
	 * Every inbound message, raw, committed before the source forgets it.
	 * (source, source_uid) and digest make a message processed once.
	 */
	"CREATE TABLE inbound ("
	"  id          INTEGER PRIMARY KEY,"
	"  received    INTEGER NOT NULL,"
	"  source      TEXT NOT NULL,"
	"  source_uid  TEXT,"
	"  envelope_rcpt TEXT,"
	"  message_id  TEXT,"
	"  digest      TEXT NOT NULL UNIQUE,"
	"  size        INTEGER NOT NULL,"
	"  raw         BLOB NOT NULL,"
	"  state       TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new','done','dropped','failed')),"
	"  route       TEXT,"
	"  result      TEXT,"
	"  processed_at INTEGER"
	") STRICT;"
	"CREATE INDEX inbound_state ON inbound(state, id);"
	"CREATE UNIQUE INDEX inbound_source ON inbound(source, source_uid) WHERE source_uid IS NOT NULL;"

	"CREATE TABLE posts ("
	"  id          INTEGER PRIMARY KEY,"
	"  list_id     TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
	"  inbound_id  INTEGER REFERENCES inbound(id) ON DELETE SET NULL,"
	"  person_id   INTEGER REFERENCES people(id) ON DELETE SET NULL,"
	"  from_addr   TEXT NOT NULL,"
	"  from_name   TEXT NOT NULL DEFAULT '',"
	"  subject     TEXT NOT NULL DEFAULT '',"
	"  message_id  TEXT,"
	"  raw         BLOB NOT NULL,"
	"  state       TEXT NOT NULL CHECK (state IN ('accepted','held','rejected','refused')),"
	"  reason      TEXT,"
	"  created     INTEGER NOT NULL,"
	"  decided_at  INTEGER,"
	"  digest_id   INTEGER REFERENCES digests(id) ON DELETE SET NULL"
	") STRICT;"
	"CREATE INDEX posts_list ON posts(list_id, state, digest_id);"

	"CREATE TABLE digests ("
	"  id        INTEGER PRIMARY KEY,"
	"  list_id   TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
	"  volume    INTEGER NOT NULL,"
	"  issue     INTEGER NOT NULL,"
	"  period    TEXT,"
	"  created   INTEGER NOT NULL,"
	"  UNIQUE (list_id, volume, issue),"
	"  UNIQUE (list_id, period)"
	") STRICT;"

	/*
	 * Outgoing mail.  A campaign groups what was queued together (one
	 * newsletter, one digest, one post, the replies of one run); a
	 * message holds bytes shared by its recipients; a queue row is one
	 * (message, recipient) delivery with its own state and retries.
	 */
	"CREATE TABLE campaigns ("
	"  id         INTEGER PRIMARY KEY,"
	"  kind       TEXT NOT NULL CHECK (kind IN ('reply','notice','post','newsletter','digest')),"
	"  list_id    TEXT REFERENCES lists(id) ON DELETE SET NULL,"
	"  subject    TEXT NOT NULL DEFAULT '',"
	"  created    INTEGER NOT NULL,"
	"  not_before INTEGER NOT NULL,"
	"  cancelled_at INTEGER"
	") STRICT;"

	"CREATE TABLE messages ("
	"  id          INTEGER PRIMARY KEY,"
	"  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	"  body        BLOB NOT NULL"
	") STRICT;"

	"CREATE TABLE queue ("
	"  id           INTEGER PRIMARY KEY,"
	"  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	"  message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  rcpt         TEXT NOT NULL,"
	"  person_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,"
	"  list_id      TEXT,"
	"  personal     TEXT,"
	"  state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','deferred','failed','cancelled')),"
	"  attempts     INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  lease_until  INTEGER,"
	"  last_code    INTEGER,"
	"  last_enh     TEXT,"
	"  last_text    TEXT,"
	"  created      INTEGER NOT NULL,"
	"  done_at      INTEGER,"
	"  UNIQUE (message_id, rcpt)"
	") STRICT;"
	"CREATE INDEX queue_due ON queue(state, next_attempt);"
	"CREATE INDEX queue_campaign ON queue(campaign_id, state);"

	/* kind: hard | soft | policy; evidence is the inbound DSN when any. */
	"CREATE TABLE bounces ("
	"  id          INTEGER PRIMARY KEY,"
	"  person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	"  list_id     TEXT REFERENCES lists(id) ON DELETE SET NULL,"
	"  queue_id    INTEGER REFERENCES queue(id) ON DELETE SET NULL,"
	"  inbound_id  INTEGER REFERENCES inbound(id) ON DELETE SET NULL,"
	"  kind        TEXT NOT NULL CHECK (kind IN ('hard','soft','policy')),"
	"  status      TEXT,"
	"  diagnostic  TEXT,"
	"  score       REAL NOT NULL,"
	"  created     INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX bounces_person ON bounces(person_id, created);"

	/* The event log: one row per event, also the source of `kring log`. */
	"CREATE TABLE events ("
	"  id      INTEGER PRIMARY KEY,"
	"  at      INTEGER NOT NULL,"
	"  event   TEXT NOT NULL,"
	"  list_id TEXT,"
	"  addr    TEXT,"
	"  result  TEXT NOT NULL DEFAULT 'ok',"
	"  detail  TEXT"
	") STRICT;"
	"CREATE INDEX events_at ON events(at);"

	/* Keyed hashes of erased addresses (hmac_hex of the normal form). */
	"CREATE TABLE suppression ("
	"  hash    TEXT PRIMARY KEY,"
	"  reason  TEXT NOT NULL,"
	"  created INTEGER NOT NULL"
	") STRICT;"

	/* Schedules that must run once per period (digests), across restarts. */
	"CREATE TABLE schedule_runs ("
	"  list_id TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,"
	"  what    TEXT NOT NULL,"
	"  period  TEXT NOT NULL,"
	"  at      INTEGER NOT NULL,"
	"  PRIMARY KEY (list_id, what, period)"
	") STRICT;",

	/*
	 * 1 -> 2: a message keeps what it is composed from, not its bytes,
	 * so each recipient's copy is built at send time with their own
	 * headers (To, List-Unsubscribe) from one stored text; a queue row
	 * names the process holding its lease, so a sender that died is
	 * noticed at once.  No release wrote these tables before, so they
	 * are replaced rather than altered.
	 */
	"DROP TABLE queue;"
	"DROP TABLE messages;"
	"CREATE TABLE messages ("
	"  id          INTEGER PRIMARY KEY,"
	"  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	"  from_name   TEXT NOT NULL DEFAULT '',"
	"  from_addr   TEXT NOT NULL,"
	"  reply_to    TEXT,"
	"  subject     TEXT NOT NULL DEFAULT '',"
	"  in_reply_to TEXT,"
	"  refs        TEXT,"
	"  text        TEXT NOT NULL,"
	"  html        TEXT,"
	"  created     INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX messages_campaign ON messages(campaign_id);"
	"CREATE TABLE queue ("
	"  id           INTEGER PRIMARY KEY,"
	"  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	"  message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  rcpt         TEXT NOT NULL,"
	"  name         TEXT NOT NULL DEFAULT '',"
	"  person_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,"
	"  state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','deferred','failed','cancelled')),"
	"  attempts     INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  lease_until  INTEGER,"
	"  lease_pid    INTEGER,"
	"  last_code    INTEGER,"
	"  last_enh     TEXT,"
	"  last_text    TEXT,"
	"  created      INTEGER NOT NULL,"
	"  done_at      INTEGER,"
	"  UNIQUE (message_id, rcpt)"
	") STRICT;"
	"CREATE INDEX queue_due ON queue(state, next_attempt);"
	"CREATE INDEX queue_campaign ON queue(campaign_id, state);"
	"CREATE INDEX queue_person ON queue(person_id);",

	/*
	 * 2 -> 3: a confirmation token remembers the language its request
	 * was answered in, so the welcome or goodbye that confirming it
	 * causes speaks the same language, whatever the confirming mail says.
	 */
	"ALTER TABLE tokens ADD COLUMN lang TEXT CHECK (lang IN ('nl','en'));",

	/*
	 * 3 -> 4: list mail that is not text kring wrote.  body: a MIME
	 * body built once (a post with its footer, a digest), sent instead
	 * of text and html.  personal: the placeholder in text and html
	 * that each recipient's copy carries their one-click token in.
	 * msgid: one Message-ID for every copy (a post keeps its author's,
	 * so replies thread for everyone).  A post remembers the campaign
	 * that sent it and a digest the one that sent it.
	 */
	"ALTER TABLE messages ADD COLUMN body BLOB;"
	"ALTER TABLE messages ADD COLUMN personal TEXT;"
	"ALTER TABLE messages ADD COLUMN msgid TEXT;"
	"ALTER TABLE posts ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL;"
	"ALTER TABLE digests ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL;"
	"ALTER TABLE digests ADD COLUMN posts INTEGER NOT NULL DEFAULT 0;",

	/*
	 * 4 -> 5: bounces.  bounce_notice: when bounces paused a person's
	 * subscriptions and the notice telling them is still owed (NULL:
	 * none owed), so the sender, which has no templates, can pause and
	 * kringd tell.  A report that names an address is matched to the
	 * copies sent to it.
	 */
	"ALTER TABLE people ADD COLUMN bounce_notice INTEGER;"
	"CREATE INDEX queue_rcpt ON queue(rcpt, state, done_at);",

	/*
	 * 5 -> 6: a person's mail that kring could neither answer nor
	 * forward to the office is kept (office = 'kept') for `kring
	 * inbox`, and never pruned while it is.
	 */
	"ALTER TABLE inbound ADD COLUMN office TEXT;"
	"CREATE INDEX inbound_office ON inbound(office) WHERE office IS NOT NULL;",

	/*
	 * 6 -> 7: a list's aliases, the other words people name it by in
	 * their mail ("jgz,gezond"; '' none), in the order they were given.
	 */
	"ALTER TABLE lists ADD COLUMN aliases TEXT NOT NULL DEFAULT '';",

	/*
	 * 7 -> 8: a claimed row names its sender by the random owner of
	 * the sender's acceptance log, not by a pid that can come back;
	 * lease_until and lease_pid are no longer what recovery trusts.
	 * Replies and notices are claimed first, found by their campaigns.
	 */
	"ALTER TABLE queue ADD COLUMN lease_owner TEXT;"
	"CREATE INDEX campaigns_kind ON campaigns(kind);",

	/*
	 * 8 -> 9: one person per mailbox.  Addresses that differ only in
	 * (ASCII) case are one person, kept under the address first given
	 * (the lowest id).  Stores from before may hold such people twice:
	 * each later one is merged into the first.  Its tokens, posts,
	 * queue rows, bounces and confirmations move over; of two
	 * subscriptions to one list the one decided most recently stays,
	 * where a pending request decides nothing (a stranger cannot
	 * undo a member by asking in another case).  Each merge is an
	 * event (person-merge) under the merged address.  confirm_sent
	 * tells the office's invitations from answered requests, which
	 * alone count for the site's hourly ceiling (confirm_per_hour).
	 */
	"CREATE TEMP TABLE person_merge AS SELECT p.id AS dup, (SELECT "
	"  min(q.id) FROM people q WHERE q.email = p.email COLLATE NOCASE) "
	"  AS keep FROM people p;"
	"DELETE FROM person_merge WHERE dup = keep;"
	"DELETE FROM subscriptions WHERE rowid IN (SELECT rid FROM (SELECT "
	"  s.rowid AS rid, row_number() OVER (PARTITION BY "
	"  coalesce(m.keep, s.person_id), s.list_id ORDER BY "
	"  s.state = 'pending', s.updated DESC, s.person_id) AS n "
	"  FROM subscriptions s LEFT JOIN person_merge m ON m.dup = s.person_id) "
	"  WHERE n > 1);"
	"UPDATE subscriptions SET person_id = (SELECT keep FROM person_merge "
	"  WHERE dup = person_id) WHERE person_id IN (SELECT dup FROM person_merge);"
	"UPDATE tokens SET person_id = (SELECT keep FROM person_merge "
	"  WHERE dup = person_id) WHERE person_id IN (SELECT dup FROM person_merge);"
	"UPDATE confirm_sent SET person_id = (SELECT keep FROM person_merge "
	"  WHERE dup = person_id) WHERE person_id IN (SELECT dup FROM person_merge);"
	"UPDATE posts SET person_id = (SELECT keep FROM person_merge "
	"  WHERE dup = person_id) WHERE person_id IN (SELECT dup FROM person_merge);"
	"UPDATE queue SET person_id = (SELECT keep FROM person_merge "
	"  WHERE dup = person_id) WHERE person_id IN (SELECT dup FROM person_merge);"
	"UPDATE bounces SET person_id = (SELECT keep FROM person_merge "
	"  WHERE dup = person_id) WHERE person_id IN (SELECT dup FROM person_merge);"
	"UPDATE people SET name = coalesce((SELECT d.name FROM person_merge m "
	"  JOIN people d ON d.id = m.dup WHERE m.keep = people.id AND "
	"  d.name <> '' ORDER BY d.id LIMIT 1), '') "
	"  WHERE name = '' AND id IN (SELECT keep FROM person_merge);"
	"INSERT INTO events(at, event, addr, result, detail) SELECT "
	"  CAST(strftime('%s', 'now') AS INTEGER), 'person-merge', d.email, "
	"  'ok', 'one person with person ' || m.keep "
	"  FROM person_merge m JOIN people d ON d.id = m.dup;"
	"DELETE FROM people WHERE id IN (SELECT dup FROM person_merge);"
	"DROP TABLE person_merge;"
	"CREATE UNIQUE INDEX people_email_nocase ON people(email COLLATE NOCASE);"
	"ALTER TABLE confirm_sent ADD COLUMN invited INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX confirm_sent_at ON confirm_sent(at);",

	/*
	 * 9 -> 10: how often processing of an inbound message began, so one
	 * that crashes kringd is set aside (state failed) instead of being
	 * tried on every start.  full_size: a message over max_message_size
	 * keeps only its header in raw, and here its size (NULL: raw is the
	 * whole message), so that it can be answered.
	 */
	"ALTER TABLE inbound ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE inbound ADD COLUMN full_size INTEGER;",
	/*
	 * 10 -> 11: the web version of each newsletter (URL/n/LIST/ID): its content
	 * without anything personal, and its pictures.  Kept apart from
	 * campaigns, which the queue's retention removes.  sent is set
	 * before the sent rows that showed it are pruned or erased, so a
	 * page outlives the rows; published = 0 is `newsletter unpublish`.
	 */
	"CREATE TABLE news_pages ("
	"  campaign_id INTEGER PRIMARY KEY,"
	"  list_id TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  content TEXT NOT NULL,"
	"  date INTEGER NOT NULL,"
	"  sent INTEGER NOT NULL DEFAULT 0,"
	"  published INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX news_pages_list ON news_pages(list_id, date);"
	"CREATE TABLE news_pics ("
	"  campaign_id INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (campaign_id, name));",

	/*
	 * 11 -> 12: the archive.  A post keeps its text (body), the ids it
	 * answers (in_reply_to, refs: "<a> <b>") and its thread: the id of
	 * the first post of the thread, found by those ids or else by the
	 * subject without Re:/Fwd:/[tag] (subject_key).  post_fts indexes
	 * subject, author and text with the "kring" tokenizer
	 * (store_fts.c), kept by triggers in the post's own transaction.
	 * Older posts are their own thread, indexed without their text.
	 * archive_links: a person's archive link, by the hash of its token;
	 * the token is derived from the site key and serial, which kring
	 * person relink raises.  lists.archive: who may read.
	 */
	"ALTER TABLE posts ADD COLUMN body TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE posts ADD COLUMN in_reply_to TEXT;"
	"ALTER TABLE posts ADD COLUMN refs TEXT;"
	"ALTER TABLE posts ADD COLUMN subject_key TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE posts ADD COLUMN thread_id INTEGER;"
	"UPDATE posts SET thread_id = id;"
	"CREATE INDEX posts_thread ON posts(list_id, state, thread_id);"
	"CREATE INDEX posts_msgid ON posts(list_id, message_id);"
	"CREATE INDEX posts_subject ON posts(list_id, subject_key);"
	"CREATE INDEX posts_created ON posts(list_id, state, created, thread_id);"
	"CREATE VIRTUAL TABLE post_fts USING fts5(subject, from_name, body, "
	"  content='posts', content_rowid='id', tokenize='kring');"
	"CREATE TRIGGER posts_fts_add AFTER INSERT ON posts BEGIN "
	"  INSERT INTO post_fts(rowid, subject, from_name, body) "
	"  VALUES (new.id, new.subject, new.from_name, new.body); END;"
	"CREATE TRIGGER posts_fts_del AFTER DELETE ON posts BEGIN "
	"  INSERT INTO post_fts(post_fts, rowid, subject, from_name, body) "
	"  VALUES ('delete', old.id, old.subject, old.from_name, old.body); END;"
	"CREATE TRIGGER posts_fts_upd AFTER UPDATE OF subject, from_name, body "
	"  ON posts BEGIN "
	"  INSERT INTO post_fts(post_fts, rowid, subject, from_name, body) "
	"  VALUES ('delete', old.id, old.subject, old.from_name, old.body);"
	"  INSERT INTO post_fts(rowid, subject, from_name, body) "
	"  VALUES (new.id, new.subject, new.from_name, new.body); END;"
	"INSERT INTO post_fts(post_fts) VALUES ('rebuild');"
	"CREATE TABLE archive_links ("
	"  person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,"
	"  hash      TEXT NOT NULL UNIQUE,"
	"  serial    INTEGER NOT NULL,"
	"  created   INTEGER NOT NULL"
	") STRICT;"
	"ALTER TABLE lists ADD COLUMN archive TEXT CHECK (archive IN "
	"  ('members','public','none'));",

	/*
	 * 12 -> 13: queue_rcpt served no query: an address is matched
	 * ignoring case (erasing a person), which an index of the address
	 * as it is cannot do; yet claiming and filing every copy changed it
	 * twice, through its state and done_at.  It now holds the address
	 * alone, ignoring case: written once, when the copy is queued.
	 */
	"DROP INDEX queue_rcpt;"
	"CREATE INDEX queue_rcpt ON queue(rcpt COLLATE NOCASE);",

	/*
	 * 13 -> 14: a mailbox that keeps what kring took (POP3 above all,
	 * which has no flags) is told apart by the store alone; when
	 * retention or an erasure removes an inbound message, its (source,
	 * source_uid) stays behind in inbound_gone, so the message still on
	 * the server is never taken and answered again.  It holds nothing
	 * of the message, and is kept for good: a row is a few dozen bytes.
	 */
	"CREATE TABLE inbound_gone ("
	"  source      TEXT NOT NULL,"
	"  source_uid  TEXT NOT NULL,"
	"  gone        INTEGER NOT NULL,"
	"  PRIMARY KEY (source, source_uid)"
	") WITHOUT ROWID, STRICT;"
	"CREATE TRIGGER inbound_gone AFTER DELETE ON inbound "
	"  WHEN old.source_uid IS NOT NULL BEGIN "
	"  INSERT OR IGNORE INTO inbound_gone(source, source_uid, gone) "
	"  VALUES (old.source, old.source_uid, unixepoch()); END;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_schema_latest(void)
{
	return NMIGRATIONS;
}

int
store_schema_version_of(sqlite3 *db)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int
store_schema_migrate(struct store *st, struct err *e)
{
	char bump[64];
	int v;

	/* The common case takes no write lock: readers must not queue. */
	if (store_schema_version_of(st->db) == NMIGRATIONS)
		return 0;
	if (store_begin(st, e) != 0)
		return -1;
	v = store_schema_version_of(st->db);
	if (v < 0) {
		store_rollback(st);
		return store_fail(st, e, "read schema version");
	}
	if (v > NMIGRATIONS) {
		store_rollback(st);
		return err_set(e, EX_CONFIG, "store %s: schema version %d is newer "
		    "than this kring (%d)", st->path, v, NMIGRATIONS);
	}
	for (; v < NMIGRATIONS; v++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if (store_exec(st, migrations[v], e) != 0 ||
		    store_exec(st, bump, e) != 0) {
			store_rollback(st);
			return err_prefix(e, "migrate to schema %d", v + 1);
		}
	}
	return store_commit(st, e);
}
