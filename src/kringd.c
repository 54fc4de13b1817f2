/*
 * kringd - the daemon: a deadline-driven loop over steps.
 *
 * Startup checks everything an admin can get wrong (options, config,
 * store, the one-instance lock) before daemonizing, and the parent exits
 * with the child's verdict, so `kringd` in a shell or a unit file fails
 * loudly.  The store is opened after the fork: an SQLite handle must not
 * cross fork().
 *
 * Each step does what is due and returns when it next wants to run; the
 * loop sleeps in poll() until the earliest deadline, a signal, or (while
 * the inbound source IDLEs on an IMAP server) word from that server.  Signal
 * handlers only set a flag and write a byte to the self-pipe: the flags
 * and the pipe below are the daemon's only file-scope mutable state (the
 * others in kring are log.c's, set once at start, and kring send's stop
 * flag).
 * SIGHUP builds a new configuration and swaps it in only when valid.
 *
 * The send step runs each pass in a thread of its own (send.c opens a
 * store connection for each pass): a slow smtp.rate or a slow relay
 * holds back neither inbound mail nor the other steps, and the replies
 * they queue are claimed by the pass under way.  The loop waits for the
 * pass before a reload swaps the configuration and before it exits.
 *
 * With http.listen set, the web endpoint (web.h) runs beside the loop in
 * libmicrohttpd's own threads, on a store connection of its own, so a
 * request never waits for a step nor a step for a request; it takes the
 * new configuration and templates on a reload before the old are freed,
 * and stops, finishing the requests in flight, before kringd exits.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "digest.h"
#include "err.h"
#include "hmac.h"
#include "http.h"
#include "invite.h"
#include "log.h"
#include "pidlock.h"
#include "process.h"
#include "render.h"
#include "send.h"
#include "source.h"
#include "store.h"
#include "web.h"

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t reload_flag;
static int wake_pipe[2] = { -1, -1 };

#define LOOP_MAX_SLEEP 60
#define MAINTENANCE_EVERY 3600
#define FAR_FUTURE ((time_t)INT32_MAX)
#define SEND_PASS_MAX 30
/* Messages per pass of the process step, so a flood does not starve sending. */
#define PROCESS_PASS_MAX 500
/* How often stored mail is looked for: `kring deliver` cannot wake kringd. */
#define PROCESS_EVERY 5
/* How often the queue is looked at when empty: `kring` commands fill it. */
#define QUEUE_EVERY 5
/* How often digest schedules are looked at: `kring list set` changes them. */
#define SCHEDULE_EVERY 60
/* After a digest failed: try again, without filling the log every minute. */
#define SCHEDULE_RETRY 300

/*
 * A step of the loop: does what is due at ctx->now, returns its next
 * time.  state is the step's own, owned by main().  A step that made
 * work for the steps after it (mail fetched to process, replies queued
 * to send) sets *handed_on, and the later steps that are fed by others
 * run at once instead of at their next look.
 */
typedef time_t step_fn(const struct kr_ctx *ctx,
    const volatile sig_atomic_t *stop, bool *handed_on, void *state);

struct step {
	const char *name;
	step_fn *run;
	void *state;
	time_t next;     /* when it wants to run again; 0 = now */
	bool fed;        /* takes work from the steps before it (handed_on) */
};

/* Checkpoint the WAL and apply the retention rules. */
static time_t
step_maintenance(const struct kr_ctx *ctx, const volatile sig_atomic_t *stop,
    bool *handed_on, void *state)
{
	struct err e = { 0, "" };
	int64_t nev = 0, ntok = 0, nq = 0, nin = 0, np = 0;

	(void)stop;
	(void)handed_on;
	(void)state;
	if (store_begin(ctx->st, &e) != 0 ||
	    store_prune(ctx->st, ctx->now, ctx->cfg->retention, &nev, &ntok,
	    &e) != 0 || store_queue_prune(ctx->st, ctx->now -
	    ctx->cfg->retention, &nq, &e) != 0 || store_inbound_prune(ctx->st,
	    ctx->now - ctx->cfg->retention, &nin, &e) != 0 ||
	    store_archive_prune(ctx->st, ctx->now - ctx->cfg->retention, &np,
	    &e) != 0 ||
	    store_commit(ctx->st, &e) != 0) {
		store_rollback(ctx->st);
		log_event(LV_WARN, "event=maintenance result=failed error=%s",
		    e.msg);
		return ctx->now + 300;
	}
	store_checkpoint(ctx->st);
	if (nev || ntok || nq || nin || np)
		log_event(LV_INFO, "event=prune events=%lld tokens=%lld "
		    "queue=%lld inbound=%lld posts=%lld", (long long)nev,
		    (long long)ntok, (long long)nq, (long long)nin, (long long)np);
	return ctx->now + MAINTENANCE_EVERY;
}

