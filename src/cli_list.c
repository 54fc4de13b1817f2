/*
 * cli_list - `kring init` and `kring list ...`.
 */
#include "autoconf.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "model.h"
#include "output.h"
#include "store.h"
#include "units.h"
#include "xmem.h"

int
cmd_init(struct cli *c, int argc, char **argv)
{
	const struct config *cfg;
	struct err e = { 0, "" };
	struct stat sb;
	char *dir, *key;
	bool existed;
	int ex = 0;

	(void)argv;
	if (argc != 0)
		return cli_usage(c);
	if ((cfg = cli_config(c, &ex)) == NULL)
		return ex;
	dir = xstrdup(cfg->store);
	if (stat(dirname(dir), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		ex = cli_error(EX_CANTCREAT, "%s: folder of the store does not "
		    "exist", dir);
		free(dir);
		return ex;
	}
	free(dir);
	existed = stat(cfg->store, &sb) == 0;
	if (cli_store(c, true, &ex) == NULL)
		return ex;
	key = hmac_key_path(cfg->store);
	if (hmac_key_create(key, &e) != 0) {
		free(key);
		return cli_fail(&e);
	}
	free(key);
	printf(existed ? "store %s is there and up to date (schema %d)\n" :
	    "created store %s (schema %d)\n", cfg->store,
	    store_schema_version(c->st));
	return EX_OK;
}

/* Common checks of list fields given on the command line. */
static int
check_text(const char *what, const char *s, size_t max)
{
	const char *why = model_text_problem(s, max);

	if (why != NULL)
		return cli_error(EX_DATAERR, "%s %s", what, why);
	if (*s == '\0' && strcmp(what, "--description") != 0)
		return cli_error(EX_DATAERR, "%s is empty", what);
	return 0;
}

static int
check_id(const char *id)
{
	if (!addr_list_id_ok(id))
		return cli_error(EX_DATAERR, "\"%s\": not a list id (lower-case "
		    "letters, digits and '-', starting with a letter or digit, "
		    "at most 64)", id);
	return 0;
}

/* Apply --name, --description, --policy, --digest, --kind, --lang. */
static int
apply(struct list *l, const char *name, const char *descr, const char *kind,
    const char *lang, const char *policy, const char *digest)
{
	int ex;

	if (name && (ex = check_text("--name", name, LIST_NAME_MAX)) != 0)
		return ex;
	if (descr && (ex = check_text("--description", descr,
	    LIST_DESCRIPTION_MAX)) != 0)
		return ex;
	if (kind && list_kind_parse(kind, &l->kind) != 0)
		return cli_error(EX_DATAERR, "--kind \"%s\": not one of %s", kind,
		    list_kind_words());
	if (lang && lang_parse(lang, &l->lang) != 0)
		return cli_error(EX_DATAERR, "--lang \"%s\": not one of %s", lang,
		    lang_words());
	if (policy && list_policy_parse(policy, &l->policy) != 0)
		return cli_error(EX_DATAERR, "--policy \"%s\": not one of %s",
		    policy, list_policy_words());
	if (digest && list_digest_parse(digest, &l->digest) != 0)
		return cli_error(EX_DATAERR, "--digest \"%s\": not one of %s",
		    digest, list_digest_words());
	if (name) {
		free(l->name);
		l->name = xstrdup(name);
	}
	if (descr) {
		free(l->description);
		l->description = xstrdup(descr);
	}
	return 0;
}

/*
 * Give l the aliases of `--alias arg`, none of them a word another list
 * is known by, so a word in a mail names one list at most.  Inside the
 * transaction that writes l.
 */
static int
set_aliases(struct cli *c, struct list *l, const char *arg)
{
	struct err e = { 0, "" };
	char *words, *bad, *owner;
	const char *why;
	int ex = 0;

	if (list_aliases_parse(arg, &words, &bad, &why) != 0) {
		ex = cli_error(EX_DATAERR, "--alias \"%s\": %s", bad, why);
		free(bad);
		return ex;
	}
	for (const char *p = words; *p != '\0' && ex == 0; ) {
		size_t n = strcspn(p, ",");
		char *w = xstrndup(p, n);
		int found;

		if (strcmp(w, l->id) == 0)
			ex = cli_error(EX_DATAERR, "--alias \"%s\": is the id of "
			    "this list", w);
		else if ((found = store_list_by_word(c->st, w, l->id, &owner,
		    &e)) < 0)
			ex = cli_fail(&e);
		else if (found) {
			ex = cli_error(EX_DATAERR, "--alias \"%s\": list %s is "
			    "called that already", w, owner);
			free(owner);
		}
		free(w);
		p += n + (p[n] == ',');
	}
	if (ex != 0) {
		free(words);
		return ex;
	}
	free(l->aliases);
	l->aliases = words;
	return 0;
}

/* A new list's id must not be a word another list is called by. */
static int
not_an_alias(struct cli *c, const char *id)
{
	struct err e = { 0, "" };
	char *owner;
	int found, ex;

	if ((found = store_list_by_word(c->st, id, id, &owner, &e)) < 0)
		return cli_fail(&e);
	if (found == 0)
		return 0;
	ex = cli_error(EX_DATAERR, "%s: an alias of list %s already", id, owner);
	free(owner);
	return ex;
}

/* Run fn's change in one transaction; the event is logged with it. */
static int
commit(struct cli *c, struct err *e)
{
	if (store_commit(c->st, e) != 0)
		return cli_fail(e);
	return 0;
}

int
cmd_list_add(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "name=", "description=", "kind=",
		"lang=", "policy=", "digest=", NULL };
	const char *v[6];
	char *pos[1];
	int npos, ex = 0;
	struct list l;
	struct err e = { 0, "" };

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1 || v[0] == NULL)
		return cli_usage(c);
	if ((ex = check_id(pos[0])) != 0)
		return ex;
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	memset(&l, 0, sizeof(l));
	l.id = xstrdup(pos[0]);
	l.description = xstrdup("");
	l.lang = c->cfg->language;
	if ((ex = apply(&l, v[0], v[1], v[2], v[3], v[4], v[5])) != 0) {
		list_clear(&l);
		return ex;
	}
	/* A newsletter is announce-only unless told otherwise. */
	if (l.kind == LIST_NEWSLETTER && v[4] == NULL)
		l.policy = POLICY_CLOSED;
	l.created = c->now;
	if (store_begin(c->st, &e) != 0 || (ex = not_an_alias(c, l.id)) != 0 ||
	    store_list_add(c->st, &l, &e) != 0 ||
	    store_event(c->st, c->now, "list-add", l.id, NULL, NULL, l.name,
	    &e) != 0 || (ex = commit(c, &e)) != 0) {
		store_rollback(c->st);
		list_clear(&l);
		return ex ? ex : cli_fail(&e);
	}
	printf("added list %s (%s, %s, %s)\n", l.id, list_kind_name(l.kind),
	    lang_name(l.lang), list_policy_name(l.policy));
	list_clear(&l);
	return EX_OK;
}

