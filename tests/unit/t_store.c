/*
 * Unit tests for the store core: creation with mode 0600, migration to
 * the latest schema, reopening, transactions, meta, refusing a missing
 * store without STORE_CREATE, a list's aliases kept and found.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "model.h"
#include "store.h"

/* A list with aliases goes in, comes back whole, and is found by them. */
static void
list_aliases(struct store *st)
{
	struct err e = { 0, "" };
	struct list l = { .id = "gezondeschool", .name = "Gezonde School",
		.aliases = "jgz,gezond" }, got;
	char *id = NULL;

	CHECK(store_begin(st, &e) == 0);
	CHECK(store_list_add(st, &l, &e) == 0);
	CHECK_INT(store_list_get(st, "gezondeschool", &got, &e), 1);
	CHECK_STR(got.aliases, "jgz,gezond");
	CHECK_INT(store_list_by_word(st, "gezond", NULL, &id, &e), 1);
	CHECK_STR(id, "gezondeschool");
	free(id);
	CHECK_INT(store_list_by_word(st, "gezondeschool", NULL, &id, &e), 1);
	free(id);
	CHECK_INT(store_list_by_word(st, "jgz", "gezondeschool", &id, &e), 0);
	CHECK_INT(store_list_by_word(st, "gezon", NULL, &id, &e), 0);
	CHECK(id == NULL);
	free(got.aliases);
	got.aliases = NULL;
	CHECK(store_list_update(st, &got, &e) == 0);
	list_clear(&got);
	CHECK_INT(store_list_get(st, "gezondeschool", &got, &e), 1);
	CHECK_STR(got.aliases, "");
	list_clear(&got);
	CHECK_INT(store_list_by_word(st, "jgz", NULL, &id, &e), 0);
	CHECK(store_commit(st, &e) == 0);
}

int
main(void)
{
	char dir[] = "/tmp/kring-t_store-XXXXXX";
	char path[256];
	struct store *st = NULL;
	struct err e = { 0, "" };
	struct stat sb;
	char *v = NULL;

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/kring.db", dir);

	CHECK(store_open(path, 0, &st, &e) == -1);
	CHECK_INT(e.ex, EX_NOINPUT);
	CHECK(strstr(e.msg, "kring init") != NULL);

	CHECK(store_open(path, STORE_CREATE, &st, &e) == 0);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK_INT(store_schema_version(st), store_schema_latest());

	CHECK(store_begin(st, &e) == 0);
	CHECK(store_meta_set(st, "site", "one", &e) == 0);
	store_rollback(st);
	CHECK_INT(store_meta_get(st, "site", &v, &e), 0);

	CHECK(store_begin(st, &e) == 0);
	CHECK(store_meta_set(st, "site", "two", &e) == 0);
	CHECK(store_meta_set(st, "site", "three", &e) == 0);
	CHECK(store_commit(st, &e) == 0);
	store_close(&st);
	CHECK(st == NULL);

	CHECK(store_open(path, 0, &st, &e) == 0);
	CHECK_INT(store_meta_get(st, "site", &v, &e), 1);
	CHECK_STR(v, "three");
	free(v);
	list_aliases(st);
	store_close(&st);

	unlink(path);
	snprintf(path, sizeof(path), "%s/kring.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kring.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return check_done();
}
