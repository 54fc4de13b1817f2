/*
 * send - the sender's pass over the queue (see send.h).
 *
 * Each worker repeats: wait out a slow-down, claim a batch of due rows,
 * compose the copies, run one transport session (logging each copy the
 * server takes, see note()), file the batch's outcomes.  The workers
 * share one store connection behind a mutex: they queue for it among
 * themselves instead of meeting in SQLite's busy handler, which sleeps
 * in whole milliseconds, and no connection re-reads what another wrote.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "archive.h"
#include "bounce.h"
#include "buf.h"
#include "compose.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "log.h"
#include "outbound.h"
#include "outbox.h"
#include "queue.h"
#include "send.h"
#include "store.h"
#include "verp.h"
#include "xmem.h"

#define PAUSE_MIN 1
#define PAUSE_MAX 60
/* With a rate: how long one session may take at most, in seconds. */
#define BATCH_SECONDS 5

/* One row's outcome, filed with the rest of its batch. */
struct outcome {
	struct q_result res;
	char text[OUTBOUND_TEXT_MAX + 64];
	char enh[16];
	int64_t at;
	bool known;
};

/* What every worker of one pass shares. */
struct shared {
	const struct send_opts *o;
	struct send_state *state;
	struct send_stats *stats;
	struct outbound *ob;         /* NULL for the maildir transport */
	pthread_mutex_t lock;        /* stats, state, rate, halt */
	pthread_mutex_t store_lock;  /* st, one thread at a time */
	struct store *st;            /* the pass's one store connection */
	pthread_mutex_t acc_lock;    /* acc, one thread at a time */
	struct store_acclog *acc;    /* copies taken, not yet filed */
	bool unfiled;                /* a batch failed to file */
	double next_slot;            /* rate limit: when the next copy may go */
	bool halt;                   /* every worker stops claiming */
	int nworkers;
};

/* One message of a batch, composed once for all its recipients. */
struct prepared {
	int64_t mid;
	struct q_message m;
	struct q_campaign c;
	struct list l;
	bool has_list;
	struct buf body;
	size_t *atoms, natoms;       /* where the personal placeholder is */
	size_t *atoms2, natoms2;     /* where the archive link's is (archive.h) */
	char *problem;               /* why it cannot be sent, or NULL */
};

struct worker {
	struct shared *sh;
	pthread_t tid;
	struct q_row *rows;
	size_t nrows;
	struct prepared *preps;
	size_t nprep;
	struct buf *heads;
	char **verps;
	struct outbound_msg *msgs;
	struct outcome *outs;        /* per row of the batch */
	size_t cap;                  /* of heads, verps, msgs, outs, preps */
};

static double
now_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
stopping(struct shared *sh)
{
	bool h;

	if (sh->o->stop != NULL && *sh->o->stop)
		return true;
	pthread_mutex_lock(&sh->lock);
	h = sh->halt;
	pthread_mutex_unlock(&sh->lock);
	return h;
}