/* What the process step needs: the site key and the templates. */
struct inbox {
	const struct hmac_key *key;
	struct render_set *tpl;      /* swapped whole on reload */
};

/* Carry out the stored inbound mail: commands, replies, confirmations. */
static time_t
step_process(const struct kr_ctx *ctx, const volatile sig_atomic_t *stop,
    bool *handed_on, void *state)
{
	struct inbox *in = state;
	struct process_stats s;
	struct err e = { 0, "" };

	(void)stop;
	if (process_pending(ctx, in->key, in->tpl, PROCESS_PASS_MAX, &s,
	    &e) != 0) {
		log_event(LV_WARN, "event=process result=failed error=%s",
		    e.msg);
		return ctx->now + 30;
	}
	*handed_on = s.done > 0;
	if (s.done || s.dropped || s.failed)
		log_event(LV_INFO, "event=process done=%lld dropped=%lld "
		    "failed=%lld", (long long)s.done, (long long)s.dropped,
		    (long long)s.failed);
	return s.left ? ctx->now : ctx->now + PROCESS_EVERY;
}

/*
 * Mail the people the office imported as pending their invitation.
 * Imports come from `kring`, which cannot wake kringd: looked for with
 * the stored mail.
 */
static time_t
step_invite(const struct kr_ctx *ctx, const volatile sig_atomic_t *stop,
    bool *handed_on, void *state)
{
	struct inbox *in = state;
	struct err e = { 0, "" };
	int64_t sent;
	bool more;

	(void)stop;
	if (invite_pending(ctx, in->key, in->tpl, PROCESS_PASS_MAX, &sent,
	    &more, &e) != 0) {
		log_event(LV_WARN, "event=invite result=failed error=%s",
		    e.msg);
		return ctx->now + 60;
	}
	*handed_on = sent > 0;
	if (sent > 0)
		log_event(LV_INFO, "event=invite sent=%lld", (long long)sent);
	return more ? ctx->now : ctx->now + PROCESS_EVERY;
}

/*
 * Queue the digests that fell due (digest.h): once per list and period,
 * also when kringd was not running at the time, until the next falls
 * due.
 */
static time_t
step_schedule(const struct kr_ctx *ctx, const volatile sig_atomic_t *stop,
    bool *handed_on, void *state)
{
	struct inbox *in = state;
	struct digest_due due;
	struct err e = { 0, "" };
	time_t next = ctx->now + SCHEDULE_EVERY;

	(void)stop;
	if (digest_run_due(ctx, in->key, in->tpl, &due, &e) != 0) {
		log_event(LV_WARN, "event=schedule result=failed error=%s",
		    e.msg);
		return ctx->now + SCHEDULE_EVERY;
	}
	*handed_on = due.made > 0;
	if (due.failed > 0)
		next = ctx->now + SCHEDULE_RETRY;
	return due.next < next ? due.next : next;
}

/* What the fetch step keeps: the inbound source, opened on first use. */
struct fetcher {
	struct source *src;
	bool once;       /* kringd --once: no IDLE */
	int idle_fd;     /* the IMAP IDLE socket to poll, or -1 */
};

/*
 * Take new inbound mail into the store.  The source logs its own
 * failures and says when to try again; while it IDLEs, main_loop polls
 * its socket and makes this step due the moment the server speaks.
 */
static time_t
step_fetch(const struct kr_ctx *ctx, const volatile sig_atomic_t *stop,
    bool *handed_on, void *state)
{
	struct fetcher *f = state;
	struct source_stats stats;
	time_t next, renew;
	int fd;

	(void)stop;
	f->idle_fd = -1;
	if (f->src == NULL &&
	    (f->src = source_open(&ctx->cfg->inbound, !f->once)) == NULL)
		return FAR_FUTURE;    /* inbound.type none: kring deliver only */
	next = source_fetch(f->src, ctx->st, ctx->cfg->max_message_size,
	    ctx->now, &stats);
	*handed_on = stats.stored > 0;
	if (f->once || next <= ctx->now)
		return next;
	if ((fd = source_idle(f->src, time(NULL), &renew)) >= 0) {
		f->idle_fd = fd;
		next = renew;
	}
	return next;
}

