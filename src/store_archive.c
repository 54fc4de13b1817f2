/*
 * store_archive - what a CoP's archive reads: its posts by month and by
 * thread, a ranked search of them, and the members' archive links.
 *
 * Only accepted posts are ever returned: a held, rejected or refused
 * post is in the store (and in post_fts, which the triggers keep) but
 * no query here lets it out.  A post's thread is settled when it is
 * added (store_post_thread): the thread of the post it answers
 * (In-Reply-To, then References from the last), else, for a reply, the
 * latest thread of the list with the same subject without Re:/Fwd:/
 * [tag] in the last ARCHIVE_SUBJECT_DAYS days; else its own.  A search
 * is the person's words, each quoted, all required, so no FTS5 syntax
 * of theirs reaches SQLite.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "store_int.h"
#include "xmem.h"

#define ARCHIVE_SUBJECT_DAYS 90
#define ARCHIVE_REFS_MAX 20
#define ARCHIVE_QUERY_WORDS 10
#define ARCHIVE_WORD_MAX 64
/* Matches ranked by a search: the newest this many. */
#define ARCHIVE_RANKED 1000
/* Months an archive page lists, back from its newest post. */
#define ARCHIVE_MONTHS_MAX 600

/* "re", "aw", ...: a prefix of a reply or forward, before its ':'. */
static size_t
reply_prefix(const char *s, bool *reply)
{
	static const struct {
		const char *w;
		bool reply;
	} pre[] = {
		{ "re", true }, { "aw", true }, { "antw", true }, { "sv", true },
		{ "fwd", false }, { "fw", false }, { "doorst", false },
		{ "wg", false },
	};

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i].w);

		if (strncasecmp(s, pre[i].w, n) == 0 && s[n] == ':') {
			*reply = *reply || pre[i].reply;
			return n + 1;
		}
	}
	return 0;
}

/* The subject without what mailers and lists put before it, lowered. */
static char *
subject_key(const char *subject, bool *reply)
{
	const char *s = subject ? subject : "";
	char *out, *end;
	size_t n;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '[' && (end = strchr(s, ']')) != NULL) {
			s = end + 1;
			continue;
		}
		if ((n = reply_prefix(s, reply)) == 0)
			break;
		s += n;
	}
	out = xstrdup(s);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	return out;
}

/* The thread of the post with Message-ID id (n bytes) in list: 1, 0, -1. */
static int
thread_of_msgid(struct store *st, const char *list_id, const char *id,
    size_t n, int64_t *thread, struct err *e)
{
	char *msgid = xstrndup(id, n);
	int rc = store_int(st, "SELECT thread_id FROM posts WHERE list_id = ?1 "
	    "AND message_id = ?2 AND thread_id IS NOT NULL ORDER BY id LIMIT 1",
	    "find thread", thread, e, STORE_VALS(STORE_T(list_id),
	    STORE_T(msgid)));

	free(msgid);
	return rc;
}