/* Sleep until t, waking for a stop request every 100 ms. */
static void
sleep_until(struct shared *sh, double t)
{
	double left;

	while ((left = t - now_f()) > 0 && !(sh->o->stop && *sh->o->stop)) {
		struct timespec ts;

		if (left > 0.1)
			left = 0.1;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
}

/* The rate limiter: called before each copy goes out. */
static void
pace(struct worker *w)
{
	struct shared *sh = w->sh;
	double rate = sh->o->cfg->smtp.rate, t, slot;

	if (rate <= 0)
		return;
	pthread_mutex_lock(&sh->lock);
	t = now_f();
	slot = sh->next_slot > t ? sh->next_slot : t;
	sh->next_slot = slot + 1.0 / rate;
	pthread_mutex_unlock(&sh->lock);
	sleep_until(sh, slot);
}

static void
prep_clear(struct prepared *p)
{
	q_message_clear(&p->m);
	q_campaign_clear(&p->c);
	list_clear(&p->l);
	buf_free(&p->body);
	free(p->atoms);
	free(p->atoms2);
	free(p->problem);
	memset(p, 0, sizeof(*p));
}

/* Load and compose message mid into p.  A message that cannot be
 * composed is not an error of the pass: its rows fail with the reason. */
static int
prep_load(struct worker *w, int64_t mid, struct prepared *p, struct err *e)
{
	struct err ce = { 0, "" };
	int r;

	p->mid = mid;
	buf_init(&p->body, COMPOSE_BODY_MAX + 65536);
	pthread_mutex_lock(&w->sh->store_lock);
	r = store_message_get(w->sh->st, mid, &p->m, e);
	if (r > 0 && store_campaign_get(w->sh->st, p->m.campaign_id, &p->c,
	    e) < 0)
		r = -1;
	if (r > 0 && p->c.list_id != NULL) {
		int lr = store_list_get(w->sh->st, p->c.list_id, &p->l, e);

		if (lr < 0)
			r = -1;
		p->has_list = lr == 1;
	}
	pthread_mutex_unlock(&w->sh->store_lock);
	if (r < 0)
		return -1;
	if (r == 0) {
		p->problem = xstrdup("the message is gone from the store");
		return 0;
	}
	if (p->m.body != NULL)
		buf_add(&p->body, p->m.body, p->m.body_len);
	else if (compose_body_personal(p->m.text, p->m.html, (uint64_t)mid,
	    p->m.personal, &p->body, &ce) != 0)
		p->problem = xstrdup(ce.msg);
	if (p->problem == NULL && p->m.personal != NULL) {
		char aa[TOKEN_LEN + 1];

		p->natoms = compose_atoms(p->body.data, p->body.len,
		    p->m.personal, &p->atoms);
		archive_atom(p->m.personal, aa);
		p->natoms2 = compose_atoms(p->body.data, p->body.len, aa,
		    &p->atoms2);
	}
	return 0;
}

/* The prepared message of each batch; the last one is kept for the next. */
static struct prepared *
prep_find(struct worker *w, int64_t mid, struct err *e)
{
	for (size_t i = 0; i < w->nprep; i++)
		if (w->preps[i].mid == mid)
			return &w->preps[i];
	if (prep_load(w, mid, &w->preps[w->nprep], e) != 0) {
		prep_clear(&w->preps[w->nprep]);
		return NULL;
	}
	return &w->preps[w->nprep++];
}

static void
prep_keep_last(struct worker *w)
{
	if (w->nprep == 0)
		return;
	for (size_t i = 0; i + 1 < w->nprep; i++)
		prep_clear(&w->preps[i]);
	if (w->nprep > 1) {
		w->preps[0] = w->preps[w->nprep - 1];
		memset(&w->preps[w->nprep - 1], 0, sizeof(w->preps[0]));
	}
	w->nprep = 1;
}

static void
grow(struct worker *w, size_t n)
{
	if (n <= w->cap)
		return;
	w->heads = xreallocarray(w->heads, n, sizeof(*w->heads));
	w->verps = xreallocarray(w->verps, n, sizeof(*w->verps));
	w->msgs = xreallocarray(w->msgs, n, sizeof(*w->msgs));
	w->outs = xreallocarray(w->outs, n, sizeof(*w->outs));
	/* One more: the message kept from the batch before. */
	w->preps = xreallocarray(w->preps, n + 1, sizeof(*w->preps));
	for (size_t i = w->cap; i < n; i++) {
		buf_init(&w->heads[i], COMPOSE_BODY_MAX + 64 * 1024);
		w->verps[i] = NULL;
		memset(&w->preps[i + 1], 0, sizeof(w->preps[0]));
	}
	if (w->cap == 0)
		memset(&w->preps[0], 0, sizeof(w->preps[0]));
	w->cap = n;
}

static const char *
list_of(struct worker *w, int64_t mid)
{
	for (size_t i = 0; i < w->nprep; i++)
		if (w->preps[i].mid == mid)
			return w->preps[i].c.list_id;
	return NULL;
}

/* Before each message's data: the rate kept. */
static void
before_data(void *arg)
{
	pace(arg);
}

/* The "code enh text" of an outcome, for the log. */
static void
describe(const struct q_result *res, char *out, size_t size)
{
	if (res->code > 0)
		snprintf(out, size, "%d %s%s%s", res->code,
		    res->enh ? res->enh : "", res->enh ? " " : "", res->text);
	else
		snprintf(out, size, "%s", res->text);
}

/*
 * Note the outcome of the copy in m (of row m->arg), and count it.
 *
 * This is where the SMTP window is.  A copy the server has taken goes
 * into the acceptance log here, before the transport goes on to the
 * next message of the connection: a crash repeats at most the one copy
 * per connection whose 250 had come and which was not yet logged.  The
 * full outcome waits for the batch (file_batch); recovery files a dead
 * sender's log as `sent`.  Refusals and deferrals wait for the batch as
 * they are: after a crash such a copy is only tried once more.
 */
/*
 * Whole: one copy's acceptance: logged, counted and reported under the
 * same locks.
 */
static void
note(struct worker *w, const struct outbound_msg *m)
{
	struct shared *sh = w->sh;
	const struct config *cfg = sh->o->cfg;
	const struct q_row *row = m->arg;
	struct outcome *o = &w->outs[row - w->rows];
	struct q_result *res = &o->res;
	char detail[OUTBOUND_TEXT_MAX + 128];

	memset(o, 0, sizeof(*o));
	o->at = time(NULL);
	o->known = true;
	res->state = m->outcome;
	res->code = m->code;
	if (m->enh[0] != '\0') {
		snprintf(o->enh, sizeof(o->enh), "%s", m->enh);
		res->enh = o->enh;
	}
	snprintf(o->text, sizeof(o->text), "%s", m->text);
	res->text = o->text;
	if (res->state == QUEUE_DEFERRED) {
		res->next_attempt = queue_retry_at(cfg, row->attempts,
		    row->created, o->at);
		if (res->next_attempt < 0) {
			res->state = QUEUE_FAILED;
			snprintf(o->text, sizeof(o->text), "gave up after %d "
			    "attempts: %.*s", row->attempts, OUTBOUND_TEXT_MAX,
			    m->text);
		}
	}
	if (res->state == QUEUE_SENT) {
		struct err e = { 0, "" };
		int rc;

		pthread_mutex_lock(&sh->acc_lock);
		rc = store_acclog_add(sh->acc, row->id, m->code > 0 ? m->code :
		    250, o->at, &e);
		pthread_mutex_unlock(&sh->acc_lock);
		if (rc != 0)
			/* Filed with the batch all the same, if the store works. */
			log_event(LV_ERROR, "event=send result=unrecorded "
			    "queue=%lld rcpt=%s outcome=sent error=%s",
			    (long long)row->id, row->rcpt, e.msg);
	} else {
		describe(res, detail, sizeof(detail));
		if (res->state == QUEUE_FAILED)
			log_event(LV_INFO, "event=send result=failed "
			    "queue=%lld rcpt=%s reply=%s", (long long)row->id,
			    row->rcpt, detail);
		else
			log_event(LV_DEBUG, "event=send result=deferred "
			    "queue=%lld rcpt=%s reply=%s", (long long)row->id,
			    row->rcpt, detail);
	}

	pthread_mutex_lock(&sh->lock);
	if (res->state == QUEUE_SENT)
		sh->stats->sent++;
	else if (res->state == QUEUE_FAILED)
		sh->stats->failed++;
	else
		sh->stats->deferred++;
	if (sh->o->progress != NULL)
		sh->o->progress(sh->stats, sh->o->progress_arg);
	pthread_mutex_unlock(&sh->lock);
}

/*
 * File the outcomes of the batch in one transaction.  A row without an
 * outcome, or a batch the store refuses, stays claimed: recovery gives
 * it back (or makes it `sent`, when its acceptance was committed).
 */
static void
file_batch(struct worker *w)
{
	struct shared *sh = w->sh;
	struct store *st = w->sh->st;
	struct err e = { 0, "" };
	char detail[OUTBOUND_TEXT_MAX + 128];
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&sh->store_lock);
	if (store_begin(st, &e) == 0) {
		for (i = 0; i < w->nrows; i++) {
			const struct q_row *row = &w->rows[i];
			const struct outcome *o = &w->outs[i];

			if (!o->known)
				continue;
			if (store_queue_result(st, row->id, &o->res, o->at, &e) != 0)
				break;
			if (o->res.state != QUEUE_FAILED)
				continue;
			describe(&o->res, detail, sizeof(detail));
			if (store_event(st, o->at, "send", list_of(w,
			    row->message_id), row->rcpt, "failed", detail, &e) != 0)
				break;
			/* A 5xx of the relay is a bounce of this copy. */
			if (bounce_refused(sh->o->cfg, st, row->id, o->res.code,
			    o->res.enh, o->res.text, o->at, &e) != 0)
				break;
		}
		if (i < w->nrows)
			store_rollback(st);
		else
			rc = store_commit(st, &e);
	}
	pthread_mutex_unlock(&sh->store_lock);
	if (rc != 0) {
		log_event(LV_ERROR, "event=send result=unrecorded rows=%zu "
		    "error=%s", w->nrows, e.msg);
		pthread_mutex_lock(&sh->lock);
		sh->unfiled = true;
		pthread_mutex_unlock(&sh->lock);
	}
}
static void
on_done(struct outbound_msg *m, void *arg)
{
	note(arg, m);
}