/* After a reload: a changed inbound configuration needs a new source. */
static void
fetch_reconfigure(struct fetcher *f, const struct config *cfg,
    struct step *step)
{
	if (f->src != NULL && source_same_config(f->src, &cfg->inbound))
		return;
	if (f->src != NULL)
		log_event(LV_INFO, "event=reload inbound=reopen source=%s",
		    source_name(f->src));
	source_close(&f->src);
	f->idle_fd = -1;
	step->next = 0;
}

/* What the send step keeps between passes. */
struct sender {
	struct hmac_key key;
	struct send_state state;     /* the pass's own while one runs */
	bool once;                   /* kringd --once: each pass in the loop */
	bool running;                /* a pass thread to join */
	pthread_t tid;
	atomic_bool done;            /* the pass thread has finished */
	volatile sig_atomic_t halt;  /* asks the pass to stop claiming */
	struct send_opts o;
	struct send_stats stats;
	struct err e;
	int rc;
};

static void
wake_loop(void)
{
	char c = 0;

	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0) {
		/* Pipe full: a wakeup is already pending. */
	}
}

static void *
send_thread(void *arg)
{
	struct sender *snd = arg;

	snd->rc = send_pass(&snd->o, &snd->state, &snd->stats, &snd->e);
	atomic_store(&snd->done, true);
	wake_loop();
	return NULL;
}

/* Log how a pass went. */
static void
send_report(struct sender *snd)
{
	const struct send_stats *s = &snd->stats;

	if (snd->rc != 0) {
		log_event(LV_ERROR, "event=send result=failed error=%s",
		    snd->e.msg);
		return;
	}
	if (s->attempted > 0)
		log_event(LV_INFO, "event=send sent=%lld deferred=%lld "
		    "failed=%lld", (long long)s->sent, (long long)s->deferred,
		    (long long)s->failed);
	if (s->unreachable || s->policy)
		log_event(LV_ERROR, "event=send result=stopped error=%s",
		    s->error);
}

/* Wait for the pass thread, if any, and report it; with halt, cut it short. */
static void
send_join(struct sender *snd, bool halt)
{
	if (!snd->running)
		return;
	if (halt)
		snd->halt = 1;
	pthread_join(snd->tid, NULL);
	snd->running = false;
	send_report(snd);
}

