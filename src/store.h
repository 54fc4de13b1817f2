/*
 * store - everything kring keeps, in one SQLite database.
 *
 * The store owns the schema (migrated by PRAGMA user_version), the
 * connection settings (WAL, synchronous=FULL, busy_timeout, foreign keys)
 * and every SQL statement: callers see typed functions, never SQL, and
 * every statement is prepared once per connection with its values bound,
 * never pasted.  Only store*.c include <sqlite3.h>.
 *
 * Transactions: a logical change (one CLI command, one inbound message,
 * one claimed batch) is one store_begin()..store_commit(), taken with
 * BEGIN IMMEDIATE so that a read-then-write never fails half-way with a
 * stale snapshot.  Functions that write must be called inside one; those
 * that only read may be called outside.  When another process holds the
 * write lock longer than the busy timeout the error is EX_TEMPFAIL, which
 * kring deliver passes to the MTA so it retries.
 *
 * Errors: -1 with struct err; codes EX_TEMPFAIL (busy), EX_DATAERR
 * (constraint: duplicate, unknown reference), EX_IOERR (disk), EX_NOINPUT
 * (no store: run `kring init`), EX_SOFTWARE (anything else).
 * Lookups return 1 found, 0 not found, -1 error.
 *
 * A store handle belongs to one process and to one thread at a time;
 * never carry it across fork().
 */
#ifndef KRING_STORE_H
#define KRING_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "token.h"

struct buf;
struct err;
struct store;

#define STORE_CREATE   0x1   /* create the file and schema if missing */
#define STORE_READONLY 0x2
/*
 * The sender's connections: synchronous=NORMAL.  In WAL mode a commit
 * then survives the process being killed at any moment, but not a power
 * failure; the sender only records there what it has already sent, so a
 * lost commit means a message sent twice after a power cut, never a
 * message lost.
 */
#define STORE_SENDER   0x4

/*
 * Open (and with STORE_CREATE create, mode 0600, and migrate) the store at
 * path.  Without STORE_CREATE a missing file is EX_NOINPUT "store PATH
 * does not exist (run kring init)".  A store from a newer kring is
 * refused (EX_CONFIG).
 */
int store_open(const char *path, int flags, struct store **out, struct err *e);
void store_close(struct store **st);
const char *store_path(const struct store *st);
/* Schema version of the open store. */
int store_schema_version(struct store *st);
/* The newest schema version this kring knows. */
int store_schema_latest(void);

int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
/* Safe to call when no transaction is open. */
void store_rollback(struct store *st);
bool store_in_transaction(const struct store *st);

/* Fold the WAL back into the database (kringd's idle loop). */
void store_checkpoint(struct store *st);

/* Key/value settings of the store itself (meta table). 1/0/-1. */
int store_meta_get(struct store *st, const char *key, char **value, struct err *e);
int store_meta_set(struct store *st, const char *key, const char *value, struct err *e);

/* ---- lists (store_list.c) ---- */

/* Add a list; EX_DATAERR "list ID already exists" when it does. */
int store_list_add(struct store *st, const struct list *l, struct err *e);
/* 1 and *out filled (list_clear it), 0 no such list, -1 error. */
int store_list_get(struct store *st, const char *id, struct list *out,
    struct err *e);
/*
 * Write name, description, kind, lang, policy, digest and aliases of an
 * existing list.
 */
int store_list_update(struct store *st, const struct list *l, struct err *e);
/*
 * The list other than except (NULL: any) whose id or one of whose
 * aliases is word: 1 and *id (free it), 0 none, -1 error.  An id match
 * wins over an alias match.
 */
int store_list_by_word(struct store *st, const char *word, const char *except,
    char **id, struct err *e);
/* Delete a list and its subscriptions; *nsubs says how many went. */
int store_list_remove(struct store *st, const char *id, int64_t *nsubs,
    struct err *e);
/* Subscriptions of a list per state, indexed by enum sub_state. */
int store_list_counts(struct store *st, const char *id, int64_t counts[4],
    struct err *e);
/*
 * The lists a person is in (pending, active or disabled, not the ones
 * they left), in id order, with their subscription's state and mode:
 * one query.  Free with store_memberships_free.
 */
struct store_membership {
	struct list list;
	enum sub_state state;
	enum sub_mode mode;
};
int store_person_memberships(struct store *st, int64_t person_id,
    struct store_membership **out, size_t *n, struct err *e);