/* The body of a copy with both its tokens: unsubscribe and archive. */
static int
fill_archive(struct worker *w, const struct prepared *p,
    const struct q_row *row, const char *token, struct buf *out,
    struct err *e)
{
	char arch[TOKEN_LEN + 1];
	int r;

	pthread_mutex_lock(&w->sh->store_lock);
	r = archive_token_now(w->sh->st, w->sh->o->key, row->person_id, arch,
	    e);
	pthread_mutex_unlock(&w->sh->store_lock);
	if (r < 0)
		return -1;
	compose_fill2(p->body.data, p->body.len, p->atoms, p->natoms, token,
	    p->atoms2, p->natoms2, arch, strlen(p->m.personal), out);
	return 0;
}

/* Fill msgs[i] for rows[i]; 0 ready, 1 failed here (recorded), -1 error. */
/*
 * Whole: one row's copy from message to wire bytes, with each refusal
 * recorded where it is found.
 */
static int
compose_row(struct worker *w, size_t i, struct err *e)
{
	const struct config *cfg = w->sh->o->cfg;
	const struct q_row *row = &w->rows[i];
	struct outbound_msg *m = &w->msgs[i];
	struct prepared *p = prep_find(w, row->message_id, e);
	struct compose_head h;
	struct err ce = { 0, "" };
	char token[TOKEN_LEN + 1], *ext, *msgid;
	const char *why;

	memset(m, 0, sizeof(*m));
	m->arg = (void *)row;
	if (p == NULL)
		return -1;
	buf_reset(&w->heads[i]);
	free(w->verps[i]);
	ext = verp_extension(w->sh->o->key, row->id);
	w->verps[i] = addr_with_extension(cfg->local, cfg->domain,
	    cfg->recipient_delimiter, ext);
	msgid = p->m.msgid != NULL ? xstrdup(p->m.msgid) :
	    verp_message_id(w->sh->o->key, row->id, cfg->domain);
	free(ext);
	why = p->problem;
	if (why == NULL) {
		memset(&h, 0, sizeof(h));
		h.kind = p->c.kind;
		if (p->has_list) {
			h.list_id = p->l.id;
			h.list_name = p->l.name;
			h.list_post = p->l.kind == LIST_COP &&
			    p->l.policy != POLICY_CLOSED;
			if (row->person_id > 0) {
				queue_unsub_token(w->sh->o->key, p->l.id,
				    row->person_id, token);
				h.unsub_token = token;
			}
		}
		h.from_name = p->m.from_name;
		h.from_addr = p->m.from_addr;
		h.reply_to = p->m.reply_to;
		h.to_name = row->name;
		h.to_addr = row->rcpt;
		h.subject = p->m.subject;
		h.message_id = msgid;
		h.in_reply_to = p->m.in_reply_to;
		h.references = p->m.refs;
		h.date = p->m.created;
		if (compose_head(cfg, &h, &w->heads[i], &ce) != 0)
			why = ce.msg;
		else if (p->m.personal != NULL && h.unsub_token == NULL)
			why = "a personal message without a subscriber";
	}
	free(msgid);
	if (why != NULL) {
		/* Bad data does not get better by waiting: the copy fails. */
		m->outcome = QUEUE_FAILED;
		snprintf(m->text, sizeof(m->text), "cannot compose: %.180s", why);
		note(w, m);
		return 1;
	}
	m->reverse_path = w->verps[i];
	m->rcpt = row->rcpt;
	m->head = w->heads[i].data;
	m->head_len = w->heads[i].len;
	if (p->m.personal != NULL) {
		size_t alen = strlen(p->m.personal);
		size_t cut = p->natoms > 0 ? p->atoms[p->natoms - 1] + alen : 0;

		/*
		 * The copy's own body, up to its last token, follows its head
		 * in the same buffer; the rest (a newsletter's pictures) is
		 * the shared body's, so a batch does not hold them per copy.
		 * A digest's copy, with its archive link too, is filled whole.
		 */
		if (p->natoms2 == 0) {
			compose_fill(p->body.data, cut, p->atoms, p->natoms,
			    alen, token, &w->heads[i]);
		} else {
			if (fill_archive(w, p, row, token, &w->heads[i], e) != 0)
				return -1;
			cut = p->body.len;
		}
		m->head = w->heads[i].data;
		m->head_len = w->heads[i].len;
		m->body = p->body.data + cut;
		m->body_len = p->body.len - cut;
		return 0;
	}
	m->body = p->body.data;
	m->body_len = p->body.len;
	return 0;
}

