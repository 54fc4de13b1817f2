/*
 * model - the nouns of SPEC: lists, people, subscriptions, and the fixed
 * word sets they are described with.
 *
 * Each enum has one table that names its values, so the CLI, the store
 * and the mail commands spell them the same way.  Records own their
 * strings; *_clear frees them and zeroes the record.
 */
#ifndef KRING_MODEL_H
#define KRING_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum list_kind { LIST_COP, LIST_NEWSLETTER };
enum list_policy { POLICY_MEMBERS, POLICY_MODERATED, POLICY_CLOSED };
enum list_digest { DIGEST_NONE, DIGEST_WEEKLY, DIGEST_MONTHLY };
/* Who reads a list's archive on the web: its members, anyone, nobody. */
enum list_archive { ARCHIVE_MEMBERS, ARCHIVE_PUBLIC, ARCHIVE_NONE };
enum lang { LANG_NL, LANG_EN };
enum sub_state { SUB_PENDING, SUB_ACTIVE, SUB_DISABLED, SUB_UNSUBSCRIBED };
enum sub_mode { MODE_EACH, MODE_DIGEST };
/* What a group of outgoing mail is (a campaign, see store.h). */
enum campaign_kind { CAMPAIGN_REPLY, CAMPAIGN_NOTICE, CAMPAIGN_POST,
	CAMPAIGN_NEWSLETTER, CAMPAIGN_DIGEST };
/*
 * A post to a list: accepted (sent, and kept for the digest), held for
 * a moderator, rejected by one, refused outright (closed or announce
 * list).
 */
enum post_state { POST_ACCEPTED, POST_HELD, POST_REJECTED, POST_REFUSED };
/* Where one delivery of a message to one recipient stands. */
enum queue_state { QUEUE_QUEUED, QUEUE_SENDING, QUEUE_SENT, QUEUE_DEFERRED,
	QUEUE_FAILED, QUEUE_CANCELLED };

/* Name of a value ("cop", "moderated", ...). */
const char *list_kind_name(enum list_kind v);
const char *list_policy_name(enum list_policy v);
const char *list_digest_name(enum list_digest v);
const char *lang_name(enum lang v);
const char *sub_state_name(enum sub_state v);
const char *sub_mode_name(enum sub_mode v);

/* Parse a name (exact, lower case): 0 ok, -1 unknown. */
int list_kind_parse(const char *s, enum list_kind *v);
int list_policy_parse(const char *s, enum list_policy *v);
int list_digest_parse(const char *s, enum list_digest *v);
int lang_parse(const char *s, enum lang *v);
int sub_state_parse(const char *s, enum sub_state *v);
int sub_mode_parse(const char *s, enum sub_mode *v);
const char *campaign_kind_name(enum campaign_kind v);
int campaign_kind_parse(const char *s, enum campaign_kind *v);
const char *post_state_name(enum post_state v);
int post_state_parse(const char *s, enum post_state *v);
const char *queue_state_name(enum queue_state v);
int queue_state_parse(const char *s, enum queue_state *v);

/* "cop|newsletter": the accepted words, for usage and error messages. */
const char *list_kind_words(void);
const char *list_policy_words(void);
const char *list_digest_words(void);
const char *lang_words(void);
const char *sub_state_words(void);
const char *sub_mode_words(void);
const char *campaign_kind_words(void);
const char *post_state_words(void);
const char *queue_state_words(void);
const char *list_archive_name(enum list_archive v);
int list_archive_parse(const char *s, enum list_archive *v);
const char *list_archive_words(void);

#define LIST_NAME_MAX 200
#define LIST_DESCRIPTION_MAX 2000
#define PERSON_NAME_MAX 200
#define LIST_ALIAS_MAX 64
#define LIST_ALIASES_MAX 16

struct list {
	char *id;
	char *name;
	char *description;
	enum list_kind kind;
	enum lang lang;
	enum list_policy policy;
	enum list_digest digest;
	int64_t created;
	char *aliases;          /* "jgz,gezond": other words for it; "" none */
};

struct person {
	int64_t id;
	char *email;
	char *name;
	int64_t created;
};

struct sub {
	int64_t person_id;
	char *list_id;
	char *email;
	char *name;
	enum sub_state state;
	enum sub_mode mode;
	int64_t created;
	int64_t updated;
	char *consent;          /* how consent was given: admin, import, mail */
	int64_t consent_at;     /* 0: none recorded */
};

/* A stored post; raw is its bytes as they arrived (CRLF or LF). */
struct post {
	int64_t id;
	char *list_id;
	int64_t inbound_id;     /* 0: none */
	int64_t person_id;      /* 0: not a known person */
	char *from_addr;
	char *from_name;
	char *subject;          /* decoded, UTF-8 */
	char *message_id;       /* without brackets; may be NULL */
	char *raw;              /* NULL when not loaded */
	size_t raw_len;
	enum post_state state;
	char *reason;           /* a moderator's reason; may be NULL */
	int64_t created;
	int64_t decided_at;     /* 0: not decided */
	int64_t digest_id;      /* 0: in no digest yet */
	int64_t campaign_id;    /* 0: not sent */
	/* Given to store_post_add only; never filled by the store: */
	const char *body;       /* the text, UTF-8 (mime.h); may be NULL */
	const char *in_reply_to;  /* msg-id without <>; may be NULL */
	const char *references; /* "<a> <b>"; may be NULL */
};

void list_clear(struct list *l);
void post_clear(struct post *p);
void person_clear(struct person *p);
void sub_clear(struct sub *s);

/*
 * Validate free text a person typed for a name or description: UTF-8, no
 * control characters (CR, LF, NUL, ...), at most max bytes.  NULL when
 * fine, else a static reason ("contains a line break").
 */
const char *model_text_problem(const char *s, size_t max);

/*
 * Read the words of `--alias W1,W2`: each lower-cased with the blanks
 * around it dropped, 1..LIST_ALIAS_MAX bytes of [a-z0-9-], at most
 * LIST_ALIASES_MAX of them, none twice.  Blank s means none.  0 and *out
 * "w1,w2" in the order given ("" for none); -1 with *bad the word as
 * typed and *why a static reason.  The caller frees *out or *bad.
 */
int list_aliases_parse(const char *s, char **out, char **bad,
    const char **why);

#endif