void store_memberships_free(struct store_membership *v, size_t n);
/* Every list in id order; stop early when cb returns non-zero. */
typedef int store_list_cb(const struct list *l, void *arg);
int store_list_each(struct store *st, store_list_cb *cb, void *arg,
    struct err *e);

/* ---- people and subscriptions (store_sub.c) ---- */

/* 1 and *out filled (person_clear it), 0 unknown, -1 error. */
int store_person_find(struct store *st, const char *email, struct person *out,
    struct err *e);
/* The same by the person's id. */
int store_person_get(struct store *st, int64_t id, struct person *out,
    struct err *e);
/*
 * The id of the person with this address, creating them when new.  A
 * non-empty name replaces the stored one; NULL or "" keeps it.
 */
int store_person_ensure(struct store *st, const char *email, const char *name,
    int64_t now, int64_t *id, struct err *e);
/* 1 and *out filled (sub_clear it), 0 not subscribed (any state), -1. */
int store_sub_get(struct store *st, const char *list_id, int64_t person_id,
    struct sub *out, struct err *e);
/*
 * Create or overwrite the subscription of person to list with state and
 * mode.  consent (may be NULL: keep) and consent_at record how the person
 * agreed.  Becoming unsubscribed stamps unsubscribed_at.
 */
int store_sub_put(struct store *st, const char *list_id, int64_t person_id,
    enum sub_state state, enum sub_mode mode, const char *consent,
    int64_t now, struct err *e);
/* Subscriptions of a list by address; state < 0: every state. */
typedef int store_sub_cb(const struct sub *s, void *arg);
int store_sub_each(struct store *st, const char *list_id, int state,
    store_sub_cb *cb, void *arg, struct err *e);

/* ---- privacy: person export/erase, suppression (store_person.c) ---- */

/*
 * 1 when hash (hmac_hex of an address in normal form, see hmac.h) is on
 * the suppression list of erased people, 0 when not, -1 error.
 */
int store_suppressed(struct store *st, const char *hash, struct err *e);

/*
 * What is stored about a person, one section at a time, for `kring
 * person show` and `export`.  The callback gets one row as cells (name,
 * type, value); tokens' hashes are never among them.
 */
enum store_section {
	SECTION_SUBSCRIPTIONS, SECTION_TOKENS, SECTION_BOUNCES, SECTION_POSTS,
	SECTION_EVENTS, SECTION_CONFIRMATIONS,
};
#define STORE_SECTIONS 6
enum store_cell_type { CELL_NULL, CELL_INT, CELL_REAL, CELL_TEXT, CELL_TIME };
struct store_cell {
	const char *name;
	enum store_cell_type type;
	int64_t i;          /* CELL_INT, CELL_TIME (Unix seconds) */
	double d;           /* CELL_REAL */
	const char *text;   /* CELL_TEXT */
};
typedef int store_row_cb(const struct store_cell *cells, int n, void *arg);
const char *store_section_name(enum store_section sec);
int store_person_section(struct store *st, enum store_section sec,
    const struct person *p, store_row_cb *cb, void *arg, struct err *e);

struct store_erase_counts {
	int64_t events, posts, inbound, queue;
};
/*
 * Erase a person for good: their row and what hangs off it (subscriptions,
 * tokens, bounces, confirmations), their address in the event log and
 * posts replaced by hash, their inbound mail and queued mail deleted,
 * and hash put on the suppression list.  Inside a transaction.
 */
int store_person_erase(struct store *st, const struct person *p,
    const char *hash, int64_t now, struct store_erase_counts *counts,
    struct err *e);

/* ---- outgoing mail: campaigns, messages, the queue (store_queue.c) ---- */

/*
 * A campaign groups what was queued together (one newsletter, one
 * digest, one post, the replies of a run); a message is what its copies
 * are composed from; a queue row is one delivery of a message to one
 * recipient, with its own state, attempts and last SMTP reply.
 */
struct q_campaign {
	int64_t id;
	enum campaign_kind kind;
	char *list_id;           /* NULL: not list mail */
	char *subject;
	int64_t created;
	int64_t not_before;      /* nothing of it leaves before this time */
};

struct q_message {
	int64_t id;
	int64_t campaign_id;
	char *from_name;
	char *from_addr;
	char *reply_to;          /* may be NULL */
	char *subject;
	char *in_reply_to;       /* may be NULL */
	char *refs;              /* may be NULL */
	char *text;
	char *html;              /* may be NULL */
	/* A MIME body built by the caller, sent instead of text and html. */
	char *body;              /* may be NULL */
	size_t body_len;
	/*
	 * The placeholder for each recipient's one-click token, or NULL;
	 * its twin archive_atom() (archive.h) stands for their archive token.
	 */
	char *personal;
	/* One Message-ID (no brackets) for every copy, or NULL: one each. */
	char *msgid;
	int64_t created;
};

