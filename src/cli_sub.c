/*
 * cli_sub - `kring sub ...`: subscribers added by the programme office,
 * CSV import and export.
 *
 * An import is one transaction: either every good row is in, or (on a
 * store error) none.  Bad rows are reported with their line and skipped.
 * Erased people (keyed hash on the suppression list) and people who
 * unsubscribed from the list are never silently re-added: they are
 * counted, and imported only with --force, which says how many.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "addr.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "hmac.h"
#include "model.h"
#include "output.h"
#include "store.h"
#include "xmem.h"

/* An address from the command line, or an error naming it (escaped). */
static char *
arg_address(const char *in, int *ex)
{
	struct err e = { 0, "" };
	char *a = addr_normalize(in, &e);
	char shown[300];
	size_t n = 0;

	if (a != NULL)
		return a;
	for (const unsigned char *p = (const unsigned char *)in; *p &&
	    n + 5 < sizeof(shown); p++) {
		if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(shown + n, sizeof(shown) - n,
			    "\\x%02x", *p);
		else
			shown[n++] = (char)*p;
	}
	shown[n] = '\0';
	*ex = cli_error(EX_DATAERR, "\"%s\": %s", shown, e.msg);
	return NULL;
}

int
cmd_sub_add(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "name=", "mode=", NULL };
	const char *v[2], *why;
	char *pos[2], *addr = NULL;
	int npos, ex = 0, had;
	enum sub_mode mode = MODE_EACH;
	struct list l = { 0 };
	struct sub old;
	struct err e = { 0, "" };
	int64_t pid;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 2, &npos)) != 0)
		return ex;
	if (npos != 2)
		return cli_usage(c);
	if (v[0] && (why = model_text_problem(v[0], PERSON_NAME_MAX)) != NULL)
		return cli_error(EX_DATAERR, "--name %s", why);
	if (v[1] && sub_mode_parse(v[1], &mode) != 0)
		return cli_error(EX_DATAERR, "--mode \"%s\": not one of %s", v[1],
		    sub_mode_words());
	if ((addr = arg_address(pos[1], &ex)) == NULL)
		return ex;
	if (cli_store(c, false, &ex) == NULL || (ex = cli_list_need(c, pos[0], &l))) {
		free(addr);
		return ex;
	}
	if (store_begin(c->st, &e) != 0 ||
	    store_person_ensure(c->st, addr, v[0], c->now, &pid, &e) != 0 ||
	    (had = store_sub_get(c->st, l.id, pid, &old, &e)) < 0)
		goto fail;
	if (had && old.state == SUB_ACTIVE && (v[1] == NULL || old.mode == mode)) {
		store_rollback(c->st);
		printf("%s is already subscribed to %s\n", addr, l.id);
		sub_clear(&old);
		goto done;
	}
	if (store_sub_put(c->st, l.id, pid, SUB_ACTIVE, v[1] || !had ? mode :
	    old.mode, "admin", c->now, &e) != 0 ||
	    store_event(c->st, c->now, "sub-add", l.id, addr, NULL, "admin",
	    &e) != 0 || store_commit(c->st, &e) != 0) {
		sub_clear(&old);
		goto fail;
	}
	printf("subscribed %s to %s (%s)\n", addr, l.id, sub_mode_name(
	    v[1] || !had ? mode : old.mode));
	sub_clear(&old);
done:
	free(addr);
	list_clear(&l);
	return EX_OK;
fail:
	store_rollback(c->st);
	free(addr);
	list_clear(&l);
	return cli_fail(&e);
}

int
cmd_sub_rm(struct cli *c, int argc, char **argv)
{
	char *addr;
	int ex = 0, had;
	struct list l = { 0 };
	struct person p = { 0 };
	struct sub s = { 0 };
	struct err e = { 0, "" };

	if (argc != 2)
		return cli_usage(c);
	if ((addr = arg_address(argv[1], &ex)) == NULL)
		return ex;
	if (cli_store(c, false, &ex) == NULL || (ex = cli_list_need(c, argv[0], &l))) {
		free(addr);
		return ex;
	}
	if (store_begin(c->st, &e) != 0)
		goto fail;
	had = store_person_find(c->st, addr, &p, &e);
	if (had > 0)
		had = store_sub_get(c->st, l.id, p.id, &s, &e);
	if (had < 0)
		goto fail;
	if (had == 0 || s.state == SUB_UNSUBSCRIBED) {
		store_rollback(c->st);
		ex = cli_error(EX_DATAERR, "%s is not subscribed to %s", addr, l.id);
		goto out;
	}
	if (store_sub_put(c->st, l.id, p.id, SUB_UNSUBSCRIBED, s.mode, NULL,
	    c->now, &e) != 0 ||
	    store_event(c->st, c->now, "sub-rm", l.id, addr, NULL, "admin",
	    &e) != 0 || store_commit(c->st, &e) != 0)
		goto fail;
	printf("unsubscribed %s from %s\n", addr, l.id);
	goto out;
fail:
	store_rollback(c->st);
	ex = cli_fail(&e);
out:
	free(addr);
	list_clear(&l);
	person_clear(&p);
	sub_clear(&s);
	return ex;
}