/* After a session: slow down, or stop, or go back to full speed. */
static void
adjust(struct shared *sh, const struct outbound_report *rep)
{
	int64_t now = time(NULL);

	pthread_mutex_lock(&sh->lock);
	if (!rep->connected || rep->throttled || rep->policy) {
		struct send_state *s = sh->state;

		s->pause = s->pause ? s->pause * 2 : PAUSE_MIN;
		if (s->pause > PAUSE_MAX)
			s->pause = PAUSE_MAX;
		s->paused_until = now + s->pause;
		if (rep->error[0] != '\0')
			snprintf(sh->stats->error, sizeof(sh->stats->error),
			    "%s", rep->error);
		if (!rep->connected)
			sh->stats->unreachable = true;
		if (rep->policy)
			sh->stats->policy = true;
		/* No server, or one that refuses us: nothing else will go. */
		if (!rep->connected || rep->policy)
			sh->halt = true;
	} else if (rep->sent > 0) {
		sh->state->pause = 0;
		sh->state->paused_until = 0;
	}
	pthread_mutex_unlock(&sh->lock);
}

/*
 * How many rows a session claims.  Without a rate,
 * smtp.messages_per_connection.  With one, no more than this worker's
 * share of the rate lets go in BATCH_SECONDS, nor than fit before the
 * pass's deadline: a slow rate never makes a session that outlasts its
 * pass, nor one that a reply queued meanwhile must wait long behind.
 * 0: nothing more fits before the deadline.
 */