int
cmd_list_set(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "name=", "description=", "policy=",
		"digest=", "alias=", "archive=", NULL };
	const char *v[6];
	char *pos[1];
	int npos, ex = 0;
	struct list l;
	struct err e = { 0, "" };
	enum list_archive archive = ARCHIVE_MEMBERS;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1 || (!v[0] && !v[1] && !v[2] && !v[3] && !v[4] && !v[5]))
		return cli_usage(c);
	if (v[5] && list_archive_parse(v[5], &archive) != 0)
		return cli_error(EX_DATAERR, "--archive \"%s\": not one of %s",
		    v[5], list_archive_words());
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	if (store_begin(c->st, &e) != 0)
		return cli_fail(&e);
	if ((ex = cli_list_need(c, pos[0], &l)) != 0 ||
	    (ex = apply(&l, v[0], v[1], NULL, NULL, v[2], v[3])) != 0 ||
	    (v[4] && (ex = set_aliases(c, &l, v[4])) != 0)) {
		store_rollback(c->st);
		list_clear(&l);
		return ex;
	}
	if (store_list_update(c->st, &l, &e) != 0 ||
	    (v[5] && store_list_archive_set(c->st, l.id, archive, &e) != 0) ||
	    store_event(c->st, c->now, "list-set", l.id, NULL, NULL, NULL,
	    &e) != 0 || (ex = commit(c, &e)) != 0) {
		store_rollback(c->st);
		list_clear(&l);
		return ex ? ex : cli_fail(&e);
	}
	printf("changed list %s\n", l.id);
	list_clear(&l);
	return EX_OK;
}

