/*
 * cli_inbox - `kring inbox`: the inbound messages the office should
 * look at, and one of them as it arrived.
 *
 * One list of inbound messages with a state filter: by default what
 * the office must look at (--state office): the messages set aside
 * (state failed: processing failed, or never finished and so was given
 * up after three attempts) and the letters kept for the office (kept:
 * no office address to forward them to, or the writer over the reply
 * limit); with --state any state, kept, or all.
 * `inbox show ID` writes the raw message to stdout byte for byte, so
 * it can be saved, inspected or handed to `kring deliver` again.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "err.h"
#include "output.h"
#include "store.h"

static const char *const states[] = { "new", "done", "dropped", "failed",
	"kept", "office", "all", NULL };

struct inbox_arg {
	bool tsv;
	struct table *t;
};

static int
inbox_row(const struct store_inbound_info *in, void *arg)
{
	struct inbox_arg *a = arg;
	char id[24], when[32], tries[24];
	const char *none = a->tsv ? "" : "-";
	const char *cells[7];

	snprintf(id, sizeof(id), "%lld", (long long)in->id);
	snprintf(tries, sizeof(tries), "%lld", (long long)in->attempts);
	cli_format_when((time_t)in->received, a->tsv, when, sizeof(when));
	cells[0] = id;
	cells[1] = when;
	cells[2] = in->state;
	cells[3] = tries;
	cells[4] = in->envelope_rcpt ? in->envelope_rcpt : none;
	cells[5] = in->message_id ? in->message_id : none;
	cells[6] = in->result ? in->result : none;
	if (a->tsv)
		tsv_write(stdout, cells, 7);
	else
		table_row(a->t, cells);
	return 0;
}

int
cmd_inbox(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "state=", "tsv", NULL };
	static const char *const header[] = { "ID", "RECEIVED", "STATE",
		"ATTEMPTS", "TO", "MESSAGE-ID", "RESULT" };
	const char *v[2], *state = "office";
	char *pos[1];
	int npos, ex, known = 0;
	struct err e = { 0, "" };
	struct inbox_arg a;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 0, &npos)) != 0)
		return ex;
	if (v[0] != NULL) {
		for (size_t i = 0; states[i] != NULL; i++)
			known |= strcmp(states[i], v[0]) == 0;
		if (!known)
			return cli_error(EX_USAGE, "--state \"%s\": not one of "
			    "new, done, dropped, failed, kept, office, all", v[0]);
		state = v[0];
	}
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	a.tsv = v[1] != NULL;
	a.t = a.tsv ? NULL : table_new(false, 7, header);
	if (store_inbound_each(c->st, state, inbox_row, &a, &e) != 0)
		ex = cli_fail(&e);
	if (a.t != NULL)
		table_print(&a.t, stdout);
	return ex;
}

int
cmd_inbox_show(struct cli *c, int argc, char **argv)
{
	struct store_inbound_row row;
	struct err e = { 0, "" };
	char *end;
	long long id;
	int ex = 0, r;

	if (argc != 1)
		return cli_usage(c);
	errno = 0;
	id = strtoll(argv[0], &end, 10);
	if (argv[0][0] < '0' || argv[0][0] > '9' || *end != '\0' ||
	    errno != 0 || id <= 0)
		return cli_error(EX_DATAERR, "%s: not a message id (see kring "
		    "inbox)", argv[0]);
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	if ((r = store_inbound_get(c->st, (int64_t)id, &row, &e)) <= 0)
		return r < 0 ? cli_fail(&e) : cli_error(EX_DATAERR, "message %lld "
		    "does not exist", id);
	if (fwrite(row.raw, 1, row.size, stdout) != row.size ||
	    fflush(stdout) != 0)
		ex = cli_error(EX_IOERR, "stdout: %s", strerror(errno));
	store_inbound_row_clear(&row);
	return ex;
}
