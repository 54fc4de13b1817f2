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
	return store_run(st, "INSERT INTO news_pages(campaign_id, list_id, "
	    "subject, content, date) VALUES (?1, ?2, ?3, ?4, ?5)",
	    "keep web version", NULL, NULL, e, STORE_VALS(STORE_I(p->campaign_id),
	    STORE_T(p->list_id), STORE_T(p->subject), STORE_T(p->content),
	    STORE_I(p->date)));
}

int
store_news_pic_put(struct store *st, int64_t campaign_id, const char *name,
    const char *type, const void *data, size_t len, struct err *e)
{
	return store_run(st, "INSERT INTO news_pics(campaign_id, name, type, "
	    "data) VALUES (?1, ?2, ?3, ?4)", "keep picture", NULL, NULL, e,
	    STORE_VALS(STORE_I(campaign_id), STORE_T(name), STORE_T(type),
	    STORE_B(data, len)));
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

static int
page_row(sqlite3_stmt *s, void *arg)
{
	page_of(s, arg, true);
	return 0;
}

int
store_news_get(struct store *st, const char *list_id, int64_t id,
    struct news_page *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store_one(st, "SELECT p.campaign_id, p.list_id, p.subject, "
	    "p.date, p.content FROM news_pages p WHERE p.campaign_id = ?1 AND "
	    "p.list_id = ?2 AND " SHOWN, "read web version", page_row, out, e,
	    STORE_VALS(STORE_I(id), STORE_T(list_id)));
}

/* A picture's type and bytes. */
struct pic {
	char **type;
	struct buf *data;
};

static int
pic_row(sqlite3_stmt *s, void *arg)
{
	struct pic *p = arg;

	*p->type = store_col_text(s, 0);
	buf_add(p->data, sqlite3_column_blob(s, 1),
	    (size_t)sqlite3_column_bytes(s, 1));
	return 0;
}

int
store_news_pic_get(struct store *st, const char *list_id, int64_t id,
    const char *name, char **type, struct buf *data, struct err *e)
{
	struct pic p = { type, data };

	*type = NULL;
	return store_one(st, "SELECT i.type, i.data FROM news_pics i JOIN "
	    "news_pages p ON p.campaign_id = i.campaign_id WHERE "
	    "i.campaign_id = ?1 AND p.list_id = ?2 AND i.name = ?3 AND " SHOWN,
	    "read picture", pic_row, &p, e, STORE_VALS(STORE_I(id),
	    STORE_T(list_id), STORE_T(name)));
}

/* Each page to the caller's callback. */
struct page_walk {
	store_news_cb *cb;
	void *arg;
};

static int
page_each(sqlite3_stmt *s, void *arg)
{
	struct page_walk *w = arg;
	struct news_page pg;
	int stop;

	page_of(s, &pg, false);
	stop = w->cb(&pg, w->arg);
	news_page_clear(&pg);
	return stop;
}

int
store_news_each(struct store *st, const char *list_id, size_t max,
    store_news_cb *cb, void *arg, struct err *e)
{
	struct page_walk w = { cb, arg };

	return store_run(st, "SELECT p.campaign_id, p.list_id, p.subject, "
	    "p.date FROM news_pages p WHERE p.list_id = ?1 AND " SHOWN
	    " ORDER BY p.date DESC, p.campaign_id DESC LIMIT ?2",
	    "list web versions", page_each, &w, e, STORE_VALS(STORE_T(list_id),
	    STORE_I((int64_t)max))) < 0 ? -1 : 0;
}

int
store_news_unpublish(struct store *st, int64_t id, struct err *e)
{
	if (store_run(st, "UPDATE news_pages SET published = 0 WHERE "
	    "campaign_id = ?1", "unpublish", NULL, NULL, e,
	    STORE_VALS(STORE_I(id))) != 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}