static size_t
batch_size(struct shared *sh)
{
	const struct config *cfg = sh->o->cfg;
	size_t mpc = (size_t)cfg->smtp.messages_per_connection;
	double rate = cfg->smtp.rate, secs = BATCH_SECONDS, start, n;

	if (rate <= 0)
		return mpc;
	if (sh->o->deadline != 0) {
		pthread_mutex_lock(&sh->lock);
		start = sh->next_slot > now_f() ? sh->next_slot : now_f();
		pthread_mutex_unlock(&sh->lock);
		if (start >= (double)sh->o->deadline)
			return 0;
		if ((double)sh->o->deadline - start < secs)
			secs = (double)sh->o->deadline - start;
	}
	n = rate * secs / sh->nworkers;
	if (n < 1)
		return 1;
	return n < (double)mpc ? (size_t)n : mpc;
}

/*
 * Whole: claim, compose, send and file one batch: the crash-safety order
 * is easiest to check in one place.
 */
static int
one_batch(struct worker *w, struct err *e)
{
	struct shared *sh = w->sh;
	const struct config *cfg = sh->o->cfg;
	size_t mpc = batch_size(sh), n = 0;
	struct outbound_report rep;
	int64_t now = time(NULL);

	q_rows_free(&w->rows, w->nrows);
	w->nrows = 0;
	if (mpc == 0)
		return 0;
	pthread_mutex_lock(&sh->store_lock);
	if (store_queue_claim(w->sh->st, now, store_acclog_owner(sh->acc),
	    (int64_t)getpid(), mpc, sh->o->urgent_only, &w->rows, &w->nrows,
	    e) != 0) {
		pthread_mutex_unlock(&sh->store_lock);
		return -1;
	}
	pthread_mutex_unlock(&sh->store_lock);
	if (w->nrows == 0)
		return 0;
	pthread_mutex_lock(&sh->lock);
	sh->stats->attempted += (int64_t)w->nrows;
	pthread_mutex_unlock(&sh->lock);
	grow(w, w->nrows);
	memset(w->outs, 0, w->nrows * sizeof(*w->outs));
	prep_keep_last(w);
	/* Compact the copies that can go into msgs[0..n). */
	for (size_t i = 0; i < w->nrows; i++) {
		int r = compose_row(w, i, e);

		if (r < 0)
			return -1;
		if (r == 0 && n != i) {
			struct buf tb = w->heads[n];
			char *tv = w->verps[n];

			w->heads[n] = w->heads[i];
			w->heads[i] = tb;
			w->verps[n] = w->verps[i];
			w->verps[i] = tv;
			w->msgs[n] = w->msgs[i];
		}
		n += r == 0;
	}
	if (n == 0) {
		file_batch(w);
		return 1;
	}
	if (sh->ob == NULL) {
		for (size_t i = 0; i < n; i++) {
			struct outbound_msg *m = &w->msgs[i];
			const struct q_row *row = m->arg;
			struct err oe = { 0, "" };

			pace(w);
			if (outbox_deliver(cfg->smtp.outbox, row->id,
			    m->reverse_path, m->rcpt, m->head, m->head_len,
			    m->body, m->body_len, &oe) == 0) {
				m->outcome = QUEUE_SENT;
				snprintf(m->text, sizeof(m->text), "written to %s",
				    cfg->smtp.outbox);
			} else {
				m->outcome = QUEUE_DEFERRED;
				snprintf(m->text, sizeof(m->text), "%.190s", oe.msg);
			}
			note(w, m);
		}
		file_batch(w);
		return 1;
	}
	if (outbound_session(sh->ob, w->msgs, n, on_done, before_data, w, &rep,
	    e) != 0)
		log_event(LV_ERROR, "event=send result=failed error=%s",
		    e->msg);
	if (rep.error[0] != '\0')
		log_event(LV_WARN, "event=smtp sent=%zu deferred=%zu "
		    "failed=%zu error=%s", rep.sent, rep.deferred, rep.failed,
		    rep.error);
	file_batch(w);
	adjust(sh, &rep);
	return 1;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct err e = { 0, "" };

	while (!stopping(sh)) {
		int64_t until, deadline = sh->o->deadline;
		int r;

		pthread_mutex_lock(&sh->lock);
		until = sh->state->paused_until;
		pthread_mutex_unlock(&sh->lock);
		if (until > time(NULL)) {
			if (deadline != 0 && until > deadline)
				break;
			sleep_until(sh, (double)until);
			continue;
		}
		if (deadline != 0 && time(NULL) >= deadline)
			break;
		if ((r = one_batch(w, &e)) <= 0) {
			if (r < 0) {
				log_event(LV_ERROR, "event=send result=failed "
				    "error=%s", e.msg);
				pthread_mutex_lock(&sh->lock);
				sh->halt = true;
				snprintf(sh->stats->error, sizeof(sh->stats->error),
				    "%.250s", e.msg);
				pthread_mutex_unlock(&sh->lock);
			}
			break;
		}
	}
	return NULL;
}

