/*
 * source_imap - one IMAP folder through libetpan's low-level mailimap API
 * (the generic storage layer sets no SNI, checks no certificate and has
 * no IDLE).
 *
 * A fetch: connect (implicit TLS, STARTTLS, or none; the certificate is
 * checked before LOGIN), SELECT the folder, UID SEARCH what is to take
 * (keep: UNSEEN; delete: everything but what was set aside, i.e.
 * UNSEEN or not larger than max_message_size), then per message in UID
 * order: ask the store about "UIDVALIDITY:UID", fetch the size, fetch
 * BODY.PEEK[] (which leaves \Seen alone), commit, and only then UID
 * STORE \Seen or \Deleted.  Deleted messages are expunged at the end of
 * the fetch (UID EXPUNGE with UIDPLUS, else EXPUNGE: the folder is
 * kring's own).
 *
 * The connection stays open after a fetch only when kringd will IDLE on
 * it; otherwise each fetch logs in and out.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "source_int.h"
#include "xmem.h"

struct imap_conn {
	mailimap *imap;
	uint32_t uidvalidity;
	bool has_idle;
	bool has_uidplus;
	bool idling;
	bool broken;              /* a command failed: close, no LOGOUT */
};

/* take(): the message was expunged by someone else meanwhile. */
#define TAKE_VANISHED 2

/* A message the search found and the store does not know. */
struct candidate {
	uint32_t uid;
	uint32_t size;
	bool seen;
	bool found;               /* the size fetch returned it */
};

static const char *
imap_code(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "cannot connect";
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILIMAP_ERROR_PARSE:
		return "unexpected reply";
	case MAILIMAP_ERROR_SSL:
		return "TLS handshake failed";
	case MAILIMAP_ERROR_STARTTLS:
		return "STARTTLS refused";
	case MAILIMAP_ERROR_LOGIN:
		return "login failed";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	default:
		return "command failed";
	}
}

/* A failed command: e says what and why, with the server's words. */
static int
imap_fail(struct imap_conn *c, int r, struct err *e, const char *what)
{
	const char *said = c->imap != NULL ? c->imap->imap_response : NULL;

	c->broken = true;
	return err_set(e, EX_UNAVAILABLE, "%s: %s%s%s", what, imap_code(r),
	    said != NULL && *said ? ": " : "", said != NULL ? said : "");
}

static void
conn_free(struct source *src)
{
	struct imap_conn *c = src->conn;

	if (c == NULL)
		return;
	if (c->imap != NULL) {
		if (!c->broken) {
			if (c->idling)
				mailimap_idle_done(c->imap);
			mailimap_logout(c->imap);
		}
		mailimap_free(c->imap);
	}
	free(c);
	src->conn = NULL;
}

static int
connect_tls(struct source *src, struct imap_conn *c, struct err *e)
{
	const struct config_inbound *cfg = &src->cfg;
	char *host = cfg->host;
	uint16_t port = (uint16_t)cfg->port;
	int r;

	if (cfg->tls == TLS_IMPLICIT)
		r = mailimap_ssl_connect_with_callback(c->imap, host, port,
		    source_tls_sni, host);
	else
		r = mailimap_socket_connect(c->imap, host, port);
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		c->broken = true;
		return err_set(e, EX_UNAVAILABLE, "%s port %d: %s", host,
		    cfg->port, imap_code(r));
	}
	if (cfg->tls == TLS_STARTTLS && (r = mailimap_socket_starttls_with_callback(
	    c->imap, source_tls_sni, host)) != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "STARTTLS");
	if (cfg->tls != TLS_NONE && source_tls_verify(src,
	    c->imap->imap_stream, e) != 0) {
		c->broken = true;
		return -1;
	}
	return 0;
}

static int
imap_connect(struct source *src, struct err *e)
{
	const struct config_inbound *cfg = &src->cfg;
	struct imap_conn *c = xcalloc(1, sizeof(*c));
	struct mailimap_capability_data *cap = NULL;
	int r;

	src->conn = c;
	if ((c->imap = mailimap_new(0, NULL)) == NULL)
		return err_set(e, EX_OSERR, "out of memory");
	mailimap_set_timeout(c->imap, SOURCE_TIMEOUT);
	if (connect_tls(src, c, e) != 0)
		return -1;
	if ((r = mailimap_login(c->imap, cfg->user, cfg->password ?
	    cfg->password : "")) != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "LOGIN");
	/* What the server offers after TLS and login, not before. */
	if ((r = mailimap_capability(c->imap, &cap)) != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "CAPABILITY");
	mailimap_capability_data_free(cap);
	c->has_idle = mailimap_has_idle(c->imap);
	c->has_uidplus = mailimap_has_uidplus(c->imap);
	if ((r = mailimap_select(c->imap, cfg->folder)) != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "SELECT");
	c->uidvalidity = c->imap->imap_selection_info->sel_uidvalidity;
	return 0;
}

