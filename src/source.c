/*
 * source - open, dispatch to the driver of inbound.type, close; the
 * logging, backoff and bookkeeping every driver shares; the TLS peer
 * check of IMAP and POP3 (see source.h, source_int.h).
 *
 * libetpan's GnuTLS build does a TLS handshake without any trust check,
 * so source_tls_verify() checks the chain the server sent with GnuTLS
 * itself, before the password goes out.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "err.h"
#include "intake.h"
#include "log.h"
#include "source_int.h"
#include "store.h"
#include "xmem.h"

#define RETRY_FIRST 10
#define RETRY_CAP 300

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
copy_config(struct config_inbound *to, const struct config_inbound *from)
{
	*to = *from;
	to->path = dup_or_null(from->path);
	to->host = dup_or_null(from->host);
	to->ca_file = dup_or_null(from->ca_file);
	to->user = dup_or_null(from->user);
	to->password_file = dup_or_null(from->password_file);
	to->password = dup_or_null(from->password);
	to->folder = dup_or_null(from->folder);
}

static void
free_config(struct config_inbound *c)
{
	if (c->password != NULL)
		explicit_bzero(c->password, strlen(c->password));
	free(c->path);
	free(c->host);
	free(c->ca_file);
	free(c->user);
	free(c->password_file);
	free(c->password);
	free(c->folder);
	memset(c, 0, sizeof(*c));
}

static char *
make_name(const struct config_inbound *c)
{
	switch (c->type) {
	case INBOUND_MAILDIR:
		return xasprintf("maildir:%s", c->path);
	case INBOUND_IMAP:
		return xasprintf("imap:%s@%s/%s", c->user, c->host, c->folder);
	case INBOUND_POP3:
		return xasprintf("pop3:%s@%s", c->user, c->host);
	default:
		return NULL;
	}
}

struct source *
source_open(const struct config_inbound *cfg, bool idle)
{
	static const struct source_driver *const drivers[] = {
		[INBOUND_MAILDIR] = &source_maildir_driver,
		[INBOUND_IMAP] = &source_imap_driver,
		[INBOUND_POP3] = &source_pop3_driver,
		[INBOUND_NONE] = NULL,
	};
	struct source *src;

	if (cfg->type < 0 || cfg->type > INBOUND_NONE ||
	    drivers[cfg->type] == NULL)
		return NULL;
	src = xcalloc(1, sizeof(*src));
	src->drv = drivers[cfg->type];
	copy_config(&src->cfg, cfg);
	src->name = make_name(cfg);
	src->may_idle = idle;
	return src;
}

void
source_close(struct source **srcp)
{
	struct source *src = *srcp;

	if (src == NULL)
		return;
	src->drv->disconnect(src);
	free_config(&src->cfg);
	free(src->name);
	for (size_t i = 0; i < src->nnoted; i++)
		free(src->noted[i]);
	free(src->noted);
	free(src);
	*srcp = NULL;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

bool
source_same_config(const struct source *src, const struct config_inbound *c)
{
	const struct config_inbound *s = &src->cfg;

	return s->type == c->type && s->port == c->port && s->tls == c->tls &&
	    s->idle == c->idle && s->poll_interval == c->poll_interval &&
	    s->processed == c->processed && same_str(s->path, c->path) &&
	    same_str(s->host, c->host) && same_str(s->ca_file, c->ca_file) &&
	    same_str(s->user, c->user) && same_str(s->password, c->password) &&
	    same_str(s->folder, c->folder);
}

const char *
source_name(const struct source *src)
{
	return src->name;
}

/* The start of a log line about this source. */
static void
line_start(struct buf *line, const struct source *src, const char *uid)
{
	buf_puts(line, "event=fetch");
	log_kv(line, "source", src->name);
	if (uid != NULL)
		log_kv(line, "uid", uid);
}