struct q_row {
	int64_t id;
	int64_t campaign_id;
	int64_t message_id;
	int64_t person_id;       /* 0: nobody kring knows */
	char *rcpt;
	char *name;
	int attempts;            /* including the one just claimed */
	int64_t created;
};

struct q_result {
	enum queue_state state;  /* QUEUE_SENT, QUEUE_DEFERRED or QUEUE_FAILED */
	int code;                /* SMTP reply code; 0 when none came */
	const char *enh;         /* "5.1.1" or NULL */
	const char *text;        /* reply text or what went wrong; may be NULL */
	int64_t next_attempt;    /* QUEUE_DEFERRED: when to try again */
};

void q_campaign_clear(struct q_campaign *c);
void q_message_clear(struct q_message *m);
void q_rows_free(struct q_row **rows, size_t n);

/* Add a campaign (inside a transaction); *id is its id. */
int store_campaign_add(struct store *st, const struct q_campaign *c,
    int64_t *id, struct err *e);
/* 1 and *out (q_campaign_clear it), 0 no such campaign, -1 error. */
int store_campaign_get(struct store *st, int64_t id, struct q_campaign *out,
    struct err *e);
/* Add a message of a campaign (inside a transaction). */
int store_message_add(struct store *st, const struct q_message *m,
    int64_t *id, struct err *e);
/* 1 and *out (q_message_clear it), 0 none, -1 error. */
int store_message_get(struct store *st, int64_t id, struct q_message *out,
    struct err *e);
/*
 * Queue message for rcpt (inside a transaction), due at next_attempt.
 * The same (message, rcpt) twice is queued once: *added says 1 or 0.
 */
int store_queue_add(struct store *st, int64_t campaign_id, int64_t message_id,
    const char *rcpt, const char *name, int64_t person_id,
    int64_t next_attempt, int64_t now, int *added, struct err *e);

/*
 * Keep the hash of a person's one-click unsubscribe token for a list
 * (inside a transaction), so a later click or mail can be traced back;
 * the same token twice is kept once.
 */
int store_unsub_token_put(struct store *st, const char *hash,
    int64_t person_id, const char *list_id, int64_t now, struct err *e);

/*
 * A larger page cache (16 MiB instead of SQLite's 2) while on, for
 * statements that write a million rows in one transaction: fewer dirty
 * pages go to the WAL before the commit and come back, half the system
 * time at 1,000,000 rows.  It is bounded; what grows with the rows is
 * the store on disk.  e may be NULL when off.
 */
int store_bulk(struct store *st, bool on, struct err *e);

/*
 * Queue message_id of campaign_id (inside a transaction), due at
 * next_attempt, for every active subscriber of list_id in delivery mode
 * mode (an enum sub_mode, or -1 for any), in the order they
 * subscribed.  One statement takes the members from the store to the
 * store: nothing is held per member, whatever their number.  progress
 * (may be NULL) hears done of n now and then; *queued counts the rows.
 * store_members_count: how many they are.
 */
typedef void store_progress_fn(void *arg, size_t done, size_t n);
int store_members_count(struct store *st, const char *list_id, int mode,
    int64_t *n, struct err *e);
int store_queue_add_members(struct store *st, int64_t campaign_id,
    int64_t message_id, const char *list_id, int mode, int64_t next_attempt,
    int64_t now, store_progress_fn *progress, void *arg, int64_t *queued,
    struct err *e);

/*
 * Keep, as store_unsub_token_put, the token hash of every member that
 * store_queue_add_members queues with the same list_id and mode:
 * hash(person_id, out, arg) gives it.  The hashes are sorted (by
 * SQLite, on disk when they are many) before they go in, so the token
 * index grows in order instead of being written all over: for
 * 1,000,000 members 4 s instead of 20 s.
 */
typedef void store_token_hash_fn(int64_t person_id,
    char out[TOKEN_HASH_LEN + 1], void *arg);
int store_unsub_tokens_put_members(struct store *st, const char *list_id,
    int mode, store_token_hash_fn *hash, void *arg, int64_t now,
    struct err *e);

