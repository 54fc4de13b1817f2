/*
 * model - the word tables of SPEC's nouns.  One table per enum keeps the
 * CLI, the store and the mail commands spelling values the same way.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model.h"
#include "utf8.h"
#include "xmem.h"

static const char *const kinds[] = { "cop", "newsletter", NULL };
static const char *const policies[] = { "members", "moderated", "closed", NULL };
static const char *const digests[] = { "none", "weekly", "monthly", NULL };
static const char *const langs[] = { "nl", "en", NULL };
static const char *const states[] = { "pending", "active", "disabled",
	"unsubscribed", NULL };
static const char *const modes[] = { "each", "digest", NULL };
static const char *const archives[] = { "members", "public", "none", NULL };
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
WORDS(list_archive, list_archive, archives, "members|public|none")
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
	free(l->aliases);
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

static bool
alias_ok(const char *w, size_t n)
{
	if (n == 0 || n > LIST_ALIAS_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		    (w[i] >= '0' && w[i] <= '9') || w[i] == '-'))
			return false;
	return true;
}

/* Is the n bytes at w one of the comma-separated words of list? */
static bool
has_word(const char *list, const char *w, size_t n)
{
	for (const char *p = list; *p != '\0'; ) {
		size_t m = strcspn(p, ",");

		if (m == n && memcmp(p, w, n) == 0)
			return true;
		p += m + (p[m] == ',');
	}
	return false;
}

int
list_aliases_parse(const char *s, char **out, char **bad, const char **why)
{
	struct buf b = BUF_INIT;
	char word[LIST_ALIAS_MAX + 1];
	int count = 0;

	*out = *bad = NULL;
	*why = NULL;
	if (s[strspn(s, " \t")] == '\0') {
		*out = xstrdup("");
		return 0;
	}
	for (const char *p = s;; p++) {
		size_t n = strcspn(p, ",");
		const char *w = p;

		while (n > 0 && (*w == ' ' || *w == '\t')) {
			w++;
			n--;
		}
		while (n > 0 && (w[n - 1] == ' ' || w[n - 1] == '\t'))
			n--;
		for (size_t i = 0; i < n && i < sizeof(word) - 1; i++)
			word[i] = (w[i] >= 'A' && w[i] <= 'Z') ?
			    (char)(w[i] - 'A' + 'a') : w[i];
		if (!alias_ok(word, n))
			*why = n == 0 ? "an alias is empty" : "not an alias "
			    "(lower-case letters, digits and '-', at most 64)";
		else if (has_word(buf_str(&b), word, n))
			*why = "given twice";
		else if (++count > LIST_ALIASES_MAX)
			*why = "more than 16 aliases";
		if (*why != NULL) {
			*bad = n == 0 ? xstrdup(s) : xstrndup(w, n);
			buf_free(&b);
			return -1;
		}
		if (b.len > 0)
			buf_putc(&b, ',');
		buf_add(&b, word, n);
		p += strcspn(p, ",");
		if (*p == '\0')
			break;
	}
	*out = buf_steal(&b);
	return 0;
}
