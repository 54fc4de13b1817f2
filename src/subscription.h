/*
 * subscription - what one mail command does to a person's
 * subscriptions: double opt-in requests, confirmations, one-click
 * unsubscribes, digest switches, and the mails each causes (SPEC
 * "Commands by mail").
 *
 * A request only sends a confirmation mail with a fresh token; nothing
 * changes until the token comes back, so a forged request costs the
 * victim one mail at most, and no more than confirm_limit a day.  A
 * confirmation records consent (time, the request's and the
 * confirmation's Message-ID).  Everything runs inside the caller's
 * transaction, together with the queueing of the mails.
 */
#ifndef KRING_SUBSCRIPTION_H
#define KRING_SUBSCRIPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "command.h"
#include "model.h"

struct err;
struct notifier;
struct notify_thread;

/* Who asked, and in which mail. */
struct request {
	struct notifier *n;
	enum lang lang;              /* of the mails the commands cause */
	const char *addr;            /* the sender, normal form */
	const char *name;            /* the sender's display name, may be "" */
	int64_t person_id;           /* the sender as a person */
	const char *msgid;           /* Message-ID of the mail, may be NULL */
	const struct notify_thread *thread;
	/*
	 * How the request came: NULL for a mail, "web" for kringd's web
	 * endpoint.  It goes into the event log and the consent record.
	 */
	const char *via;
	bool letter;                 /* read from a letter, not written as commands */
};

/* What came of one command, for the reply (templates/README.md). */
struct result {
	/*
	 * The result flag of reply.txt ("subscribe_confirm_sent", ...);
	 * NULL when there is nothing to say (a request over confirm_limit,
	 * dropped without a word).
	 */
	const char *flag;
	bool mailed;                 /* a mail of its own said it already */
	char list_id[COMMAND_ARG_MAX + 1];
	char *list_name;             /* "" when unknown; free it */
	bool digest;
	char *text;                  /* the archive's lines; NULL none; freed */
	char number[24];             /* a post's number, for the reply */
};

void result_clear(struct result *r);

/* Carry out command c of request rq. */
int subscription_run(const struct request *rq, const struct command *c,
    struct result *out, struct err *e);

/*
 * The one-click unsubscribe of L+LIST-unsubscribe-TOKEN@D: token must
 * be the personal token of a subscription to list; then it ends at once
 * and a goodbye goes to the subscriber.  A wrong token is flagged
 * confirm_unknown.
 */
int subscription_one_click(const struct request *rq, const char *list,
    const char *token, struct result *out, struct err *e);

/*
 * Carry out the pending action of confirmation token token, as
 * `confirm TOKEN` does: flags subscribed, unsubscribed,
 * unsubscribed_all, not_subscribed, not_subscribed_any,
 * confirm_unknown (no such token, or used) or confirm_expired.
 */
int subscription_confirm(const struct request *rq, const char *token,
    struct result *out, struct err *e);

/*
 * Invite a person the office imported as pending to list l (mode as
 * imported): a confirmation request in the list's language saying the
 * office asks.  1 sent, 0 held back by confirm_limit.  rq->msgid and
 * rq->thread are NULL: no mail of theirs is answered.
 */
int subscription_invite(const struct request *rq, const struct list *l,
    enum sub_mode mode, struct err *e);

#endif
