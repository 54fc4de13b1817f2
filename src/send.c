/*
 * send - the sender's pass over the queue (see send.h).
 *
 * Each worker repeats: wait out a slow-down, claim a batch of due rows,
 * compose the copies, run one transport session, record each outcome.
 * The writes of all workers go through one mutex, so the threads of one
 * process queue for the store among themselves instead of meeting in
 * SQLite's busy handler, which sleeps in whole milliseconds.
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
#define LEASE_BASE 3600

/*
 * One outcome on its way to the store.  Each worker has one slot: it
 * waits for its previous outcome to be committed before the next
 * message's data goes out (see wait_recorded), so the slot is free
 * whenever it records.
 */
struct pending {
	int64_t id;
	struct q_result res;
	char *list_id;
	char rcpt[ADDR_MAX + 1];
	char text[OUTBOUND_TEXT_MAX + 64];
	char enh[16];
	char detail[OUTBOUND_TEXT_MAX + 128];
	int64_t now;
	bool queued;                 /* handed to the recorder, not done */
};

/* What every worker of one pass shares. */
struct shared {
	const struct send_opts *o;
	struct send_state *state;
	struct send_stats *stats;
	struct outbound *ob;         /* NULL for the maildir transport */
	pthread_mutex_t lock;        /* stats, state, rate, halt */
	pthread_mutex_t write_lock;  /* one store writer at a time */
	pthread_mutex_t gc_lock;     /* the recorder's queue */
	pthread_cond_t gc_work;      /* outcomes are waiting */
	pthread_cond_t gc_done;      /* a commit has ended */
	struct pending **pend;       /* outcomes waiting for a commit */
	size_t npend, cappend;
	bool rec_stop;               /* the workers are done */
	struct store *rec_st;        /* the recorder's connection */
	double next_slot;            /* rate limit: when the next copy may go */
	bool halt;                   /* every worker stops claiming */
};

/* One message of a batch, composed once for all its recipients. */
struct prepared {
	int64_t mid;
	struct q_message m;
	struct q_campaign c;
	struct list l;
	bool has_list;
	struct buf body;
	char *problem;               /* why it cannot be sent, or NULL */
};

struct worker {
	struct shared *sh;
	struct store *st;
	pthread_t tid;
	struct q_row *rows;
	size_t nrows;
	struct prepared *preps;
	size_t nprep;
	struct buf *heads;
	char **verps;
	struct outbound_msg *msgs;
	size_t cap;                  /* of heads, verps, msgs, preps */
	int64_t lease;
	struct pending slot;         /* its outcome on the way to the store */
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
	if ((r = store_message_get(w->st, mid, &p->m, e)) < 0)
		return -1;
	if (r == 0) {
		p->problem = xstrdup("the message is gone from the store");
		return 0;
	}
	if ((r = store_campaign_get(w->st, p->m.campaign_id, &p->c, e)) < 0)
		return -1;
	if (p->c.list_id != NULL) {
		if ((r = store_list_get(w->st, p->c.list_id, &p->l, e)) < 0)
			return -1;
		p->has_list = r == 1;
	}
	if (compose_body(p->m.text, p->m.html, (uint64_t)mid, &p->body, &ce) != 0)
		p->problem = xstrdup(ce.msg);
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
	/* One more: the message kept from the batch before. */
	w->preps = xreallocarray(w->preps, n + 1, sizeof(*w->preps));
	for (size_t i = w->cap; i < n; i++) {
		buf_init(&w->heads[i], 64 * 1024);
		w->verps[i] = NULL;
		memset(&w->preps[i + 1], 0, sizeof(w->preps[0]));
	}
	if (w->cap == 0)
		memset(&w->preps[0], 0, sizeof(w->preps[0]));
	w->cap = n;
}

