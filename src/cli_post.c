/*
 * cli_post - moderation: `kring held`, `kring approve`, `kring reject`.
 *
 * A decision is one transaction with every mail it queues (the copies
 * to the members, the note to the author), so it happens whole or not
 * at all; the daemon or `kring send` sends them.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "ctx.h"
#include "err.h"
#include "model.h"
#include "notify.h"
#include "output.h"
#include "post.h"
#include "store.h"

#define REASON_MAX 2000

struct held_arg {
	bool tsv;
	struct table *t;
};

static int
held_row(const struct post *p, void *arg)
{
	struct held_arg *a = arg;
	char id[24], when[32];
	const char *cells[5];

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	cli_format_when((time_t)p->created, a->tsv, when, sizeof(when));
	cells[0] = id;
	cells[1] = p->list_id;
	cells[2] = when;
	cells[3] = p->from_addr;
	cells[4] = p->subject ? p->subject : "";
	if (a->tsv)
		tsv_write(stdout, cells, 5);
	else
		table_row(a->t, cells);
	return 0;
}

int
cmd_held(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "tsv", NULL };
	static const char *const header[] = { "ID", "LIST", "CREATED", "FROM",
		"SUBJECT" };
	const char *v[1];
	char *pos[1];
	int npos, ex;
	struct err e = { 0, "" };
	struct held_arg a;
	struct list l;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	if (npos == 1) {
		if ((ex = cli_list_need(c, pos[0], &l)) != 0)
			return ex;
		list_clear(&l);
	}
	a.tsv = v[0] != NULL;
	a.t = a.tsv ? NULL : table_new(false, 5, header);
	if (store_post_each(c->st, npos == 1 ? pos[0] : NULL, POST_HELD, false,
	    false, held_row, &a, &e) != 0)
		ex = cli_fail(&e);
	if (a.t != NULL)
		table_print(&a.t, stdout);
	return ex;
}

static int
post_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v <= 0)
		return cli_error(EX_DATAERR, "%s: not a post id (see kring held)",
		    s);
	*id = (int64_t)v;
	return 0;
}

enum decision { APPROVE, REJECT };

/* Everything a decision needs, then the decision in one transaction. */
static int
decide(struct cli *c, int64_t id, enum decision d, const char *reason)
{
	struct err e = { 0, "" };
	const struct hmac_key *key;
	const struct render_set *tpl;
	struct kr_ctx ctx;
	struct notifier n;
	int64_t queued = 0;
	int ex = 0, rc;

	if (cli_store(c, false, &ex) == NULL || (key = cli_key(c, &ex)) == NULL ||
	    (tpl = cli_templates(c, &ex)) == NULL)
		return ex;
	ctx = (struct kr_ctx){ c->cfg, c->st, c->now };
	n = (struct notifier){ &ctx, key, tpl, CAMPAIGN_NOTICE, 0 };
	if (store_begin(c->st, &e) != 0)
		return cli_fail(&e);
	rc = d == APPROVE ? post_approve(&n, id, &queued, &e) :
	    post_reject(&n, id, reason, &e);
	if (rc != 0 || store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		return cli_fail(&e);
	}
	if (d == APPROVE)
		printf("post %lld approved: %lld copies queued\n", (long long)id,
		    (long long)queued);
	else
		printf("post %lld rejected\n", (long long)id);
	return 0;
}

int
cmd_approve(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int ex;

	if (argc != 1 || argv[0][0] == '-')
		return cli_usage(c);
	if ((ex = post_id(argv[0], &id)) != 0)
		return ex;
	return decide(c, id, APPROVE, NULL);
}

int
cmd_reject(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "reason=", NULL };
	const char *v[1], *why;
	char *pos[1];
	int64_t id;
	int npos, ex;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if ((ex = post_id(pos[0], &id)) != 0)
		return ex;
	if (v[0] != NULL && (why = model_text_problem(v[0], REASON_MAX)) != NULL)
		return cli_error(EX_DATAERR, "--reason: %s", why);
	return decide(c, id, REJECT, v[0]);
}
