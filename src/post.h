/*
 * post - mail to a list's post address L+LIST@D (SPEC "Posts and
 * digests"): accepted, held for a moderator or refused by the list's
 * policy, approved or rejected by a moderator, and the copies the
 * members in mode `each` get.
 *
 * Every post is stored whatever becomes of it, so the office can see
 * what was refused.  A copy goes out From "NAME via LIST NAME"
 * <L+LIST@D> with the author in Reply-To (DMARC), the author's
 * Message-ID on every copy, a "[LIST] " Subject prefix and the list
 * footer once (compose_post.h).  The author hears of a held, refused,
 * approved or rejected post by mail, in the list's language.
 * Everything, the mails included, happens in the caller's
 * transaction, and each step is an event in the log.
 */
#ifndef KRING_POST_H
#define KRING_POST_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;
struct mime_msg;
struct notifier;

/* A post as it arrived. */
struct post_mail {
	const char *list_id;         /* from the address it was sent to */
	const char *addr;            /* the author, normal form */
	const struct mime_msg *m;    /* the post, parsed */
	const char *raw;             /* its bytes as they arrived */
	size_t len;
	int64_t full_size;           /* over max_message_size: raw is its header */
	int64_t inbound_id;
};

/*
 * Take post pm.  n answers the author (CAMPAIGN_REPLY, within the
 * reply limit); a post to a list that does not exist is answered as a
 * command for it would be, one over max_message_size is refused
 * (reason too_large) whatever the list's policy.  A short text of what came of it for the
 * inbound log is appended to result.  -1 and e when the store fails or
 * a mail cannot be made.
 */
int post_receive(struct notifier *n, const struct post_mail *pm,
    struct buf *result, struct err *e);

/*
 * A moderator's decision on held post id: approve queues it to the
 * members as an accepted post (*queued copies) and tells the author;
 * reject tells the author, with reason when not NULL or "".  -1 and
 * EX_DATAERR "post N does not exist" or "post N is not held (it is
 * accepted)"; other errors as post_receive.
 */
int post_approve(struct notifier *n, int64_t id, int64_t *queued,
    struct err *e);
int post_reject(struct notifier *n, int64_t id, const char *reason,
    struct err *e);

#endif
