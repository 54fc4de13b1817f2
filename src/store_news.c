/*
 * store_news - the web versions of sent newsletters and their pictures
 * (see store.h).
 *
 * A page may be shown when it is published and some copy of its
 * campaign was sent: a campaign queued for later, or cancelled before
 * any copy left, has no page.  Every query names the list as well as
 * the number, so /n/OTHERLIST/ID finds nothing.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "store_int.h"

/* The condition every shown page meets, for a row aliased p. */
#define SHOWN "p.published = 1 AND (p.sent = 1 OR EXISTS (SELECT 1 FROM " \
	"queue q WHERE q.campaign_id = p.campaign_id AND q.state = 'sent'))"

void
news_page_clear(struct news_page *p)
{
	free(p->list_id);
	free(p->subject);
	free(p->content);
	memset(p, 0, sizeof(*p));
}

int
store_news_put(struct store *st, const struct news_page *p, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO news_pages(campaign_id, "
	    "list_id, subject, content, date) VALUES (?1, ?2, ?3, ?4, ?5)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, p->campaign_id);
	store_bind_text(s, 2, p->list_id);
	store_bind_text(s, 3, p->subject);
	store_bind_text(s, 4, p->content);
	store_bind_int(s, 5, p->date);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "keep web version");
}

int
store_news_pic_put(struct store *st, int64_t campaign_id, const char *name,
    const char *type, const void *data, size_t len, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO news_pics(campaign_id, "
	    "name, type, data) VALUES (?1, ?2, ?3, ?4)", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, campaign_id);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, type);
	sqlite3_bind_blob64(s, 4, data, (sqlite3_uint64)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_done(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "keep picture");
}

static void
page_of(sqlite3_stmt *s, struct news_page *out, bool content)
{
	out->campaign_id = sqlite3_column_int64(s, 0);
	out->list_id = store_col_text(s, 1);
	out->subject = store_col_text(s, 2);
	out->date = sqlite3_column_int64(s, 3);
	out->content = content ? store_col_text(s, 4) : NULL;
}

int
store_news_get(struct store *st, const char *list_id, int64_t id,
    struct news_page *out, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT p.campaign_id, p.list_id, "
	    "p.subject, p.date, p.content FROM news_pages p WHERE "
	    "p.campaign_id = ?1 AND p.list_id = ?2 AND " SHOWN, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	store_bind_text(s, 2, list_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		page_of(s, out, true);
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "read web version");
}

int
store_news_pic_get(struct store *st, const char *list_id, int64_t id,
    const char *name, char **type, struct buf *data, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT i.type, i.data FROM "
	    "news_pics i JOIN news_pages p ON p.campaign_id = i.campaign_id "
	    "WHERE i.campaign_id = ?1 AND p.list_id = ?2 AND i.name = ?3 AND "
	    SHOWN, e);
	int rc;

	*type = NULL;
	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	store_bind_text(s, 2, list_id);
	store_bind_text(s, 3, name);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*type = store_col_text(s, 0);
		buf_add(data, sqlite3_column_blob(s, 1),
		    (size_t)sqlite3_column_bytes(s, 1));
	}
	store_done(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, e, "read picture");
}

int
store_news_each(struct store *st, const char *list_id, size_t max,
    store_news_cb *cb, void *arg, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT p.campaign_id, p.list_id, "
	    "p.subject, p.date FROM news_pages p WHERE p.list_id = ?1 AND "
	    SHOWN " ORDER BY p.date DESC, p.campaign_id DESC LIMIT ?2", e);
	struct news_page pg;
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, list_id);
	store_bind_int(s, 2, (int64_t)max);
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		page_of(s, &pg, false);
		stop = cb(&pg, arg);
		news_page_clear(&pg);
	}
	store_done(s);
	if (stop == 0 && rc != SQLITE_DONE)
		return store_fail(st, e, "list web versions");
	return 0;
}

int
store_news_unpublish(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE news_pages SET published = 0 "
	    "WHERE campaign_id = ?1", e);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	store_done(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, e, "unpublish");
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}
