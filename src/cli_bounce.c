/*
 * cli_bounce - `kring bounce parse FILE [--tsv]`: the addresses a bounce
 * names as failed, one per line, as bounce processing reads them; with
 * --tsv also the status and the kind (hard, soft, policy, or delay for
 * a delay, which is no failure).
 *
 * Needs neither the configuration nor the store, so a bounce can be
 * looked at anywhere.  Exit 0 when at least one address was found, 65
 * (EX_DATAERR) when the mail is no bounce or names no address, 66
 * (EX_NOINPUT) when the file cannot be read.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bounce_read.h"
#include "buf.h"
#include "cli.h"
#include "err.h"

/* Larger files are no bounce kring would take (max_message_size's range). */
#define BOUNCE_FILE_MAX ((size_t)64 << 20)

int
cmd_bounce_parse(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "tsv", NULL };
	const char *v[1];
	char *pos[1];
	struct buf raw;
	struct bounce_result r;
	struct err e = { 0, "" };
	int npos, ex;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if ((ex = cli_read_file(pos[0], BOUNCE_FILE_MAX, &raw)) != 0) {
		buf_free(&raw);
		return ex;
	}
	if (bounce_read(raw.data ? raw.data : "", raw.len, &r, &e) != 0) {
		buf_free(&raw);
		return cli_fail(&e);
	}
	buf_free(&raw);
	for (size_t i = 0; i < r.n; i++)
		if (v[0] != NULL)
			printf("%s\t%s\t%s\n", r.rcpts[i].addr, r.rcpts[i].status,
			    r.rcpts[i].delayed ? "delay" :
			    bounce_kind_name(r.rcpts[i].kind));
		else
			printf("%s\n", r.rcpts[i].addr);
	ex = 0;
	if (r.n == 0)
		ex = cli_error(EX_DATAERR, "%s: %s", pos[0], r.auto_reply ?
		    "not a bounce (an automatic reply)" : r.challenge ?
		    "not a bounce (a challenge to confirm the sender)" : r.bounce ||
		    strcmp(r.shape, "dsn-success") == 0 ?
		    "names no failed address" : "not a bounce");
	bounce_result_free(&r);
	return ex;
}
