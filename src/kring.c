/*
 * kring - the admin CLI.
 *
 * One table maps command words to handlers (cli_<noun>.c) with their
 * usage lines; the longest match of words wins.  This file owns the
 * global options, the lazily opened configuration and store, option
 * parsing for handlers, and the one format of errors:
 * "kring: WHAT: WHY" on stderr with a sysexits code.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "xmem.h"

struct command {
	const char *words[3];
	cli_handler *handler;
	const char *usage;
	const char *summary;
};

static const struct command commands[] = {
	{ { "init" }, cmd_init, "init", "create the store (idempotent)" },
	{ { "list", "add" }, cmd_list_add, "list add ID --name N [--kind cop|newsletter] "
	    "[--lang nl|en] [--description D] [--policy members|moderated|closed] "
	    "[--digest none|weekly|monthly]", "add a list" },
	{ { "list", "set" }, cmd_list_set, "list set ID [--name N] [--description D] "
	    "[--policy P] [--digest S] [--alias WORD[,WORD...]] "
	    "[--archive members|public|none]", "change a list" },
	{ { "list", "show" }, cmd_list_show, "list show ID", "show a list" },
	{ { "list", "ls" }, cmd_list_ls, "list ls [--tsv]", "list the lists" },
	{ { "list", "rm" }, cmd_list_rm, "list rm ID [--force]", "remove a list" },
	{ { "sub", "add" }, cmd_sub_add, "sub add LIST EMAIL [--name N] "
	    "[--mode each|digest] [--force]", "subscribe someone (no opt-in)" },
	{ { "sub", "rm" }, cmd_sub_rm, "sub rm LIST EMAIL", "unsubscribe someone" },
	{ { "sub", "ls" }, cmd_sub_ls, "sub ls LIST [--state S] [--tsv]",
	    "list subscribers" },
	{ { "sub", "import" }, cmd_sub_import, "sub import LIST FILE.csv "
	    "[--confirmed] [--force]", "import people from CSV with the header "
	    "email[,name]: pending (active with --confirmed); unsubscribed and "
	    "erased people only with --force" },
	{ { "sub", "export" }, cmd_sub_export, "sub export LIST",
	    "every subscription as CSV on stdout: email,name,state,mode" },
	{ { "person", "show" }, cmd_person_show, "person show EMAIL",
	    "what is stored about a person" },
	{ { "person", "export" }, cmd_person_export, "person export EMAIL",
	    "the same as JSON" },
	{ { "person", "erase" }, cmd_person_erase, "person erase EMAIL [--yes]",
	    "erase a person for good" },
	{ { "person", "relink" }, cmd_person_relink, "person relink EMAIL",
	    "a new archive link for a person; the old one stops working" },
	{ { "newsletter", "queue" }, cmd_newsletter_queue, "newsletter queue "
	    "LIST FILE.md --subject S [--at \"YYYY-MM-DD HH:MM\"]", "render the "
	    "Markdown and queue one personal copy per active subscriber" },
	{ { "newsletter", "preview" }, cmd_newsletter_preview, "newsletter "
	    "preview LIST FILE.md [--subject S] [--html]", "the message one "
	    "made-up subscriber would get, on stdout (--html: the HTML page)" },
	{ { "newsletter", "test" }, cmd_newsletter_test, "newsletter test "
	    "LIST FILE.md --subject S --to ADDR[,ADDR...]", "send a test copy "
	    "([TEST] in the subject) to these addresses now" },
	{ { "newsletter", "unpublish" }, cmd_newsletter_unpublish,
	    "newsletter unpublish ID", "take down a newsletter's web version" },
	{ { "newsletter", "cancel" }, cmd_newsletter_cancel, "newsletter cancel "
	    "ID", "cancel what of a newsletter is not yet sent" },
	{ { "digest", "queue" }, cmd_digest_queue, "digest queue LIST",
	    "queue the digest of the posts since the last one for the digest "
	    "members" },
	{ { "digest", "preview" }, cmd_digest_preview, "digest preview LIST",
	    "the digest one member would get now, on stdout; records nothing" },
	{ { "held" }, cmd_held, "held [LIST] [--tsv]", "posts waiting for a "
	    "moderator, oldest first" },
	{ { "approve" }, cmd_approve, "approve ID", "send a held post to the "
	    "list and tell its author" },
	{ { "reject" }, cmd_reject, "reject ID [--reason R]", "refuse a held "
	    "post and tell its author, with the reason" },
	{ { "queue" }, cmd_queue, "queue [--tsv]", "per campaign: messages "
	    "queued, sent, deferred and failed" },
	{ { "send" }, cmd_send, "send [--once]", "send what is due now, in the "
	    "foreground (--once: one attempt each, no waiting for the relay)" },
	{ { "deliver" }, cmd_deliver, "deliver [-r RECIPIENT]", "take one "
	    "message from the MTA on standard input" },
	{ { "bounce", "parse" }, cmd_bounce_parse, "bounce parse FILE [--tsv]",
	    "the addresses a bounce says failed, one per line (--tsv: with "
	    "the status and the kind: hard, soft or policy)" },
	{ { "inbox" }, cmd_inbox, "inbox [--state new|done|dropped|failed|kept|"
	    "office|all] [--tsv]", "inbound messages, by default what the office "
	    "must look at (set aside or kept for it), oldest first" },
	{ { "inbox", "show" }, cmd_inbox_show, "inbox show ID", "one inbound "
	    "message as it arrived, on stdout" },
	{ { "log" }, cmd_log, "log [--since TIME|DURATION] [--tsv]", "the event log" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
help(FILE *out)
{
	fprintf(out, "usage: kring [-c FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  kring %s\n      %s\n", commands[i].usage,
		    commands[i].summary);
	fprintf(out, "\nThe configuration is -c FILE, else $KRING_CONFIG, else "
	    "%s.\n", SYSCONFDIR "/kring.conf");
}

int
cli_error(int ex, const char *fmt, ...)
{
	va_list ap;

	fputs("kring: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ex;
}

int
cli_fail(const struct err *e)
{
	return cli_error(e->ex ? e->ex : EX_SOFTWARE, "%s", e->msg);
}

int
cli_usage(const struct cli *c)
{
	return cli_error(EX_USAGE, "usage: kring %s", c->usage);
}

void
cli_format_when(time_t t, bool tsv, char *out, size_t len)
{
	struct tm tm;

	if (tsv) {
		gmtime_r(&t, &tm);
		strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		localtime_r(&t, &tm);
		strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
	}
}

int
cli_list_need(struct cli *c, const char *id, struct list *l)
{
	struct err e = { 0, "" };
	int r = store_list_get(c->st, id, l, &e);

	if (r < 0)
		return cli_fail(&e);
	if (r == 0)
		return cli_error(EX_DATAERR, "%s: no such list (see kring list ls)",
		    id);
	return 0;
}

const struct config *
cli_config(struct cli *c, int *ex)
{
	struct err e = { 0, "" };

	if (c->cfg == NULL && config_load(config_path(c->config_option),
	    &c->cfg, &e) != 0) {
		*ex = cli_fail(&e);
		return NULL;
	}
	return c->cfg;
}

struct store *
cli_store(struct cli *c, bool create, int *ex)
{
	struct err e = { 0, "" };

	if (c->st != NULL)
		return c->st;
	if (cli_config(c, ex) == NULL)
		return NULL;
	if (store_open(c->cfg->store, create ? STORE_CREATE : 0, &c->st,
	    &e) != 0) {
		*ex = cli_fail(&e);
		return NULL;
	}
	return c->st;
}

int
cli_read_file(const char *path, size_t max, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	struct stat sb;

	buf_init(out, max);
	if (f == NULL)
		return cli_error(EX_NOINPUT, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return cli_error(EX_NOINPUT, "%s: is a folder", path);
	}
	while (!out->overflow && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		return cli_error(EX_IOERR, "%s: %s", path, strerror(err));
	}
	fclose(f);
	if (out->overflow)
		return cli_error(EX_DATAERR, "%s: larger than %zu bytes", path,
		    max);
	return 0;
}

const struct hmac_key *
cli_key(struct cli *c, int *ex)
{
	struct err e = { 0, "" };
	struct hmac_key key;
	char *path;
	int r;

	if (c->key != NULL)
		return c->key;
	if (cli_store(c, false, ex) == NULL)
		return NULL;
	path = hmac_key_path(store_path(c->st));
	r = hmac_key_load(path, &key, &e);
	free(path);
	if (r != 0) {
		*ex = cli_fail(&e);
		return NULL;
	}
	c->key = xmalloc(sizeof(*c->key));
	*c->key = key;
	return c->key;
}

const struct render_set *
cli_templates(struct cli *c, int *ex)
{
	struct err e = { 0, "" };

	if (c->tpl != NULL)
		return c->tpl;
	if (cli_config(c, ex) == NULL)
		return NULL;
	if (render_set_load(c->cfg->templates, PKGDATADIR "/templates",
	    &c->tpl, &e) != 0) {
		*ex = cli_fail(&e);
		return NULL;
	}
	return c->tpl;
}

int
cli_getopt(const struct cli *c, int argc, char **argv,
    const char *const *specs, const char **values, char **pos, int maxpos,
    int *npos)
{
	bool dashdash = false;

	*npos = 0;
	for (int i = 0; specs[i]; i++)
		values[i] = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool found = false;

		if (dashdash || a[0] != '-' || a[1] != '-' ||
		    strcmp(a, "--") == 0) {
			if (!dashdash && strcmp(a, "--") == 0) {
				dashdash = true;
				continue;
			}
			if (*npos == maxpos)
				return cli_error(EX_USAGE, "unexpected argument "
				    "\"%s\"; usage: kring %s", a, c->usage);
			pos[(*npos)++] = argv[i];
			continue;
		}
		for (int k = 0; specs[k] && !found; k++) {
			size_t n = strlen(specs[k]);
			bool takes = specs[k][n - 1] == '=';
			size_t name = takes ? n - 1 : n;

			if (strncmp(a + 2, specs[k], name) != 0)
				continue;
			if (a[2 + name] == '\0') {
				if (takes) {
					if (i + 1 == argc)
						return cli_error(EX_USAGE, "%s needs a "
						    "value; usage: kring %s", a, c->usage);
					values[k] = argv[++i];
				} else {
					values[k] = "";
				}
				found = true;
			} else if (takes && a[2 + name] == '=') {
				values[k] = a + 3 + name;
				found = true;
			}
		}
		if (!found)
			return cli_error(EX_USAGE, "unknown option %s; usage: kring %s",
			    a, c->usage);
	}
	return 0;
}

/*
 * No command matched: name what was typed and, when its first word is a
 * known noun ("list", "sub"), show the usage of that noun's commands.
 */
