/*
 * cli_newsletter - kring newsletter queue | preview | cancel.
 */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "compose.h"
#include "ctx.h"
#include "err.h"
#include "markdown.h"
#include "model.h"
#include "newsletter.h"
#include "newsletter_pics.h"
#include "output.h"
#include "queue.h"
#include "render.h"
#include "send.h"
#include "store.h"
#include "token.h"
#include "units.h"
#include "xmem.h"

/* The Markdown file whole: 0, or the exit code after saying why. */
static int
read_markdown(const char *path, struct buf *out)
{
	int ex;

	if ((ex = cli_read_file(path, MARKDOWN_MAX, out)) != 0)
		return ex;
	if (memchr(buf_str(out), '\0', out->len) != NULL)
		return cli_error(EX_DATAERR, "%s: holds a NUL byte; is it "
		    "a text file?", path);
	return 0;
}

/* The Markdown's folder, where its pictures are looked for. */
static char *
md_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

/*
 * --at: ISO 8601, local time unless it says Z or an offset, as `kring
 * log --since` takes it.  0 and *t, or EX_USAGE after saying why.
 */
static int
parse_at(const char *s, time_t now, time_t *t)
{
	if (units_time(s, t) != 0)
		return cli_error(EX_USAGE, "--at %s: expected local date and "
		    "time as YYYY-MM-DD HH:MM", s);
	if (*t < now - 366 * 24 * 3600 || *t > now + 5 * 366 * 24 * 3600)
		return cli_error(EX_USAGE, "--at %s: not within a year ago and "
		    "five years ahead", s);
	return 0;
}

/* What queue, preview and test all start from. */
struct job {
	struct list l;
	struct buf md;
	char *dir;                   /* the Markdown's folder */
	const struct render_set *tpl;
	const struct hmac_key *key;
	struct kr_ctx ctx;
	struct newsletter nl;        /* subject NULL for the caller to set */
};

/*
 * The templates, the key, the list, the Markdown file and the checks of
 * subject (may be NULL) shared by queue, preview and test; 0 or the
 * exit code.  job_close() either way.
 */
static int
job_open(struct cli *c, const char *list_id, const char *file,
    const char *subject, struct job *j)
{
	const char *why;
	int ex;

	memset(j, 0, sizeof(*j));
	buf_init(&j->md, 0);
	if (subject != NULL && ((why = model_text_problem(subject,
	    COMPOSE_SUBJECT_MAX / 2)) != NULL || *subject == '\0'))
		return cli_error(EX_USAGE, "--subject %s", why ? why :
		    "is empty");
	if ((j->tpl = cli_templates(c, &ex)) == NULL ||
	    (j->key = cli_key(c, &ex)) == NULL)
		return ex;
	if ((ex = cli_list_need(c, list_id, &j->l)) != 0 ||
	    (ex = read_markdown(file, &j->md)) != 0)
		return ex;
	j->dir = md_dir(file);
	j->ctx = (struct kr_ctx){ c->cfg, c->st, c->now };
	j->nl = (struct newsletter){ &j->l, subject, buf_str(&j->md),
	    j->md.len, j->dir, NULL };
	return 0;
}

static void
job_close(struct job *j)
{
	free(j->dir);
	list_clear(&j->l);
	buf_free(&j->md);
}

/*
 * A preview without --subject is titled by the Markdown's first line
 * (its "#" marks dropped), else the list's name.
 */
static void
first_line(const char *md, const char *fallback, struct buf *out)
{
	const char *p = md;

	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	while (*p == '#')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	for (size_t n = 0; *p != '\0' && *p != '\n' && *p != '\r' && n < 200;
	    n++)
		buf_putc(out, *p++);
	/* A cut may have split a character: drop what is left of it. */
	for (int k = 0; k < 3 && out->len > 0 &&
	    model_text_problem(buf_str(out), 200) != NULL; k++)
		buf_truncate(out, out->len - 1);
	if (out->len == 0 || model_text_problem(buf_str(out), 200) != NULL) {
		buf_reset(out);
		buf_puts(out, fallback);
	}
}

static void
on_progress(void *arg, size_t done, size_t n)
{
	struct progress *p = arg;

	if (p->total == 0)
		progress_start(p, "queueing", (int64_t)n);
	progress_step(p, (int64_t)done);
}