/* The thread refs ("<a> <b>") point to, the last one first. */
static int
thread_of_refs(struct store *st, const char *list_id, const char *refs,
    int64_t *thread, struct err *e)
{
	const char *at[ARCHIVE_REFS_MAX];
	size_t len[ARCHIVE_REFS_MAX], n = 0;
	const char *p = refs;
	int r;

	while (p != NULL && (p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>');

		if (end == NULL)
			break;
		if (n == ARCHIVE_REFS_MAX) {
			/* Keep the last ones: the nearest ancestors. */
			n--;
			memmove(at, at + 1, sizeof(at[0]) * n);
			memmove(len, len + 1, sizeof(len[0]) * n);
		}
		at[n] = p + 1;
		len[n++] = (size_t)(end - p - 1);
		p = end + 1;
	}
	while (n-- > 0)
		if ((r = thread_of_msgid(st, list_id, at[n], len[n], thread,
		    e)) != 0)
			return r;
	return 0;
}

static int
thread_of_subject(struct store *st, const struct post *p, const char *key,
    int64_t *thread, struct err *e)
{
	return store_int(st, "SELECT thread_id FROM posts WHERE list_id = ?1 "
	    "AND subject_key = ?2 AND created >= ?3 AND thread_id IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1", "find thread", thread, e,
	    STORE_VALS(STORE_T(p->list_id), STORE_T(key),
	    STORE_I(p->created - ARCHIVE_SUBJECT_DAYS * 86400)));
}

int
store_post_thread(struct store *st, const struct post *p,
    struct store_thread *out, struct err *e)
{
	bool reply = p->in_reply_to != NULL;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->subject_key = subject_key(p->subject, &reply);
	out->body = xstrdup(p->body ? p->body : "");
	/* The marks of a snippet (store.h) cannot come from a post. */
	for (char *c = out->body; *c; c++)
		if (*c == ARCHIVE_MARK_ON[0] || *c == ARCHIVE_MARK_OFF[0])
			*c = ' ';
	if (p->in_reply_to != NULL)
		r = thread_of_msgid(st, p->list_id, p->in_reply_to,
		    strlen(p->in_reply_to), &out->thread_id, e);
	if (r == 0)
		r = thread_of_refs(st, p->list_id, p->references,
		    &out->thread_id, e);
	if (r == 0 && reply && out->subject_key[0] != '\0')
		r = thread_of_subject(st, p, out->subject_key, &out->thread_id,
		    e);
	if (r < 0) {
		store_thread_clear(out);
		return -1;
	}
	return 0;
}

void
store_thread_clear(struct store_thread *t)
{
	free(t->subject_key);
	free(t->body);
	memset(t, 0, sizeof(*t));
}

int
store_post_own_thread(struct store *st, int64_t id, struct err *e)
{
	return store_run(st, "UPDATE posts SET thread_id = id WHERE id = ?1",
	    "set thread", NULL, NULL, e, STORE_VALS(STORE_I(id)));
}

/* ---- reading ---- */

/* An erased author's address is a hash: no '@' in it. */
static void
row_author(sqlite3_stmt *s, int name_col, int addr_col,
    struct archive_post *a)
{
	const char *addr = (const char *)sqlite3_column_text(s, addr_col);

	a->erased = addr == NULL || strchr(addr, '@') == NULL;
	a->author = a->erased ? xstrdup("") : store_col_text(s, name_col);
	if (!a->erased && a->author != NULL && a->author[0] == '\0') {
		/* No name given: the mailbox's local part, never the domain. */
		free(a->author);
		a->author = xstrndup(addr, strcspn(addr, "@"));
	}
}

void
archive_post_clear(struct archive_post *a)
{
	free(a->subject);
	free(a->author);
	free(a->text);
	free(a->raw);
	memset(a, 0, sizeof(*a));
}

void
archive_posts_free(struct archive_post *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		archive_post_clear(&a[i]);
	free(a);
}

/* Rows (id, thread, created, subject, name, addr, text, count, last). */
static int
collect(struct store *st, sqlite3_stmt *s, struct archive_post **out,
    size_t *n, const char *what, struct err *e)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct archive_post *a;

		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		a = &(*out)[(*n)++];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(s, 0);
		a->thread_id = sqlite3_column_int64(s, 1);
		a->created = sqlite3_column_int64(s, 2);
		a->subject = store_col_text(s, 3);
		row_author(s, 4, 5, a);
		a->text = store_col_text(s, 6);
		a->count = sqlite3_column_int64(s, 7);
		a->last = sqlite3_column_int64(s, 8);
	}
	store_done(s);
	if (rc == SQLITE_DONE)
		return 0;
	archive_posts_free(*out, *n);
	*out = NULL;
	*n = 0;
	return store_fail(st, e, what);
}

/* The person's words as an FTS5 query: each quoted, all required. */
static bool
fts_query(const char *words, struct buf *q)
{
	const char *p = words;
	int nw = 0;

	while (nw < ARCHIVE_QUERY_WORDS) {
		size_t len;

		p += strspn(p, " \t\r\n\"");
		len = strcspn(p, " \t\r\n\"");
		if (len == 0)
			break;
		if (len > ARCHIVE_WORD_MAX)
			len = ARCHIVE_WORD_MAX;
		buf_printf(q, "%s\"%.*s\"", nw ? " " : "", (int)len, p);
		p += len;
		p += strcspn(p, " \t\r\n\"");
		nw++;
	}
	return nw > 0;
}

