/*
 * cli_person - privacy (`kring person show|export|erase`) and the event
 * log (`kring log`).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "archive.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "json.h"
#include "output.h"
#include "store.h"
#include "units.h"
#include "xmem.h"

int
cli_erased(struct cli *c, const struct hmac_key *key, const char *addr,
    char *hash, struct err *e)
{
	char *folded = xstrdup(addr), as_given[HMAC_HEX_LEN + 1];
	int r;

	for (char *p = folded; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	hmac_hex(key, folded, strlen(folded), hash);
	free(folded);
	if ((r = store_suppressed(c->st, hash, e)) != 0)
		return r;
	hmac_hex(key, addr, strlen(addr), as_given);
	return store_suppressed(c->st, as_given, e);
}

/* Normalise the argument and find the person; 0 and *p, else an exit code. */
static int
find_person(struct cli *c, const char *arg, struct person *p)
{
	struct err e = { 0, "" };
	char *addr = addr_normalize(arg, &e);
	int ex = 0, r;

	memset(p, 0, sizeof(*p));
	if (addr == NULL)
		return cli_error(EX_DATAERR, "%s", e.msg);
	if (cli_store(c, false, &ex) == NULL) {
		free(addr);
		return ex;
	}
	r = store_person_find(c->st, addr, p, &e);
	if (r == 0)
		ex = cli_error(EX_DATAERR, "%s: no such person", addr);
	else if (r < 0)
		ex = cli_fail(&e);
	free(addr);
	return ex;
}

static void
cell_text(const struct store_cell *cl, char *out, size_t len)
{
	switch (cl->type) {
	case CELL_NULL:
		snprintf(out, len, "-");
		break;
	case CELL_INT:
		snprintf(out, len, "%lld", (long long)cl->i);
		break;
	case CELL_REAL:
		snprintf(out, len, "%g", cl->d);
		break;
	case CELL_TIME:
		units_format_time((time_t)cl->i, out, len);
		break;
	case CELL_TEXT:
		snprintf(out, len, "%s", cl->text);
		break;
	}
}

static int
show_row(const struct store_cell *cells, int n, void *arg)
{
	struct table *t = arg;
	char vals[16][256];
	const char *ptr[16];

	for (int i = 0; i < n; i++) {
		cell_text(&cells[i], vals[i], sizeof(vals[i]));
		ptr[i] = vals[i];
	}
	table_row(t, ptr);
	return 0;
}

/* Column names of a section, from one row: remembered by show_header. */
struct section_show {
	struct table *t;
	int ncols;
};

static int
header_row(const struct store_cell *cells, int n, void *arg)
{
	struct section_show *s = arg;
	const char *names[16];

	if (s->t == NULL) {
		for (int i = 0; i < n; i++)
			names[i] = cells[i].name;
		s->ncols = n;
		s->t = table_new(false, n, names);
	}
	return show_row(cells, n, s->t);
}

int
cmd_person_show(struct cli *c, int argc, char **argv)
{
	struct person p;
	struct err e = { 0, "" };
	char when[32];
	int ex;

	if (argc != 1)
		return cli_usage(c);
	if ((ex = find_person(c, argv[0], &p)) != 0)
		return ex;
	units_format_time((time_t)p.created, when, sizeof(when));
	printf("address:  %s\nname:     %s\nknown since: %s\n", p.email,
	    *p.name ? p.name : "-", when);
	for (int sec = 0; sec < STORE_SECTIONS; sec++) {
		struct section_show s = { NULL, 0 };

		if (store_person_section(c->st, (enum store_section)sec, &p,
		    header_row, &s, &e) != 0) {
			if (s.t)
				table_print(&s.t, stdout);
			person_clear(&p);
			return cli_fail(&e);
		}
		printf("\n%s:%s\n", store_section_name((enum store_section)sec),
		    s.t ? "" : " none");
		if (s.t)
			table_print(&s.t, stdout);
	}
	person_clear(&p);
	return EX_OK;
}

static int
json_row(const struct store_cell *cells, int n, void *arg)
{
	struct json *j = arg;

	json_object_open(j, NULL);
	for (int i = 0; i < n; i++) {
		const struct store_cell *cl = &cells[i];

		switch (cl->type) {
		case CELL_NULL:
			json_null(j, cl->name);
			break;
		case CELL_INT:
			json_int(j, cl->name, cl->i);
			break;
		case CELL_REAL:
			json_double(j, cl->name, cl->d);
			break;
		case CELL_TIME:
			json_time(j, cl->name, cl->i);
			break;
		case CELL_TEXT:
			json_string(j, cl->name, cl->text);
			break;
		}
	}
	json_object_close(j);
	return 0;
}

int
cmd_person_export(struct cli *c, int argc, char **argv)
{
	struct person p;
	struct err e = { 0, "" };
	struct buf out = BUF_INIT;
	struct json j;
	int ex;

	if (argc != 1)
		return cli_usage(c);
	if ((ex = find_person(c, argv[0], &p)) != 0)
		return ex;
	json_init(&j, &out);
	json_object_open(&j, NULL);
	json_string(&j, "email", p.email);
	json_string(&j, "name", p.name);
	json_time(&j, "created", p.created);
	for (int sec = 0; sec < STORE_SECTIONS && ex == 0; sec++) {
		json_array_open(&j, store_section_name((enum store_section)sec));
		if (store_person_section(c->st, (enum store_section)sec, &p,
		    json_row, &j, &e) != 0)
			ex = cli_fail(&e);
		json_array_close(&j);
	}
	json_object_close(&j);
	if (ex == 0)
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	person_clear(&p);
	return ex;
}

