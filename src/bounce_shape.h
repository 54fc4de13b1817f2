/*
 * bounce_shape - the failed addresses in the plain text of a bounce that
 * is not an RFC 3464 report (Exim, qmail, Postfix and Sendmail without
 * DSN, Exchange, Yahoo, AOL, GMX, Lotus Notes and the like).
 *
 * Those reports all put the failed addresses, each with the server's
 * reply near it, before a copy of the returned message; what differs
 * is the wording.  The text is cut where the returned message begins
 * (a separator line, or a block of header fields), and the addresses
 * left are taken, except the ones the caller names as not failed (the
 * report's own sender and recipient, the returned message's author)
 * and mailbox names of robots.  Each address gets the status code and
 * text of the lines after it.  Pure text in, addresses out.
 */
#ifndef KRING_BOUNCE_SHAPE_H
#define KRING_BOUNCE_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

#define SHAPE_MAX_ADDRS 50
#define SHAPE_CONTEXT_MAX 400

struct shape_addr {
	char *addr;                      /* as written, without <> */
	char context[SHAPE_CONTEXT_MAX]; /* its line and the reply after it */
};

struct shape_result {
	struct shape_addr *addrs; size_t n;
	bool delayed;                    /* the text says delivery goes on */
	bool failure_words;              /* the text says delivery failed */
};

/*
 * Read text (LF line ends) into out (free with shape_result_free);
 * exclude[0..nexclude) are addresses that are not failures (any case).
 */
void bounce_shape_read(const char *text, const char *const *exclude,
    size_t nexclude, struct shape_result *out);
void shape_result_free(struct shape_result *r);

#endif