/* A kept connection: end its IDLE; false when it no longer works. */
static bool
revive(struct imap_conn *c)
{
	int r;

	if (c->idling) {
		c->idling = false;
		r = mailimap_idle_done(c->imap);
	} else {
		r = mailimap_noop(c->imap);
	}
	return r == MAILIMAP_NO_ERROR;
}

static struct mailimap_search_key *
key_unseen(void)
{
	return mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL);
}

static int
cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs to take, ascending, in *uids (caller frees). */
static int
search(struct source *src, struct imap_conn *c, uint32_t **uids, size_t *n,
    struct err *e)
{
	struct mailimap_search_key *key;
	clist *res = NULL;
	uint32_t max = src->max_size > 0 && src->max_size < UINT32_MAX ?
	    (uint32_t)src->max_size : UINT32_MAX;
	int r;

	if (src->cfg.processed == PROCESSED_KEEP)
		key = key_unseen();
	else
		key = mailimap_search_key_new_or(key_unseen(),
		    mailimap_search_key_new_not(mailimap_search_key_new_larger(max)));
	r = mailimap_uid_search(c->imap, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "UID SEARCH");
	*n = 0;
	*uids = xcalloc(clist_count(res) + 1, sizeof(**uids));
	for (clistiter *it = clist_begin(res); it != NULL; it = clist_next(it))
		(*uids)[(*n)++] = *(uint32_t *)clist_content(it);
	mailimap_search_result_free(res);
	qsort(*uids, *n, sizeof(**uids), cmp_uid);
	return 0;
}

static int
store_flag(struct imap_conn *c, uint32_t uid, bool deleted, struct err *e)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sa;
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	mailimap_flag_list_add(fl, deleted ? mailimap_flag_new_deleted() :
	    mailimap_flag_new_seen());
	sa = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(c->imap, set, sa);
	mailimap_store_att_flags_free(sa);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, deleted ? "UID STORE \\Deleted" :
		    "UID STORE \\Seen");
	return 0;
}

/* The message is in the store: \Seen, or \Deleted (expunged later). */
static int
mark(struct source *src, struct imap_conn *c, uint32_t uid,
    struct mailimap_set *expunge, struct err *e)
{
	if (src->cfg.processed == PROCESSED_KEEP)
		return store_flag(c, uid, false, e);
	if (store_flag(c, uid, true, e) != 0)
		return -1;
	mailimap_set_add_single(expunge, uid);
	return 0;
}

static struct candidate *
find_candidate(struct candidate *cs, size_t n, uint32_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (cs[i].uid == uid)
			return &cs[i];
	return NULL;
}

/* Fill one candidate from a fetch response item list. */
static void
read_sizes(struct candidate *cs, size_t n, struct mailimap_msg_att *ma)
{
	uint32_t uid = 0, size = 0;
	bool seen = false;

	for (clistiter *j = clist_begin(ma->att_list); j; j = clist_next(j)) {
		struct mailimap_msg_att_item *it = clist_content(j);

		if (it->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC) {
			struct mailimap_msg_att_static *s = it->att_data.att_static;

			if (s->att_type == MAILIMAP_MSG_ATT_UID)
				uid = s->att_data.att_uid;
			else if (s->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
				size = s->att_data.att_rfc822_size;
		} else if (it->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC &&
		    it->att_data.att_dyn->att_list != NULL) {
			clist *fl = it->att_data.att_dyn->att_list;

			for (clistiter *k = clist_begin(fl); k; k = clist_next(k)) {
				struct mailimap_flag_fetch *f = clist_content(k);

				if (f->fl_type == MAILIMAP_FLAG_FETCH_OTHER &&
				    f->fl_flag != NULL &&
				    f->fl_flag->fl_type == MAILIMAP_FLAG_SEEN)
					seen = true;
			}
		}
	}
	{
		struct candidate *c = find_candidate(cs, n, uid);

		if (c != NULL) {
			c->size = size;
			c->seen = seen;
			c->found = true;
		}
	}
}

/* Sizes and \Seen of the candidates, in one UID FETCH. */
static int
fetch_sizes(struct imap_conn *c, struct candidate *cs, size_t n,
    struct err *e)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	struct mailimap_fetch_type *ft =
	    mailimap_fetch_type_new_fetch_att_list_empty();
	clist *res = NULL;
	int r;

	for (size_t i = 0; i < n; i++)
		mailimap_set_add_single(set, cs[i].uid);
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_rfc822_size());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_flags());
	r = mailimap_uid_fetch(c->imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "UID FETCH RFC822.SIZE");
	for (clistiter *it = clist_begin(res); it; it = clist_next(it))
		read_sizes(cs, n, clist_content(it));
	mailimap_fetch_list_free(res);
	return 0;
}

/* The body section of uid in a fetch response, or NULL. */
static struct mailimap_msg_att_body_section *
body_of(clist *res, uint32_t uid)
{
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		struct mailimap_msg_att_body_section *body = NULL;
		uint32_t got = 0;

		for (clistiter *j = clist_begin(ma->att_list); j; j = clist_next(j)) {
			struct mailimap_msg_att_item *item = clist_content(j);
			struct mailimap_msg_att_static *s;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			s = item->att_data.att_static;
			if (s->att_type == MAILIMAP_MSG_ATT_UID)
				got = s->att_data.att_uid;
			else if (s->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				body = s->att_data.att_body_section;
		}
		if (got == uid && body != NULL && body->sec_body_part != NULL)
			return body;
	}
	return NULL;
}

