/*
 * outbound - libESMTP sessions to the relay (see outbound.h).
 *
 * libESMTP reports success of smtp_start_session() when nothing was sent
 * (a refused certificate, a dropped connection), and a recipient status
 * of 250 when the message was not accepted (DATA failed afterwards), so
 * nothing here trusts a single number: a message counts as delivered only
 * when its RCPT got 2xx, libESMTP marked the recipient complete and the
 * DATA got 2xx.  A failed AUTH is silent in libESMTP (it carries on
 * unauthenticated and the relay then refuses every recipient), so the
 * protocol monitor watches for the 235 itself; refusals that are the
 * relay's policy rather than the recipient's address never fail anyone.
 */
#include "autoconf.h"

#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>

/* Order matters: libesmtp.h declares its TLS and AUTH calls only when
 * OpenSSL's and auth-client's headers came first. */
#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "outbound.h"
#include "xmem.h"

#define DATA2_MIN_MS (10 * 60 * 1000)
#define CHUNK_MAX (1 << 20)

struct outbound {
	const struct config_smtp *smtp;
	char *hostport;
	char *helo;
	SSL_CTX *tls;            /* ours, shared by every session: libESMTP#30 */
};

/* One session's bookkeeping, for the callbacks. */
struct sess {
	struct outbound *ob;
	struct outbound_msg *msgs;
	smtp_recipient_t *rcpts;
	bool *reported;
	size_t n;
	outbound_done_fn *done;
	outbound_pace_fn *pace;
	void *arg;
	bool read_any;           /* the server said something */
	bool authenticated;      /* a 235 went by */
	bool saw_421;
	char tls_problem[OUTBOUND_TEXT_MAX];
};

int
outbound_new(const struct config_smtp *smtp, const char *helo,
    struct outbound **out, struct err *e)
{
	struct outbound *ob = xcalloc(1, sizeof(*ob));

	ob->smtp = smtp;
	ob->hostport = xasprintf("%s:%d", smtp->host, smtp->port);
	ob->helo = xstrdup(helo);
	if (smtp->tls != TLS_NONE) {
		ob->tls = SSL_CTX_new(TLS_client_method());
		/*
		 * TLS 1.2 at most: a TLS 1.3 server sends session tickets
		 * after the handshake, and libESMTP 1.1 may read those records
		 * before it has flushed EHLO, then wait for a reply the server
		 * never sends until the timeout ends the session (seen in
		 * about 1 of 5 sessions; refusing tickets did not stop it).
		 * TLS 1.2 has no messages after the handshake.
		 */
		if (ob->tls == NULL ||
		    !SSL_CTX_set_min_proto_version(ob->tls, TLS1_2_VERSION) ||
		    !SSL_CTX_set_max_proto_version(ob->tls, TLS1_2_VERSION) ||
		    !SSL_CTX_set_default_verify_paths(ob->tls)) {
			outbound_free(&ob);
			return err_set(e, EX_SOFTWARE, "smtp: cannot set up TLS");
		}
	}
	*out = ob;
	return 0;
}

void
outbound_free(struct outbound **ob)
{
	if (*ob == NULL)
		return;
	if ((*ob)->tls != NULL)
		SSL_CTX_free((*ob)->tls);
	free((*ob)->hostport);
	free((*ob)->helo);
	free(*ob);
	*ob = NULL;
	/* The AUTH plugins libESMTP loaded on demand. */
	auth_client_exit();
}

