/*
 * Unit tests for config: every file in tests/data/config either loads or
 * fails with EX_CONFIG and a message naming file, line and key.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "err.h"

#define CONFDIR TESTDATADIR "/config/"

static const struct {
	const char *file;
	const char *want;   /* NULL: loads; else a substring of the error */
} files[] = {
	{ "minimal.conf", NULL },
	{ "float_int.conf", NULL },
	{ "digest_time.conf", NULL },
	{ "include.conf", "include.conf:2: @include is not supported" },
	{ "nul.conf", "nul.conf:2: a NUL byte" },
	{ "unknown_top.conf", "unknown_top.conf:2: languag: unknown key" },
	{ "unknown_group.conf", "unknown_group.conf:4: smtp.conections: unknown key" },
	{ "syntax.conf", "syntax.conf:4: syntax error" },
	{ "duplicate.conf", "duplicate.conf:3: duplicate setting" },
	{ "wrong_type.conf", "wrong_type.conf:2: smtp.port: expected a whole number" },
	{ "port_range.conf", "port_range.conf:2: smtp.port: must be a whole number from 1 to 65535" },
	{ "duration_unit.conf", "duration_unit.conf:2: confirm_ttl: \"7x\" is not a duration" },
	{ "duration_bare.conf", "duration_bare.conf:2: confirm_ttl: \"7\" is not a duration" },
	{ "duration_range.conf", "duration_range.conf:2: confirm_ttl: \"100d\" is out of range" },
	{ "size_bad.conf", "size_bad.conf:2: max_message_size: \"10MB\" is not a size" },
	{ "enum_bad.conf", "enum_bad.conf:2: inbound.type: \"mbox\" is not one of maildir, imap, pop3, none" },
	{ "smtp_tls.conf", "smtp_tls.conf:2: smtp.tls: \"tls\" (implicit TLS, port 465) is not supported" },
	{ "retry_list.conf", "retry_list.conf:2: queue.retry: expected an array" },
	{ "retry_bad.conf", "retry_bad.conf:2: queue.retry: element 2: \"1y\"" },
	{ "group_as_value.conf", "group_as_value.conf:2: smtp: expected a group" },
	{ "value_as_group.conf", "value_as_group.conf:2: language: expected a value" },
	{ "no_address.conf", "no_address.conf: address: required" },
	{ "bad_address.conf", "bad_address.conf:1: address: address contains ' '" },
	{ "imap_needs.conf", "inbound.user: required when inbound.type is imap" },
	{ "url_http.conf", "url_http.conf:2: unsubscribe_url: must be an https://" },
	{ "listen_bad.conf", "listen_bad.conf:2: http.listen: must be HOST:PORT" },
	{ "delim_bad.conf", "delim_bad.conf:2: recipient_delimiter: must be" },
	{ "full.conf", "full.conf:11: inbound.password_file: /nonexistent/pw: No such file" },
	{ "missing.conf", "missing.conf: cannot read: No such file or directory" },
	{ "digest_time_bad.conf", "digest_time_bad.conf:2: digest_time: \"8:00\" is not a time of day" },
	{ "digest_time_range.conf", "digest_time_range.conf:2: digest_time: \"24:00\" is not a time of day" },
	{ "digest_time_type.conf", "digest_time_type.conf:2: digest_time: expected a string" },
};

static void
test_files(void)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct config *c = NULL;
		struct err e = { 0, "" };
		int rc;

		snprintf(path, sizeof(path), CONFDIR "%s", files[i].file);
		rc = config_load(path, &c, &e);
		if (files[i].want == NULL) {
			CHECKM(rc == 0, e.msg);
		} else {
			CHECKM(rc == -1, files[i].file);
			CHECK_INT(e.ex, EX_CONFIG);
			CHECKM(strstr(e.msg, files[i].want) != NULL, e.msg);
			CHECK(c == NULL);
		}
		config_free(&c);
	}
}