static int
unknown(int argc, char **argv)
{
	bool noun = false;

	for (size_t i = 0; i < NCOMMANDS && !noun; i++)
		noun = strcmp(commands[i].words[0], argv[0]) == 0;
	if (!noun)
		return cli_error(EX_USAGE, "unknown command \"%s\"; see kring "
		    "--help", argv[0]);
	if (argc > 1)
		cli_error(EX_USAGE, "unknown command \"%s %s\"", argv[0],
		    argv[1]);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].words[0], argv[0]) == 0)
			cli_error(EX_USAGE, "usage: kring %s", commands[i].usage);
	return EX_USAGE;
}

static const struct command *
find(int argc, char **argv, int *used)
{
	const struct command *best = NULL;
	int bestn = 0;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		int n = 0;

		while (n < 3 && commands[i].words[n] != NULL && n < argc &&
		    strcmp(commands[i].words[n], argv[n]) == 0)
			n++;
		if ((n == 3 || commands[i].words[n] == NULL) && n > bestn) {
			best = &commands[i];
			bestn = n;
		}
	}
	*used = bestn;
	return best;
}

int
main(int argc, char **argv)
{
	struct cli c;
	const struct command *cmd;
	int i = 1, used, ex;

	umask(077);
	log_open("kring", LOG_TO_STDERR, false);
	memset(&c, 0, sizeof(c));
	c.now = time(NULL);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-c") == 0) {
			if (i + 1 == argc)
				return cli_error(EX_USAGE, "usage: kring -c FILE "
				    "COMMAND [ARGS]");
			c.config_option = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			c.config_option = argv[i++] + 9;
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			help(stdout);
			return EX_OK;
		} else if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("kring %s\n", PACKAGE_VERSION);
			return EX_OK;
		} else {
			return cli_error(EX_USAGE, "unknown option %s; see kring "
			    "--help", argv[i]);
		}
	}
	if (i == argc) {
		help(stderr);
		return EX_USAGE;
	}
	cmd = find(argc - i, argv + i, &used);
	if (cmd == NULL)
		return unknown(argc - i, argv + i);
	c.usage = cmd->usage;
	ex = cmd->handler(&c, argc - i - used, argv + i + used);
	store_close(&c.st);
	config_free(&c.cfg);
	render_set_free(&c.tpl);
	if (c.key != NULL)
		hmac_key_free(c.key);
	free(c.key);
	if (fflush(stdout) != 0 || ferror(stdout))
		return ex ? ex : cli_error(EX_IOERR, "stdout: write error");
	return ex;
}