/* The snippet of hit a for query q, in a->text. */
static int
snippet_of(struct store *st, const char *q, struct archive_post *a,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT snippet(post_fts, -1, '"
	    ARCHIVE_MARK_ON "', '" ARCHIVE_MARK_OFF "', '…', 20) FROM post_fts "
	    "WHERE post_fts MATCH ?1 AND rowid = ?2", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, q);
	store_bind_int(s, 2, a->id);
	rc = sqlite3_step(s);
	free(a->text);
	a->text = rc == SQLITE_ROW ? store_col_text(s, 0) : NULL;
	if (a->text == NULL)
		a->text = xstrdup("");
	store_done(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    store_fail(st, e, "make snippet");
}

int
store_archive_search(struct store *st, const char *list_id,
    const char *words, int limit, struct archive_post **out, size_t *n,
    struct err *e)
{
	sqlite3_stmt *s;
	struct buf q;
	int r;

	*out = NULL;
	*n = 0;
	buf_init(&q, 0);
	if (!fts_query(words, &q)) {
		buf_free(&q);
		return 0;
	}
	/*
	 * Ranked (BM25, the subject weighing most) among the newest
	 * ARCHIVE_RANKED matches: FTS5 gives those in rowid order without
	 * scoring the rest, so a word in every post costs what a rarer one
	 * does.  The snippets are made for the hits shown only.
	 */
	s = store_stmt(st, "SELECT m.id, p.thread_id, p.created, p.subject, "
	    "p.from_name, p.from_addr, '', 1, p.created FROM (SELECT "
	    "post_fts.rowid AS id, bm25(post_fts, 4.0, 2.0, 1.0) AS score "
	    "FROM post_fts JOIN posts x ON x.id = post_fts.rowid WHERE "
	    "post_fts MATCH ?2 AND x.list_id = ?1 AND x.state = 'accepted' "
	    "ORDER BY post_fts.rowid DESC LIMIT ?4) m JOIN posts p ON "
	    "p.id = m.id ORDER BY m.score, m.id DESC LIMIT ?3", e);
	if (s == NULL) {
		buf_free(&q);
		return -1;
	}
	store_bind_text(s, 1, list_id);
	store_bind_text(s, 2, q.data);
	store_bind_int(s, 3, limit);
	store_bind_int(s, 4, ARCHIVE_RANKED);
	r = collect(st, s, out, n, "search posts", e);
	for (size_t i = 0; r == 0 && i < *n; i++)
		r = snippet_of(st, q.data, &(*out)[i], e);
	if (r != 0) {
		archive_posts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	buf_free(&q);
	return r;
}

/* min and max of created of the list's accepted posts; 0 when none. */
static int
span(struct store *st, const char *list_id, int64_t *lo, int64_t *hi,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT min(created), max(created) "
	    "FROM posts WHERE list_id = ?1 AND state = 'accepted'", e);
	int rc, r = 0;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*lo = sqlite3_column_int64(s, 0);
		*hi = sqlite3_column_int64(s, 1);
		r = 1;
	}
	store_done(s);
	return rc == SQLITE_ROW ? r : store_fail(st, e, "list months");
}

static int
any_in(struct store *st, const char *list_id, int64_t from, int64_t to,
    int64_t *n, struct err *e)
{
	return store_row_int(st, "SELECT EXISTS (SELECT 1 FROM posts WHERE "
	    "list_id = ?1 AND state = 'accepted' AND created >= ?2 AND "
	    "created < ?3)", "list months", n, e, STORE_VALS(STORE_T(list_id),
	    STORE_I(from), STORE_I(to)));
}

int
store_archive_months(struct store *st, const char *list_id,
    struct archive_month **out, size_t *n, struct err *e)
{
	int64_t lo = 0, hi = 0;
	struct tm tm;
	time_t t;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = span(st, list_id, &lo, &hi, e)) <= 0)
		return r;
	/*
	 * Month by month in local time, newest first: one look in the
	 * index per month, not a date computed (or counted) for every post.
	 */
	t = (time_t)hi;
	localtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	for (int k = 0; k < ARCHIVE_MONTHS_MAX; k++) {
		struct tm a = tm, b = tm;
		int64_t from, to, cnt;

		a.tm_mon -= k;
		a.tm_isdst = -1;
		from = (int64_t)mktime(&a);
		b.tm_mon -= k - 1;
		b.tm_isdst = -1;
		to = (int64_t)mktime(&b);
		if (to <= lo)
			break;
		if (any_in(st, list_id, from, to, &cnt, e) != 0) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		if (cnt == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		strftime((*out)[*n].month, sizeof((*out)[*n].month), "%Y-%m",
		    &a);
		(*out)[(*n)++].posts = cnt;
	}
	return 0;
}

int
store_archive_threads(struct store *st, const char *list_id, int64_t from,
    int64_t to, int limit, struct archive_post **out, size_t *n,
    struct err *e)
{
	/* A thread with a post in [from, to), by its latest post. */
	sqlite3_stmt *s = store_stmt(st, "SELECT f.id, t.thread_id, f.created, "
	    "f.subject, f.from_name, f.from_addr, '', (SELECT count(*) FROM "
	    "posts c WHERE c.list_id = ?1 AND c.state = 'accepted' AND "
	    "c.thread_id = t.thread_id), t.last FROM (SELECT thread_id, "
	    "max(created) AS last FROM posts WHERE list_id = ?1 AND state = "
	    "'accepted' AND created >= ?2 AND created < ?3 GROUP BY thread_id "
	    "ORDER BY last DESC, thread_id DESC LIMIT ?4) t JOIN posts f ON "
	    "f.id = coalesce((SELECT id FROM posts r WHERE r.id = t.thread_id "
	    "AND r.state = 'accepted'), (SELECT min(id) FROM posts y WHERE "
	    "y.list_id = ?1 AND y.state = 'accepted' AND y.thread_id = "
	    "t.thread_id)) ORDER BY t.last DESC, t.thread_id DESC", e);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_int(s, 2, from);
	store_bind_int(s, 3, to);
	store_bind_int(s, 4, limit);
	return collect(st, s, out, n, "list threads", e);
}

