/*
 * notify - the mails kring writes to one person (replies, confirmation
 * requests, welcome and goodbye), from a template into the outgoing
 * queue.
 *
 * The variables every template has (address, local, domain, delimiter,
 * help_address, person_address, person_name) are set here; the caller
 * sets the template's own.  Everything is queued inside the caller's
 * transaction, so a reply commits together with what its commands
 * changed, or not at all.
 */
#ifndef KRING_NOTIFY_H
#define KRING_NOTIFY_H

#include <stdint.h>

#include "model.h"

struct config;
struct err;
struct hmac_key;
struct kr_ctx;
struct render_set;
struct render_vars;

struct notifier {
	const struct kr_ctx *ctx;
	const struct hmac_key *key;
	const struct render_set *tpl;
	/*
	 * CAMPAIGN_REPLY for what answers a person's mail (Auto-Submitted:
	 * auto-replied), CAMPAIGN_NOTICE for what kring starts itself
	 * (auto-generated), as SPEC's Loops section says.
	 */
	enum campaign_kind kind;
	/* The campaign the mails of this run go in; 0 until the first. */
	int64_t campaign_id;
};

struct notify_to {
	const char *addr;            /* normal form */
	const char *name;            /* may be NULL */
	int64_t person_id;           /* 0 when not a known person */
};

/* The mail being answered, for In-Reply-To and References. */
struct notify_thread {
	const char *message_id;      /* without <>; may be NULL */
	const char *references;      /* raw References of that mail; may be NULL */
	const char *in_reply_to;     /* its In-Reply-To, without <>; may be NULL */
};

/*
 * Render template name in lang for to, with v (the common variables are
 * added to it), and queue it.  reply_to may be NULL.  -1 and e when the
 * template cannot be filled (EX_SOFTWARE) or the mail cannot be made
 * (EX_DATAERR) or queued.
 */
int notify_mail(struct notifier *n, enum lang lang, const char *name,
    struct render_vars *v, const struct notify_to *to, const char *reply_to,
    const struct notify_thread *thread, struct err *e);
/*
 * The same with a stored message attached after the text: raw (len
 * bytes) as message/rfc822 (compose_forward.h; seed makes its
 * boundary).  raw NULL: as notify_mail.
 */
int notify_mail_attached(struct notifier *n, enum lang lang,
    const char *name, struct render_vars *v, const struct notify_to *to,
    const char *reply_to, const struct notify_thread *thread,
    const char *raw, size_t len, uint64_t seed, struct err *e);

/*
 * The sub-address L DELIM LIST WHAT @ D, e.g. list "kinderopvang" and
 * what "-subscribe", or "confirm-" and a token; free it.
 */
struct list;
char *notify_sub_address(const struct config *cfg, const char *list,
    const char *what);

/*
 * Set the variables every template has (see the top of this file) in
 * v, for a mail to `to`; for texts that are the same for everyone (a
 * newsletter, a list footer), to->addr and to->name may be "".
 */
void notify_common_vars(const struct config *cfg, const struct notify_to *to,
    struct render_vars *v);

/*
 * The web page for a token, unsubscribe_url "/" what "/" token ("u" to
 * unsubscribe, "c" to confirm), or NULL when unsubscribe_url is not
 * set; free it.
 */
char *notify_web_url(const struct config *cfg, const char *what,
    const char *token);

/* Append list l as an item of list variable var (id, name, ...). */
void notify_list_item(const struct config *cfg, struct render_vars *v,
    const char *var, const struct list *l);

/*
 * Whether addr may have one more answer to its mail: no address gets
 * more than NOTIFY_REPLY_LIMIT in 24 hours (SPEC "Loops"), counted by
 * the "reply" events in the log.  1 yes, 0 no (logged), -1 error.
 */
#define NOTIFY_REPLY_LIMIT 10
int notify_reply_allowed(const struct kr_ctx *ctx, const char *addr,
    struct err *e);

/* Forget the run's campaign (after a rolled-back transaction made it void). */
void notify_forget(struct notifier *n);

#endif