/*
 * Claim up to max rows due at now, in a transaction of its own: they
 * become `sending`, held by owner (the sender's acceptance log, see
 * store_acclog_owner; pid is kept beside it for people to read),
 * attempts counted.  Replies and notices come first, then the rest.
 * Two claimers never get the same row.  *rows is ordered by message,
 * then id (q_rows_free it); *n may be 0.  urgent_only: replies and
 * notices alone.
 */
int store_queue_claim(struct store *st, int64_t now, const char *owner,
    int64_t pid, size_t max, bool urgent_only, struct q_row **rows,
    size_t *n, struct err *e);
/*
 * Record the outcome of one delivery (inside a transaction).  A row
 * already `sent` is never changed back: a delivery that happened stays
 * recorded whatever a later, stale attempt says.
 */
int store_queue_result(struct store *st, int64_t id, const struct q_result *r,
    int64_t now, struct err *e);
/*
 * Give back rows that owner claimed and never tried (in a transaction
 * of its own): each becomes again what it was, queued or deferred,
 * with its claim's attempt uncounted.  Rows not `sending` for owner are
 * left alone.
 */
int store_queue_release(struct store *st, const char *owner,
    const int64_t *ids, size_t n, struct err *e);
/*
 * Give back the rows of senders that are gone (in a transaction of its
 * own): `sending` rows whose owner is not alive (alive(owner, arg)
 * false; owner NULL for a row claimed by an older kring) become
 * `deferred` and due at once.  A live sender's rows stay its own however
 * long it takes.  *n counts them.  File the acceptance logs first
 * (store_acclog_recover).
 */
typedef bool store_owner_alive_fn(const char *owner, void *arg);
int store_queue_recover(struct store *st, store_owner_alive_fn *alive,
    void *arg, int64_t *n, struct err *e);

/* An inbound message as it is committed (see intake.h). */
struct store_inbound {
	int64_t received;
	const char *source;
	const char *source_uid;      /* NULL when the source has none */
	const char *envelope_rcpt;
	const char *message_id;
	const char *digest;
	const char *raw;
	size_t size;
	int64_t full_size;           /* raw is only the header: the size; else 0 */
};
/*
 * Commit one raw inbound message, state `new` (a transaction of its
 * own): 1 stored, with *id its row; 0 already there (same digest, or the
 * same source and source_uid), with *id the earlier row.
 */
int store_inbound_add(struct store *st, const struct store_inbound *in,
    int64_t *id, struct err *e);
/*
 * Whether a message of source with that source_uid was taken: it is in
 * the store, or was until retention or an erasure removed it.  1 yes,
 * 0 no, -1 error.  Lets a mailbox source skip the download of a message
 * it committed but could not flag, or left on the server (keep).
 */
int store_inbound_known(struct store *st, const char *source,
    const char *source_uid, struct err *e);

/* A message waiting to be processed (store_inbound_next). */
struct store_inbound_row {
	int64_t id;
	int64_t received;
	char *source;
	char *envelope_rcpt;         /* NULL when unknown */
	char *raw;                   /* NUL-terminated; may hold NULs before size */
	size_t size;
	int64_t full_size;           /* raw is only the header: the size; else 0 */
};
void store_inbound_row_clear(struct store_inbound_row *r);
/* Keep message id for the office (`kring inbox`), never pruned. */
int store_inbound_keep(struct store *st, int64_t id, struct err *e);
/* The oldest message in state `new` with id > after: 1, 0 none, -1. */
int store_inbound_next(struct store *st, int64_t after,
    struct store_inbound_row *out, struct err *e);
/*
 * Record what came of message id (inside the caller's transaction, so
 * it commits with what the message changed): state done, dropped or
 * failed, route and result are short texts for `kring log` and export.
 */
int store_inbound_done(struct store *st, int64_t id, const char *state,
    const char *route, const char *result, int64_t now, struct err *e);

/*
 * One more attempt at processing message id (delta 1, a transaction of
 * its own, committed before the attempt so that a crash still counts),
 * or one fewer (delta -1) for an attempt that was not one (the store
 * was busy).  *attempts: the count now.
 */
int store_inbound_attempt(struct store *st, int64_t id, int delta,
    int64_t *attempts, struct err *e);