/* 10 s, doubling, up to poll_interval but never beyond 5 minutes. */
static int64_t
retry_delay(const struct source *src)
{
	int64_t cap = src->cfg.poll_interval < RETRY_CAP ?
	    src->cfg.poll_interval : RETRY_CAP, d = RETRY_FIRST;

	if (cap < RETRY_FIRST)
		cap = RETRY_FIRST;
	for (int i = 1; i < src->failures && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

static time_t
fetch_failed(struct source *src, const struct err *e)
{
	struct buf line = BUF_INIT;
	int64_t delay;
	time_t now = time(NULL);

	src->drv->disconnect(src);
	src->failures++;
	src->stats.failed = true;
	delay = retry_delay(src);
	line_start(&line, src, NULL);
	buf_puts(&line, " result=failed");
	log_kv(&line, "error", e->msg);
	buf_printf(&line, " attempt=%d retry=%llds", src->failures,
	    (long long)delay);
	log_event(LV_ERROR, "%s", buf_str(&line));
	buf_free(&line);
	return now + (time_t)delay;
}

static void
log_summary(struct source *src)
{
	struct buf line = BUF_INIT;
	const struct source_stats *s = &src->stats;

	line_start(&line, src, NULL);
	buf_printf(&line, " result=ok stored=%d duplicates=%d set_aside=%d%s",
	    s->stored, s->duplicates, s->set_aside, s->more ? " more=yes" : "");
	if (src->failures > 0)
		buf_printf(&line, " after_failures=%d", src->failures);
	if (s->stored || s->duplicates || s->set_aside || src->failures)
		log_event(LV_INFO, "%s", buf_str(&line));
	else
		log_event(LV_DEBUG, "%s", buf_str(&line));
	buf_free(&line);
}

time_t
source_fetch(struct source *src, struct store *st, int64_t max_size,
    time_t now, struct source_stats *stats)
{
	struct err e = { 0, "" };
	time_t next;

	memset(&src->stats, 0, sizeof(src->stats));
	src->st = st;
	src->max_size = max_size;
	src->handled = 0;
	if (src->drv->fetch(src, &e) != 0) {
		next = fetch_failed(src, &e);
	} else {
		log_summary(src);
		src->failures = 0;
		next = src->stats.more ? now :
		    now + (time_t)src->cfg.poll_interval;
	}
	src->st = NULL;
	if (stats != NULL)
		*stats = src->stats;
	return next;
}

int
source_idle(struct source *src, time_t now, time_t *renew)
{
	int fd;

	if (!src->may_idle || !src->cfg.idle || src->drv->idle == NULL ||
	    src->conn == NULL || src->stats.failed)
		return -1;
	if ((fd = src->drv->idle(src, now, renew)) >= 0)
		return fd;
	if (fd == -2) {
		struct buf line = BUF_INIT;

		buf_puts(&line, "event=idle");
		log_kv(&line, "source", src->name);
		buf_printf(&line, " result=failed: fetching every %llds instead",
		    (long long)src->cfg.poll_interval);
		log_event(LV_WARN, "%s", buf_str(&line));
		buf_free(&line);
	}
	src->drv->disconnect(src);
	return -1;
}

int
source_known(struct source *src, const char *uid, struct err *e)
{
	return store_inbound_known(src->st, src->name, uid, e);
}

int
source_take(struct source *src, const char *uid, const char *raw, size_t len,
    uint64_t size, struct err *e)
{
	struct intake_msg m;
	enum intake_result res;
	struct buf line = BUF_INIT;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.raw = raw;
	m.len = len;
	m.size = size;
	m.source = src->name;
	m.source_uid = uid;
	m.received = (int64_t)time(NULL);
	if (intake_add(src->st, &m, src->max_size, &res, &id, e) != 0) {
		if (e->ex != EX_DATAERR)
			return err_prefix(e, "store message %s", uid);
		if (source_note(src, uid, e->msg))
			src->stats.set_aside++;
		return SOURCE_SET_ASIDE;
	}
	source_handled(src);
	if (res == INTAKE_STORED)
		src->stats.stored++;
	else
		src->stats.duplicates++;
	line_start(&line, src, uid);
	buf_printf(&line, " result=%s inbound=%lld size=%zu",
	    res == INTAKE_STORED ? "stored" : "duplicate", (long long)id, len);
	log_event(LV_INFO, "%s", buf_str(&line));
	buf_free(&line);
	return SOURCE_TAKEN;
}

void
source_count_duplicate(struct source *src, const char *uid)
{
	struct buf line = BUF_INIT;

	source_handled(src);
	src->stats.duplicates++;
	line_start(&line, src, uid);
	buf_puts(&line, " result=duplicate: already in the store, flagged again");
	log_event(LV_INFO, "%s", buf_str(&line));
	buf_free(&line);
}

bool
source_too_large(struct source *src, const char *uid, uint64_t size)
{
	char why[128];

	if (src->max_size <= 0 || size <= (uint64_t)src->max_size)
		return false;
	snprintf(why, sizeof(why), "%llu bytes, larger than max_message_size "
	    "(%lld bytes)", (unsigned long long)size, (long long)src->max_size);
	if (source_note(src, uid, why))
		src->stats.set_aside++;
	return true;
}

bool
source_note(struct source *src, const char *uid, const char *what)
{
	struct buf line = BUF_INIT;
	bool again = false;

	for (size_t i = 0; i < src->nnoted && !again; i++)
		again = strcmp(src->noted[i], uid) == 0;
	if (!again) {
		src->noted = xreallocarray(src->noted, src->nnoted + 1,
		    sizeof(*src->noted));
		src->noted[src->nnoted++] = xstrdup(uid);
	}
	line_start(&line, src, uid);
	buf_puts(&line, " result=set_aside");
	log_kv(&line, "error", what);
	if (again)
		log_event(LV_DEBUG, "%s", buf_str(&line));
	else
		log_event(LV_WARN, "%s", buf_str(&line));
	buf_free(&line);
	return !again;
}

bool
source_full(struct source *src)
{
	if (src->handled < SOURCE_FETCH_MAX)
		return false;
	src->stats.more = true;
	return true;
}

void
source_handled(struct source *src)
{
	src->handled++;
}

static bool
is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

void
source_tls_sni(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	/* RFC 6066: no IP literals in server_name. */
	if (!is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, (char *)host);
}

/* The trusted CAs: inbound.ca_file alone when set, else the system's. */
static int
load_trust(const struct source *src, gnutls_x509_trust_list_t *tl,
    struct err *e)
{
	int r;

	if ((r = gnutls_x509_trust_list_init(tl, 0)) < 0)
		return err_set(e, EX_SOFTWARE, "TLS trust list: %s",
		    gnutls_strerror(r));
	if (*src->cfg.ca_file != '\0')
		r = gnutls_x509_trust_list_add_trust_file(*tl, src->cfg.ca_file,
		    NULL, GNUTLS_X509_FMT_PEM, 0, 0);
	else
		r = gnutls_x509_trust_list_add_system_trust(*tl, 0, 0);
	if (r <= 0) {
		gnutls_x509_trust_list_deinit(*tl, 1);
		return err_set(e, EX_CONFIG, "no trusted certificates in %s%s%s",
		    *src->cfg.ca_file ? src->cfg.ca_file : "the system's store",
		    r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
	}
	return 0;
}

static int
verify_chain(const struct source *src, gnutls_x509_crt_t *crts, unsigned n,
    struct err *e)
{
	gnutls_x509_trust_list_t tl;
	gnutls_typed_vdata_st vd[2];
	gnutls_datum_t out = { NULL, 0 };
	unsigned int status = 0;
	int r;

	if (load_trust(src, &tl, e) != 0)
		return -1;
	memset(vd, 0, sizeof(vd));
	vd[0].type = GNUTLS_DT_DNS_HOSTNAME;
	vd[0].data = (unsigned char *)src->cfg.host;
	vd[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vd[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, n, vd, 2, 0, &status,
	    NULL);
	gnutls_x509_trust_list_deinit(tl, 1);
	if (r < 0)
		return err_set(e, EX_UNAVAILABLE, "TLS certificate of %s: %s",
		    src->cfg.host, gnutls_strerror(r));
	if (status == 0)
		return 0;
	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &out, 0) < 0)
		out.data = NULL;
	if (out.data != NULL) {
		/* GnuTLS ends its sentences with a space. */
		while (out.size > 0 && out.data[out.size - 1] == ' ')
			out.data[--out.size] = '\0';
	}
	err_set(e, EX_UNAVAILABLE, "TLS certificate of %s not trusted: %s",
	    src->cfg.host, out.data ? (const char *)out.data : "verification failed");
	gnutls_free(out.data);
	return -1;
}

int
source_tls_verify(struct source *src, mailstream *s, struct err *e)
{
	carray *chain = mailstream_get_certificate_chain(s);
	gnutls_x509_crt_t *crts;
	unsigned n, ok = 0;
	int rc = -1;

	if (chain == NULL || carray_count(chain) == 0) {
		if (chain != NULL)
			mailstream_certificate_chain_free(chain);
		return err_set(e, EX_UNAVAILABLE, "%s sent no TLS certificate",
		    src->cfg.host);
	}
	n = carray_count(chain);
	crts = xcalloc(n, sizeof(*crts));
	for (; ok < n; ok++) {
		MMAPString *der = carray_get(chain, ok);
		gnutls_datum_t d = { (unsigned char *)der->str,
			(unsigned int)der->len };

		if (gnutls_x509_crt_init(&crts[ok]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[ok], &d, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[ok]);
			break;
		}
	}
	if (ok < n)
		err_set(e, EX_UNAVAILABLE, "TLS certificate of %s: cannot read "
		    "certificate %u of the chain", src->cfg.host, ok + 1);
	else
		rc = verify_chain(src, crts, n, e);
	for (unsigned i = 0; i < ok; i++)
		gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	mailstream_certificate_chain_free(chain);
	return rc;
}