/* Download one message and commit it: the source_take result or -1. */
static int
take(struct source *src, struct imap_conn *c, uint32_t uid, const char *suid,
    struct err *e)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *ft =
	    mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_msg_att_body_section *body;
	clist *res = NULL;
	int r;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	r = mailimap_uid_fetch(c->imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(c, r, e, "UID FETCH BODY.PEEK[]");
	if ((body = body_of(res, uid)) == NULL)
		r = TAKE_VANISHED;
	else
		r = source_take(src, suid, body->sec_body_part, body->sec_length,
		    0, e);
	mailimap_fetch_list_free(res);
	return r;
}

/* One message not known to the store. */
static int
one(struct source *src, struct imap_conn *c, const struct candidate *m,
    struct mailimap_set *expunge, struct err *e)
{
	char suid[32];
	int r;

	if (!m->found)
		return 0;
	snprintf(suid, sizeof(suid), "%u:%u", c->uidvalidity, m->uid);
	if (source_too_large(src, suid, m->size))
		return m->seen ? 0 : store_flag(c, m->uid, false, e);
	if ((r = take(src, c, m->uid, suid, e)) < 0)
		return -1;
	if (r == SOURCE_TAKEN)
		return mark(src, c, m->uid, expunge, e);
	if (r == SOURCE_SET_ASIDE)
		return store_flag(c, m->uid, false, e);
	return 0;
}

/* Known ones are flagged again; the rest are taken. */
static int
take_all(struct source *src, struct imap_conn *c, const uint32_t *uids,
    size_t n, struct mailimap_set *expunge, struct err *e)
{
	struct candidate *cs = xcalloc(n + 1, sizeof(*cs));
	size_t ncs = 0;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char suid[32];
		int k;

		snprintf(suid, sizeof(suid), "%u:%u", c->uidvalidity, uids[i]);
		if ((k = source_known(src, suid, e)) < 0)
			rc = -1;
		else if (k == 1) {
			source_count_duplicate(src, suid);
			rc = mark(src, c, uids[i], expunge, e);
		} else
			cs[ncs++].uid = uids[i];
	}
	if (rc == 0 && ncs > 0)
		rc = fetch_sizes(c, cs, ncs, e);
	for (size_t i = 0; i < ncs && rc == 0; i++)
		rc = one(src, c, &cs[i], expunge, e);
	free(cs);
	return rc;
}

static int
expunge_marked(struct imap_conn *c, struct mailimap_set *set, struct err *e)
{
	int r;

	if (clist_count(set->set_list) == 0)
		return 0;
	r = c->has_uidplus ? mailimap_uid_expunge(c->imap, set) :
	    mailimap_expunge(c->imap);
	return r == MAILIMAP_NO_ERROR ? 0 : imap_fail(c, r, e, "EXPUNGE");
}

static int
imap_fetch(struct source *src, struct err *e)
{
	struct imap_conn *c = src->conn;
	struct mailimap_set *expunge;
	uint32_t *uids = NULL;
	size_t n = 0, room;
	int rc;

	if (c != NULL && !revive(c)) {
		c->broken = true;
		conn_free(src);
	}
	if (src->conn == NULL && imap_connect(src, e) != 0)
		return -1;
	c = src->conn;
	if (search(src, c, &uids, &n, e) != 0)
		return -1;
	room = SOURCE_FETCH_MAX;
	if (n > room) {
		n = room;
		src->stats.more = true;
	}
	expunge = mailimap_set_new_empty();
	rc = take_all(src, c, uids, n, expunge, e);
	/* Expunge what was flagged even when the fetch stopped half-way. */
	if (!c->broken && expunge_marked(c, expunge, rc == 0 ? e : NULL) != 0)
		rc = -1;
	mailimap_set_free(expunge);
	free(uids);
	if (rc == 0 && !(src->may_idle && src->cfg.idle && c->has_idle))
		conn_free(src);
	return rc;
}

static int
imap_idle(struct source *src, time_t now, time_t *renew)
{
	struct imap_conn *c = src->conn;

	if (!c->has_idle)
		return -1;
	if (mailimap_idle(c->imap) != MAILIMAP_NO_ERROR) {
		c->broken = true;
		return -2;
	}
	c->idling = true;
	/* What came with the continuation sits in libetpan's buffer, where
	 * poll() cannot see it: fetch at once then. */
	*renew = c->imap->imap_stream->read_buffer_len > 0 ? now :
	    now + SOURCE_IDLE_RENEW;
	return mailimap_idle_get_fd(c->imap);
}

static void
imap_disconnect(struct source *src)
{
	conn_free(src);
}

const struct source_driver source_imap_driver = {
	"imap", imap_fetch, imap_idle, imap_disconnect,
};
