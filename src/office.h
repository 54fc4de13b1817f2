/*
 * office - a person's mail that kring cannot answer by itself, handed
 * to the people who read the programme's mail (`office` in kring.conf;
 * SPEC "Commands by mail").
 *
 * With `office` set, the mail is forwarded there: from kring's own
 * address (so it passes DMARC), with Reply-To the writer, the
 * original's Subject, its text readable at once and the original
 * attached whole.  The forward counts towards the writer's reply limit,
 * so nobody can fill the office's mailbox through kring; over the
 * limit, and with no `office`, the mail is kept in the store for
 * `kring inbox` instead.  Either way it is logged, and never lost.
 * Runs inside the caller's transaction.
 */
#ifndef KRING_OFFICE_H
#define KRING_OFFICE_H

#include <stddef.h>

struct command;
struct err;
struct mime_msg;
struct notifier;
struct result;
struct store_inbound_row;

struct office_letter {
	const struct store_inbound_row *row;
	const struct mime_msg *m;
	const char *sender;          /* the writer, normal form */
	/* What kring did with it already (may be n = 0). */
	const struct command *cmds;
	const struct result *res;
	size_t n;
};

/*
 * Hand the letter on.  *what says what became of it for the message's
 * result ("forwarded to the office", "kept for the office").
 */
int office_hand(struct notifier *n, const struct office_letter *l,
    const char **what, struct err *e);

#endif