/* Copy server text into a fixed field: no CR, LF or other control. */
static void
copy_text(char *dst, size_t cap, const char *src)
{
	size_t o = 0;

	if (src == NULL)
		src = "";
	for (; *src != '\0' && o + 1 < cap; src++)
		dst[o++] = (unsigned char)*src < 0x20 || *src == 0x7f ? ' ' : *src;
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

/*
 * libESMTP reads RFC 3463 codes only from servers that announce
 * ENHANCEDSTATUSCODES; many send them anyway at the start of the text.
 * Take one only when its class agrees with the reply code.
 */
static void
text_enh(const char *text, int code, char *out, size_t cap)
{
	unsigned cls, sub, det;
	int used = 0;

	if (sscanf(text, "%1u.%3u.%3u%n", &cls, &sub, &det, &used) == 3 &&
	    (int)cls == code / 100 && (text[used] == ' ' || text[used] == '\r' ||
	    text[used] == '\0'))
		snprintf(out, cap, "%u.%u.%u", cls, sub, det);
}

static void
set_status(struct outbound_msg *m, enum queue_state outcome,
    const smtp_status_t *st, const char *fallback)
{
	m->outcome = outcome;
	m->code = st != NULL ? st->code : 0;
	m->enh[0] = '\0';
	if (st != NULL && st->enh_class > 0)
		snprintf(m->enh, sizeof(m->enh), "%d.%d.%d", st->enh_class,
		    st->enh_subject, st->enh_detail);
	else if (st != NULL && st->code != 0 && st->text != NULL)
		text_enh(st->text, st->code, m->enh, sizeof(m->enh));
	copy_text(m->text, sizeof(m->text),
	    st != NULL && st->code != 0 && st->text != NULL ? st->text :
	    fallback);
}

/*
 * The fate of message i from libESMTP's statuses (the rule of
 * mail-libraries §2.5).  The session-wide policy checks come later.
 */
static void
decide(struct sess *ss, size_t i, const char *no_answer)
{
	struct outbound_msg *m = &ss->msgs[i];
	/* The message handle is kept in its one recipient. */
	smtp_message_t msg = smtp_recipient_get_application_data(ss->rcpts[i]);
	const smtp_status_t *mail = smtp_reverse_path_status(msg);
	const smtp_status_t *data = smtp_message_transfer_status(msg);
	const smtp_status_t *rcpt = smtp_recipient_status(ss->rcpts[i]);
	int complete = smtp_recipient_check_complete(ss->rcpts[i]);

	if (rcpt->code / 100 == 2 && complete && data->code / 100 == 2)
		set_status(m, QUEUE_SENT, data, NULL);
	else if (mail->code / 100 == 5)
		/* The relay refuses our return path: never the recipient's fault. */
		set_status(m, QUEUE_DEFERRED, mail, NULL);
	else if (rcpt->code / 100 == 5)
		set_status(m, QUEUE_FAILED, rcpt, NULL);
	else if (rcpt->code / 100 == 2 && complete && data->code / 100 == 5)
		set_status(m, QUEUE_FAILED, data, NULL);
	else if (rcpt->code / 100 == 4)
		set_status(m, QUEUE_DEFERRED, rcpt, NULL);
	else if (data->code / 100 == 4)
		set_status(m, QUEUE_DEFERRED, data, NULL);
	else if (mail->code / 100 == 4)
		set_status(m, QUEUE_DEFERRED, mail, NULL);
	else
		/*
		 * No answer: never connected, or the connection broke.  When
		 * RCPT was accepted and the DATA answer never came, the server
		 * may have the message: retrying may deliver it twice, the
		 * SMTP window SPEC allows.
		 */
		set_status(m, QUEUE_DEFERRED, NULL, no_answer);
}

static void
report(struct sess *ss, size_t i)
{
	if (ss->reported[i])
		return;
	ss->reported[i] = true;
	ss->done(&ss->msgs[i], ss->arg);
}

static size_t
index_of(struct sess *ss, smtp_message_t msg)
{
	struct outbound_msg *m = smtp_message_get_application_data(msg);

	return m != NULL ? (size_t)(m - ss->msgs) : ss->n;
}

/*
 * libESMTP writes a message in small pieces and the final "." on its
 * own, then waits for the reply: with Nagle's algorithm on, that last
 * piece waits for the peer's delayed ACK, 40 ms per message.  libESMTP
 * offers no hook on its socket, so when a session has connected, every
 * TCP socket of the process gets TCP_NODELAY; all of them speak
 * request-reply protocols (SMTP, IMAP), where Nagle only ever delays.
 */
static void
tcp_nodelay_all(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int one = 1;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name), proto = 0;
		socklen_t len = sizeof(proto);
		struct stat sb;

		if (de->d_name[0] == '.' || fd == dirfd(d) ||
		    fstat(fd, &sb) != 0 || !S_ISSOCK(sb.st_mode) ||
		    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) != 0 ||
		    proto != IPPROTO_TCP)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	closedir(d);
}

static void
on_event(smtp_session_t session, int event, void *arg, ...)
{
	struct sess *ss = arg;
	va_list ap;
	size_t i;
	int *ok;

	(void)session;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		tcp_nodelay_all();
		break;
	case SMTP_EV_MESSAGESENT:
		/*
		 * The server has answered this message's data.  A delivered
		 * message is handed over now, before the next one goes out,
		 * so the caller records it at once: from the server's 250 to
		 * that record is the only moment a crash repeats a message.
		 */
		i = index_of(ss, va_arg(ap, smtp_message_t));
		if (i < ss->n) {
			decide(ss, i, "no answer to the message data");
			if (ss->msgs[i].outcome == QUEUE_SENT)
				report(ss, i);
		}
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE: {
		long result = va_arg(ap, long);

		ok = va_arg(ap, int *);
		*ok = 0;
		snprintf(ss->tls_problem, sizeof(ss->tls_problem),
		    "TLS certificate of %s not trusted (%s)", ss->ob->smtp->host,
		    X509_verify_cert_error_string(result));
		break;
	}
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 0;
		snprintf(ss->tls_problem, sizeof(ss->tls_problem),
		    "TLS certificate is not for %s", ss->ob->smtp->host);
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = 0;
		snprintf(ss->tls_problem, sizeof(ss->tls_problem),
		    "%s sent no TLS certificate", ss->ob->smtp->host);
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		snprintf(ss->tls_problem, sizeof(ss->tls_problem),
		    "%s does not offer STARTTLS (smtp.tls = \"starttls\")",
		    ss->ob->smtp->host);
		break;
	default:
		break;
	}
	va_end(ap);
}