/* Ask on the terminal; true only when the person typed the address. */
static bool
confirmed_on_tty(const char *addr)
{
	char line[512];

	fprintf(stderr, "Erasing %s removes everything kring knows about them "
	    "and cannot be undone.\nType the address to confirm: ", addr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, addr) == 0;
}

int
cmd_person_erase(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "yes", NULL };
	const char *v[1];
	char *pos[1], hash[HMAC_HEX_LEN + 1], *addr;
	int npos, ex = 0, r = 0, erased;
	struct person p = { 0 };
	const struct hmac_key *key;
	struct err e = { 0, "" };
	struct store_erase_counts n;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 1, &npos)) != 0)
		return ex;
	if (npos != 1)
		return cli_usage(c);
	if ((addr = addr_normalize(pos[0], &e)) == NULL)
		return cli_error(EX_DATAERR, "%s", e.msg);
	if (cli_store(c, false, &ex) == NULL)
		goto out;
	if ((key = cli_key(c, &ex)) == NULL)
		goto out;
	if ((erased = cli_erased(c, key, addr, hash, &e)) < 0 ||
	    (r = store_person_find(c->st, addr, &p, &e)) <= 0) {
		if (erased < 0 || r < 0)
			ex = cli_fail(&e);
		else if (erased > 0)
			printf("%s was already erased\n", addr);
		else
			ex = cli_error(EX_DATAERR, "%s: no such person", addr);
		goto out;
	}
	if (v[0] == NULL) {
		if (!isatty(STDIN_FILENO)) {
			ex = cli_error(EX_USAGE, "erasing %s cannot be undone; add "
			    "--yes to confirm", addr);
			goto out;
		}
		if (!confirmed_on_tty(addr)) {
			ex = cli_error(EX_USAGE, "not confirmed; nothing erased");
			goto out;
		}
	}
	if (store_begin(c->st, &e) != 0 ||
	    store_person_erase(c->st, &p, hash, c->now, &n, &e) != 0 ||
	    store_event(c->st, c->now, "erase", NULL, hash, NULL, NULL, &e) != 0 ||
	    store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		ex = cli_fail(&e);
		goto out;
	}
	printf("erased %s: the person, their subscriptions, tokens and bounces; "
	    "%lld log entries and %lld posts now carry a one-way hash instead; "
	    "%lld inbound and %lld queued messages deleted.  This cannot be "
	    "undone; the hash stays on the suppression list so no import adds "
	    "them again.\n", addr, (long long)n.events, (long long)n.posts,
	    (long long)n.inbound, (long long)n.queue);
out:
	free(addr);
	person_clear(&p);
	return ex;
}

struct log_arg {
	bool tsv;
	struct table *t;
};

static int
log_row(const struct store_event_rec *ev, void *arg)
{
	struct log_arg *a = arg;
	char when[32];
	const char *cells[6];

	cli_format_when((time_t)ev->at, a->tsv, when, sizeof(when));
	cells[0] = when;
	cells[1] = ev->event;
	cells[2] = ev->list_id ? ev->list_id : (a->tsv ? "" : "-");
	cells[3] = ev->addr ? ev->addr : (a->tsv ? "" : "-");
	cells[4] = ev->result;
	cells[5] = ev->detail ? ev->detail : "";
	if (a->tsv)
		tsv_write(stdout, cells, 6);
	else
		table_row(a->t, cells);
	return 0;
}

int
cmd_log(struct cli *c, int argc, char **argv)
{
	static const char *const specs[] = { "since=", "tsv", NULL };
	const char *v[2];
	char *pos[1];
	int npos, ex = 0;
	int64_t since = 0, ago;
	time_t t;
	struct err e = { 0, "" };
	struct log_arg a;

	if ((ex = cli_getopt(c, argc, argv, specs, v, pos, 0, &npos)) != 0)
		return ex;
	if (v[0] != NULL) {
		if (units_time(v[0], &t) == 0)
			since = t;
		else if (units_duration(v[0], &ago) == 0)
			since = c->now - ago;
		else
			return cli_error(EX_USAGE, "--since \"%s\": not a time "
			    "(2026-11-01, 2026-11-01T08:00) or a duration ago "
			    "(2d, 12h)", v[0]);
	}
	if (cli_store(c, false, &ex) == NULL)
		return ex;
	a.tsv = v[1] != NULL;
	a.t = a.tsv ? NULL : table_new(false, 6, NULL);
	if (store_log_each(c->st, since, log_row, &a, &e) != 0)
		ex = cli_fail(&e);
	if (a.t)
		table_print(&a.t, stdout);
	return ex;
}

int
cmd_person_relink(struct cli *c, int argc, char **argv)
{
	const struct config *cfg;
	const struct hmac_key *key;
	struct person p;
	struct err e = { 0, "" };
	char *url = NULL;
	time_t now = time(NULL);
	int ex;

	if (argc != 1)
		return cli_usage(c);
	if ((cfg = cli_config(c, &ex)) == NULL || (key = cli_key(c, &ex)) ==
	    NULL || (ex = find_person(c, argv[0], &p)) != 0)
		return ex;
	if (store_begin(c->st, &e) != 0 || archive_relink(c->st, cfg, key,
	    p.id, now, &url, &e) != 0 || store_event(c->st, now, "relink",
	    NULL, p.email, "ok", "a new archive link", &e) != 0 ||
	    store_commit(c->st, &e) != 0) {
		store_rollback(c->st);
		person_clear(&p);
		return cli_fail(&e);
	}
	/* The old link stops working; mail from now on carries this one. */
	printf("%s: a new archive link%s%s\n", p.email, url ? ": " : "",
	    url ? url : " (no unsubscribe_url: no web endpoint to show it)");
	free(url);
	person_clear(&p);
	return 0;
}