int
cmd_newsletter_queue(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "subject=", "at=", NULL };
	const char *v[2];
	char *pos[2];
	int npos, ex;
	struct err e = { 0, "" };
	struct progress pg;
	struct job j;
	time_t at = 0;
	int64_t cid, queued;
	char when[64];

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 2, &npos)) != 0)
		return ex;
	if (npos != 2 || v[0] == NULL)
		return cli_usage(c);
	if (v[1] != NULL && (ex = parse_at(v[1], c->now, &at)) != 0)
		return ex;
	if ((ex = job_open(c, pos[0], pos[1], v[0], &j)) != 0)
		goto out;
	memset(&pg, 0, sizeof(pg));
	if (store_begin(c->st, &e) != 0 ||
	    newsletter_queue(&j.ctx, j.key, j.tpl, &j.nl, (int64_t)at,
	    on_progress, &pg, &cid, &queued, &e) != 0 ||
	    (queued > 0 && store_event(c->st, c->now, "newsletter", j.l.id,
	    NULL, NULL, v[0], &e) != 0) ||
	    store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		if (pg.total > 0)
			progress_clear(&pg);
		ex = cli_fail(&e);
		goto out;
	}
	if (pg.total > 0)
		progress_end(&pg);
	if (queued == 0) {
		printf("%s has no active subscribers: nothing queued\n", j.l.id);
		goto out;
	}
	cli_format_when(at > c->now ? at : c->now, false, when, sizeof(when));
	printf("newsletter %lld for %s: %lld %s queued, to go %s%s "
	    "(see kring queue)\n", (long long)cid, j.l.id, (long long)queued,
	    queued == 1 ? "copy" : "copies", at > c->now ? "from " : "now,",
	    at > c->now ? when : " once kringd or kring send runs");
out:
	job_close(&j);
	return ex;
}

int
cmd_newsletter_preview(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "subject=", "html", NULL };
	const char *v[2];
	char *pos[2];
	int npos, ex;
	struct buf out = BUF_INIT, subject = BUF_INIT, text = BUF_INIT,
	    title = BUF_INIT;
	char token[TOKEN_LEN + 1];
	struct err e = { 0, "" };
	struct pics pics;
	struct job j;
	int r;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 2, &npos)) != 0)
		return ex;
	if (npos != 2)
		return cli_usage(c);
	if ((ex = job_open(c, pos[0], pos[1], v[0], &j)) != 0)
		goto done;
	first_line(buf_str(&j.md), j.l.name, &title);
	if (j.nl.subject == NULL)
		j.nl.subject = buf_str(&title);
	/* --html: the page alone, to open in a browser. */
	queue_unsub_token(j.key, j.l.id, 0, token);
	newsletter_pics_init(&j.ctx, &j.nl, PICS_DATA, NULL, &pics);
	r = v[1] != NULL ?
	    newsletter_render(&j.ctx, j.tpl, &j.nl, token, &pics, &subject,
	    &text, &out, &e) : newsletter_preview(&j.ctx, j.key, j.tpl, &j.nl,
	    &out, &e);
	pics_free(&pics);
	if (r != 0)
		ex = cli_fail(&e);
	else if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0)
		ex = cli_error(EX_IOERR, "standard output: %s", strerror(errno));
done:
	job_close(&j);
	buf_free(&out);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&title);
	return ex;
}

/* A newsletter's number, and the store open: 0, or the exit code. */
static int
newsletter_id(struct cli *c, const char *arg, long long *id)
{
	char *end;
	int ex;

	errno = 0;
	*id = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || *id <= 0)
		return cli_error(EX_USAGE, "%s: not a newsletter number (see "
		    "kring queue)", arg);
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	return 0;
}

int
cmd_newsletter_cancel(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const char *v[1];
	char *pos[1];
	int npos, ex, r;
	struct err e = { 0, "" };
	struct q_campaign camp;
	int64_t counts[6], now_cancelled;
	long long id;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if ((ex = newsletter_id(c, pos[0], &id)) != 0)
		return ex;
	if (store_begin(c->st, &e) != 0)
		return cli_fail(&e);
	if ((r = store_campaign_get(c->st, id, &camp, &e)) <= 0 ||
	    camp.kind != CAMPAIGN_NEWSLETTER) {
		store_rollback(c->st);
		if (r < 0)
			return cli_fail(&e);
		ex = cli_error(EX_DATAERR, "%lld: no such newsletter (see kring "
		    "queue)", id);
		q_campaign_clear(&camp);
		return ex;
	}
	if (store_campaign_cancel(c->st, id, c->now, &now_cancelled, counts,
	    &e) != 0 ||
	    store_event(c->st, c->now, "newsletter-cancel", camp.list_id, NULL,
	    NULL, camp.subject, &e) != 0 || store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		q_campaign_clear(&camp);
		return cli_fail(&e);
	}
	printf("newsletter %lld: %lld cancelled, %lld sent already, "
	    "%lld failed", id, (long long)now_cancelled,
	    (long long)counts[QUEUE_SENT], (long long)counts[QUEUE_FAILED]);
	if (counts[QUEUE_SENDING] > 0)
		printf(", %lld being sent this moment (they will go)",
		    (long long)counts[QUEUE_SENDING]);
	printf("\n");
	q_campaign_clear(&camp);
	return 0;
}