static void
test_defaults(void)
{
	struct config *c = NULL;
	struct err e = { 0, "" };

	CHECK(config_load(CONFDIR "minimal.conf", &c, &e) == 0);
	if (c == NULL)
		return;
	CHECK_STR(c->address, "MetAndereOgen@example.org");
	CHECK_STR(c->local, "MetAndereOgen");
	CHECK_STR(c->domain, "example.org");
	CHECK_STR(c->recipient_delimiter, "+");
	CHECK_INT(c->language, LANG_NL);
	CHECK_STR(c->store, LOCALSTATEDIR "/lib/kring/kring.db");
	CHECK_STR(c->unsubscribe_url, "");
	CHECK_INT(c->confirm_ttl, 7 * 86400);
	CHECK_INT(c->confirm_limit, 3);
	CHECK_INT(c->max_message_size, 10 * 1024 * 1024);
	CHECK_INT(c->retention, 365 * 86400);
	CHECK_INT(c->digest_time, 8 * 60);
	CHECK_INT(c->inbound.type, INBOUND_MAILDIR);
	CHECK_INT(c->inbound.port, 993);
	CHECK_INT(c->inbound.tls, TLS_IMPLICIT);
	CHECK_STR(c->inbound.folder, "INBOX");
	CHECK(c->inbound.idle);
	CHECK_INT(c->inbound.poll_interval, 60);
	CHECK_INT(c->inbound.processed, PROCESSED_KEEP);
	CHECK(c->inbound.password == NULL);
	CHECK_INT(c->smtp.transport, TRANSPORT_SMTP);
	CHECK_STR(c->smtp.host, "localhost");
	CHECK_INT(c->smtp.port, 25);
	CHECK_INT(c->smtp.tls, TLS_STARTTLS_IF_OFFERED);
	CHECK_INT(c->smtp.connections, 4);
	CHECK_INT(c->smtp.messages_per_connection, 100);
	CHECK(c->smtp.rate == 0);
	CHECK_INT(c->smtp.timeout, 60);
	CHECK(c->bounce.threshold == 3.0);
	CHECK_INT(c->bounce.window, 30 * 86400);
	CHECK_STR(c->http.listen, "");
	CHECK_INT(c->queue.nretry, 5);
	CHECK_INT(c->queue.retry[0], 300);
	CHECK_INT(c->queue.retry[4], 43200);
	CHECK_INT(c->queue.max_age, 5 * 86400);
	config_free(&c);

	CHECK(config_load(CONFDIR "float_int.conf", &c, &e) == 0);
	if (c) {
		CHECK(c->bounce.threshold == 3.0);
		CHECK(c->smtp.rate == 12.5);
	}
	config_free(&c);

	CHECK(config_load(CONFDIR "digest_time.conf", &c, &e) == 0);
	if (c)
		CHECK_INT(c->digest_time, 7 * 60 + 30);
	config_free(&c);
}

static void
test_shipped(void)
{
	struct config *c = NULL;
	struct err e = { 0, "" };

	CHECKM(config_load(TESTDATADIR "/../../conf/kring.conf", &c, &e) == 0,
	    e.msg);
	if (c) {
		CHECK_STR(c->address, "metandereogen@example.org");
		CHECK_STR(c->store, "/var/lib/kring/kring.db");
		CHECK_INT(c->queue.nretry, 5);
	}
	config_free(&c);
}

/* Write a site in a temporary folder: config, password file. */
static void
test_site(void)
{
	char dir[] = "/tmp/kring-t_config-XXXXXX", conf[256], pw[256], restart[256];
	struct config *c = NULL, *c2 = NULL;
	struct err e = { 0, "" };
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(conf, sizeof(conf), "%s/kring.conf", dir);
	snprintf(pw, sizeof(pw), "%s/smtp.pw", dir);
	f = fopen(pw, "w");
	fputs("geheim wachtwoord\n", f);
	fclose(f);
	chmod(pw, 0644);
	f = fopen(conf, "w");
	fputs("address = \"l@example.org\";\nstore = \"data/kring.db\";\n"
	    "smtp = {\n  user = \"kring\";\n  password_file = \"smtp.pw\";\n};\n"
	    "inbound = { type = \"pop3\"; tls = \"none\"; host = \"h.example\"; "
	    "user = \"u\"; password_file = \"smtp.pw\"; };\n", f);
	fclose(f);
	CHECK(config_load(conf, &c, &e) == -1);
	CHECK(strstr(e.msg, "smtp.pw: mode 0644") != NULL);
	CHECK(strstr(e.msg, "chmod 600") != NULL);
	chmod(pw, 0600);
	CHECKM(config_load(conf, &c, &e) == 0, e.msg);
	if (c) {
		char want[300];

		snprintf(want, sizeof(want), "%s/data/kring.db", dir);
		CHECK_STR(c->store, want);
		CHECK_STR(c->smtp.password, "geheim wachtwoord");
		CHECK_INT(c->inbound.port, 110);
	}
	/* A changed store needs a restart; a changed smtp.host does not. */
	f = fopen(conf, "w");
	fputs("address = \"l@example.org\";\nstore = \"other.db\";\n"
	    "smtp = { host = \"relay.example.org\"; };\n", f);
	fclose(f);
	CHECKM(config_load(conf, &c2, &e) == 0, e.msg);
	if (c && c2) {
		config_restart_needed(c, c2, restart, sizeof(restart));
		CHECK(strstr(restart, "store") != NULL);
		CHECK(strstr(restart, "smtp.host") == NULL);
	}
	config_free(&c);
	config_free(&c2);
	unlink(pw);
	unlink(conf);
	rmdir(dir);
}

static void
test_path(void)
{
	unsetenv("KRING_CONFIG");
	CHECK_STR(config_path(NULL), SYSCONFDIR "/kring.conf");
	setenv("KRING_CONFIG", "/etc/other.conf", 1);
	CHECK_STR(config_path(NULL), "/etc/other.conf");
	CHECK_STR(config_path("/x.conf"), "/x.conf");
	setenv("KRING_CONFIG", "", 1);
	CHECK_STR(config_path(NULL), SYSCONFDIR "/kring.conf");
	unsetenv("KRING_CONFIG");
}

int
main(void)
{
	test_files();
	test_defaults();
	test_shipped();
	test_site();
	test_path();
	return check_done();
}