static void
worker_free(struct worker *w)
{
	q_rows_free(&w->rows, w->nrows);
	for (size_t i = 0; i < w->cap; i++) {
		buf_free(&w->heads[i]);
		free(w->verps[i]);
	}
	for (size_t i = 0; i < w->cap + 1 && w->preps != NULL; i++)
		prep_clear(&w->preps[i]);
	free(w->heads);
	free(w->verps);
	free(w->msgs);
	free(w->outs);
	free(w->preps);
}

/*
 * Whether the acceptance log has done its work: every batch is filed,
 * or what a failed one had taken is filed from the log now.  Otherwise
 * the log stays for the recovery after this process.
 */
static bool
close_log(struct shared *sh)
{
	struct err e = { 0, "" };
	int64_t n = 0;

	if (sh->acc == NULL || !sh->unfiled)
		return true;
	if (store_acclog_file(sh->st, sh->acc, &n, &e) == 0) {
		log_event(LV_INFO, "event=send result=filed rows=%lld",
		    (long long)n);
		return true;
	}
	log_event(LV_ERROR, "event=send result=unrecorded error=%s", e.msg);
	return false;
}

int
send_pass(const struct send_opts *o, struct send_state *state,
    struct send_stats *stats, struct err *e)
{
	const struct config *cfg = o->cfg;
	struct shared sh;
	struct worker *ws;
	sigset_t all, old;
	int nw = cfg->smtp.transport == TRANSPORT_SMTP ? cfg->smtp.connections : 1;
	int started = 0, ret = 0;

