/*
 * archive_mail - a CoP's archive by mail, for its members: "archief
 * LIST" (the latest ARCHIVE_MAIL_THREADS threads with their numbers),
 * "bericht LIST N" (post N, attached as message/rfc822 to a mail of its
 * own) and "zoek LIST WOORDEN" (the first ARCHIVE_MAIL_HITS hits), and
 * their English words (SPEC "Commands by mail").
 *
 * Only an active member of a CoP whose archive is not "none" is
 * answered with its contents; anyone else gets archive_members_only,
 * whether or not the list has posts.  Only accepted posts are listed,
 * found or sent.  Called by subscription_run inside its transaction;
 * the mail of a post is queued in it.
 */
#ifndef KRING_ARCHIVE_MAIL_H
#define KRING_ARCHIVE_MAIL_H

#define ARCHIVE_MAIL_THREADS 20
#define ARCHIVE_MAIL_HITS 10

struct command;
struct err;
struct request;
struct result;

/* Carry out c (CMD_ARCHIVE, CMD_GET or CMD_SEARCH) for rq into out. */
int archive_mail_run(const struct request *rq, const struct command *c,
    struct result *out, struct err *e);

#endif