static int
ls_row(const struct sub *s, void *arg)
{
	const char *cells[4] = { s->email, sub_state_name(s->state),
		sub_mode_name(s->mode), s->name };

	table_row(arg, cells);
	return 0;
}

int
cmd_sub_ls(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "state=", "tsv", NULL };
	static const char *const header[] = { "EMAIL", "STATE", "MODE", "NAME" };
	const char *v[2];
	char *pos[1];
	int npos, ex = 0;
	enum sub_state state;
	struct list l = { 0 };
	struct table *t;
	struct err e = { 0, "" };

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if (v[0] && sub_state_parse(v[0], &state) != 0)
		return cli_error(EX_USAGE, "--state \"%s\": not one of %s", v[0],
		    sub_state_words());
	if (cli_store(c, false, &ex) == NULL || (ex = cli_list_need(c, pos[0], &l)))
		return ex;
	t = table_new(v[1] != NULL, 4, header);
	if (store_sub_each(c->st, l.id, v[0] ? (int)state : -1, ls_row, t,
	    &e) != 0)
		ex = cli_fail(&e);
	table_print(&t, stdout);
	list_clear(&l);
	return ex;
}

static int
export_row(const struct sub *s, void *arg)
{
	const char *f[4] = { s->email, s->name, sub_state_name(s->state),
		sub_mode_name(s->mode) };

	csv_write_safe(arg, f, 4);
	return 0;
}

int
cmd_sub_export(struct cli *c, int argc, char **argv)
{
	static const char *const head[] = { "email", "name", "state", "mode" };
	struct list l = { 0 };
	struct err e = { 0, "" };
	int ex = 0;

	if (argc != 1)
		return cli_usage(c);
	if (cli_store(c, false, &ex) == NULL || (ex = cli_list_need(c, argv[0], &l)))
		return ex;
	csv_write(stdout, head, 4);
	if (store_sub_each(c->st, l.id, -1, export_row, stdout, &e) != 0)
		ex = cli_fail(&e);
	list_clear(&l);
	return ex;
}

struct import {
	struct cli *c;
	const char *file;
	const char *list;
	bool confirmed, force;
	struct hmac_key key;
	int email_col, name_col;
	int64_t added, already, bad, suppressed, forced;
};

/* Header: email, optionally name, in any order and case. */
static int
import_header(struct import *im, char **f, size_t n)
{
	im->email_col = im->name_col = -1;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(f[i], "email") == 0 && im->email_col < 0)
			im->email_col = (int)i;
		else if (strcasecmp(f[i], "name") == 0 && im->name_col < 0)
			im->name_col = (int)i;
		else
			return cli_error(EX_DATAERR, "%s:1: unknown column \"%s\" "
			    "(the header is email[,name])", im->file, f[i]);
	}
	if (im->email_col < 0)
		return cli_error(EX_DATAERR, "%s:1: no email column (the header "
		    "is email[,name])", im->file);
	return 0;
}

/* One data row; -1 only for a store error (then e is set). */
static int
import_row(struct import *im, char **f, size_t n, long line, struct err *e)
{
	struct err ae = { 0, "" };
	const char *name = "", *why;
	char hash[HMAC_HEX_LEN + 1], *addr;
	struct sub old = { 0 };
	struct person p = { 0 };
	int64_t pid;
	int had, sup;

	if (n == 1 && f[0][0] == '\0')
		return 0;               /* an empty line */
	if ((size_t)im->email_col >= n) {
		cli_error(EX_DATAERR, "%s:%ld: no email field", im->file, line);
		im->bad++;
		return 0;
	}
	if (im->name_col >= 0 && (size_t)im->name_col < n)
		name = f[im->name_col];
	if ((addr = addr_normalize(f[im->email_col], &ae)) == NULL) {
		cli_error(EX_DATAERR, "%s:%ld: %s", im->file, line, ae.msg);
		im->bad++;
		return 0;
	}
	if ((why = model_text_problem(name, PERSON_NAME_MAX)) != NULL) {
		cli_error(EX_DATAERR, "%s:%ld: name %s", im->file, line, why);
		im->bad++;
		free(addr);
		return 0;
	}
	/* Decide before writing: an erased address must not even get a row. */
	hmac_hex(&im->key, addr, strlen(addr), hash);
	if ((sup = store_suppressed(im->c->st, hash, e)) < 0 ||
	    (had = store_person_find(im->c->st, addr, &p, e)) < 0)
		goto fail;
	if (had > 0 && (had = store_sub_get(im->c->st, im->list, p.id, &old,
	    e)) < 0)
		goto fail;
	if (had && old.state != SUB_UNSUBSCRIBED) {
		im->already++;
		goto skip;
	}
	if (sup || had) {
		if (!im->force) {
			im->suppressed++;
			goto skip;
		}
		im->forced++;
	}
	if (store_person_ensure(im->c->st, addr, name, im->c->now, &pid, e) != 0)
		goto fail;
	if (store_sub_put(im->c->st, im->list, pid, im->confirmed ? SUB_ACTIVE :
	    SUB_PENDING, had ? old.mode : MODE_EACH, im->confirmed ?
	    "import-confirmed" : "import", im->c->now, e) != 0)
		goto fail;
	im->added++;
skip:
	sub_clear(&old);
	person_clear(&p);
	free(addr);
	return 0;
fail:
	sub_clear(&old);
	person_clear(&p);
	free(addr);
	return -1;
}