/* Write a batch of outcomes in one transaction on st. */
static int
commit_batch(struct store *st, struct pending **b, size_t n, struct err *e)
{
	if (store_begin(st, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct pending *p = b[i];

		if (store_queue_result(st, p->id, &p->res, p->now, e) != 0 ||
		    (p->res.state == QUEUE_FAILED && store_event(st, p->now,
		    "send", p->list_id, p->rcpt, "failed", p->detail, e) != 0)) {
			store_rollback(st);
			return -1;
		}
	}
	return store_commit(st, e);
}

/*
 * The recorder thread: commits whatever outcomes the workers have handed
 * over since its last commit, in one transaction, so the store sees a
 * fraction of the transactions and no worker waits for its own commit
 * while it could be talking to the server.
 */
static void *
recorder_main(void *arg)
{
	struct shared *sh = arg;
	struct err e = { 0, "" };

	pthread_mutex_lock(&sh->gc_lock);
	for (;;) {
		struct pending **batch;
		size_t n;
		int rc;

		while (sh->npend == 0 && !sh->rec_stop)
			pthread_cond_wait(&sh->gc_work, &sh->gc_lock);
		if (sh->npend == 0)
			break;
		batch = sh->pend;
		n = sh->npend;
		sh->pend = NULL;
		sh->npend = sh->cappend = 0;
		pthread_mutex_unlock(&sh->gc_lock);

		pthread_mutex_lock(&sh->write_lock);
		rc = commit_batch(sh->rec_st, batch, n, &e);
		pthread_mutex_unlock(&sh->write_lock);
		if (rc != 0)
			/* The rows stay claimed; recovery retries them later. */
			for (size_t i = 0; i < n; i++)
				log_error("event=send result=unrecorded queue=%lld "
				    "rcpt=%s outcome=%s error=\"%s\"",
				    (long long)batch[i]->id, batch[i]->rcpt,
				    queue_state_name(batch[i]->res.state), e.msg);

		pthread_mutex_lock(&sh->gc_lock);
		for (size_t i = 0; i < n; i++)
			batch[i]->queued = false;
		free(batch);
		pthread_cond_broadcast(&sh->gc_done);
	}
	pthread_mutex_unlock(&sh->gc_lock);
	return NULL;
}

/*
 * Wait until this worker's last outcome is in the store.  Called before
 * each message's data goes out: a message the server may accept next is
 * never sent while the previous acceptance is unrecorded, so a crash
 * repeats at most the one accepted message per connection whose record
 * was still on its way (this is the SMTP window of SPEC).
 */
static void
wait_recorded(struct worker *w)
{
	struct shared *sh = w->sh;

	pthread_mutex_lock(&sh->gc_lock);
	while (w->slot.queued)
		pthread_cond_wait(&sh->gc_done, &sh->gc_lock);
	pthread_mutex_unlock(&sh->gc_lock);
}

/* Before each message's data: its predecessor recorded, the rate kept. */
static void
before_data(void *arg)
{
	struct worker *w = arg;

	wait_recorded(w);
	pace(w);
}

static void
hand_over(struct worker *w)
{
	struct shared *sh = w->sh;

	pthread_mutex_lock(&sh->gc_lock);
	if (sh->npend == sh->cappend) {
		sh->cappend = sh->cappend ? sh->cappend * 2 : 16;
		sh->pend = xreallocarray(sh->pend, sh->cappend, sizeof(*sh->pend));
	}
	sh->pend[sh->npend++] = &w->slot;
	w->slot.queued = true;
	pthread_cond_signal(&sh->gc_work);
	pthread_mutex_unlock(&sh->gc_lock);
}

/* Record one row's outcome and count it. */
static void
record(struct worker *w, const struct q_row *row, const struct outbound_msg *m,
    const char *list_id)
{
	struct shared *sh = w->sh;
	const struct config *cfg = sh->o->cfg;
	struct q_result res = { m->outcome, m->code, m->enh[0] ? m->enh : NULL,
		m->text, 0 };
	int64_t now = time(NULL);
	char gaveup[OUTBOUND_TEXT_MAX + 64], detail[OUTBOUND_TEXT_MAX + 128];
	struct pending *p;

	if (res.state == QUEUE_DEFERRED) {
		res.next_attempt = queue_retry_at(cfg, row->attempts, row->created,
		    now);
		if (res.next_attempt < 0) {
			res.state = QUEUE_FAILED;
			snprintf(gaveup, sizeof(gaveup), "gave up after %d "
			    "attempts: %s", row->attempts, m->text);
			res.text = gaveup;
		}
	}
	if (m->code > 0)
		snprintf(detail, sizeof(detail), "%d %s%s%s", m->code,
		    res.enh ? res.enh : "", res.enh ? " " : "", res.text);
	else
		snprintf(detail, sizeof(detail), "%s", res.text);
	wait_recorded(w);
	p = &w->slot;
	p->id = row->id;
	p->res = res;
	snprintf(p->text, sizeof(p->text), "%s", res.text ? res.text : "");
	p->res.text = p->text;
	snprintf(p->enh, sizeof(p->enh), "%s", res.enh ? res.enh : "");
	p->res.enh = res.enh ? p->enh : NULL;
	free(p->list_id);
	p->list_id = list_id ? xstrdup(list_id) : NULL;
	snprintf(p->rcpt, sizeof(p->rcpt), "%s", row->rcpt);
	snprintf(p->detail, sizeof(p->detail), "%s", detail);
	p->now = now;
	hand_over(w);
	if (res.state == QUEUE_FAILED)
		log_info("event=send result=failed queue=%lld rcpt=%s "
		    "reply=\"%s\"", (long long)row->id, row->rcpt, detail);
	else if (res.state == QUEUE_DEFERRED)
		log_debug("event=send result=deferred queue=%lld rcpt=%s "
		    "reply=\"%s\"", (long long)row->id, row->rcpt, detail);

	pthread_mutex_lock(&sh->lock);
	if (res.state == QUEUE_SENT)
		sh->stats->sent++;
	else if (res.state == QUEUE_FAILED)
		sh->stats->failed++;
	else
		sh->stats->deferred++;
	if (sh->o->progress != NULL)
		sh->o->progress(sh->stats, sh->o->progress_arg);
	pthread_mutex_unlock(&sh->lock);
}

static const char *
list_of(struct worker *w, int64_t mid)
{
	for (size_t i = 0; i < w->nprep; i++)
		if (w->preps[i].mid == mid)
			return w->preps[i].c.list_id;
	return NULL;
}

static void
on_done(struct outbound_msg *m, void *arg)
{
	struct worker *w = arg;
	const struct q_row *row = m->arg;

	record(w, row, m, list_of(w, row->message_id));
}

/* Fill msgs[i] for rows[i]; 0 ready, 1 failed here (recorded), -1 error. */
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
	msgid = xasprintf("kring.%s@%s", ext + strlen(VERP_EXT_PREFIX),
	    cfg->domain);
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
	}
	free(msgid);
	if (why != NULL) {
		/* Bad data does not get better by waiting: the copy fails. */
		m->outcome = QUEUE_FAILED;
		snprintf(m->text, sizeof(m->text), "cannot compose: %.180s", why);
		record(w, row, m, p->c.list_id);
		return 1;
	}
	m->reverse_path = w->verps[i];
	m->rcpt = row->rcpt;
	m->head = w->heads[i].data;
	m->head_len = w->heads[i].len;
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

