/*
 * intake - take one raw inbound message into the store, whatever brought
 * it (the MTA pipe, a Maildir, IMAP, POP3).
 *
 * The raw bytes are committed first and processed later: a source may
 * forget a message (flag it seen, move or delete it) only after
 * intake_add() has returned 0.  A message is known by its digest: the
 * SHA-256 of the recipient it was addressed to, and of its Message-ID
 * and its body when it has a Message-ID (the same message reaching kring
 * by two paths differs only in its trace headers), else of all its
 * bytes.  The recipient is the envelope recipient when the MTA gives it,
 * else the topmost Delivered-To, without regard to case: one mail to two of
 * kring's addresses (a post to two lists) is two messages, each
 * delivered once.  Taking the same message again changes nothing, so a
 * crash between the commit and the source's flag never makes a message
 * processed twice.
 */
#ifndef KRING_INTAKE_H
#define KRING_INTAKE_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct store;

#define INTAKE_DIGEST_LEN 64         /* hex SHA-256 */
#define INTAKE_SOURCE_MAX 256
#define INTAKE_MSGID_MAX 998         /* one header line at most */

struct intake_msg {
	const char *raw;
	size_t len;
	uint64_t size;               /* when raw is only the start: the whole; 0: len */
	const char *source;          /* "pipe", "maildir:/path", "imap:host/INBOX" */
	const char *source_uid;      /* the source's own id, or NULL */
	const char *envelope_rcpt;   /* from the MTA, or NULL */
	int64_t received;
};

/* The outcome of intake_add. */
enum intake_result {
	INTAKE_STORED,               /* new, committed, state 'new' */
	INTAKE_DUPLICATE,            /* seen before: nothing changed */
};

/* What is kept of a message over max_size: its header, at most this. */
#define INTAKE_HEAD_MAX (64 * 1024)

/*
 * Commit m's raw bytes to the store (a transaction of its own), *res
 * saying whether it was new, *id its inbound row (the earlier one for a
 * duplicate, when known).  Of a message larger than max_size only the
 * header is kept (at most INTAKE_HEAD_MAX bytes) with its size, so that
 * it can be answered (a post is refused, its author told); raw then
 * need hold no more than that.  -1 with e: EX_TEMPFAIL when the store
 * is busy, the store's codes otherwise.
 */
int intake_add(struct store *st, const struct intake_msg *m, int64_t max_size,
    enum intake_result *res, int64_t *id, struct err *e);

/*
 * The digest of a raw message addressed to envelope_rcpt (NULL when
 * not known; see above), and its Message-ID (without the angle
 * brackets, NULL when there is none; free it).
 */
void intake_digest(const char *raw, size_t len, const char *envelope_rcpt,
    char out[INTAKE_DIGEST_LEN + 1], char **message_id);

#endif
