/*
 * reading - from a letter to commands (see reading.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "err.h"
#include "intent.h"
#include "letter.h"
#include "mime.h"
#include "reading.h"
#include "store.h"
#include "verp.h"
#include "xmem.h"

#define LISTS_MAX 256
#define REFS_MAX 20             /* message-ids of References looked at */

struct site {
	struct list l[LISTS_MAX];
	struct intent_list il[LISTS_MAX];
	size_t n;
};

static int
one_list(const struct list *l, void *arg)
{
	struct site *s = arg;

	if (s->n == LISTS_MAX)
		return 1;
	s->l[s->n].id = xstrdup(l->id);
	s->l[s->n].name = xstrdup(l->name);
	s->l[s->n].kind = l->kind;
	s->l[s->n].aliases = xstrdup(l->aliases ? l->aliases : "");
	s->il[s->n].id = s->l[s->n].id;
	s->il[s->n].name = s->l[s->n].name;
	s->il[s->n].aliases = s->l[s->n].aliases;
	s->il[s->n].newsletter = l->kind == LIST_NEWSLETTER;
	s->n++;
	return 0;
}

static void
site_free(struct site *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->l[i].id);
		free(s->l[i].name);
		free(s->l[i].aliases);
	}
	free(s);
}

static struct site *
site_read(const struct kr_ctx *ctx, struct err *e)
{
	struct site *s = xcalloc(1, sizeof(*s));

	if (store_list_each(ctx->st, one_list, s, e) != 0) {
		site_free(s);
		return NULL;
	}
	return s;
}

/* The list of the kring mail that m answers, by its signed Message-ID. */
static int
thread_list(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct mime_msg *m, char **list, struct err *e)
{
	struct buf ids = BUF_INIT;
	const char *p;
	int looked = 0, rc = 0;

	*list = NULL;
	if (m->in_reply_to != NULL)
		buf_printf(&ids, "<%s> ", m->in_reply_to);
	if (m->references != NULL)
		buf_puts(&ids, m->references);
	for (p = buf_str(&ids); *list == NULL && looked < REFS_MAX &&
	    (p = strchr(p, '<')) != NULL; looked++) {
		const char *gt = strchr(p, '>');
		struct store_queue_info qi;
		int64_t qid;
		char *id;

		if (gt == NULL)
			break;
		id = xstrndup(p + 1, (size_t)(gt - p - 1));
		p = gt + 1;
		if (verp_message_id_parse(key, id, ctx->cfg->domain, &qid) == 1) {
			rc = store_queue_info(ctx->st, qid, &qi, e);
			if (rc == 1 && qi.list_id != NULL)
				*list = xstrdup(qi.list_id);
			if (rc == 1)
				store_queue_info_clear(&qi);
		}
		free(id);
		if (rc < 0)
			break;
	}
	buf_free(&ids);
	return rc < 0 ? -1 : 0;
}

static void
add(struct command_set *cs, enum command_verb verb, const char *list,
    bool all, const char *said)
{
	struct command *c;

	if (cs->n == COMMAND_MAX) {
		cs->too_many = true;
		return;
	}
	c = &cs->cmd[cs->n++];
	memset(c, 0, sizeof(*c));
	c->verb = verb;
	c->all = all;
	if (list != NULL)
		snprintf(c->list, sizeof(c->list), "%s", list);
	snprintf(c->text, sizeof(c->text), "%s", said);
}

/* The lists the sender is on (not the ones they left). */
static int
memberships(const struct kr_ctx *ctx, const char *sender, char **only,
    size_t *n, struct err *e)
{
	struct person p;
	struct store_membership *m;
	int r;

	*only = NULL;
	*n = 0;
	if ((r = store_person_find(ctx->st, sender, &p, e)) <= 0)
		return r;
	r = store_person_memberships(ctx->st, p.id, &m, n, e);
	person_clear(&p);
	if (r != 0)
		return -1;
	if (*n == 1)
		*only = xstrdup(m[0].list.id);
	store_memberships_free(m, *n);
	return 0;
}

/* The text of m with the lines that are commands left out. */
static char *
without_commands(const char *text)
{
	struct buf b = BUF_INIT;
	const char *p = text;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct command c;

		if (!command_parse_line(p, len, &c)) {
			buf_add(&b, p, len);
			buf_putc(&b, '\n');
		}
		p = nl ? nl + 1 : p + len;
	}
	return buf_steal(&b);
}

