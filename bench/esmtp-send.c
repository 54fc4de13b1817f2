/*
 * esmtp-send - the smallest libESMTP sender: the ceiling of any program
 * that sends through libESMTP 1.1, for bench/send and bench/postfix.
 *
 *   esmtp-send HOST:PORT MESSAGE N CONNECTIONS PER_CONNECTION
 *
 * Sends N copies of the file MESSAGE (CRLF lines, headers first), each
 * to its own recipient lidNNNNNN@example.net, over CONNECTIONS parallel
 * processes that each open sessions of up to PER_CONNECTION messages,
 * as kring send does.  The message callback hands libESMTP the whole
 * file in one piece, and every TCP socket gets TCP_NODELAY when it has
 * connected, as kring's own sender does.  No queue, no store, no log:
 * what is left is libESMTP's own cost.  Exits 0 when every message got
 * a 2xx for its data, 1 otherwise.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libesmtp.h>

struct body {
	const char *p;
	size_t len;
	int done;
};

static const char *
reader(void **ctx, int *len, void *arg)
{
	struct body *b = arg;

	(void)ctx;
	if (len == NULL) {
		b->done = 0;
		return NULL;
	}
	*len = b->done ? 0 : (int)b->len;
	b->done = 1;
	return *len ? b->p : NULL;
}

/* The session's socket is libESMTP's: every TCP socket we hold is it. */
static void
on_event(smtp_session_t s, int event, void *arg, ...)
{
	int one = 1;

	(void)s;
	(void)arg;
	if (event != SMTP_EV_CONNECT)
		return;
	for (int fd = 3; fd < 64; fd++)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* One session of messages first .. first+n-1; the number delivered. */
static long
session(const char *server, const char *msg, size_t len, long first, long n)
{
	smtp_session_t s = smtp_create_session();
	struct body *bodies = calloc((size_t)n, sizeof(*bodies));
	smtp_message_t *msgs = calloc((size_t)n, sizeof(*msgs));
	long ok = 0;

	if (s == NULL || bodies == NULL || msgs == NULL ||
	    !smtp_set_server(s, server) || !smtp_set_hostname(s, "bench.example.org"))
		return 0;
	smtp_set_eventcb(s, on_event, NULL);
	for (long i = 0; i < n; i++) {
		char rcpt[64];

		snprintf(rcpt, sizeof(rcpt), "lid%06ld@example.net", first + i);
		bodies[i] = (struct body){ msg, len, 0 };
		msgs[i] = smtp_add_message(s);
		smtp_set_reverse_path(msgs[i], "bounce@example.org");
		smtp_set_messagecb(msgs[i], reader, &bodies[i]);
		smtp_add_recipient(msgs[i], rcpt);
	}
	if (smtp_start_session(s))
		for (long i = 0; i < n; i++)
			ok += smtp_message_transfer_status(msgs[i])->code / 100 == 2;
	smtp_destroy_session(s);
	free(bodies);
	free(msgs);
	return ok;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	char *msg;
	long n, conns, per, failed = 0;
	int fd, status;

	if (argc != 6) {
		fprintf(stderr, "usage: esmtp-send HOST:PORT MESSAGE N CONNECTIONS "
		    "PER_CONNECTION\n");
		return 2;
	}
	n = atol(argv[3]);
	conns = atol(argv[4]);
	per = atol(argv[5]);
	if ((fd = open(argv[2], O_RDONLY)) < 0 || fstat(fd, &sb) != 0 ||
	    (msg = malloc((size_t)sb.st_size)) == NULL ||
	    read(fd, msg, (size_t)sb.st_size) != sb.st_size || n < 1 ||
	    conns < 1 || per < 1) {
		perror(argv[2]);
		return 2;
	}
	close(fd);
	for (long c = 0; c < conns; c++) {
		if (fork() != 0)
			continue;
		/* Process c sends messages c*share .. its share's end. */
		long share = (n + conns - 1) / conns, lo = c * share;
		long hi = lo + share < n ? lo + share : n, sent = 0;

		for (long i = lo; i < hi; i += per)
			sent += session(argv[1], msg, (size_t)sb.st_size, i,
			    hi - i < per ? hi - i : per);
		_exit(lo >= hi || sent == hi - lo ? 0 : 1);
	}
	while (wait(&status) > 0)
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	return failed ? 1 : 0;
}
