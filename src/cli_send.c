/*
 * cli_send - `kring send` (the sender in the foreground) and `kring
 * queue` (what the queue holds, per campaign).
 *
 * `kring send` runs the same sender as kringd, so the office can push a
 * newsletter out while watching a progress bar, and a site without a
 * daemon can send from cron.  SIGTERM and SIGINT let the SMTP sessions
 * in flight finish and be recorded, then it exits 0.  The stop flag below
 * is the CLI's one piece of file-scope state: a signal handler can set
 * nothing else.
 */
#include "autoconf.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "output.h"
#include "send.h"
#include "store.h"
#include "units.h"

static volatile sig_atomic_t send_stop;

static void
on_stop(int sig)
{
	(void)sig;
	send_stop = 1;
}

struct send_progress {
	struct progress bar;
	int64_t base;            /* rows done in earlier passes */
};

static void
show_progress(const struct send_stats *s, void *arg)
{
	struct send_progress *p = arg;
	int64_t done = p->base + s->sent + s->deferred + s->failed;

	progress_update(&p->bar, done, done);
}

static void
add_stats(struct send_stats *total, const struct send_stats *s)
{
	total->sent += s->sent;
	total->deferred += s->deferred;
	total->failed += s->failed;
	total->attempted += s->attempted;
	total->unreachable = s->unreachable;
	total->policy = total->policy || s->policy;
	if (s->error[0] != '\0')
		memcpy(total->error, s->error, sizeof(total->error));
}

/*
 * Whole: one command from its options to its exit code; the pass loop's
 * three ways out read best beside the code they decide.
 */
int
cmd_send(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "once", NULL };
	const char *v[1];
	char *pos[1], when[32];
	int npos, ex = 0, r;
	struct err e = { 0, "" };
	const struct hmac_key *key;
	struct send_state state = { 0, 0 };
	struct send_stats s, total;
	struct send_opts o;
	struct send_progress sp;
	struct sigaction sa;
	int64_t n, due, waiting, next;
	bool once;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 0, &npos)) != 0)
		return ex;
	once = v[0] != NULL;
	if (cli_config(c, &ex) == NULL || cli_store(c, false, &ex) == NULL)
		return ex;
	if ((key = cli_key(c, &ex)) == NULL)
		return ex;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* libESMTP writes to sockets without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);

	if (send_recover(c->st, &n, &e) != 0 ||
	    store_queue_pending(c->st, time(NULL), &due, &waiting, &e) != 0) {
		ex = cli_fail(&e);
		goto out;
	}
	if (n > 0)
		fprintf(stderr, "kring: %lld messages of an interrupted sender "
		    "are due again\n", (long long)n);
	memset(&total, 0, sizeof(total));
	memset(&sp, 0, sizeof(sp));
	progress_start(&sp.bar, "sending", due);
	memset(&o, 0, sizeof(o));
	o.cfg = c->cfg;
	o.key = key;
	o.stop = &send_stop;
	o.progress = show_progress;
	o.progress_arg = &sp;
	for (;;) {
		if (send_pass(&o, &state, &s, &e) != 0) {
			progress_clear(&sp.bar);
			ex = cli_fail(&e);
			goto out;
		}
		add_stats(&total, &s);
		sp.base += s.sent + s.deferred + s.failed;
		if (send_stop || once || s.policy)
			break;
		if (store_queue_pending(c->st, time(NULL), &due, &waiting,
		    &e) != 0) {
			progress_clear(&sp.bar);
			ex = cli_fail(&e);
			goto out;
		}
		if (due == 0)
			break;
		/* No server: wait as kringd would, then try the rest again. */
		if (s.unreachable) {
			progress_clear(&sp.bar);
			fprintf(stderr, "kring: %s; trying again in %llds\n",
			    s.error, (long long)state.pause);
		}
		while (!send_stop && time(NULL) < state.paused_until)
			sleep(1);
		if (send_stop)
			break;
	}
	progress_end(&sp.bar);
	printf("sent %lld, deferred %lld, failed %lld\n", (long long)total.sent,
	    (long long)total.deferred, (long long)total.failed);
	if ((r = store_queue_next_due(c->st, &next, &e)) < 0) {
		ex = cli_fail(&e);
		goto out;
	}
	if (r == 1 && next > time(NULL)) {
		units_format_time((time_t)next, when, sizeof(when));
		printf("next attempt at %s\n", when);
	}
	if (send_stop)
		ex = EX_OK;
	else if (total.unreachable || total.policy)
		ex = cli_error(EX_UNAVAILABLE, "%s", total.error);
	else if (total.deferred > 0)
		ex = EX_TEMPFAIL;
out:
	return ex;
}

struct queue_arg {
	bool tsv;
	struct table *t;
};

static int
queue_row(const struct q_campaign_stats *cs, void *arg)
{
	struct queue_arg *a = arg;
	const struct q_campaign *c = cs->c;
	char id[24], when[32], q[24], sent[24], def[24], failed[24];
	const char *cells[9];

	snprintf(id, sizeof(id), "%lld", (long long)c->id);
	cli_format_when((time_t)c->created, a->tsv, when, sizeof(when));
	/* A row being sent right now is still waiting, as far as people see. */
	snprintf(q, sizeof(q), "%lld", (long long)(cs->count[QUEUE_QUEUED] +
	    cs->count[QUEUE_SENDING]));
	snprintf(sent, sizeof(sent), "%lld", (long long)cs->count[QUEUE_SENT]);
	snprintf(def, sizeof(def), "%lld", (long long)cs->count[QUEUE_DEFERRED]);
	snprintf(failed, sizeof(failed), "%lld",
	    (long long)cs->count[QUEUE_FAILED]);
	cells[0] = id;
	cells[1] = campaign_kind_name(c->kind);
	cells[2] = c->list_id ? c->list_id : (a->tsv ? "" : "-");
	cells[3] = when;
	cells[4] = q;
	cells[5] = sent;
	cells[6] = def;
	cells[7] = failed;
	cells[8] = c->subject ? c->subject : "";
	if (a->tsv)
		tsv_write(stdout, cells, 9);
	else
		table_row(a->t, cells);
	return 0;
}

int
cmd_queue(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "tsv", NULL };
	static const char *const header[] = { "ID", "KIND", "LIST", "CREATED",
		"QUEUED", "SENT", "DEFERRED", "FAILED", "SUBJECT" };
	const char *v[1];
	char *pos[1];
	int npos, ex = 0;
	struct err e = { 0, "" };
	struct queue_arg a;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 0, &npos)) != 0)
		return ex;
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	a.tsv = v[0] != NULL;
	a.t = a.tsv ? NULL : table_new(false, 9, header);
	if (store_campaign_each(c->st, queue_row, &a, &e) != 0)
		ex = cli_fail(&e);
	if (a.t)
		table_print(&a.t, stdout);
	return ex;
}