/* Server lines: note the ones that matter, log them for debugging. */
static void
on_monitor(const char *buf, int len, int writing, void *arg)
{
	struct sess *ss = arg;
	const char *p = buf, *end = buf + (len > 0 ? len : 0);

	/* Client lines are never looked at: one of them holds the password. */
	if (writing != SMTP_CB_READING)
		return;
	ss->read_any = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n >= 3 && memcmp(p, "235", 3) == 0)
			ss->authenticated = true;
		if (n >= 3 && memcmp(p, "421", 3) == 0)
			ss->saw_421 = true;
		log_event(LV_DEBUG, "smtp < %.*s",
		    (int)(n > 0 && p[n - 1] == '\r' ? n - 1 :
		    n),
		    p);
		p += n + (nl != NULL);
	}
}

static int
interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	const struct config_smtp *smtp = arg;

	for (int i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = smtp->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = smtp->password;
		else
			return 0;
	}
	return 1;
}

/*
 * The message source: the head, then the body, straight from memory.
 * *ctx stays NULL because libESMTP free()s it; the position lives in the
 * message.  A rewind (len == NULL) starts each DATA, so it is where the
 * rate limiter waits.
 */
struct reader_arg {
	struct outbound_msg *m;
	struct sess *ss;
};

static const char *
reader(void **ctx, int *len, void *arg)
{
	struct reader_arg *ra = arg;
	struct outbound_msg *m = ra->m;
	size_t n;
	const char *p;

	(void)ctx;
	if (len == NULL) {
		m->piece = 0;
		m->pos = 0;
		if (ra->ss->pace != NULL)
			ra->ss->pace(ra->ss->arg);
		return NULL;
	}
	while (m->piece < m->iovcnt && m->pos >= m->iov[m->piece].iov_len) {
		m->piece++;
		m->pos = 0;
	}
	if (m->piece >= m->iovcnt) {
		*len = 0;
		return NULL;
	}
	p = (const char *)m->iov[m->piece].iov_base + m->pos;
	n = m->iov[m->piece].iov_len - m->pos;
	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	m->pos += n;
	*len = (int)n;
	return p;
}

static void
set_timeouts(smtp_session_t s, int64_t seconds)
{
	long ms = seconds > INT_MAX / 1000 ? INT_MAX : (long)seconds * 1000;
	long data2 = ms > DATA2_MIN_MS ? ms : DATA2_MIN_MS;
	int f = Timeout_OVERRIDE_RFC2822_MINIMUM;

	smtp_set_timeout(s, Timeout_GREETING | f, ms);
	smtp_set_timeout(s, Timeout_ENVELOPE | f, ms);
	smtp_set_timeout(s, Timeout_DATA | f, ms);
	smtp_set_timeout(s, Timeout_TRANSFER | f, ms);
	/* Cutting the wait for the final 250 short widens the repeat window. */
	smtp_set_timeout(s, Timeout_DATA2 | f, data2);
}

static bool
is_policy(const struct outbound_msg *m)
{
	return strncmp(m->enh, "5.7.", 4) == 0 || m->code == 530;
}

/*
 * Whole: one libESMTP session from create to destroy; its resources are
 * freed in one place.
 */
int
outbound_session(struct outbound *ob, struct outbound_msg *msgs, size_t n,
    outbound_done_fn *done, outbound_pace_fn *pace, void *arg,
    struct outbound_report *rep, struct err *e)
{
	const struct config_smtp *smtp = ob->smtp;
	struct sess ss = { ob, msgs, NULL, NULL, n, done, pace, arg, false,
		false, false, "" };
	struct reader_arg *ras = xcalloc(n ? n : 1, sizeof(*ras));
	smtp_session_t s;
	auth_context_t auth = NULL;
	char why[OUTBOUND_TEXT_MAX];
	size_t answered = 0, temp = 0, policy = 0, sent_now = 0;
	int started, ret = 0;