int
store_archive_thread(struct store *st, const char *list_id,
    int64_t thread_id, struct archive_post **out, size_t *n,
    struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, thread_id, created, "
	    "subject, from_name, from_addr, body, 1, created FROM posts "
	    "WHERE list_id = ?1 AND state = 'accepted' AND thread_id = ?2 "
	    "ORDER BY created, id", e);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_int(s, 2, thread_id);
	return collect(st, s, out, n, "read thread", e);
}

int
store_archive_raw(struct store *st, const char *list_id, int64_t id,
    struct archive_post *out, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, thread_id, created, "
	    "subject, from_name, from_addr, body, 1, created, raw FROM posts "
	    "WHERE list_id = ?1 AND state = 'accepted' AND id = ?2", e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_int(s, 2, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(s, 9);

		out->id = id;
		out->thread_id = sqlite3_column_int64(s, 1);
		out->created = sqlite3_column_int64(s, 2);
		out->subject = store_col_text(s, 3);
		row_author(s, 4, 5, out);
		out->text = store_col_text(s, 6);
		out->raw = xmalloc(len + 1);
		if (len > 0)
			memcpy(out->raw, sqlite3_column_blob(s, 9), len);
		out->raw[len] = '\0';
		out->raw_len = len;
	}
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "read post");
}

/* ---- archive links ---- */

int
store_archive_link_get(struct store *st, const char *hash, int64_t *person,
    struct err *e)
{
	return store_int(st, "SELECT person_id FROM archive_links WHERE "
	    "hash = ?1", "find archive link", person, e,
	    STORE_VALS(STORE_T(hash)));
}

int
store_archive_link_serial(struct store *st, int64_t person, int64_t *serial,
    struct err *e)
{
	*serial = 0;
	return store_int(st, "SELECT serial FROM archive_links WHERE "
	    "person_id = ?1", "read archive link", serial, e,
	    STORE_VALS(STORE_I(person)));
}

int
store_archive_link_set(struct store *st, int64_t person, const char *hash,
    int64_t serial, int64_t now, struct err *e)
{
	return store_run(st, "INSERT INTO archive_links(person_id, hash, "
	    "serial, created) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(person_id) "
	    "DO UPDATE SET hash = ?2, serial = ?3, created = ?4",
	    "keep archive link", NULL, NULL, e, STORE_VALS(STORE_I(person),
	    STORE_T(hash), STORE_I(serial), STORE_I(now)));
}

/* ---- who reads a list's archive ---- */

int
store_list_archive(struct store *st, const char *list_id,
    enum list_archive *out, struct err *e)
{
	char *a = NULL;
	int rc = store_one(st, "SELECT coalesce(archive, CASE kind WHEN 'cop' "
	    "THEN 'members' ELSE 'none' END) FROM lists WHERE id = ?1",
	    "read list archive", store_row_text, &a, e,
	    STORE_VALS(STORE_T(list_id)));

	*out = ARCHIVE_NONE;
	if (rc == 1 && (a == NULL || list_archive_parse(a, out) != 0))
		*out = ARCHIVE_NONE;
	free(a);
	return rc;
}

int
store_list_archive_set(struct store *st, const char *list_id,
    enum list_archive a, struct err *e)
{
	return store_run(st, "UPDATE lists SET archive = ?2 WHERE id = ?1",
	    "set list archive", NULL, NULL, e, STORE_VALS(STORE_T(list_id),
	    STORE_T(list_archive_name(a))));
}

int
store_archive_prune(struct store *st, int64_t before, int64_t *n,
    struct err *e)
{
	*n = 0;
	/* A held post waits for its moderator, however long. */
	if (store_run(st, "DELETE FROM posts WHERE created < ?1 AND "
	    "state <> 'held'", "prune posts", NULL, NULL, e,
	    STORE_VALS(STORE_I(before))) != 0)
		return -1;
	*n = sqlite3_changes(st->db);
	return 0;
}
