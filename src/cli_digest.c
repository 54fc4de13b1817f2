/*
 * cli_digest - `kring digest queue LIST` (make the digest of the posts
 * since the last one and queue it for the digest members now) and
 * `kring digest preview LIST` (the message one member would get, on
 * standard output, recording nothing).
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "cli.h"
#include "ctx.h"
#include "digest.h"
#include "err.h"
#include "model.h"
#include "store.h"

/* The one LIST argument, the store, the templates and the list. */
static int
setup(struct cli *c, int argc, char **argv, struct list *l,
    const struct render_set **tpl)
{
	static const char *const specs[] = { NULL };
	const char *vals[1];
	char *pos[1];
	int npos, ex = 0;

	if (cli_getopt(c, argc, argv, specs, vals, pos, 1, &npos) != 0)
		return EX_USAGE;
	if (npos != 1)
		return cli_usage(c);
	if (cli_store(c, false, &ex) == NULL ||
	    (*tpl = cli_templates(c, &ex)) == NULL)
		return ex;
	return cli_list_need(c, pos[0], l);
}

static void
say_waiting(const struct digest_result *res)
{
	if (res->left_out > 0)
		printf("  %zu of them could not go in whole: a note stands in "
		    "their place\n", res->left_out);
	if (res->waiting > 0)
		printf("  %lld more %s for the next digest\n",
		    (long long)res->waiting, res->waiting == 1 ? "post waits" :
		    "posts wait");
}

int
cmd_digest_queue(struct cli *c, int argc, char **argv)
{
	const struct render_set *tpl = NULL;
	const struct hmac_key *key;
	struct digest_result res;
	struct list l;
	struct err e = { 0, "" };
	struct kr_ctx ctx;
	int ex;

	memset(&l, 0, sizeof(l));
	if ((ex = setup(c, argc, argv, &l, &tpl)) != 0)
		goto out;
	if ((key = cli_key(c, &ex)) == NULL)
		goto out;
	ctx.cfg = c->cfg;
	ctx.st = c->st;
	ctx.now = c->now;
	if (store_begin(c->st, &e) != 0 ||
	    digest_queue(&ctx, key, tpl, &l, NULL, &res, &e) != 0 ||
	    store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		ex = cli_fail(&e);
		goto out;
	}
	if (res.digest_id == 0)
		printf("no new posts in %s since its last digest: nothing to "
		    "send\n", l.id);
	else {
		printf("digest %d/%d of %s: %zu %s, queued for %lld %s\n",
		    res.volume, res.issue, l.id, res.posts,
		    res.posts == 1 ? "post" : "posts", (long long)res.queued,
		    res.queued == 1 ? "member" : "members");
		say_waiting(&res);
	}
out:
	list_clear(&l);
	return ex;
}

int
cmd_digest_preview(struct cli *c, int argc, char **argv)
{
	const struct render_set *tpl = NULL;
	struct digest_result res;
	struct list l;
	struct buf msg = BUF_INIT;
	struct err e = { 0, "" };
	struct kr_ctx ctx;
	int ex;

	memset(&l, 0, sizeof(l));
	if ((ex = setup(c, argc, argv, &l, &tpl)) != 0)
		goto out;
	ctx.cfg = c->cfg;
	ctx.st = c->st;
	ctx.now = c->now;
	if (digest_preview(&ctx, tpl, &l, &msg, &res, &e) != 0) {
		ex = cli_fail(&e);
		goto out;
	}
	if (res.posts == 0) {
		fprintf(stderr, "kring: no new posts in %s since its last "
		    "digest: nothing to preview\n", l.id);
		goto out;
	}
	if (fwrite(msg.data, 1, msg.len, stdout) != msg.len)
		ex = cli_error(EX_IOERR, "stdout: write error");
out:
	buf_free(&msg);
	list_clear(&l);
	return ex;
}