/* Start a pass until deadline; 0, or -1 when no thread could start. */
static int
send_start(const struct kr_ctx *ctx, struct sender *snd, time_t deadline,
    const volatile sig_atomic_t *stop)
{
	sigset_t all, old;
	int rc;

	memset(&snd->o, 0, sizeof(snd->o));
	snd->o.cfg = ctx->cfg;
	snd->o.key = &snd->key;
	snd->o.deadline = deadline;
	/* In the loop a signal stops the pass; in a thread the loop does. */
	snd->o.stop = snd->once ? stop : &snd->halt;
	snd->halt = 0;
	snd->e = (struct err){ 0, "" };
	atomic_store(&snd->done, false);
	if (snd->once) {
		snd->rc = send_pass(&snd->o, &snd->state, &snd->stats, &snd->e);
		send_report(snd);
		return 0;
	}
	/* Signals belong to the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&snd->tid, NULL, send_thread, snd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_event(LV_ERROR, "event=send result=failed error=\"cannot "
		    "start the sender thread: %s\"", strerror(rc));
		return -1;
	}
	snd->running = true;
	return 0;
}

/*
 * Send what is due: a pass of at most SEND_PASS_MAX seconds, in a thread
 * beside the loop; when it ends (it wakes the loop) the queue is looked
 * at again.  Rows of senders that died come back first.
 */
static time_t
step_send(const struct kr_ctx *ctx, const volatile sig_atomic_t *stop,
    bool *handed_on, void *state)
{
	struct sender *snd = state;
	struct err e = { 0, "" };
	int64_t n, next;
	time_t now;
	int r;

	(void)handed_on;
	if (snd->running) {
		if (!atomic_load(&snd->done))
			return ctx->now + QUEUE_EVERY;
		send_join(snd, false);
	}
	now = time(NULL);
	if (snd->state.paused_until > now)
		return (time_t)snd->state.paused_until;
	if (send_recover(ctx->st, &n, &e) != 0) {
		log_event(LV_WARN, "event=send result=failed error=%s", e.msg);
		return now + 60;
	}
	if (n > 0)
		log_event(LV_INFO, "event=recover queue=%lld: due again after "
		    "an interrupted sender", (long long)n);
	if ((r = store_queue_next_due(ctx->st, &next, &e)) < 0) {
		log_event(LV_WARN, "event=send result=failed error=%s", e.msg);
		return now + 60;
	}
	if (r == 0 || next > now + QUEUE_EVERY)
		return now + QUEUE_EVERY;
	if (next > now)
		return (time_t)next;
	if (send_start(ctx, snd, now + SEND_PASS_MAX, stop) != 0)
		return now + 60;
	if (snd->running)
		return now + QUEUE_EVERY;
	/* --once: the pass is over; what is due now runs at once. */
	now = time(NULL);
	if (snd->rc != 0)
		return now + 60;
	if (snd->state.paused_until > now)
		return (time_t)snd->state.paused_until;
	if ((r = store_queue_next_due(ctx->st, &next, &e)) <= 0)
		return r == 0 ? now + QUEUE_EVERY : now + 60;
	return next > now + QUEUE_EVERY ? now + QUEUE_EVERY : (time_t)next;
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0) {
		/* Pipe full: a wakeup is already pending. */
	}
	errno = saved;
}