int
cmd_list_show(struct cli *c, int argc, char **argv)
{
	struct list l;
	struct err e = { 0, "" };
	int64_t n[4];
	char when[32];
	int ex = 0;
	enum list_archive archive;

	if (argc != 1)
		return cli_usage(c);
	if (cli_store(c, false, &ex) == NULL || (ex = cli_list_need(c, argv[0], &l)) != 0)
		return ex;
	if (store_list_counts(c->st, l.id, n, &e) != 0 ||
	    store_list_archive(c->st, l.id, &archive, &e) < 0) {
		list_clear(&l);
		return cli_fail(&e);
	}
	units_format_time((time_t)l.created, when, sizeof(when));
	printf("id:           %s\nname:         %s\naliases:      %s\n"
	    "description:  %s\n"
	    "kind:         %s\nlanguage:     %s\npolicy:       %s\n"
	    "digest:       %s\narchive:      %s\ncreated:      %s\n"
	    "subscribers:  %lld active, %lld pending, %lld disabled, "
	    "%lld unsubscribed\n", l.id, l.name, l.aliases, l.description,
	    list_kind_name(l.kind), lang_name(l.lang), list_policy_name(l.policy),
	    list_digest_name(l.digest), list_archive_name(archive), when, (long long)n[SUB_ACTIVE],
	    (long long)n[SUB_PENDING], (long long)n[SUB_DISABLED],
	    (long long)n[SUB_UNSUBSCRIBED]);
	list_clear(&l);
	return EX_OK;
}

struct ls_arg {
	struct cli *c;
	struct table *t;
	struct err *e;
	int failed;
};

static int
ls_row(const struct list *l, void *arg)
{
	struct ls_arg *a = arg;
	int64_t n[4];
	char active[32];
	const char *cells[7];

	if (store_list_counts(a->c->st, l->id, n, a->e) != 0) {
		a->failed = 1;
		return 1;
	}
	snprintf(active, sizeof(active), "%lld", (long long)n[SUB_ACTIVE]);
	cells[0] = l->id;
	cells[1] = list_kind_name(l->kind);
	cells[2] = lang_name(l->lang);
	cells[3] = list_policy_name(l->policy);
	cells[4] = list_digest_name(l->digest);
	cells[5] = active;
	cells[6] = l->name;
	table_row(a->t, cells);
	return 0;
}

int
cmd_list_ls(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "tsv", NULL };
	static const char *const header[] = { "ID", "KIND", "LANG", "POLICY",
		"DIGEST", "ACTIVE", "NAME" };
	const char *v[1];
	char *pos[1];
	int npos, ex = 0;
	struct err e = { 0, "" };
	struct ls_arg a;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 0, &npos)) != 0)
		return ex;
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	a.c = c;
	a.e = &e;
	a.failed = 0;
	a.t = table_new(v[0] != NULL, 7, header);
	if (store_list_each(c->st, ls_row, &a, &e) != 0 || a.failed) {
		table_print(&a.t, stdout);
		return cli_fail(&e);
	}
	table_print(&a.t, stdout);
	return EX_OK;
}

int
cmd_list_rm(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "force", NULL };
	const char *v[1];
	char *pos[1];
	int npos, ex = 0;
	struct list l;
	struct err e = { 0, "" };
	int64_t n[4], removed;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	if (store_begin(c->st, &e) != 0)
		return cli_fail(&e);
	if ((ex = cli_list_need(c, pos[0], &l)) != 0) {
		store_rollback(c->st);
		return ex;
	}
	if (store_list_counts(c->st, l.id, n, &e) != 0)
		goto fail;
	if (n[SUB_ACTIVE] + n[SUB_PENDING] > 0 && v[0] == NULL) {
		store_rollback(c->st);
		ex = cli_error(EX_DATAERR, "list %s has %lld subscribers; use "
		    "--force to remove it with them", l.id,
		    (long long)(n[SUB_ACTIVE] + n[SUB_PENDING]));
		list_clear(&l);
		return ex;
	}
	if (store_list_remove(c->st, l.id, &removed, &e) != 0 ||
	    store_event(c->st, c->now, "list-rm", l.id, NULL, NULL, NULL,
	    &e) != 0 || store_commit(c->st, &e) != 0)
		goto fail;
	printf("removed list %s and %lld subscriptions\n", l.id,
	    (long long)removed);
	list_clear(&l);
	return EX_OK;
fail:
	store_rollback(c->st);
	list_clear(&l);
	return cli_fail(&e);
}