/* An inbound message as `kring inbox` shows it (valid in the callback). */
struct store_inbound_info {
	int64_t id;
	int64_t received;
	const char *source;
	const char *envelope_rcpt;   /* NULL when unknown */
	const char *message_id;      /* NULL when none */
	int64_t size;
	const char *state;           /* new | done | dropped | failed */
	const char *route;           /* NULL until processed */
	const char *result;          /* NULL until processed */
	int64_t attempts;
};
typedef int store_inbound_cb(const struct store_inbound_info *in, void *arg);
/*
 * Every inbound message in state (a state; "kept": kept for the
 * office; "office": kept or failed; "all"), oldest first; cb returns
 * non-zero to stop.  0, or -1 with e.
 */
int store_inbound_each(struct store *st, const char *state,
    store_inbound_cb *cb, void *arg, struct err *e);
/* Message id with its raw bytes: 1, 0 no such message, -1 with e. */
int store_inbound_get(struct store *st, int64_t id,
    struct store_inbound_row *out, struct err *e);

/*
 * Retention: delete inbound mail processed before `before` (inside a
 * transaction); mail still `new` is never pruned.
 */
int store_inbound_prune(struct store *st, int64_t before, int64_t *n,
    struct err *e);

/* ---- confirmation tokens and consent (store_token.c) ---- */

enum token_action { TOKEN_SUBSCRIBE, TOKEN_UNSUBSCRIBE, TOKEN_DIGEST_ON,
	TOKEN_DIGEST_OFF };

struct store_token {
	enum token_action action;
	int64_t person_id;
	char *list_id;               /* NULL with TOKEN_UNSUBSCRIBE: every list */
	enum sub_mode mode;          /* TOKEN_SUBSCRIBE */
	enum lang lang;              /* of the request's answer */
	char *request_msgid;         /* the Message-ID of the request, or NULL */
	int64_t created, expires;
	int64_t used_at;             /* 0 while unused */
};
void store_token_clear(struct store_token *t);
/* Keep a confirmation token by its hash (token_hash), inside a transaction. */
int store_token_add(struct store *st, const char *hash,
    const struct store_token *t, struct err *e);
/*
 * 1 and *out (store_token_clear it) for the token with this hash: a
 * confirmation token when confirm, else a one-click unsubscribe token;
 * 0 when there is none, -1 error.
 */
int store_token_get(struct store *st, const char *hash, bool confirm,
    struct store_token *out, struct err *e);
/* Mark a confirmation token used: 1 done now, 0 it was used already. */
int store_token_use(struct store *st, const char *hash, int64_t now,
    struct err *e);
/*
 * Confirmation mails sent to a person since a time, for confirm_limit;
 * person_id 0: those the whole site sent answering requests (not
 * invitations), for confirm_per_hour.
 */
int store_confirm_count(struct store *st, int64_t person_id, int64_t since,
    int64_t *n, struct err *e);
int store_confirm_note(struct store *st, int64_t person_id, int64_t now,
    bool invited, struct err *e);
/* The Message-IDs of a subscription's request and confirmation. */
int store_sub_consent(struct store *st, const char *list_id, int64_t person_id,
    const char *request_msgid, const char *confirm_msgid, struct err *e);
/*
 * Imported people waiting for their invitation: pending subscriptions
 * with consent `import`.  Once invited (store_invite_sent) they are
 * `import-invited` and wait for their own confirmation.
 */
struct store_invite {
	int64_t person_id;
	char *list_id, *email, *name;
	enum sub_mode mode;
};
void store_invites_free(struct store_invite *v, size_t n);
int store_invites_due(struct store *st, size_t max, struct store_invite **out,
    size_t *n, struct err *e);
int store_invite_sent(struct store *st, const char *list_id, int64_t person_id,
    int64_t now, struct err *e);

/*
 * The sender's acceptance log: the copies a server has taken that are
 * not yet filed in the store, one small file per send pass beside
 * the store (STORE-accepted-OWNER), flock(2)ed while it lives.  OWNER,
 * STORE_OWNER_LEN hex digits of a random number, names the pass in the
 * rows it claims.  Adding to it is far cheaper than a commit to the
 * store, so it can follow every message.  Not for use by two threads
 * at once.
 */
#define STORE_OWNER_LEN 32
struct store_acclog;
int store_acclog_open(const char *store_path, struct store_acclog **out,
    struct err *e);
int store_acclog_add(struct store_acclog *a, int64_t queue_id, int code,
    int64_t at, struct err *e);
/* File what a holds into st now (the batches could not): *n rows. */
int store_acclog_file(struct store *st, struct store_acclog *a, int64_t *n,
    struct err *e);
