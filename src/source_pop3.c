/*
 * source_pop3 - a POP3 mailbox through libetpan's low-level mailpop3 API.
 *
 * Each fetch is one session: connect (implicit TLS, STLS, or none; the
 * certificate is checked before USER/PASS), LIST and UIDL, then per
 * message in mailbox order: ask the store about its UIDL, RETR, commit,
 * and with processed = delete DELE it.  QUIT commits the DELEs; a session
 * that breaks off before QUIT deletes nothing (RFC 1939), and the next
 * fetch finds those messages known and deletes them then.  POP3 has no
 * flags: with processed = keep the store's (source, UIDL) is the only
 * memory of what was taken, and a message too large is left on the
 * server and logged once per kringd run.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "source_int.h"
#include "xmem.h"

struct pop3_conn {
	mailpop3 *pop;
	bool broken;              /* a command failed: close, no QUIT */
};

static const char *
pop3_code(int r)
{
	switch (r) {
	case MAILPOP3_ERROR_CONNECTION_REFUSED:
		return "cannot connect";
	case MAILPOP3_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILPOP3_ERROR_SSL:
		return "TLS handshake failed";
	case MAILPOP3_ERROR_STLS_NOT_SUPPORTED:
		return "STLS refused";
	case MAILPOP3_ERROR_BAD_USER:
	case MAILPOP3_ERROR_BAD_PASSWORD:
		return "login failed";
	case MAILPOP3_ERROR_MEMORY:
		return "out of memory";
	default:
		return "command failed";
	}
}

static int
pop3_fail(struct pop3_conn *c, int r, struct err *e, const char *what)
{
	const char *said = c->pop != NULL ? c->pop->pop3_response : NULL;

	c->broken = true;
	return err_set(e, EX_UNAVAILABLE, "%s: %s%s%s", what, pop3_code(r),
	    said != NULL && *said ? ": " : "", said != NULL ? said : "");
}

static void
pop3_disconnect(struct source *src)
{
	struct pop3_conn *c = src->conn;

	if (c == NULL)
		return;
	if (c->pop != NULL) {
		if (!c->broken)
			mailpop3_quit(c->pop);
		mailpop3_free(c->pop);
	}
	free(c);
	src->conn = NULL;
}

static int
pop3_connect(struct source *src, struct pop3_conn *c, struct err *e)
{
	const struct config_inbound *cfg = &src->cfg;
	char *host = cfg->host;
	uint16_t port = (uint16_t)cfg->port;
	int r;

	if ((c->pop = mailpop3_new(0, NULL)) == NULL)
		return err_set(e, EX_OSERR, "out of memory");
	mailpop3_set_timeout(c->pop, SOURCE_TIMEOUT);
	if (cfg->tls == TLS_IMPLICIT)
		r = mailpop3_ssl_connect_with_callback(c->pop, host, port,
		    source_tls_sni, host);
	else
		r = mailpop3_socket_connect(c->pop, host, port);
	if (r != MAILPOP3_NO_ERROR) {
		c->broken = true;
		return err_set(e, EX_UNAVAILABLE, "%s port %d: %s", host,
		    cfg->port, pop3_code(r));
	}
	if (cfg->tls == TLS_STARTTLS && (r = mailpop3_socket_starttls_with_callback(
	    c->pop, source_tls_sni, host)) != MAILPOP3_NO_ERROR)
		return pop3_fail(c, r, e, "STLS");
	if (cfg->tls != TLS_NONE && source_tls_verify(src,
	    c->pop->pop3_stream, e) != 0) {
		c->broken = true;
		return -1;
	}
	if ((r = mailpop3_user(c->pop, cfg->user)) != MAILPOP3_NO_ERROR)
		return pop3_fail(c, r, e, "USER");
	if ((r = mailpop3_pass(c->pop, cfg->password ? cfg->password : "")) !=
	    MAILPOP3_NO_ERROR)
		return pop3_fail(c, r, e, "PASS");
	return 0;
}

/* Download one message and commit it: the source_take result or -1. */
static int
take(struct source *src, struct pop3_conn *c, struct mailpop3_msg_info *m,
    struct err *e)
{
	char *raw = NULL;
	size_t len = 0;
	int r;

	if ((r = mailpop3_retr(c->pop, m->msg_index, &raw, &len)) !=
	    MAILPOP3_NO_ERROR)
		return pop3_fail(c, r, e, "RETR");
	r = source_take(src, m->msg_uidl, raw, len, 0, e);
	mailpop3_retr_free(raw);
	return r;
}

static int
dele(struct pop3_conn *c, struct mailpop3_msg_info *m, struct err *e)
{
	int r = mailpop3_dele(c->pop, m->msg_index);

	return r == MAILPOP3_NO_ERROR ? 0 : pop3_fail(c, r, e, "DELE");
}

/* One message of the listing. */
static int
one(struct source *src, struct pop3_conn *c, struct mailpop3_msg_info *m,
    struct err *e)
{
	bool remove = src->cfg.processed == PROCESSED_DELETE;
	int r;

	if ((r = source_known(src, m->msg_uidl, e)) < 0)
		return -1;
	if (r == 1) {
		/* With keep this is every message taken before. */
		if (!remove)
			return 0;
		source_count_duplicate(src, m->msg_uidl);
		return dele(c, m, e);
	}
	if (source_too_large(src, m->msg_uidl, m->msg_size))
		return 0;
	if ((r = take(src, c, m, e)) < 0)
		return -1;
	return r == SOURCE_TAKEN && remove ? dele(c, m, e) : 0;
}

static int
pop3_fetch(struct source *src, struct err *e)
{
	struct pop3_conn *c = xcalloc(1, sizeof(*c));
	carray *tab = NULL;
	int r, rc = 0;

	src->conn = c;
	if (pop3_connect(src, c, e) != 0)
		return -1;
	if ((r = mailpop3_list(c->pop, &tab)) != MAILPOP3_NO_ERROR)
		return pop3_fail(c, r, e, "LIST");
	for (unsigned i = 0; i < carray_count(tab) && rc == 0; i++) {
		struct mailpop3_msg_info *m = carray_get(tab, i);

		if (m == NULL || m->msg_deleted)
			continue;
		if (m->msg_uidl == NULL) {
			c->broken = true;
			rc = err_set(e, EX_UNAVAILABLE, "the server gives no UIDL "
			    "for message %u; kring needs it to know what it took",
			    m->msg_index);
			break;
		}
		if (source_full(src))
			break;
		rc = one(src, c, m, e);
	}
	if (rc != 0)
		return -1;
	/* QUIT is where the server carries out the DELEs. */
	r = mailpop3_quit(c->pop);
	c->broken = true;
	pop3_disconnect(src);
	if (r != MAILPOP3_NO_ERROR)
		return err_set(e, EX_UNAVAILABLE, "QUIT: %s", pop3_code(r));
	return 0;
}

const struct source_driver source_pop3_driver = {
	"pop3", pop3_fetch, NULL, pop3_disconnect,
};
