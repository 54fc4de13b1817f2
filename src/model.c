/*
 * model - the word tables of SPEC's nouns.  One table per enum keeps the
 * CLI, the store and the mail commands spelling values the same way.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "utf8.h"

static const char *const kinds[] = { "cop", "newsletter", NULL };
static const char *const policies[] = { "members", "moderated", "closed", NULL };
static const char *const digests[] = { "none", "weekly", "monthly", NULL };
static const char *const langs[] = { "nl", "en", NULL };
static const char *const states[] = { "pending", "active", "disabled",
	"unsubscribed", NULL };
static const char *const modes[] = { "each", "digest", NULL };
static const char *const campaign_kinds[] = { "reply", "notice", "post",
	"newsletter", "digest", NULL };
static const char *const post_states[] = { "accepted", "held", "rejected",
	"refused", NULL };
static const char *const queue_states[] = { "queued", "sending", "sent",
	"deferred", "failed", "cancelled", NULL };

static int
lookup(const char *const *t, const char *s, int *v)
{
	if (s == NULL)
		return -1;
	for (int i = 0; t[i] != NULL; i++)
		if (strcmp(t[i], s) == 0) {
			*v = i;
			return 0;
		}
	return -1;
}

#define WORDS(fn, enumt, table, words)                               \
	const char *fn##_name(enum enumt v) { return table[v]; }     \
	int fn##_parse(const char *s, enum enumt *v)                 \
	{                                                            \
		int i;                                               \
		if (lookup(table, s, &i) != 0)                       \
			return -1;                                   \
		*v = (enum enumt)i;                                  \
		return 0;                                            \
	}                                                            \
	const char *fn##_words(void) { return words; }

WORDS(list_kind, list_kind, kinds, "cop|newsletter")
WORDS(list_policy, list_policy, policies, "members|moderated|closed")
WORDS(list_digest, list_digest, digests, "none|weekly|monthly")
WORDS(lang, lang, langs, "nl|en")
WORDS(sub_state, sub_state, states, "pending|active|disabled|unsubscribed")
WORDS(sub_mode, sub_mode, modes, "each|digest")
WORDS(campaign_kind, campaign_kind, campaign_kinds,
    "reply|notice|post|newsletter|digest")
WORDS(post_state, post_state, post_states,
    "accepted|held|rejected|refused")
WORDS(queue_state, queue_state, queue_states,
    "queued|sending|sent|deferred|failed|cancelled")

void
list_clear(struct list *l)
{
	free(l->id);
	free(l->name);
	free(l->description);
	memset(l, 0, sizeof(*l));
}

void
person_clear(struct person *p)
{
	free(p->email);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

void
sub_clear(struct sub *s)
{
	free(s->list_id);
	free(s->email);
	free(s->name);
	free(s->consent);
	memset(s, 0, sizeof(*s));
}

void
post_clear(struct post *p)
{
	free(p->list_id);
	free(p->from_addr);
	free(p->from_name);
	free(p->subject);
	free(p->message_id);
	free(p->raw);
	free(p->reason);
	memset(p, 0, sizeof(*p));
}

const char *
model_text_problem(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	if (left > max)
		return "is too long";
	while (*p) {
		size_t n;

		if (*p == '\r' || *p == '\n')
			return "contains a line break";
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
		if ((n = utf8_len(p, left)) == 0)
			return "is not valid UTF-8";
		/* C1 controls (U+0080..U+009F) are as dangerous as C0. */
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return "contains a control character";
		p += n;
		left -= n;
	}
	return NULL;
}