/* Close a and remove its file, or with keep leave it for recovery. */
void store_acclog_close(struct store_acclog **a, bool keep);
/* The owner a's sender claims rows as. */
const char *store_acclog_owner(const struct store_acclog *a);
/*
 * Whether owner's log is there: its sender lives, or died since the
 * last store_acclog_recover, which must file the log before its rows
 * may come back.  A store_owner_alive_fn for store_queue_recover.
 */
bool store_acclog_live(struct store *st, const char *owner);
/*
 * File the logs of senders that are gone (the log not locked): their
 * `sending` rows become `sent`, each log in one transaction, then the
 * log is removed.  *n counts the rows.
 */
int store_acclog_recover(struct store *st, int64_t *n, struct err *e);
/*
 * The earliest next_attempt of a row waiting (queued or deferred):
 * 1 and *when, or 0 when nothing waits.
 */
int store_queue_next_due(struct store *st, int64_t *when, struct err *e);
/* Rows of queued/sending/deferred state: how much is left to do. */
int store_queue_pending(struct store *st, int64_t now, int64_t *due,
    int64_t *waiting, struct err *e);

/* One campaign's rows per state, for `kring queue`. */
struct q_campaign_stats {
	const struct q_campaign *c;
	int64_t count[6];        /* indexed by enum queue_state */
};
typedef int store_campaign_cb(const struct q_campaign_stats *s, void *arg);
/* Campaigns that still have rows, oldest first. */
int store_campaign_each(struct store *st, store_campaign_cb *cb, void *arg,
    struct err *e);
/*
 * Cancel what of campaign id has not gone yet (queued and deferred rows
 * become cancelled, *cancelled of them; rows being sent this moment
 * cannot be stopped) and stamp the campaign.  counts (indexed by enum
 * queue_state) says where its rows stand afterwards.  Inside a
 * transaction.
 */
int store_campaign_cancel(struct store *st, int64_t id, int64_t now,
    int64_t *cancelled, int64_t counts[6], struct err *e);
/*
 * Retention: delete rows sent, failed or cancelled before `before`, then
 * messages and campaigns with no rows left.  Inside a transaction.
 */
int store_queue_prune(struct store *st, int64_t before, int64_t *n,
    struct err *e);

/* ---- bounces (store_bounce.c) ---- */

/* One bounce counted against a person (see bounce.h). */
struct store_bounce {
	int64_t person_id;
	const char *list_id;     /* the list of the bounced mail, or NULL */
	int64_t queue_id;        /* the copy that bounced, 0 when unknown */
	int64_t inbound_id;      /* the report kept as evidence, 0: none (a 5xx) */
	const char *kind;        /* hard | soft | policy */
	const char *status;      /* "5.1.1"; may be NULL */
	const char *diagnostic;  /* may be NULL */
	double score;
};
/* Whether copy queue_id has a bounce row: 1 yes, 0 no, -1 error. */
int store_bounce_counted(struct store *st, int64_t queue_id, struct err *e);
/* Add a bounce row (inside a transaction). */
int store_bounce_add(struct store *st, const struct store_bounce *b,
    int64_t now, struct err *e);
/*
 * The sum and number of a person's scored bounces from since on, and
 * after the last copy that went through cleanly: accepted after the
 * person's last recorded bounce (people.bounce_at), at or before
 * clean_before, and never bounced itself.
 */
int store_bounce_score(struct store *st, int64_t person_id, int64_t since,
    int64_t clean_before, double *score, int64_t *count, struct err *e);
/*
 * Write a person's score; at > 0 sets the time of the last bounce;
 * notice > 0 owes them the paused-mail notice from then, 0 clears
 * it, < 0 keeps it.
 */
int store_person_bounce_set(struct store *st, int64_t person_id, double score,
    int64_t at, int64_t notice, struct err *e);
/* 1 with the person's score and last bounce (0: none), 0 unknown, -1. */
int store_person_bounce_get(struct store *st, int64_t person_id, double *score,
    int64_t *at, struct err *e);
/* What a bounce needs to know of the queue row it names. */
struct store_queue_info {
	int64_t id;
	int64_t person_id;       /* 0: nobody kring knows */
	char *rcpt;
	char *list_id;           /* the campaign's list, or NULL */
	enum queue_state state;
	int64_t done_at;
	enum campaign_kind kind;
};
void store_queue_info_clear(struct store_queue_info *q);
/* 1 and *out (store_queue_info_clear it), 0 no such row, -1 error. */
int store_queue_info(struct store *st, int64_t id, struct store_queue_info *out,
    struct err *e);