	memset(rep, 0, sizeof(*rep));
	ss.rcpts = xcalloc(n ? n : 1, sizeof(*ss.rcpts));
	ss.reported = xcalloc(n ? n : 1, sizeof(*ss.reported));
	if ((s = smtp_create_session()) == NULL ||
	    !smtp_set_server(s, ob->hostport) || !smtp_set_hostname(s, ob->helo)) {
		ret = err_set(e, EX_SOFTWARE, "smtp: cannot create a session");
		goto out;
	}
	set_timeouts(s, smtp->timeout);
	if (smtp->tls != TLS_NONE) {
		smtp_starttls_enable(s, smtp->tls == TLS_STARTTLS ?
		    Starttls_REQUIRED : Starttls_ENABLED);
		smtp_starttls_set_ctx(s, ob->tls);
	}
	if (smtp->user != NULL && *smtp->user != '\0') {
		auth = auth_create_context();
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, interact, (void *)smtp);
		smtp_auth_set_context(s, auth);
	}
	smtp_set_eventcb(s, on_event, &ss);
	smtp_set_monitorcb(s, on_monitor, &ss, 0);
	for (size_t i = 0; i < n; i++) {
		smtp_message_t m = smtp_add_message(s);

		ras[i].m = &msgs[i];
		ras[i].ss = &ss;
		msgs[i].pos = 0;
		if (m == NULL || !smtp_set_reverse_path(m, msgs[i].reverse_path) ||
		    !smtp_set_messagecb(m, reader, &ras[i]) ||
		    (ss.rcpts[i] = smtp_add_recipient(m, msgs[i].rcpt)) == NULL) {
			ret = err_set(e, EX_SOFTWARE, "smtp: cannot add a message");
			goto out;
		}
		smtp_message_set_application_data_release(m, &msgs[i], NULL);
		/* decide() finds the message through its one recipient. */
		smtp_recipient_set_application_data_release(ss.rcpts[i], m, NULL);
	}

	started = smtp_start_session(s);

	why[0] = '\0';
	if (ss.tls_problem[0] != '\0')
		copy_text(why, sizeof(why), ss.tls_problem);
	else if (!started || !ss.read_any) {
		char eb[128];

		snprintf(why, sizeof(why), "cannot connect to %s: %s",
		    ob->hostport, smtp_strerror(smtp_errno(), eb, sizeof(eb)));
	} else if (auth != NULL && !ss.authenticated)
		snprintf(why, sizeof(why), "%s did not accept AUTH for %s",
		    ob->hostport, smtp->user);
	rep->connected = ss.read_any;
	for (size_t i = 0; i < n; i++) {
		if (ss.reported[i]) {
			sent_now++;
			continue;
		}
		decide(&ss, i, why[0] ? why : "connection lost");
		if (msgs[i].outcome != QUEUE_SENT && msgs[i].code != 0)
			answered++;
		if (msgs[i].outcome == QUEUE_DEFERRED && msgs[i].code / 100 == 4)
			temp++;
		if (msgs[i].outcome == QUEUE_FAILED && is_policy(&msgs[i]))
			policy++;
	}
	/*
	 * Refusals that are about us, not the recipients: AUTH that did not
	 * happen, or the relay's policy (5.7.x) for every message it
	 * answered.  Nobody fails for those; the operator must act.
	 */
	if ((auth != NULL && !ss.authenticated && ss.read_any) ||
	    (policy > 0 && policy == answered && sent_now == 0)) {
		rep->policy = true;
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "%s refuses to relay for us",
			    ob->hostport);
		for (size_t i = 0; i < n; i++)
			if (!ss.reported[i] && msgs[i].outcome == QUEUE_FAILED)
				msgs[i].outcome = QUEUE_DEFERRED;
	}
	rep->throttled = ss.saw_421 || (temp >= 3 && temp * 2 >= answered);
	copy_text(rep->error, sizeof(rep->error), why);
	for (size_t i = 0; i < n; i++) {
		report(&ss, i);
		if (msgs[i].outcome == QUEUE_SENT)
			rep->sent++;
		else if (msgs[i].outcome == QUEUE_FAILED)
			rep->failed++;
		else
			rep->deferred++;
	}
out:
	if (ret != 0) {
		for (size_t i = 0; i < n; i++) {
			set_status(&msgs[i], QUEUE_DEFERRED, NULL, e->msg);
			report(&ss, i);
		}
		rep->deferred = n;
	}
	if (s != NULL)
		smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
	free(ras);
	free(ss.rcpts);
	free(ss.reported);
	return ret;
}
