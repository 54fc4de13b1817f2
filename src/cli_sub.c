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
#include <sys/stat.h>
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

/* in with control characters shown as \xNN, for error messages. */
static char *
escaped(const char *in)
{
	static const char hex[] = "0123456789abcdef";
	char *out = xmalloc(4 * strlen(in) + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

/* An address from the command line, or an error naming it (escaped). */
static char *
arg_address(const char *in, int *ex)
{
	struct err e = { 0, "" };
	char *a = addr_normalize(in, &e), *shown;

	if (a != NULL)
		return a;
	shown = escaped(in);
	*ex = cli_error(EX_DATAERR, "\"%s\": %s", shown, e.msg);
	free(shown);
	return NULL;
}

/* Whole: one command's checks in the order its error messages promise. */
int
cmd_sub_add(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "name=", "mode=", "force", NULL };
	const char *v[3], *why;
	char *pos[2], *addr = NULL, hash[HMAC_HEX_LEN + 1];
	const struct hmac_key *key;
	int npos, ex = 0, had, erased;
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
	if (cli_store(c, false, &ex) == NULL || (key = cli_key(c, &ex)) == NULL ||
	    (ex = cli_list_need(c, pos[0], &l))) {
		free(addr);
		return ex;
	}
	/* As import: an erased address comes back only when the office says so. */
	if ((erased = cli_erased(c, key, addr, hash, &e)) < 0)
		goto fail;
	if (erased && v[2] == NULL) {
		ex = cli_error(EX_DATAERR, "%s was erased; add --force to "
		    "subscribe them again", addr);
		free(addr);
		list_clear(&l);
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
		return cli_error(EX_DATAERR, "--state \"%s\": not one of %s", v[0],
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
	const struct hmac_key *key;
	struct progress pg;
	size_t ncols;
	int email_col, name_col;
	int64_t added, activated, already, bad, suppressed, forced;
};

/* Report a bad row (why is a message, not a format) and count it. */
static void
import_bad(struct import *im, long line, const char *why)
{
	progress_clear(&im->pg);
	cli_error(EX_DATAERR, "%s:%ld: %s", im->file, line, why);
	im->bad++;
}

/*
 * The header: email and optionally name, in any order and case.  Any
 * other column is refused rather than ignored, so that a file meant for
 * something else (or a first row of data without a header) is not
 * imported half-understood.
 */
static int
import_header(struct import *im, char **f, size_t n)
{
	im->email_col = im->name_col = -1;
	im->ncols = n;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(f[i], "email") == 0 && im->email_col < 0)
			im->email_col = (int)i;
		else if (strcasecmp(f[i], "name") == 0 && im->name_col < 0)
			im->name_col = (int)i;
		else if (strchr(f[i], '@') != NULL)
			return cli_error(EX_DATAERR, "%s:1: no header line (the "
			    "first line must be email[,name])", im->file);
		else
			return cli_error(EX_DATAERR, "%s:1: unknown column \"%s\" "
			    "(the header is email[,name])", im->file, f[i]);
	}
	if (im->email_col < 0)
		return cli_error(EX_DATAERR, "%s:1: no email column (the header "
		    "is email[,name])", im->file);
	return 0;
}

/*
 * Check a data row: 0 with *addr (caller frees) and *name when good, -1
 * after reporting it.  Empty fields beyond the header's are tolerated
 * (spreadsheets write trailing commas); anything else there is refused.
 */
static int
import_check(struct import *im, char **f, size_t n, long line, char **addr,
    const char **name)
{
	struct err ae = { 0, "" };
	const char *why;
	char *msg, *shown;

	for (size_t i = im->ncols; i < n; i++)
		if (f[i][0] != '\0') {
			msg = xasprintf("%zu fields, but the header has %zu", n,
			    im->ncols);
			import_bad(im, line, msg);
			free(msg);
			return -1;
		}
	if ((size_t)im->email_col >= n || f[im->email_col][0] == '\0') {
		import_bad(im, line, "no address");
		return -1;
	}
	*name = im->name_col >= 0 && (size_t)im->name_col < n ?
	    f[im->name_col] : "";
	if ((*addr = addr_normalize(f[im->email_col], &ae)) == NULL) {
		shown = escaped(f[im->email_col]);
		msg = xasprintf("\"%s\": %s", shown, ae.msg);
		import_bad(im, line, msg);
		free(msg);
		free(shown);
		return -1;
	}
	if ((why = model_text_problem(*name, PERSON_NAME_MAX)) != NULL) {
		msg = xasprintf("name %s", why);
		import_bad(im, line, msg);
		free(msg);
		free(*addr);
		return -1;
	}
	return 0;
}

/*
 * One data row; -1 only for a store error (then e is set).  Who is
 * there already is left alone, except that --confirmed activates a
 * pending subscription: the office now vouches for that person.
 */
static int
import_row(struct import *im, char **f, size_t n, long line, struct err *e)
{
	const char *name, *consent = im->confirmed ? "import-confirmed" :
	    "import";
	char hash[HMAC_HEX_LEN + 1], *addr;
	struct sub old = { 0 };
	struct person p = { 0 };
	int64_t pid;
	int had, sup, ret = -1;

	if (n == 1 && f[0][0] == '\0')
		return 0;               /* an empty line */
	if (import_check(im, f, n, line, &addr, &name) != 0)
		return 0;
	/* Decide before writing: an erased address must not even get a row. */
	if ((sup = cli_erased(im->c, im->key, addr, hash, e)) < 0 ||
	    (had = store_person_find(im->c->st, addr, &p, e)) < 0)
		goto out;
	if (had > 0 && (had = store_sub_get(im->c->st, im->list, p.id, &old,
	    e)) < 0)
		goto out;
	if (had && old.state == SUB_PENDING && im->confirmed) {
		if (store_sub_put(im->c->st, im->list, p.id, SUB_ACTIVE, old.mode,
		    consent, im->c->now, e) != 0)
			goto out;
		im->activated++;
	} else if (had && old.state != SUB_UNSUBSCRIBED) {
		im->already++;
	} else if ((sup || had) && !im->force) {
		im->suppressed++;
	} else {
		if (store_person_ensure(im->c->st, addr, name, im->c->now, &pid,
		    e) != 0 || store_sub_put(im->c->st, im->list, pid,
		    im->confirmed ? SUB_ACTIVE : SUB_PENDING, had ? old.mode :
		    MODE_EACH, consent, im->c->now, e) != 0)
			goto out;
		im->added++;
		if (sup || had)
			im->forced++;
	}
	ret = 0;
out:
	sub_clear(&old);
	person_clear(&p);
	free(addr);
	return ret;
}

/*
 * Read the rows after the header, inside the caller's transaction.  The
 * progress bar follows the bytes read, so it has an ETA before the
 * number of rows is known.
 */
static int
import_rows(struct import *im, FILE *in, struct csv_reader *rd,
    struct err *e)
{
	struct stat sb;
	const char *why;
	char **f;
	size_t n;
	int64_t rows = 0;
	off_t pos;
	int r;

	progress_start(&im->pg, "importing", fstat(fileno(in), &sb) == 0 &&
	    S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : 0);
	while ((r = csv_read(rd, &f, &n, &why)) != 0) {
		if (r < 0)
			import_bad(im, csv_line(rd), why);
		else if (import_row(im, f, n, csv_line(rd), e) != 0) {
			progress_clear(&im->pg);
			return -1;
		}
		if (++rows % 1024 == 0) {
			pos = ftello(in);
			progress_update(&im->pg, pos < 0 ? 0 : (int64_t)pos, rows);
		}
	}
	progress_update(&im->pg, im->pg.total, rows);
	progress_end(&im->pg);
	if (ferror(in))
		return err_set(e, EX_IOERR, "%s: read error", im->file);
	return 0;
}

static void
import_report(const struct import *im)
{
	printf("%s: %lld added (%s), %lld already subscribed, %lld bad rows "
	    "skipped, %lld skipped as unsubscribed or erased\n", im->file,
	    (long long)im->added, im->confirmed ? "active" :
	    "pending, to be confirmed", (long long)im->already,
	    (long long)im->bad, (long long)im->suppressed);
	if (im->activated > 0)
		printf("--confirmed: %lld pending subscriptions made active\n",
		    (long long)im->activated);
	if (im->force)
		printf("--force: %lld unsubscribed or erased people imported again\n",
		    (long long)im->forced);
}

/* Open the file and read its header: 0, or an exit code after saying why. */
static int
import_open(struct import *im, FILE **in, struct csv_reader **rd)
{
	const char *why;
	char **f;
	size_t n;
	int r;

	if ((*in = fopen(im->file, "r")) == NULL)
		return cli_error(EX_NOINPUT, "%s: %s", im->file, strerror(errno));
	*rd = csv_reader_new(*in);
	r = csv_read(*rd, &f, &n, &why);
	if (r == 0)
		return cli_error(EX_DATAERR, "%s: empty file (the header is "
		    "email[,name])", im->file);
	if (r < 0)
		return cli_error(EX_DATAERR, "%s:%ld: %s", im->file,
		    csv_line(*rd), why);
	return import_header(im, f, n);
}

int
cmd_sub_import(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "confirmed", "force", NULL };
	const char *v[2];
	char *pos[2], detail[256];
	int npos, ex = 0;
	struct list l = { 0 };
	struct err e = { 0, "" };
	struct import im;
	struct csv_reader *rd = NULL;
	FILE *in = NULL;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 2, &npos)) != 0)
		return ex;
	if (npos != 2)
		return cli_usage(c);
	memset(&im, 0, sizeof(im));
	im.c = c;
	im.file = pos[1];
	im.confirmed = v[0] != NULL;
	im.force = v[1] != NULL;
	if (cli_store(c, false, &ex) == NULL ||
	    (ex = cli_list_need(c, pos[0], &l)) != 0)
		return ex;
	im.list = l.id;
	if ((im.key = cli_key(c, &ex)) == NULL)
		goto out;
	if ((ex = import_open(&im, &in, &rd)) != 0)
		goto out;
	if (store_begin(c->st, &e) != 0 || import_rows(&im, in, rd, &e) != 0)
		goto fail;
	snprintf(detail, sizeof(detail), "added=%lld activated=%lld "
	    "already=%lld bad=%lld suppressed=%lld forced=%lld",
	    (long long)im.added, (long long)im.activated, (long long)im.already,
	    (long long)im.bad, (long long)im.suppressed, (long long)im.forced);
	if (store_event(c->st, c->now, "import", l.id, NULL, NULL, detail,
	    &e) != 0 || store_commit(c->st, &e) != 0)
		goto fail;
	import_report(&im);
	goto out;
fail:
	store_rollback(c->st);
	ex = cli_fail(&e);
out:
	csv_reader_free(&rd);
	if (in != NULL)
		fclose(in);
	list_clear(&l);
	return ex;
}