static int
decide(const struct kr_ctx *ctx, const struct hmac_key *key,
    const struct mime_msg *m, const char *sender, const struct site *s,
    const struct intent *it, struct reading *out, struct err *e)
{
	char *only = NULL, *thread = NULL;
	size_t on = 0;
	const char *said = it->said[0] ? it->said : "";

	switch (it->want) {
	case WANT_NOTHING:
	case WANT_UNCLEAR:
		out->office = true;
		return 0;
	case WANT_JOIN:
		if (it->list_unclear) {
			out->office = true;
			return 0;
		}
		for (size_t i = 0; i < it->nlists; i++)
			add(&out->cs, CMD_SUBSCRIBE, s->l[it->lists[i]].id, false,
			    said);
		if (it->nlists == 0)
			add(&out->cs, CMD_LISTS, NULL, false, said);
		break;
	case WANT_LEAVE:
		if (it->list_unclear) {
			out->office = true;
			return 0;
		}
		if (it->all) {
			add(&out->cs, CMD_UNSUBSCRIBE, NULL, true, said);
			break;
		}
		for (size_t i = 0; i < it->nlists; i++)
			add(&out->cs, CMD_UNSUBSCRIBE, s->l[it->lists[i]].id, false,
			    said);
		if (it->nlists > 0)
			break;
		if (thread_list(ctx, key, m, &thread, e) != 0 ||
		    memberships(ctx, sender, &only, &on, e) != 0) {
			free(thread);
			return -1;
		}
		if (thread != NULL)
			add(&out->cs, CMD_UNSUBSCRIBE, thread, false, said);
		else if (only != NULL)
			add(&out->cs, CMD_UNSUBSCRIBE, only, false, said);
		else
			add(&out->cs, CMD_WHICH, NULL, false, said);
		free(thread);
		free(only);
		break;
	}
	out->office = it->more || it->for_others;
	return 0;
}

int
reading_read(const struct kr_ctx *ctx, const struct hmac_key *key,
    struct intent_reader *r, const struct mime_msg *m, const char *sender,
    bool commands_read, struct reading *out, struct err *e)
{
	struct buf own = BUF_INIT;
	struct intent it;
	struct site *s;
	char *text = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((s = site_read(ctx, e)) == NULL)
		return -1;
	if (commands_read)
		text = without_commands(m->text ? m->text : "");
	letter_own_text(text ? text : m->text, &own);
	intent_read(r, ctx->cfg->name, s->il, s->n,
	    commands_read ? NULL : m->subject, buf_str(&own),
	    m->n_attachments, &it);
	out->lang_known = it.lang_known;
	out->lang = it.lang;
	if (commands_read) {
		/*
		 * Commands were written: what else it says decides only
		 * whether the office reads it too.
		 */
		out->office = it.more;
	} else if (it.robot != NULL) {
		out->drop = it.robot;
	} else {
		rc = decide(ctx, key, m, sender, s, &it, out, e);
	}
	free(text);
	buf_free(&own);
	site_free(s);
	return rc;
}

int
reading_resolve_list(const struct kr_ctx *ctx, struct intent_reader *r,
    struct command *c, struct err *e)
{
	struct intent it;
	struct site *s;
	struct list l;
	char line[COMMAND_ARG_MAX + 32];
	int k;

	if (c->list[0] == '\0')
		return 0;
	if ((k = store_list_get(ctx->st, c->list, &l, e)) != 0) {
		if (k > 0)
			list_clear(&l);
		return k < 0 ? -1 : 0;
	}
	if ((s = site_read(ctx, e)) == NULL)
		return -1;
	/* Read the word as a request naming it, and take the one list meant. */
	snprintf(line, sizeof(line), "aanmelden %s", c->list);
	intent_read(r, ctx->cfg->name, s->il, s->n, NULL, line, 0, &it);
	k = 0;
	if (it.nlists == 1 && !it.list_unclear)
		snprintf(c->list, sizeof(c->list), "%s", s->l[it.lists[0]].id);
	else if (intent_common_word(c->list))
		k = 1;
	site_free(s);
	return k;
}