/* Every active subscription of a person becomes disabled; *n of them. */
int store_sub_disable_active(struct store *st, int64_t person_id, int64_t now,
    int64_t *n, struct err *e);
/* People owed the paused-mail notice, oldest first, at most max (free *ids). */
int store_bounce_notices_due(struct store *st, size_t max, int64_t **ids,
    size_t *n, struct err *e);

/* ---- posts (store_post.c) ---- */

/* Add a post (inside a transaction); *id is its id. */
int store_post_add(struct store *st, const struct post *p, int64_t *id,
    struct err *e);
/* 1 and *out (post_clear it; raw only when with_raw), 0 none, -1. */
int store_post_get(struct store *st, int64_t id, bool with_raw,
    struct post *out, struct err *e);
/* Set a post's state, reason (may be NULL) and decided_at. */
int store_post_decide(struct store *st, int64_t id, enum post_state state,
    const char *reason, int64_t now, struct err *e);
/* Remember the campaign that sent a post. */
int store_post_sent(struct store *st, int64_t id, int64_t campaign_id,
    struct err *e);
/*
 * Posts oldest first: of list_id (NULL: every list), in state (< 0:
 * any), only those in no digest yet when undigested, raw bytes loaded
 * when with_raw.  Stop early when cb returns non-zero; cb must not use
 * the store.
 */
typedef int store_post_cb(const struct post *p, void *arg);
int store_post_each(struct store *st, const char *list_id, int state,
    bool undigested, bool with_raw, store_post_cb *cb, void *arg,
    struct err *e);

/* ---- the archive of a CoP (store_archive.c) ---- */

/* Around the words found, in a search's snippet; no post contains them. */
#define ARCHIVE_MARK_ON "\x02"
#define ARCHIVE_MARK_OFF "\x03"

/* An accepted post as the archive shows it. */
struct archive_post {
	int64_t id;
	int64_t thread_id;
	int64_t created;
	char *subject;
	char *author;           /* name, else the local part; "" when erased */
	bool erased;            /* the author was erased: show no name */
	char *text;             /* the text; a snippet; "" for a thread row */
	int64_t count;          /* a thread row: its posts */
	int64_t last;           /* a thread row: its latest post */
	char *raw;              /* store_archive_raw only */
	size_t raw_len;
};
void archive_post_clear(struct archive_post *a);
void archive_posts_free(struct archive_post *a, size_t n);

/* The best limit hits for the words (at most 10 of them), ranked. */
int store_archive_search(struct store *st, const char *list_id,
    const char *words, int limit, struct archive_post **out, size_t *n,
    struct err *e);
struct archive_month {
	char month[8];          /* "2026-03" */
	int64_t posts;          /* 1: it has posts (they are not counted) */
};
/* Months with posts, newest first (free *out). */
int store_archive_months(struct store *st, const char *list_id,
    struct archive_month **out, size_t *n, struct err *e);
/* Threads with a post in [from, to), latest first: their first posts. */
int store_archive_threads(struct store *st, const char *list_id,
    int64_t from, int64_t to, int limit, struct archive_post **out,
    size_t *n, struct err *e);
/* A thread's posts, oldest first; none when it is not the list's. */
int store_archive_thread(struct store *st, const char *list_id,
    int64_t thread_id, struct archive_post **out, size_t *n,
    struct err *e);
/* 1 and one accepted post with its raw bytes (free with the above), 0. */
int store_archive_raw(struct store *st, const char *list_id, int64_t id,
    struct archive_post *out, struct err *e);

/*
 * Delete the posts made before before (retention), but held ones, with
 * their place in the search index; *n says how many.
 */
int store_archive_prune(struct store *st, int64_t before, int64_t *n,
    struct err *e);

/*
 * Who reads list_id's archive (lists.archive): as set, else members for
 * a CoP and none for a newsletter; 1 and *out, 0 no such list, -1.
 */
int store_list_archive(struct store *st, const char *list_id,
    enum list_archive *out, struct err *e);
/* Set it (inside a transaction). */
int store_list_archive_set(struct store *st, const char *list_id,
    enum list_archive a, struct err *e);

/*
 * A person's archive link, by the hash of its token: 1 and *person, 0
 * none.  Its serial (1 and *serial, 0 no link yet), and a new one
 * (inside a transaction; replaces the old, which stops working).
 */
int store_archive_link_get(struct store *st, const char *hash,
    int64_t *person, struct err *e);
int store_archive_link_serial(struct store *st, int64_t person,
    int64_t *serial, struct err *e);