static int
one_batch(struct worker *w, struct err *e)
{
	struct shared *sh = w->sh;
	const struct config *cfg = sh->o->cfg;
	size_t mpc = (size_t)cfg->smtp.messages_per_connection, n = 0;
	struct outbound_report rep;
	int64_t now = time(NULL);

	q_rows_free(&w->rows, w->nrows);
	w->nrows = 0;
	pthread_mutex_lock(&sh->write_lock);
	if (store_queue_claim(w->st, now, now + w->lease, (int64_t)getpid(),
	    mpc, &w->rows, &w->nrows, e) != 0) {
		pthread_mutex_unlock(&sh->write_lock);
		return -1;
	}
	pthread_mutex_unlock(&sh->write_lock);
	if (w->nrows == 0)
		return 0;
	pthread_mutex_lock(&sh->lock);
	sh->stats->attempted += (int64_t)w->nrows;
	pthread_mutex_unlock(&sh->lock);
	grow(w, w->nrows);
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
		wait_recorded(w);
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
			record(w, row, m, list_of(w, row->message_id));
		}
		wait_recorded(w);
		return 1;
	}
	if (outbound_session(sh->ob, w->msgs, n, on_done, before_data, w, &rep,
	    e) != 0)
		log_error("event=send result=failed error=\"%s\"", e->msg);
	if (rep.error[0] != '\0')
		log_warn("event=smtp sent=%zu deferred=%zu failed=%zu "
		    "error=\"%s\"", rep.sent, rep.deferred, rep.failed, rep.error);
	/* The rows go with the next claim: their outcomes must be stored. */
	wait_recorded(w);
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
				log_error("event=send result=failed error=\"%s\"",
				    e.msg);
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
	free(w->slot.list_id);
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
	free(w->preps);
	store_close(&w->st);
}