static int
setup_signals(struct err *e)
{
	struct sigaction sa;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return err_set(e, EX_OSERR, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Both mail libraries write to sockets without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
drain_pipe(void)
{
	char junk[64];

	while (read(wake_pipe[0], junk, sizeof(junk)) > 0)
		continue;
}

/* The site's templates over the shipped ones (templates/README.md). */
static int
load_templates(const struct config *cfg, struct render_set **out,
    struct err *e)
{
	return render_set_load(cfg->templates, PKGDATADIR "/templates", out, e);
}

static void
reload(struct config **cfg, struct render_set **tpl, struct web *web)
{
	struct config *fresh = NULL;
	struct render_set *fresh_tpl = NULL;
	struct err e = { 0, "" };
	char restart[512];

	reload_flag = 0;
	if (config_load((*cfg)->file, &fresh, &e) != 0 ||
	    load_templates(fresh, &fresh_tpl, &e) != 0) {
		log_event(LV_ERROR, "event=reload result=failed error=%s; "
		    "keeping the old configuration and templates", e.msg);
		config_free(&fresh);
		return;
	}
	config_restart_needed(*cfg, fresh, restart, sizeof(restart));
	if (web != NULL)
		web_swap(web, fresh, fresh_tpl);
	config_free(cfg);
	*cfg = fresh;
	render_set_free(tpl);
	*tpl = fresh_tpl;
	log_event(LV_INFO, "event=reload result=ok: configuration and "
	    "templates reloaded");
	if (*restart)
		log_event(LV_WARN, "restart needed for: %s", restart);
}

/*
 * Run every due step; return the earliest next deadline.  With once, a
 * step that asks to run again at once is repeated, a bounded number of
 * times, so --once drains what is due.
 */
static time_t
run_due(struct kr_ctx *ctx, struct step *steps, size_t n, bool once)
{
	time_t next = FAR_FUTURE;

	for (size_t i = 0; i < n && !stop_flag; i++) {
		for (int round = 0; round < (once ? 100 : 1); round++) {
			bool handed_on = false;

			ctx->now = time(NULL);
			if (steps[i].next > ctx->now)
				break;
			steps[i].next = steps[i].run(ctx, &stop_flag, &handed_on,
			    steps[i].state);
			for (size_t k = i + 1; handed_on && k < n; k++)
				if (steps[k].fed)
					steps[k].next = 0;
			if (stop_flag)
				break;
		}
		if (steps[i].next < next)
			next = steps[i].next;
	}
	return next;
}

static int
main_loop(struct config **cfg, struct store *st, struct inbox *in,
    struct sender *snd, struct web *web, bool once)
{
	struct fetcher fet = { NULL, once, -1 };
	struct step steps[] = {
		{ "fetch", step_fetch, &fet, 0, false },
		{ "process", step_process, in, 0, true },
		{ "invite", step_invite, in, 0, false },
		{ "schedule", step_schedule, in, 0, false },
		{ "send", step_send, snd, 0, true },
		{ "maintenance", step_maintenance, NULL, 0, false },
	};
	struct step *fetch = &steps[0], *send = &steps[4];
	size_t nsteps = sizeof(steps) / sizeof(steps[0]);
	struct kr_ctx ctx = { *cfg, st, time(NULL) };
	/* [0] the self-pipe, [1] the IMAP IDLE socket while there is one. */
	struct pollfd fds[2];
	nfds_t nfds;
	time_t next;

	while (!stop_flag) {
		if (reload_flag) {
			/* The pass reads the configuration that goes. */
			send_join(snd, true);
			send->next = 0;
			reload(cfg, &in->tpl, web);
			ctx.cfg = *cfg;
			fetch_reconfigure(&fet, *cfg, fetch);
		}
		next = run_due(&ctx, steps, nsteps, once);
		if (once || stop_flag)
			break;
		ctx.now = time(NULL);
		fds[0].fd = wake_pipe[0];
		fds[0].events = POLLIN;
		fds[0].revents = 0;
		nfds = 1;
		if (fet.idle_fd >= 0) {
			fds[1].fd = fet.idle_fd;
			fds[1].events = POLLIN;
			fds[1].revents = 0;
			nfds = 2;
		}
		{
			time_t wait = next > ctx.now ? next - ctx.now : 0;

			if (wait > LOOP_MAX_SLEEP)
				wait = LOOP_MAX_SLEEP;
			if (poll(fds, nfds, (int)wait * 1000) > 0) {
				if (fds[0].revents)
					drain_pipe();
				if (nfds > 1 && fds[1].revents)
					fetch->next = 0;
			}
			if (snd->running && atomic_load(&snd->done))
				send->next = 0;
		}
	}
	/* SIGTERM: the session in flight ends, and is recorded. */
	send_join(snd, true);
	source_close(&fet.src);
	return EX_OK;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: kringd [-c FILE] [-f] [--once] [--pidfile FILE] "
	    "[--allow-root] [-d]\n"
	    "  -c FILE          configuration (default $KRING_CONFIG or %s)\n"
	    "  -f               stay in the foreground and log to stderr\n"
	    "  --once           do what is due now, then exit\n"
	    "  --pidfile FILE   write the daemon's pid to FILE\n"
	    "  --allow-root     run even as root (it refuses otherwise)\n"
	    "  -d, --debug      log debug messages\n", SYSCONFDIR "/kring.conf");
}

/*
 * Fork into the background.  Returns in the child with *report set to a
 * pipe on which it must write its startup verdict (one byte: the exit
 * code, 0 for "running"); the parent waits for that byte and exits with
 * it.
 */
static int
daemonize(int *report, struct err *e)
{
	int p[2], null;
	pid_t pid;
	unsigned char code;

	if (pipe2(p, O_CLOEXEC) != 0)
		return err_set(e, EX_OSERR, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		return err_set(e, EX_OSERR, "fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &code, 1) != 1)
			code = EX_SOFTWARE;
		waitpid(pid, NULL, 0);
		_exit(code);
	}
	close(p[0]);
	if (setsid() < 0)
		return err_set(e, EX_OSERR, "setsid: %s", strerror(errno));
	if ((pid = fork()) < 0)
		return err_set(e, EX_OSERR, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return err_set(e, EX_OSERR, "chdir /: %s", strerror(errno));
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	*report = p[1];
	return 0;
}

/*
 * Serve the web endpoint when http.listen is set (not with --once, which
 * is over before anyone could click).  0 with *web and *srv, or both
 * NULL when off; -1 and e.
 */
static int
start_web(const struct config *cfg, const struct render_set *tpl,
    const struct hmac_key *key, bool once, struct web **web,
    struct http **srv, struct err *e)
{
	*web = NULL;
	*srv = NULL;
	if (once || *cfg->http.listen == '\0')
		return 0;
	if (web_new(cfg, tpl, key, web, e) != 0)
		return -1;
	if (http_start(cfg->http.listen, web_answer, *web, srv, e) != 0) {
		web_free(web);
		return -1;
	}
	log_event(LV_INFO, "event=http listen=%s", cfg->http.listen);
	return 0;
}

static void
report_start(int *fd, int code)
{
	unsigned char c = (unsigned char)code;

	if (*fd < 0)
		return;
	if (write(*fd, &c, 1) != 1) {
		/* The parent is gone; nobody is waiting for the verdict. */
	}
	close(*fd);
	*fd = -1;
}

/*
 * Whole: the startup checks in the order the comment above gives, then
 * the loop; every step is a call.
 */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "allow-root", no_argument, NULL, 'R' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *pidfile = NULL;
	bool foreground = false, once = false, debug = false, root = false;
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct err e = { 0, "" };
	struct buf line = BUF_INIT;
	struct sender snd;
	struct inbox in = { NULL, NULL };
	struct web *web = NULL;
	struct http *srv = NULL;
	struct stat sb;
	char *keypath;
	int ch, lockfd, report = -1, ex;

	while ((ch = getopt_long(argc, argv, "c:fdhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'o':
			once = true;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'R':
			root = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("kringd %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kringd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	/*
	 * kringd reads mail from strangers: it runs as the user that owns
	 * the store (kring, under systemd), so a flaw gives no more than
	 * the lists.  Root only on purpose.
	 */
	if (geteuid() == 0 && !root) {
		fprintf(stderr, "kringd: refusing to run as root: run it as the "
		    "user that owns the store (the kring user of kringd.service), "
		    "or pass --allow-root\n");
		return EX_NOPERM;
	}
	umask(077);
	log_open("kringd", LOG_TO_STDERR, debug);
	if (config_load(config_path(conf), &cfg, &e) != 0)
		log_fatal(e.ex, "%s", e.msg);
	if (load_templates(cfg, &in.tpl, &e) != 0)
		log_fatal(e.ex, "%s", e.msg);
	if (stat(cfg->store, &sb) != 0)
		log_fatal(EX_NOINPUT, "store %s does not exist (run kring init)",
		    cfg->store);
	if ((lockfd = pidlock_acquire(cfg->store, &e)) < 0)
		log_fatal(e.ex, "%s", e.msg);
	if (setup_signals(&e) != 0)
		log_fatal(e.ex, "%s", e.msg);
	if (!once && !foreground) {
		if (daemonize(&report, &e) != 0)
			log_fatal(e.ex, "%s", e.msg);
		log_open("kringd", LOG_TO_SYSLOG, debug);
	}
	pidlock_note_pid(lockfd);
	if (store_open(cfg->store, 0, &st, &e) != 0) {
		report_start(&report, e.ex);
		log_fatal(e.ex, "%s", e.msg);
	}
	memset(&snd, 0, sizeof(snd));
	snd.once = once;
	atomic_init(&snd.done, false);
	keypath = hmac_key_path(cfg->store);
	if (hmac_key_load(keypath, &snd.key, &e) != 0) {
		report_start(&report, e.ex);
		log_fatal(e.ex, "%s", e.msg);
	}
	free(keypath);
	if (pidfile != NULL && pidlock_write_pidfile(pidfile, &e) != 0) {
		report_start(&report, e.ex);
		log_fatal(e.ex, "%s", e.msg);
	}
	if (start_web(cfg, in.tpl, &snd.key, once, &web, &srv, &e) != 0) {
		report_start(&report, e.ex);
		log_fatal(e.ex, "%s", e.msg);
	}
	buf_puts(&line, "event=start");
	log_kv(&line, "version", PACKAGE_VERSION);
	log_kv(&line, "config", cfg->file);
	log_kv(&line, "store", cfg->store);
	log_event(LV_INFO, "%s", buf_str(&line));
	report_start(&report, EX_OK);

	in.key = &snd.key;
	ex = main_loop(&cfg, st, &in, &snd, web, once);
	http_stop(&srv);
	web_free(&web);

	log_event(LV_INFO, "event=stop reason=%s",
	    stop_flag ? "signal" : "once");
	if (pidfile != NULL)
		unlink(pidfile);
	store_close(&st);
	hmac_key_free(&snd.key);
	config_free(&cfg);
	render_set_free(&in.tpl);
	buf_free(&line);
	close(lockfd);
	log_close();
	return ex;
}