int store_archive_link_set(struct store *st, int64_t person,
    const char *hash, int64_t serial, int64_t now, struct err *e);

/* ---- digests and schedules (store_digest.c) ---- */

/* A digest of a list: its number, the period it was due in, its mail. */
struct store_digest {
	const char *list_id;
	int volume;              /* the year */
	int issue;               /* 1, 2, ... within the volume */
	const char *period;      /* schedule period ("2026-12"), NULL by hand */
	int64_t created;
	int64_t campaign_id;     /* 0: sent to nobody (no digest members) */
	int64_t posts;
};
/* The issue the next digest of list_id in volume gets (1 for the first). */
int store_digest_next_issue(struct store *st, const char *list_id,
    int volume, int *issue, struct err *e);
/*
 * Add a digest (inside a transaction); *id is its id.  EX_DATAERR when
 * the list has that number, or a digest of that period, already.
 */
int store_digest_add(struct store *st, const struct store_digest *d,
    int64_t *id, struct err *e);
/* Accepted posts of list_id in no digest yet. */
int store_digest_waiting(struct store *st, const char *list_id, int64_t *n,
    struct err *e);
/* Put a post in a digest (inside a transaction); never a second one. */
int store_post_digested(struct store *st, int64_t post_id, int64_t digest_id,
    struct err *e);
/*
 * Schedules that run once per period (what: "digest"): whether one ran
 * for list_id in period, 1 yes, 0 no, -1 error; and record that it ran
 * (inside the transaction that does its work): 1 recorded now, 0 it
 * had run already, so the caller must undo its work.
 */
int store_schedule_ran(struct store *st, const char *list_id,
    const char *what, const char *period, struct err *e);
int store_schedule_claim(struct store *st, const char *list_id,
    const char *what, const char *period, int64_t now, struct err *e);

/* ---- event log (store_log.c) ---- */

/*
 * Record one event (inside the caller's transaction when one is open, so
 * the event and the change it describes commit together).  event is a
 * short word ("list-add", "subscribe", "import", "erase", "send"...);
 * list_id, addr and detail may be NULL; result is "ok" when NULL.
 */
int store_event(struct store *st, int64_t at, const char *event,
    const char *list_id, const char *addr, const char *result,
    const char *detail, struct err *e);

/* How many events of this kind for addr since a time. */
int store_event_count(struct store *st, const char *event, const char *addr,
    int64_t since, int64_t *n, struct err *e);
struct store_event_rec {
	int64_t at;
	const char *event, *list_id, *addr, *result, *detail; /* may be NULL */
};
typedef int store_event_cb(const struct store_event_rec *ev, void *arg);
/* Events at or after since, oldest first. */
int store_log_each(struct store *st, int64_t since, store_event_cb *cb,
    void *arg, struct err *e);
/*
 * Retention: delete events older than now - retention, confirmation
 * tokens that expired, used ones older than the retention, and the
 * confirmations sent that no longer count for confirm_limit.
 */
int store_prune(struct store *st, int64_t now, int64_t retention,
    int64_t *n_events, int64_t *n_tokens, struct err *e);

/* ---- the web versions of newsletters (store_news.c) ---- */

struct news_page {
	int64_t campaign_id;
	char *list_id;
	char *subject;
	char *content;           /* HTML fragment; NULL from store_news_each */
	int64_t date;            /* when it was to go out */
};
void news_page_clear(struct news_page *p);

/* Keep the web version of a newsletter (inside a transaction). */
int store_news_put(struct store *st, const struct news_page *p,
    struct err *e);
int store_news_pic_put(struct store *st, int64_t campaign_id,
    const char *name, const char *type, const void *data, size_t len,
    struct err *e);
/*
 * A page that may be shown: published, and some copy of it sent.  1 and
 * *out (news_page_clear it), 0 none, -1 error.
 */
int store_news_get(struct store *st, const char *list_id, int64_t id,
    struct news_page *out, struct err *e);
/* A picture of a page that may be shown: 1, *type (free) and data. */
int store_news_pic_get(struct store *st, const char *list_id, int64_t id,
    const char *name, char **type, struct buf *data, struct err *e);
/* The pages of a list that may be shown, newest first, at most max. */
typedef int store_news_cb(const struct news_page *p, void *arg);
int store_news_each(struct store *st, const char *list_id, size_t max,
    store_news_cb *cb, void *arg, struct err *e);
/* Take a page down: 1 done, 0 no such page. */
int store_news_unpublish(struct store *st, int64_t id, struct err *e);

#endif