/* More would be a mailing, not a test. */
#define TEST_TO_MAX 20

/* --to A,B,C into normal form addresses; 0 or the exit code. */
static int
split_to(const char *arg, char **to, size_t *n)
{
	char *copy = xstrdup(arg), *p = copy, *one;
	struct err e = { 0, "" };
	int ex = 0;

	*n = 0;
	while (ex == 0 && (one = strsep(&p, ",")) != NULL) {
		if (*one == '\0')
			continue;
		if (*n == TEST_TO_MAX)
			ex = cli_error(EX_USAGE, "--to: at most %d addresses",
			    TEST_TO_MAX);
		else if ((to[*n] = addr_normalize(one, &e)) == NULL)
			ex = cli_error(EX_USAGE, "--to %s: %s", one, e.msg);
		else
			(*n)++;
	}
	if (ex == 0 && *n == 0)
		ex = cli_error(EX_USAGE, "--to: no address");
	free(copy);
	return ex;
}

/* Send the test copies now, replies and notices only; 0 or exit code. */
static int
send_now(struct cli *c, const struct hmac_key *key, size_t n)
{
	static const volatile sig_atomic_t never = 0;
	struct send_state state = { 0, 0 };
	struct send_stats s;
	struct send_opts o;
	struct err e = { 0, "" };

	memset(&o, 0, sizeof(o));
	o.cfg = c->cfg;
	o.key = key;
	o.stop = &never;
	o.stop_unreachable = true;
	o.urgent_only = true;
	/* libESMTP writes to sockets without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	if (send_pass(&o, &state, &s, &e) != 0)
		return cli_fail(&e);
	printf("test copy: %lld sent, %lld deferred, %lld failed of %zu\n",
	    (long long)s.sent, (long long)s.deferred, (long long)s.failed, n);
	if (s.unreachable || s.policy)
		return cli_error(EX_UNAVAILABLE, "%s", s.error);
	if (s.failed > 0)
		return cli_error(EX_UNAVAILABLE, "refused by the server (see "
		    "kring queue)");
	if (s.deferred > 0)
		return cli_error(EX_TEMPFAIL, "not taken yet; kringd or kring "
		    "send tries again");
	return 0;
}

int
cmd_newsletter_test(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "subject=", "to=", NULL };
	const char *v[2];
	char *pos[2], *to[TEST_TO_MAX];
	size_t nto = 0;
	int npos, ex;
	struct err e = { 0, "" };
	struct job j;
	int64_t cid;

	memset(&j, 0, sizeof(j));
	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 2, &npos)) != 0)
		return ex;
	if (npos != 2 || v[0] == NULL || v[1] == NULL)
		return cli_usage(c);
	if ((ex = split_to(v[1], to, &nto)) != 0 ||
	    (ex = job_open(c, pos[0], pos[1], v[0], &j)) != 0)
		goto out;
	if (store_begin(c->st, &e) != 0 ||
	    newsletter_test(&j.ctx, j.key, j.tpl, &j.nl, to, nto, &cid,
	    &e) != 0 || store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		ex = cli_fail(&e);
		goto out;
	}
	ex = send_now(c, j.key, nto);
out:
	for (size_t i = 0; i < nto; i++)
		free(to[i]);
	job_close(&j);
	return ex;
}

int
cmd_newsletter_unpublish(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { NULL };
	const char *v[1];
	char *pos[1], detail[32];
	int npos, ex, r;
	struct err e = { 0, "" };
	long long id;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if ((ex = newsletter_id(c, pos[0], &id)) != 0)
		return ex;
	snprintf(detail, sizeof(detail), "%lld", id);
	if (store_begin(c->st, &e) != 0 ||
	    (r = store_news_unpublish(c->st, id, &e)) < 0 ||
	    (r == 1 && store_event(c->st, c->now, "newsletter-unpublish", NULL,
	    NULL, NULL, detail, &e) != 0) || store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		return cli_fail(&e);
	}
	if (r == 0)
		return cli_error(EX_DATAERR, "%lld: no such newsletter (see kring "
		    "queue)", id);
	printf("newsletter %lld: its web version is taken down\n", id);
	return 0;
}