int
send_pass(const struct send_opts *o, struct send_state *state,
    struct send_stats *stats, struct err *e)
{
	const struct config *cfg = o->cfg;
	struct shared sh;
	struct worker *ws;
	sigset_t all, old;
	pthread_t rec;
	bool rec_started = false;
	int nw = cfg->smtp.transport == TRANSPORT_SMTP ? cfg->smtp.connections : 1;
	int started = 0, ret = 0;

	memset(stats, 0, sizeof(*stats));
	memset(&sh, 0, sizeof(sh));
	sh.o = o;
	sh.state = state;
	sh.stats = stats;
	if (cfg->smtp.transport == TRANSPORT_SMTP &&
	    outbound_new(&cfg->smtp, cfg->domain, &sh.ob, e) != 0)
		return -1;
	pthread_mutex_init(&sh.lock, NULL);
	pthread_mutex_init(&sh.write_lock, NULL);
	pthread_mutex_init(&sh.gc_lock, NULL);
	pthread_cond_init(&sh.gc_done, NULL);
	pthread_cond_init(&sh.gc_work, NULL);
	ws = xcalloc((size_t)nw, sizeof(*ws));
	for (int i = 0; i < nw; i++) {
		ws[i].sh = &sh;
		ws[i].lease = LEASE_BASE + (int64_t)cfg->smtp.messages_per_connection *
		    cfg->smtp.timeout;
		if (store_open(cfg->store, STORE_SENDER, &ws[i].st, e) != 0) {
			ret = -1;
			break;
		}
	}
	if (ret == 0 && store_open(cfg->store, STORE_SENDER, &sh.rec_st, e) != 0)
		ret = -1;
	/* Signals belong to the main thread; workers only see the flag. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (ret == 0 && pthread_create(&rec, NULL, recorder_main, &sh) != 0)
		ret = err_set(e, EX_OSERR, "cannot start the recorder thread");
	rec_started = ret == 0;
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
	if (rec_started) {
		pthread_mutex_lock(&sh.gc_lock);
		sh.rec_stop = true;
		pthread_cond_signal(&sh.gc_work);
		pthread_mutex_unlock(&sh.gc_lock);
		pthread_join(rec, NULL);
	}
	store_close(&sh.rec_st);
	for (int i = 0; i < nw; i++)
		worker_free(&ws[i]);
	free(ws);
	pthread_mutex_destroy(&sh.lock);
	pthread_mutex_destroy(&sh.write_lock);
	pthread_mutex_destroy(&sh.gc_lock);
	pthread_cond_destroy(&sh.gc_done);
	pthread_cond_destroy(&sh.gc_work);
	free(sh.pend);
	outbound_free(&sh.ob);
	return ret;
}

static bool
pid_alive(int64_t pid, void *arg)
{
	(void)arg;
	if (pid <= 0 || pid > INT32_MAX)
		return false;
	if (pid == (int64_t)getpid())
		/* Rows of ours from before are never in a live session here. */
		return true;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int
send_recover(struct store *st, int64_t now, int64_t *n, struct err *e)
{
	return store_queue_recover(st, now, pid_alive, NULL, n, e);
}
