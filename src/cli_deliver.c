/*
 * cli_deliver - `kring deliver [-r RECIPIENT]`: one message from the MTA
 * on standard input, as Postfix's pipe(8) or a local alias hands it over.
 *
 * The exit code is the MTA's only news of the message.  0 means it is in
 * the store and the MTA may forget it: nothing after that can lose it.
 * Anything that may pass (a busy or missing store, a broken config, a
 * full disk) is 75, so the MTA keeps the message and tries again; only a
 * message that can never be taken (empty) is refused for good, and the
 * MTA returns it to its sender with the reason.  One larger than
 * max_message_size is taken without its body (intake.h), so that kring
 * answers it as it answers any refused post.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "intake.h"
#include "log.h"
#include "store.h"

/* Read all of fd, *total bytes, into b: no more than max plus one read. */
static int
read_all(int fd, struct buf *b, int64_t max, uint64_t *total, struct err *e)
{
	char chunk[65536];

	*total = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, EX_TEMPFAIL, "standard input: %s",
			    strerror(errno));
		}
		*total += (uint64_t)n;
		/* Past max only the size counts: intake keeps the header. */
		if ((int64_t)b->len <= max)
			buf_add(b, chunk, (size_t)n);
	}
}

/* An error the MTA should retry, except the message's own faults. */
static int
deliver_fail(const struct err *e)
{
	struct err t = *e;

	if (t.ex != EX_DATAERR && t.ex != EX_NOINPUT && t.ex != EX_USAGE)
		t.ex = EX_TEMPFAIL;
	return cli_fail(&t);
}

int
cmd_deliver(struct cli *c, int argc, char **argv)
{
	const struct config *cfg;
	const char *rcpt = getenv("ORIGINAL_RECIPIENT");
	struct store *st;
	struct buf raw;
	struct err e = { 0, "" };
	struct intake_msg m;
	enum intake_result res;
	int64_t id = 0;
	uint64_t total;
	int ex;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			rcpt = argv[++i];
		else if (strncmp(argv[i], "--recipient=", 12) == 0)
			rcpt = argv[i] + 12;
		else
			return cli_usage(c);
	}
	if (rcpt != NULL && (rcpt[0] == '\0' || strlen(rcpt) > ADDR_MAX ||
	    strpbrk(rcpt, "\r\n") != NULL))
		return cli_error(EX_USAGE, "-r %.80s: not an address", rcpt);
	if ((cfg = cli_config(c, &ex)) == NULL)
		return EX_TEMPFAIL;
	buf_init(&raw, 0);
	if (read_all(STDIN_FILENO, &raw, cfg->max_message_size, &total,
	    &e) != 0) {
		buf_free(&raw);
		return deliver_fail(&e);
	}
	if (raw.len == 0) {
		buf_free(&raw);
		return cli_error(EX_NOINPUT, "no message on standard input");
	}
	if ((st = cli_store(c, false, &ex)) == NULL) {
		buf_free(&raw);
		return EX_TEMPFAIL;
	}
	memset(&m, 0, sizeof(m));
	m.raw = raw.data;
	m.len = raw.len;
	m.size = total;
	m.source = "pipe";
	m.envelope_rcpt = rcpt;
	m.received = (int64_t)c->now;
	ex = intake_add(st, &m, cfg->max_message_size, &res, &id, &e);
	buf_free(&raw);
	if (ex != 0) {
		log_event(LV_WARN, "event=deliver result=refused rcpt=%s "
		    "error=%s", rcpt ? rcpt : "-", e.msg);
		return deliver_fail(&e);
	}
	log_event(LV_INFO, "event=deliver result=%s inbound=%lld rcpt=%s",
	    res == INTAKE_STORED ? "stored" : "duplicate", (long long)id,
	    rcpt ? rcpt : "-");
	return EX_OK;
}
