/*
 * cli - the contract between kring's command table (kring.c) and the
 * handlers, grouped by noun in cli_<noun>.c.
 *
 * kring.c parses the global options (-c FILE), finds the command by its
 * words, and calls the handler with the remaining arguments (argv[0] is
 * the first argument after the command words).  A handler returns a
 * sysexits code; on failure it has already printed "kring: WHAT: WHY" to
 * stderr through cli_error().  Handlers that need the configuration or
 * the store get them lazily from the cli context, so `kring --help`
 * needs neither.
 */
#ifndef KRING_CLI_H
#define KRING_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct err;
struct hmac_key;
struct render_set;
struct store;

struct cli {
	const char *config_option;   /* -c FILE, or NULL */
	const char *usage;           /* the command's usage line, for cli_usage() */
	struct config *cfg;          /* loaded by cli_config() */
	struct store *st;            /* opened by cli_store() */
	struct hmac_key *key;        /* loaded by cli_key() */
	struct render_set *tpl;      /* loaded by cli_templates() */
	time_t now;
};

/* Load the configuration once; NULL after printing the error (then exit 78). */
const struct config *cli_config(struct cli *c, int *ex);
/* Open the store once (creating it when create); NULL after printing. */
struct store *cli_store(struct cli *c, bool create, int *ex);

/* The site key beside the store (opens the store); NULL after printing. */
const struct hmac_key *cli_key(struct cli *c, int *ex);
/* The mail templates, site copies first; NULL after printing (exit 78). */
const struct render_set *cli_templates(struct cli *c, int *ex);

/*
 * Read the file at path whole into out (initialised here), at most max
 * bytes: 0, or the exit code after saying why (66 cannot be read, 74
 * read error, 65 larger than max).
 */
struct buf;
int cli_read_file(const char *path, size_t max, struct buf *out);

/* Print "kring: WHAT: WHY" (from e, or a format) and return e's code. */
int cli_fail(const struct err *e);
int cli_error(int ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "kring: usage: kring <usage>" and return EX_USAGE. */
int cli_usage(const struct cli *c);

/*
 * Load list id into *l (list_clear it) from the open store: 0, or the
 * exit code after saying "ID: no such list" (EX_DATAERR) or the error.
 */
struct list;
int cli_list_need(struct cli *c, const char *id, struct list *l);

/*
 * A tiny option parser for handlers: long options only ("--name VALUE",
 * "--name=VALUE", "--flag").  specs is a NULL-terminated array of names;
 * a name ending in '=' takes a value.  Positional arguments are collected
 * into pos[] (at most maxpos).  Returns 0 or EX_USAGE after printing what
 * was wrong.  values[i] is NULL when option i was absent; a flag that was
 * given has the value "".
 */
int cli_getopt(const struct cli *c, int argc, char **argv,
    const char *const *specs, const char **values,
    char **pos, int maxpos, int *npos);

/*
 * A time for a listing: UTC ISO 8601 ("2026-11-24T13:05:00Z") in TSV,
 * so scripts need no time zone, local "2026-11-24 14:05:00" for people.
 */
void cli_format_when(time_t t, bool tsv, char *out, size_t len);

/*
 * Whether addr (normal form) was erased: its keyed hash is on the
 * suppression list.  1, 0, or -1 with e.  hash[HMAC_HEX_LEN + 1] gets
 * the hash an erasure records: of the address in lower case, so that
 * no case of it comes back.  Hashes of the address as given, which
 * erasures recorded before, are recognised too.
 */
int cli_erased(struct cli *c, const struct hmac_key *key, const char *addr,
    char *hash, struct err *e);

typedef int cli_handler(struct cli *c, int argc, char **argv);

/* cli_list.c */
cli_handler cmd_init, cmd_list_add, cmd_list_set, cmd_list_show,
    cmd_list_ls, cmd_list_rm;
/* cli_sub.c */
cli_handler cmd_sub_add, cmd_sub_rm, cmd_sub_ls, cmd_sub_import,
    cmd_sub_export;
/* cli_person.c */
cli_handler cmd_person_show, cmd_person_export, cmd_person_erase, cmd_log;
cli_handler cmd_person_relink;
/* cli_send.c */
cli_handler cmd_send, cmd_queue;
/* cli_newsletter.c */
cli_handler cmd_newsletter_queue, cmd_newsletter_preview,
    cmd_newsletter_cancel, cmd_newsletter_test, cmd_newsletter_unpublish;
/* cli_deliver.c */
cli_handler cmd_deliver;
/* cli_digest.c */
cli_handler cmd_digest_queue, cmd_digest_preview;
/* cli_bounce.c */
cli_handler cmd_bounce_parse;
/* cli_post.c */
cli_handler cmd_held, cmd_approve, cmd_reject;
/* cli_inbox.c */
cli_handler cmd_inbox, cmd_inbox_show;

#endif
