/*
 * reply - the one answer to a command mail: per command what came of
 * it, with the lists, the sender's subscriptions and help where a
 * result asks for them (templates reply.txt, lists.txt, which.txt,
 * help.txt).
 */
#ifndef KRING_REPLY_H
#define KRING_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "command.h"
#include "subscription.h"

struct err;

/* true when some result is not yet told by a mail of its own. */
bool reply_needed(const struct result *res, size_t n);

/* Queue the reply to rq's sender for commands cmds[i] with results res[i]. */
int reply_send(const struct request *rq, const struct command *cmds,
    const struct result *res, size_t n, bool too_many, struct err *e);

#endif