	memset(stats, 0, sizeof(*stats));
	memset(&sh, 0, sizeof(sh));
	sh.o = o;
	sh.state = state;
	sh.stats = stats;
	sh.nworkers = nw;
	if (cfg->smtp.transport == TRANSPORT_SMTP &&
	    outbound_new(&cfg->smtp, cfg->domain, &sh.ob, e) != 0)
		return -1;
	pthread_mutex_init(&sh.lock, NULL);
	pthread_mutex_init(&sh.store_lock, NULL);
	pthread_mutex_init(&sh.acc_lock, NULL);
	if (store_open(cfg->store, STORE_SENDER, &sh.st, e) != 0 ||
	    store_acclog_open(cfg->store, &sh.acc, e) != 0)
		ret = -1;
	ws = xcalloc((size_t)nw, sizeof(*ws));
	for (int i = 0; i < nw; i++)
		ws[i].sh = &sh;
	/* Signals belong to the main thread; workers only see the flag. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < nw && ret == 0; i++) {
		if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
			ret = err_set(e, EX_OSERR, "cannot start a sender thread");
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	for (int i = 0; i < nw; i++)
		worker_free(&ws[i]);
	free(ws);
	store_acclog_close(&sh.acc, !close_log(&sh));
	store_close(&sh.st);
	pthread_mutex_destroy(&sh.lock);
	pthread_mutex_destroy(&sh.store_lock);
	pthread_mutex_destroy(&sh.acc_lock);
	outbound_free(&sh.ob);
	return ret;
}

static bool
owner_alive(const char *owner, void *arg)
{
	return store_acclog_live(arg, owner);
}

int
send_recover(struct store *st, int64_t *n, struct err *e)
{
	int64_t filed = 0;

	/* The logs first: a row comes back only once its log is filed. */
	if (store_acclog_recover(st, &filed, e) != 0)
		return -1;
	if (filed > 0)
		log_event(LV_INFO, "event=send result=recovered sent=%lld",
		    (long long)filed);
	return store_queue_recover(st, owner_alive, st, n, e);
}
