/*
 * send - the sender's pass over the queue (see send.h).
 *
 * One thread of the pass claims batches of due rows and composes their
 * copies ahead of the workers, one batch ready for each (stage()); a
 * worker waits out a slow-down, takes a ready batch and runs one
 * transport session with it (logging each copy the server takes, see
 * note()); the same thread then files the batch's outcomes.  So the
 * store's work, a fifth of the sender's, is done beside the sessions
 * instead of between them, and the store has one user: the pass opens
 * one connection for it, which nobody shares, so nothing waits in
 * SQLite's busy handler, which sleeps in whole milliseconds.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
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
	struct store *st;            /* the pass's one store connection:
	                                its own thread's alone (stage) */
	pthread_mutex_t acc_lock;    /* acc, one thread at a time */
	struct store_acclog *acc;    /* copies taken, not yet filed */
	bool unfiled;                /* a batch failed to file */
	double next_slot;            /* rate limit: when the next copy may go */
	bool halt;                   /* every worker stops claiming */
	int nworkers;
	/* Under lock: the batches and who waits for them. */
	pthread_cond_t to_workers;   /* a batch is ready, or none will be */
	pthread_cond_t to_stage;     /* a batch was sent, a worker waits or left */
	struct batch *pool;
	size_t npool;
	bool drained;                /* nothing more to claim in this pass */
	int running;                 /* workers not yet gone */
	int waiting;                 /* workers waiting for a ready batch */
};

/* One message of a batch, composed once for all its recipients. */
struct prepared {
	int64_t mid;
	struct q_message m;
	struct q_campaign c;
	struct list l;
	bool has_list;
	struct buf body;
	struct buf shared;           /* the head all its copies share */
	bool shared_made;
	size_t *atoms, natoms;       /* where the personal placeholder is */
	size_t *atoms2, natoms2;     /* where the archive link's is (archive.h) */
	char *problem;               /* why it cannot be sent, or NULL */
};

/*
 * One recipient's copy: what is their own, and the pieces it goes out
 * in, which point here and into the prepared message's shared body.
 */
struct copy {
	struct buf head;
	char *verp;                  /* the return path */
	char token[TOKEN_LEN + 1];   /* one-click unsubscribe */
	char arch[TOKEN_LEN + 1];    /* the archive link's */
	struct iovec *iov;
	size_t iovcap;
};

/*
 * A batch goes round: free, claimed and composed by the pass's own
 * thread (ready), sent by a worker over one connection (sending),
 * filed by the pass's thread (done), free again.
 */
enum batch_state { B_FREE, B_READY, B_SENDING, B_DONE };

struct batch {
	struct shared *sh;
	enum batch_state state;
	size_t n;                    /* copies that can go: msgs[0..n) */
	struct q_row *rows;
	size_t nrows;
	struct prepared *preps;
	size_t nprep;
	struct copy *copies;         /* per row */
	struct outbound_msg *msgs;
	struct outcome *outs;        /* per row of the batch */
	size_t cap;                  /* of copies, msgs, outs, preps */
};

struct worker {
	struct shared *sh;
	pthread_t tid;
};

static double
now_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
pace(struct batch *b)
{
	struct shared *sh = b->sh;
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
	buf_free(&p->shared);
	free(p->atoms);
	free(p->atoms2);
	free(p->problem);
	memset(p, 0, sizeof(*p));
}

/* Load and compose message mid into p.  A message that cannot be
 * composed is not an error of the pass: its rows fail with the reason. */