int
cmd_sub_import(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "confirmed", "force", NULL };
	const char *v[2], *why;
	char *pos[2], **f, *keypath, detail[200];
	size_t n;
	int npos, ex = 0, r;
	struct list l = { 0 };
	struct err e = { 0, "" };
	struct import im;
	struct csv_reader *rd;
	struct progress pg;
	FILE *in;
	long rows = 0;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 2, &npos)) != 0)
		return ex;
	if (npos != 2)
		return cli_usage(c);
	memset(&im, 0, sizeof(im));
	im.c = c;
	im.file = pos[1];
	im.confirmed = v[0] != NULL;
	im.force = v[1] != NULL;
	if (cli_store(c, false, &ex) == NULL || (ex = cli_list_need(c, pos[0], &l)))
		return ex;
	im.list = l.id;
	keypath = hmac_key_path(c->cfg->store);
	r = hmac_key_load(keypath, &im.key, &e);
	free(keypath);
	if (r != 0) {
		list_clear(&l);
		return cli_fail(&e);
	}
	if ((in = fopen(im.file, "r")) == NULL) {
		ex = cli_error(EX_NOINPUT, "%s: %s", im.file, strerror(errno));
		list_clear(&l);
		return ex;
	}
	rd = csv_reader_new(in);
	r = csv_read(rd, &f, &n, &why);
	if (r <= 0) {
		ex = r == 0 ? cli_error(EX_DATAERR, "%s: empty file (the header is "
		    "email[,name])", im.file) : cli_error(EX_DATAERR, "%s:%ld: %s",
		    im.file, csv_line(rd), why);
		goto out;
	}
	if ((ex = import_header(&im, f, n)) != 0)
		goto out;
	if (store_begin(c->st, &e) != 0) {
		ex = cli_fail(&e);
		goto out;
	}
	progress_start(&pg, "importing", 0);
	while ((r = csv_read(rd, &f, &n, &why)) != 0) {
		if (r < 0) {
			cli_error(EX_DATAERR, "%s:%ld: %s", im.file, csv_line(rd), why);
			im.bad++;
			continue;
		}
		if (import_row(&im, f, n, csv_line(rd), &e) != 0) {
			store_rollback(c->st);
			ex = cli_fail(&e);
			goto out;
		}
		if (++rows % 1000 == 0)
			progress_step(&pg, rows);
	}
	progress_step(&pg, rows);
	progress_end(&pg);
	if (ferror(in)) {
		store_rollback(c->st);
		ex = cli_error(EX_IOERR, "%s: read error", im.file);
		goto out;
	}
	snprintf(detail, sizeof(detail), "added=%lld already=%lld bad=%lld "
	    "suppressed=%lld forced=%lld", (long long)im.added,
	    (long long)im.already, (long long)im.bad, (long long)im.suppressed,
	    (long long)im.forced);
	if (store_event(c->st, c->now, "import", l.id, NULL, NULL, detail,
	    &e) != 0 || store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		ex = cli_fail(&e);
		goto out;
	}
	printf("%s: %lld added (%s), %lld already subscribed, %lld bad rows "
	    "skipped, %lld skipped as unsubscribed or erased\n", im.file,
	    (long long)im.added, im.confirmed ? "active" :
	    "pending, to be confirmed", (long long)im.already, (long long)im.bad,
	    (long long)im.suppressed);
	if (im.force)
		printf("--force: %lld unsubscribed or erased people imported again\n",
		    (long long)im.forced);
out:
	csv_reader_free(&rd);
	fclose(in);
	list_clear(&l);
	explicit_bzero(&im.key, sizeof(im.key));
	return ex;
}