static int
prep_load(struct batch *b, int64_t mid, struct prepared *p, struct err *e)
{
	struct err ce = { 0, "" };
	int r;

	p->mid = mid;
	buf_init(&p->body, COMPOSE_BODY_MAX + 65536);
	r = store_message_get(b->sh->st, mid, &p->m, e);
	if (r > 0 && store_campaign_get(b->sh->st, p->m.campaign_id, &p->c,
	    e) < 0)
		r = -1;
	if (r > 0 && p->c.list_id != NULL) {
		int lr = store_list_get(b->sh->st, p->c.list_id, &p->l, e);

		if (lr < 0)
			r = -1;
		p->has_list = lr == 1;
	}
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
prep_find(struct batch *b, int64_t mid, struct err *e)
{
	for (size_t i = 0; i < b->nprep; i++)
		if (b->preps[i].mid == mid)
			return &b->preps[i];
	if (prep_load(b, mid, &b->preps[b->nprep], e) != 0) {
		prep_clear(&b->preps[b->nprep]);
		return NULL;
	}
	return &b->preps[b->nprep++];
}

static void
prep_keep_last(struct batch *b)
{
	if (b->nprep == 0)
		return;
	for (size_t i = 0; i + 1 < b->nprep; i++)
		prep_clear(&b->preps[i]);
	if (b->nprep > 1) {
		b->preps[0] = b->preps[b->nprep - 1];
		memset(&b->preps[b->nprep - 1], 0, sizeof(b->preps[0]));
	}
	b->nprep = 1;
}

static void
grow(struct batch *b, size_t n)
{
	if (n <= b->cap)
		return;
	b->copies = xreallocarray(b->copies, n, sizeof(*b->copies));
	b->msgs = xreallocarray(b->msgs, n, sizeof(*b->msgs));
	b->outs = xreallocarray(b->outs, n, sizeof(*b->outs));
	/* One more: the message kept from the batch before. */
	b->preps = xreallocarray(b->preps, n + 1, sizeof(*b->preps));
	for (size_t i = b->cap; i < n; i++) {
		memset(&b->copies[i], 0, sizeof(b->copies[i]));
		buf_init(&b->copies[i].head, COMPOSE_BODY_MAX + 64 * 1024);
		memset(&b->preps[i + 1], 0, sizeof(b->preps[0]));
	}
	if (b->cap == 0)
		memset(&b->preps[0], 0, sizeof(b->preps[0]));
	b->cap = n;
}

static const char *
list_of(struct batch *b, int64_t mid)
{
	for (size_t i = 0; i < b->nprep; i++)
		if (b->preps[i].mid == mid)
			return b->preps[i].c.list_id;
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
note(struct batch *b, const struct outbound_msg *m)
{
	struct shared *sh = b->sh;
	const struct config *cfg = sh->o->cfg;
	const struct q_row *row = m->arg;
	struct outcome *o = &b->outs[row - b->rows];
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
file_batch(struct batch *b)
{
	struct shared *sh = b->sh;
	struct store *st = b->sh->st;
	struct err e = { 0, "" };
	char detail[OUTBOUND_TEXT_MAX + 128];
	size_t i;
	int rc = -1;

	if (store_begin(st, &e) == 0) {
		for (i = 0; i < b->nrows; i++) {
			const struct q_row *row = &b->rows[i];
			const struct outcome *o = &b->outs[i];

			if (!o->known)
				continue;
			if (store_queue_result(st, row->id, &o->res, o->at, &e) != 0)
				break;
			if (o->res.state != QUEUE_FAILED)
				continue;
			describe(&o->res, detail, sizeof(detail));
			if (store_event(st, o->at, "send", list_of(b,
			    row->message_id), row->rcpt, "failed", detail, &e) != 0)
				break;
			/* A 5xx of the relay is a bounce of this copy. */
			if (bounce_refused(sh->o->cfg, st, row->id, o->res.code,
			    o->res.enh, o->res.text, o->at, &e) != 0)
				break;
		}
		if (i < b->nrows)
			store_rollback(st);
		else
			rc = store_commit(st, &e);
	}
	if (rc != 0) {
		log_event(LV_ERROR, "event=send result=unrecorded rows=%zu "
		    "error=%s", b->nrows, e.msg);
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

/*
 * The pieces of copy c of prepared message p for row m->arg: the head
 * fields all copies share, its own, then the shared body with the
 * recipient's tokens in their places.
 * 0, or -1 and e when the store cannot give the archive link's token.
 */
static int
copy_pieces(struct batch *b, const struct prepared *p, struct copy *c,
    struct outbound_msg *m, struct err *e)
{
	const struct q_row *row = m->arg;
	size_t need = 2 * (p->natoms + p->natoms2) + 3;

	if (need > c->iovcap) {
		c->iov = xreallocarray(c->iov, need, sizeof(*c->iov));
		c->iovcap = need;
	}
	c->iov[0] = (struct iovec){ .iov_base = p->shared.data,
	    .iov_len = p->shared.len };
	c->iov[1] = (struct iovec){ .iov_base = c->head.data,
	    .iov_len = c->head.len };
	m->iov = c->iov;
	if (p->m.personal == NULL) {
		c->iov[2] = (struct iovec){ .iov_base = p->body.data,
		    .iov_len = p->body.len };
		m->iovcnt = 3;
		return 0;
	}
	if (p->natoms2 > 0 && archive_token_now(b->sh->st, b->sh->o->key,
	    row->person_id, c->arch, e) < 0)
		return -1;
	m->iovcnt = 2 + compose_pieces(p->body.data, p->body.len, p->atoms,
	    p->natoms, c->token, p->atoms2, p->natoms2, c->arch,
	    strlen(p->m.personal), c->iov + 2);
	return 0;
}

/* Fill msgs[i] for rows[i]; 0 ready, 1 failed here (recorded), -1 error. */
/*
 * Whole: one row's copy from message to wire bytes, with each refusal
 * recorded where it is found.
 */
static int
compose_row(struct batch *b, size_t i, struct err *e)
{
	const struct config *cfg = b->sh->o->cfg;
	const struct q_row *row = &b->rows[i];
	struct outbound_msg *m = &b->msgs[i];
	struct prepared *p = prep_find(b, row->message_id, e);
	struct compose_head h;
	struct err ce = { 0, "" };
	struct copy *c = &b->copies[i];
	char *ext, *msgid;
	const char *why;

	memset(m, 0, sizeof(*m));
	m->arg = (void *)row;
	if (p == NULL)
		return -1;
	buf_reset(&c->head);
	free(c->verp);
	ext = verp_extension(b->sh->o->key, row->id);
	c->verp = addr_with_extension(cfg->local, cfg->domain,
	    cfg->recipient_delimiter, ext);
	msgid = p->m.msgid != NULL ? xstrdup(p->m.msgid) :
	    verp_message_id(b->sh->o->key, row->id, cfg->domain);
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
				queue_unsub_token(b->sh->o->key, p->l.id,
				    row->person_id, c->token);
				h.unsub_token = c->token;
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
		/*
		 * The head's shared fields are made once per message, with
		 * its first copy; what is wrong with them is wrong for all.
		 */
		if (!p->shared_made) {
			p->shared_made = true;
			if (compose_head_part(cfg, &h, COMPOSE_HEAD_SHARED,
			    &p->shared, &ce) != 0)
				p->problem = xstrdup(ce.msg);
		}
		if (p->problem != NULL)
			why = p->problem;
		else if (compose_head_part(cfg, &h, COMPOSE_HEAD_OWN, &c->head,
		    &ce) != 0)
			why = ce.msg;
		else if (p->m.personal != NULL && h.unsub_token == NULL)
			why = "a personal message without a subscriber";
	}
	free(msgid);
	if (why != NULL) {
		/* Bad data does not get better by waiting: the copy fails. */
		m->outcome = QUEUE_FAILED;
		snprintf(m->text, sizeof(m->text), "cannot compose: %.180s", why);
		note(b, m);
		return 1;
	}
	m->reverse_path = c->verp;
	m->rcpt = row->rcpt;
	return copy_pieces(b, p, c, m, e);
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
 * Claim and compose the next rows into free batch b: 1 with b composed
 * (b->n copies can go; the others have failed, noted), 0 when nothing
 * more is due, -1 and e.
 */
static int
stage_batch(struct batch *b, struct err *e)
{
	struct shared *sh = b->sh;
	size_t mpc = batch_size(sh), n = 0;
	int64_t now = time(NULL);

	q_rows_free(&b->rows, b->nrows);
	b->nrows = 0;
	b->n = 0;
	if (mpc == 0)
		return 0;
	if (store_queue_claim(sh->st, now, store_acclog_owner(sh->acc),
	    (int64_t)getpid(), mpc, sh->o->urgent_only, &b->rows, &b->nrows,
	    e) != 0)
		return -1;
	if (b->nrows == 0)
		return 0;
	pthread_mutex_lock(&sh->lock);
	sh->stats->attempted += (int64_t)b->nrows;
	pthread_mutex_unlock(&sh->lock);
	grow(b, b->nrows);
	memset(b->outs, 0, b->nrows * sizeof(*b->outs));
	prep_keep_last(b);
	/* Compact the copies that can go into msgs[0..n). */
	for (size_t i = 0; i < b->nrows; i++) {
		int r = compose_row(b, i, e);

		if (r < 0)
			return -1;
		/* The copies stay where they are: msgs point into them. */
		if (r == 0 && n != i)
			b->msgs[n] = b->msgs[i];
		n += r == 0;
	}
	b->n = n;
	return 1;
}

/* Hand the copies of composed batch b to the transport, noting each. */
static void
send_batch(struct batch *b)
{
	struct shared *sh = b->sh;
	const struct config *cfg = sh->o->cfg;
	struct outbound_report rep;
	struct err e = { 0, "" };

	if (sh->ob == NULL) {
		for (size_t i = 0; i < b->n; i++) {
			struct outbound_msg *m = &b->msgs[i];
			const struct q_row *row = m->arg;
			struct err oe = { 0, "" };

			pace(b);
			if (outbox_deliver(cfg->smtp.outbox, row->id,
			    m->reverse_path, m->rcpt, m->iov, m->iovcnt,
			    &oe) == 0) {
				m->outcome = QUEUE_SENT;
				snprintf(m->text, sizeof(m->text), "written to %s",
				    cfg->smtp.outbox);
			} else {
				m->outcome = QUEUE_DEFERRED;
				snprintf(m->text, sizeof(m->text), "%.190s", oe.msg);
			}
			note(b, m);
		}
		return;
	}
	if (outbound_session(sh->ob, b->msgs, b->n, on_done, before_data, b,
	    &rep, &e) != 0)
		log_event(LV_ERROR, "event=send result=failed error=%s", e.msg);
	if (rep.error[0] != '\0')
		log_event(LV_WARN, "event=smtp sent=%zu deferred=%zu "
		    "failed=%zu error=%s", rep.sent, rep.deferred, rep.failed,
		    rep.error);
	adjust(sh, &rep);
}

/* The first batch of the pool in state s, or NULL; under sh->lock. */
static struct batch *
find(struct shared *sh, enum batch_state s)
{
	for (size_t i = 0; i < sh->npool; i++)
		if (sh->pool[i].state == s)
			return &sh->pool[i];
	return NULL;
}

static size_t
count(struct shared *sh, enum batch_state s)
{
	size_t n = 0;

	for (size_t i = 0; i < sh->npool; i++)
		n += sh->pool[i].state == s;
	return n;
}

/*
 * Wait under sh->lock for c, which workers and the pass's thread each
 * wait on their own of, so no worker wakes another for nothing; a stop
 * request raises no signal here, so the wait looks up every 100 ms.
 */
static void
wait_on(struct shared *sh, pthread_cond_t *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 100000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(c, &sh->lock, &ts);
}

/* Whether no more sessions may start; under sh->lock. */
static bool
ended(struct shared *sh)
{
	int64_t deadline = sh->o->deadline;

	return sh->halt || (sh->o->stop != NULL && *sh->o->stop) ||
	    (deadline != 0 && time(NULL) >= deadline);
}

/* A worker: one session after another, of the batches made ready. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct batch *b;

	pthread_mutex_lock(&sh->lock);
	while (!ended(sh)) {
		int64_t until = sh->state->paused_until;

		if (until > time(NULL)) {
			if (sh->o->deadline != 0 && until > sh->o->deadline)
				break;
			pthread_mutex_unlock(&sh->lock);
			sleep_until(sh, (double)until);
			pthread_mutex_lock(&sh->lock);
			continue;
		}
		if ((b = find(sh, B_READY)) == NULL) {
			if (sh->drained)
				break;
			sh->waiting++;
			pthread_cond_signal(&sh->to_stage);
			wait_on(sh, &sh->to_workers);
			sh->waiting--;
			continue;
		}
		b->state = B_SENDING;
		pthread_mutex_unlock(&sh->lock);
		send_batch(b);
		pthread_mutex_lock(&sh->lock);
		b->state = B_DONE;
		pthread_cond_signal(&sh->to_stage);
	}
	sh->running--;
	pthread_cond_signal(&sh->to_stage);
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

/*
 * A batch that was made ready but never went: the outcomes it has
 * (copies that could not be composed) are filed, its other rows given
 * back as they were, due at once.
 */
static void
give_back(struct batch *b)
{
	struct shared *sh = b->sh;
	struct err e = { 0, "" };
	int64_t *ids = xcalloc(b->nrows, sizeof(*ids));
	size_t n = 0;
	int rc;

	file_batch(b);
	for (size_t i = 0; i < b->nrows; i++)
		if (!b->outs[i].known)
			ids[n++] = b->rows[i].id;
	rc = store_queue_release(sh->st, store_acclog_owner(sh->acc), ids, n,
	    &e);
	if (rc != 0)
		/* They stay claimed; recovery gives them back after the pass. */
		log_event(LV_ERROR, "event=send result=unreleased rows=%zu "
		    "error=%s", n, e.msg);
	pthread_mutex_lock(&sh->lock);
	sh->stats->attempted -= (int64_t)n;
	pthread_mutex_unlock(&sh->lock);
	free(ids);
}

/*
 * How many batches may wait ready: one for each worker, so a
 * connection goes from one session to the next without waiting for the
 * store.  With a rate it is the rate that waits, so a batch is made
 * only for a worker that waits for one: a reply queued meanwhile is
 * never more than one session behind.  Under sh->lock.
 */
static size_t
ready_max(const struct shared *sh)
{
	if (sh->o->cfg->smtp.rate > 0)
		return (size_t)sh->waiting;
	return (size_t)sh->nworkers;
}

/*
 * The pass's own thread, beside its workers: it alone claims and
 * composes, keeping batches ready (ready_max), and it files each batch
 * a worker has sent.  It returns once the workers are gone and all
 * they sent is filed.
 */
static void
stage(struct shared *sh)
{
	struct err e = { 0, "" };
	struct batch *b;

	pthread_mutex_lock(&sh->lock);
	for (;;) {
		if ((b = find(sh, B_DONE)) != NULL) {
			pthread_mutex_unlock(&sh->lock);
			file_batch(b);
			pthread_mutex_lock(&sh->lock);
			b->state = B_FREE;
			continue;
		}
		if (sh->running == 0)
			break;
		if (!sh->drained && !ended(sh) &&
		    count(sh, B_READY) < ready_max(sh) &&
		    (b = find(sh, B_FREE)) != NULL) {
			int r;

			pthread_mutex_unlock(&sh->lock);
			r = stage_batch(b, &e);
			pthread_mutex_lock(&sh->lock);
			if (r < 0) {
				log_event(LV_ERROR, "event=send result=failed "
				    "error=%s", e.msg);
				sh->halt = true;
				snprintf(sh->stats->error,
				    sizeof(sh->stats->error), "%.250s", e.msg);
				/*
				 * Ready, but no worker takes it any more: what
				 * it claimed goes back with the rest (give_back).
				 */
				if (b->nrows > 0)
					b->state = B_READY;
			}
			if (r <= 0)
				sh->drained = true;
			else
				b->state = b->n > 0 ? B_READY : B_DONE;
			pthread_cond_broadcast(&sh->to_workers);
			continue;
		}
		wait_on(sh, &sh->to_stage);
	}
	pthread_mutex_unlock(&sh->lock);
	for (size_t i = 0; i < sh->npool; i++)
		if (sh->pool[i].state == B_READY)
			give_back(&sh->pool[i]);
}

/*
 * The thread that runs stage().  Its work is done ahead of need, so it
 * is batch work to the scheduler (SCHED_BATCH): it keeps its full share
 * of the CPU, but does not preempt a worker woken by a server's answer,
 * whose connection waits while the worker does not run.  Where a
 * sandbox forbids the change (a seccomp filter) it runs as any thread.
 */
static void *
stage_main(void *arg)
{
	struct sched_param sp = { .sched_priority = 0 };

	(void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
	stage(arg);
	return NULL;
}

static void
batch_free(struct batch *b)
{
	q_rows_free(&b->rows, b->nrows);
	for (size_t i = 0; i < b->cap; i++) {
		buf_free(&b->copies[i].head);
		free(b->copies[i].verp);
		free(b->copies[i].iov);
	}
	for (size_t i = 0; i < b->cap + 1 && b->preps != NULL; i++)
		prep_clear(&b->preps[i]);
	free(b->copies);
	free(b->msgs);
	free(b->outs);
	free(b->preps);
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
	pthread_mutex_init(&sh.acc_lock, NULL);
	pthread_cond_init(&sh.to_workers, NULL);
	pthread_cond_init(&sh.to_stage, NULL);
	if (store_open(cfg->store, STORE_SENDER, &sh.st, e) != 0 ||
	    store_acclog_open(cfg->store, &sh.acc, e) != 0)
		ret = -1;
	/* One batch on the wire and one ready, for each worker. */
	sh.npool = 2 * (size_t)nw;
	sh.pool = xcalloc(sh.npool, sizeof(*sh.pool));
	for (size_t i = 0; i < sh.npool; i++)
		sh.pool[i].sh = &sh;
	ws = xcalloc((size_t)nw, sizeof(*ws));
	for (int i = 0; i < nw; i++)
		ws[i].sh = &sh;
	/* Signals belong to the main thread; workers only see the flag. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	sh.running = nw;
	for (int i = 0; i < nw && ret == 0; i++) {
		if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
			ret = err_set(e, EX_OSERR, "cannot start a sender thread");
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&sh.lock);
	sh.running -= nw - started;
	if (ret != 0)
		sh.halt = true;
	pthread_mutex_unlock(&sh.lock);
	if (started > 0) {
		pthread_t st;
		int rc;

		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&st, NULL, stage_main, &sh);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc == 0)
			pthread_join(st, NULL);
		else
			stage(&sh);
	}
	for (int i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	free(ws);
	for (size_t i = 0; i < sh.npool; i++)
		batch_free(&sh.pool[i]);
	free(sh.pool);
	store_acclog_close(&sh.acc, !close_log(&sh));
	store_close(&sh.st);
	pthread_cond_destroy(&sh.to_workers);
	pthread_cond_destroy(&sh.to_stage);
	pthread_mutex_destroy(&sh.lock);
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
