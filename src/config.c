/*
 * config - kring.conf (libconfig syntax) into an immutable struct config.
 *
 * One table, keys[], names every key: its type, its default (written as
 * it would be in the file, and parsed by the same code, so a default can
 * never bypass a check), its bounds, where it lands in struct config, and
 * whether a running kringd may take a new value on SIGHUP.  Loading walks
 * the file against the table, so an unknown key anywhere is an error, and
 * then fills every key from the file or its default.  Checks that involve
 * several keys come last, in check_whole().  Every error says
 * "FILE:LINE: KEY: WHY" (EX_CONFIG).  Only this file includes libconfig.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <libconfig.h>

#include "addr.h"
#include "config.h"
#include "err.h"
#include "units.h"
#include "utf8.h"
#include "xmem.h"

enum ktype {
	K_GROUP,        /* a group of keys */
	K_STRING,       /* free text */
	K_PATH,         /* a file name, relative to the config file's folder */
	K_INT,
	K_FLOAT,
	K_BOOL,
	K_DURATION,     /* "90s", "15m", "1h", "7d" -> seconds */
	K_SIZE,         /* "10M" -> bytes */
	K_ENUM,         /* one of words[] -> its index */
	K_RETRY,        /* array of durations */
	K_CLOCK,        /* "08:00" -> minutes after midnight */
};

struct key {
	const char *path;
	enum ktype type;
	const char *def;            /* NULL: no default (required or computed) */
	double min, max;
	size_t off;
	const char *const *words;
	bool reload;
};

static const char *const w_lang[] = { "nl", "en", NULL };
static const char *const w_inbound[] = { "maildir", "imap", "pop3", "none", NULL };
static const char *const w_tls[] = { "tls", "starttls", "starttls-if-offered",
	"none", NULL };
static const char *const w_processed[] = { "keep", "delete", NULL };
static const char *const w_transport[] = { "smtp", "maildir", NULL };

#define O(f) offsetof(struct config, f)
#define DAY 86400.0

static const struct key keys[] = {
	{ "address", K_STRING, NULL, 0, 0, O(address), NULL, false },
	{ "recipient_delimiter", K_STRING, "+", 0, 0, O(recipient_delimiter), NULL, true },
	{ "language", K_ENUM, "nl", 0, 0, O(language), w_lang, true },
	{ "name", K_STRING, "", 0, 0, O(name), NULL, true },
	{ "signature", K_STRING, "", 0, 0, O(signature), NULL, true },
	{ "office", K_STRING, "", 0, 0, O(office), NULL, true },
	{ "store", K_PATH, LOCALSTATEDIR "/lib/kring/kring.db", 0, 0, O(store), NULL, false },
	{ "templates", K_PATH, PKGDATADIR "/templates", 0, 0, O(templates), NULL, true },
	{ "unsubscribe_url", K_STRING, "", 0, 0, O(unsubscribe_url), NULL, true },
	{ "confirm_ttl", K_DURATION, "7d", 3600, 90 * DAY, O(confirm_ttl), NULL, true },
	{ "confirm_limit", K_INT, "3", 1, 100, O(confirm_limit), NULL, true },
	{ "confirm_per_hour", K_INT, "200", 1, 1000000, O(confirm_per_hour), NULL, true },
	{ "max_message_size", K_SIZE, "10M", 1024, 1024.0 * 1024 * 1024, O(max_message_size), NULL, true },
	{ "retention", K_DURATION, "365d", DAY, 3650 * DAY, O(retention), NULL, true },
	{ "digest_time", K_CLOCK, "08:00", 0, 0, O(digest_time), NULL, true },

	{ "inbound", K_GROUP, NULL, 0, 0, 0, NULL, true },
	/* kringd reopens its inbound source when any of these change. */
	{ "inbound.type", K_ENUM, "maildir", 0, 0, O(inbound.type), w_inbound, true },
	{ "inbound.path", K_PATH, LOCALSTATEDIR "/lib/kring/inbox", 0, 0, O(inbound.path), NULL, true },
	{ "inbound.host", K_STRING, "", 0, 0, O(inbound.host), NULL, true },
	{ "inbound.port", K_INT, NULL, 1, 65535, O(inbound.port), NULL, true },
	{ "inbound.tls", K_ENUM, "tls", 0, 0, O(inbound.tls), w_tls, true },
	{ "inbound.ca_file", K_PATH, "", 0, 0, O(inbound.ca_file), NULL, true },
	{ "inbound.user", K_STRING, "", 0, 0, O(inbound.user), NULL, true },
	{ "inbound.password_file", K_PATH, "", 0, 0, O(inbound.password_file), NULL, true },
	{ "inbound.folder", K_STRING, "INBOX", 0, 0, O(inbound.folder), NULL, true },
	{ "inbound.idle", K_BOOL, "true", 0, 0, O(inbound.idle), NULL, true },
	{ "inbound.poll_interval", K_DURATION, "60s", 5, DAY, O(inbound.poll_interval), NULL, true },
	{ "inbound.processed", K_ENUM, "keep", 0, 0, O(inbound.processed), w_processed, true },

	{ "smtp", K_GROUP, NULL, 0, 0, 0, NULL, true },
	{ "smtp.transport", K_ENUM, "smtp", 0, 0, O(smtp.transport), w_transport, true },
	{ "smtp.host", K_STRING, "localhost", 0, 0, O(smtp.host), NULL, true },
	{ "smtp.port", K_INT, "25", 1, 65535, O(smtp.port), NULL, true },
	{ "smtp.tls", K_ENUM, "starttls-if-offered", 0, 0, O(smtp.tls), w_tls, true },
	{ "smtp.user", K_STRING, "", 0, 0, O(smtp.user), NULL, true },
	{ "smtp.password_file", K_PATH, "", 0, 0, O(smtp.password_file), NULL, true },
	{ "smtp.connections", K_INT, "4", 1, 64, O(smtp.connections), NULL, true },
	{ "smtp.messages_per_connection", K_INT, "100", 1, 10000, O(smtp.messages_per_connection), NULL, true },
	{ "smtp.rate", K_FLOAT, "0", 0, 100000, O(smtp.rate), NULL, true },
	{ "smtp.timeout", K_DURATION, "60s", 1, 3600, O(smtp.timeout), NULL, true },
	{ "smtp.outbox", K_PATH, LOCALSTATEDIR "/lib/kring/outbox", 0, 0, O(smtp.outbox), NULL, true },

	{ "bounce", K_GROUP, NULL, 0, 0, 0, NULL, true },
	{ "bounce.threshold", K_FLOAT, "3.0", 0.5, 100, O(bounce.threshold), NULL, true },
	{ "bounce.window", K_DURATION, "30d", DAY, 365 * DAY, O(bounce.window), NULL, true },

	{ "http", K_GROUP, NULL, 0, 0, 0, NULL, true },
	{ "http.listen", K_STRING, "", 0, 0, O(http.listen), NULL, false },

	{ "queue", K_GROUP, NULL, 0, 0, 0, NULL, true },
	{ "queue.retry", K_RETRY, NULL, 1, 7 * DAY, O(queue), NULL, true },
	{ "queue.max_age", K_DURATION, "5d", 3600, 30 * DAY, O(queue.max_age), NULL, true },

	{ "newsletter", K_GROUP, NULL, 0, 0, 0, NULL, true },
	{ "newsletter.image_max", K_SIZE, "1M", 1024, 16.0 * 1024 * 1024, O(newsletter.image_max), NULL, true },
	{ "newsletter.images_max", K_SIZE, "5M", 1024, 16.0 * 1024 * 1024, O(newsletter.images_max), NULL, true },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const int64_t default_retry[] = { 300, 900, 3600, 14400, 43200 };

/* What a load is working on, for error messages. */
struct loader {
	config_t lc;
	const char *file;
	char *dir;                   /* absolute folder of the file */
	struct config *cfg;
	struct err *e;
};

static int
fail_at(struct loader *l, const config_setting_t *s, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail_at(struct loader *l, const config_setting_t *s, const char *key,
    const char *fmt, ...)
{
	char why[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (s != NULL && config_setting_source_line(s) > 0)
		return err_set(l->e, EX_CONFIG, "%s:%d: %s: %s",
		    config_setting_source_file(s) ? config_setting_source_file(s) :
		    l->file, config_setting_source_line(s), key, why);
	return err_set(l->e, EX_CONFIG, "%s: %s: %s", l->file, key, why);
}

static const struct key *
find_key(const char *path)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

/* Reject keys the table does not know, at any depth. */
static int
walk(struct loader *l, config_setting_t *group, const char *prefix)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		char path[256];
		const struct key *k;
		bool is_group = config_setting_type(s) == CONFIG_TYPE_GROUP;

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
		    name ? name : "?");
		if ((k = find_key(path)) == NULL)
			return fail_at(l, s, path, "unknown key");
		if (is_group != (k->type == K_GROUP))
			return fail_at(l, s, path, is_group ? "expected a value, "
			    "not a group" : "expected a group { ... }");
		if (is_group && walk(l, s, path) != 0)
			return -1;
	}
	return 0;
}

static char *
resolve(struct loader *l, const char *p)
{
	if (*p == '\0' || *p == '/')
		return xstrdup(p);
	return xasprintf("%s/%s", l->dir, p);
}

static int
need_string(struct loader *l, const config_setting_t *s, const struct key *k,
    const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_at(l, s, k->path, "expected a string in quotes");
	*out = config_setting_get_string(s);
	return 0;
}

static const char *
words_of(const char *const *w, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; w[i]; i++) {
		int r = snprintf(out + n, len - n, "%s%s", i ? ", " : "", w[i]);

		if (r < 0 || (size_t)r >= len - n)
			break;
		n += (size_t)r;
	}
	return out;
}

/* Parse text (from the file or a default) for key k into the config. */
/* Whole: one case per key type, each a few lines: a table in code. */
static int
set_text(struct loader *l, const config_setting_t *s, const struct key *k,
    const char *text)
{
	char *field = (char *)l->cfg + k->off;
	char words[128];
	int64_t v;

	switch (k->type) {
	case K_STRING:
		if (strpbrk(text, "\r\n") != NULL)
			return fail_at(l, s, k->path, "contains a line break");
		*(char **)field = xstrdup(text);
		return 0;
	case K_PATH:
		if (strpbrk(text, "\r\n") != NULL)
			return fail_at(l, s, k->path, "contains a line break");
		*(char **)field = resolve(l, text);
		return 0;
	case K_DURATION:
		if (units_duration(text, &v) != 0)
			return fail_at(l, s, k->path, "\"%s\" is not a duration "
			    "(a whole number with s, m, h or d, e.g. \"15m\")", text);
		if (v < k->min || v > k->max)
			return fail_at(l, s, k->path, "\"%s\" is out of range "
			    "(%.0fs to %.0fs)", text, k->min, k->max);
		*(int64_t *)field = v;
		return 0;
	case K_SIZE:
		if (units_size(text, &v) != 0)
			return fail_at(l, s, k->path, "\"%s\" is not a size "
			    "(a whole number with K, M or G, e.g. \"10M\")", text);
		if (v < k->min || v > k->max)
			return fail_at(l, s, k->path, "\"%s\" is out of range "
			    "(1K to 1G)", text);
		*(int64_t *)field = v;
		return 0;
	case K_ENUM:
		for (int i = 0; k->words[i]; i++)
			if (strcmp(k->words[i], text) == 0) {
				*(int *)field = i;
				return 0;
			}
		return fail_at(l, s, k->path, "\"%s\" is not one of %s", text,
		    words_of(k->words, words, sizeof(words)));
	case K_INT:
		if (units_size(text, &v) != 0 || v < k->min || v > k->max)
			return fail_at(l, s, k->path, "must be a whole number "
			    "from %.0f to %.0f", k->min, k->max);
		*(int *)field = (int)v;
		return 0;
	case K_FLOAT: {
		char *end;
		double d = strtod(text, &end);

		if (*end != '\0' || d < k->min || d > k->max)
			return fail_at(l, s, k->path, "must be a number from %g to %g",
			    k->min, k->max);
		*(double *)field = d;
		return 0;
	}
	case K_BOOL:
		*(bool *)field = strcmp(text, "true") == 0;
		return 0;
	case K_CLOCK:
		if (units_clock(text, (int *)field) != 0)
			return fail_at(l, s, k->path, "\"%s\" is not a time of "
			    "day (HH:MM from 00:00 to 23:59, e.g. \"08:00\")", text);
		return 0;
	case K_GROUP:
	case K_RETRY:
		break;
	}
	return 0;
}

static int
set_retry(struct loader *l, const config_setting_t *s, const struct key *k)
{
	struct config_queue *q = &l->cfg->queue;
	int n;

	if (s == NULL) {
		q->nretry = sizeof(default_retry) / sizeof(default_retry[0]);
		memcpy(q->retry, default_retry, sizeof(default_retry));
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY)
		return fail_at(l, s, k->path, "expected an array of durations, "
		    "e.g. [ \"5m\", \"1h\" ]");
	n = config_setting_length(s);
	if (n < 1 || n > CONFIG_RETRY_MAX)
		return fail_at(l, s, k->path, "needs 1 to %d durations",
		    CONFIG_RETRY_MAX);
	for (int i = 0; i < n; i++) {
		const char *t = config_setting_get_string_elem(s, i);
		int64_t v;

		if (t == NULL || units_duration(t, &v) != 0 || v < k->min ||
		    v > k->max)
			return fail_at(l, s, k->path, "element %d: \"%s\" is not a "
			    "duration from 1s to 7d", i + 1, t ? t : "(not a string)");
		q->retry[i] = v;
	}
	q->nretry = (size_t)n;
	return 0;
}

/* Take the value of one key from the file, or its default. */
static int
fill_key(struct loader *l, const struct key *k)
{
	config_setting_t *s = config_lookup(&l->lc, k->path);
	const char *text = NULL;
	char num[64];

	if (k->type == K_GROUP)
		return 0;
	if (k->type == K_RETRY)
		return set_retry(l, s, k);
	if (s == NULL)
		return k->def ? set_text(l, NULL, k, k->def) : 0;
	switch (k->type) {
	case K_INT:
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return fail_at(l, s, k->path, "expected a whole number "
			    "without quotes");
		snprintf(num, sizeof(num), "%lld",
		    (long long)config_setting_get_int64(s));
		if (num[0] == '-')
			return fail_at(l, s, k->path, "must be a whole number "
			    "from %.0f to %.0f", k->min, k->max);
		return set_text(l, s, k, num);
	case K_FLOAT:
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64 &&
		    config_setting_type(s) != CONFIG_TYPE_FLOAT)
			return fail_at(l, s, k->path, "expected a number without "
			    "quotes");
		snprintf(num, sizeof(num), "%.17g", config_setting_get_float(s));
		return set_text(l, s, k, num);
	case K_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail_at(l, s, k->path, "expected true or false");
		return set_text(l, s, k, config_setting_get_bool(s) ? "true" :
		    "false");
	default:
		if (need_string(l, s, k, &text) != 0)
			return -1;
		return set_text(l, s, k, text);
	}
}

static config_setting_t *
setting(struct loader *l, const char *path)
{
	return config_lookup(&l->lc, path);
}

/* A password file: regular, private, one line of at most 255 bytes. */
static int
read_secret(struct loader *l, const char *key, const char *path, char **out)
{
	config_setting_t *s = setting(l, key);
	char buf[CONFIG_SECRET_MAX + 3];
	struct stat sb;
	ssize_t n;
	int fd;

	*out = NULL;
	if (*path == '\0')
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return fail_at(l, s, key, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fail_at(l, s, key, "%s: not a regular file", path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return fail_at(l, s, key, "%s: mode %04o lets others read the "
		    "password; chmod 600 %s", path, (unsigned)(sb.st_mode & 07777),
		    path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail_at(l, s, key, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) > CONFIG_SECRET_MAX)
		return fail_at(l, s, key, "%s: password longer than %d bytes",
		    path, CONFIG_SECRET_MAX);
	if (buf[0] == '\0')
		return fail_at(l, s, key, "%s: empty password", path);
	*out = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* Text for a header or a template line: UTF-8 without control bytes. */
static bool
text_bad(const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return true;
	return !utf8_valid(s, strlen(s));
}

static bool
url_ok(const char *u)
{
	const char *host;
	size_t hl;

	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return false;
	if (strpbrk(u, " \t\"'<>\\") != NULL)
		return false;
	hl = strcspn(host, ":/");
	if (hl == 0)
		return false;
	if (u[4] == ':') {   /* plain http: only for a local test endpoint */
		if (!((hl == 9 && strncmp(host, "localhost", 9) == 0) ||
		    (hl == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
		    strncmp(host, "[::1]", 5) == 0))
			return false;
	}
	return true;
}

static bool
listen_ok(const char *s)
{
	const char *colon;
	char *end;
	long port;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return false;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || colon == s || memchr(s, ':', (size_t)(colon - s)))
			return false;
	}
	for (const char *p = s; p < colon; p++)
		if (*p <= ' ' || *p == '/' || *p == '"')
			return false;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return errno == 0 && *end == '\0' && colon[1] != '\0' && port >= 1 &&
	    port <= 65535;
}

/*
 * Checks that concern more than one key, or a key's meaning.  Whole: a
 * list of independent checks, each a few lines.
 */
static int
check_whole(struct loader *l)
{
	struct config *c = l->cfg;
	struct err ae;
	char *norm, *ext;

	if (c->address == NULL)
		return fail_at(l, NULL, "address", "required: the list server's "
		    "public address, e.g. \"metandereogen@example.org\"");
	if ((norm = addr_normalize(c->address, &ae)) == NULL)
		return fail_at(l, setting(l, "address"), "address", "%s", ae.msg);
	free(c->address);
	c->address = norm;
	addr_split(c->address, &c->local, &c->domain);

	{
		size_t n = strlen(c->recipient_delimiter);
		bool bad = n < 1 || n > 4;

		for (const char *p = c->recipient_delimiter; *p; p++)
			if (((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9')) || *p == '@' || *p == '.' ||
			    (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
				bad = true;
		if (bad)
			return fail_at(l, setting(l, "recipient_delimiter"),
			    "recipient_delimiter", "must be 1 to 4 characters, "
			    "none a letter, digit, '@', '.' or space (e.g. \"+\")");
	}
	if (*c->office != '\0') {
		if ((norm = addr_normalize(c->office, &ae)) == NULL)
			return fail_at(l, setting(l, "office"), "office", "%s",
			    ae.msg);
		free(c->office);
		c->office = norm;
		if (addr_extension(c->office, c->local, c->domain,
		    c->recipient_delimiter, &ext) == 1) {
			free(ext);
			return fail_at(l, setting(l, "office"), "office",
			    "must not be one of kring's own addresses: mail "
			    "forwarded there would come back");
		}
	}
	if (text_bad(c->name) || strlen(c->name) > 100)
		return fail_at(l, setting(l, "name"), "name", "must be one "
		    "line of UTF-8 text of at most 100 bytes");
	if (text_bad(c->signature) || strlen(c->signature) > 200)
		return fail_at(l, setting(l, "signature"), "signature", "must "
		    "be one line of UTF-8 text of at most 200 bytes");
	if (c->smtp.tls == TLS_IMPLICIT)
		return fail_at(l, setting(l, "smtp.tls"), "smtp.tls", "\"tls\" "
		    "(implicit TLS, port 465) is not supported by libESMTP 1.1; use "
		    "\"starttls\" on port 587");
	if (c->inbound.tls == TLS_STARTTLS_IF_OFFERED)
		return fail_at(l, setting(l, "inbound.tls"), "inbound.tls",
		    "\"starttls-if-offered\" would send the password in clear "
		    "text when the server offers no TLS; use tls, starttls or none");
	if (c->inbound.port == 0) {
		bool tls = c->inbound.tls == TLS_IMPLICIT;

		c->inbound.port = c->inbound.type == INBOUND_POP3 ?
		    (tls ? 995 : 110) : (tls ? 993 : 143);
	}
	if (c->inbound.type == INBOUND_IMAP || c->inbound.type == INBOUND_POP3) {
		static const char *const need[] = { "inbound.host",
			"inbound.user", "inbound.password_file" };
		const char *vals[] = { c->inbound.host, c->inbound.user,
			c->inbound.password_file };

		for (size_t i = 0; i < 3; i++)
			if (*vals[i] == '\0')
				return fail_at(l, setting(l, "inbound.type"), need[i],
				    "required when inbound.type is %s",
				    w_inbound[c->inbound.type]);
	}
	if (*c->inbound.ca_file != '\0' && access(c->inbound.ca_file, R_OK) != 0)
		return fail_at(l, setting(l, "inbound.ca_file"), "inbound.ca_file",
		    "%s: %s", c->inbound.ca_file, strerror(errno));
	if (*c->unsubscribe_url != '\0' && !url_ok(c->unsubscribe_url))
		return fail_at(l, setting(l, "unsubscribe_url"), "unsubscribe_url",
		    "must be an https:// URL with a host (http:// only for "
		    "localhost)");
	if (*c->http.listen != '\0' && !listen_ok(c->http.listen))
		return fail_at(l, setting(l, "http.listen"), "http.listen",
		    "must be HOST:PORT, e.g. \"127.0.0.1:8025\" or \"[::1]:8025\"");
	if (strlen(c->smtp.user) > CONFIG_SECRET_MAX ||
	    strlen(c->inbound.user) > CONFIG_SECRET_MAX)
		return fail_at(l, NULL, "user", "longer than %d bytes",
		    CONFIG_SECRET_MAX);
	if (read_secret(l, "inbound.password_file", c->inbound.password_file,
	    &c->inbound.password) != 0 ||
	    read_secret(l, "smtp.password_file", c->smtp.password_file,
	    &c->smtp.password) != 0)
		return -1;
	return 0;
}

const char *
config_path(const char *option)
{
	const char *env;

	if (option != NULL)
		return option;
	if ((env = getenv("KRING_CONFIG")) != NULL && *env != '\0')
		return env;
	return SYSCONFDIR "/kring.conf";
}

static char *
folder_of(const char *path)
{
	char *copy = xstrdup(path), *dir, *abs;

	dir = dirname(copy);
	abs = realpath(dir, NULL);
	if (abs == NULL)
		abs = xstrdup(dir);
	free(copy);
	return abs;
}

/*
 * The file's text, for libconfig: at most CONFIG_FILE_MAX bytes, no NUL
 * byte (no configuration holds one, and it makes libconfig 1.5's
 * scanner lose memory) and no @include.
 */
static int
read_text(struct loader *l, const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t n;
	const char *nul;

	if (f == NULL)
		return err_set(l->e, EX_CONFIG, "%s: cannot read: %s", path,
		    strerror(errno));
	text = xmalloc(CONFIG_FILE_MAX + 2);
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		free(text);
		return err_set(l->e, EX_CONFIG, "%s: cannot read: %s", path,
		    strerror(err));
	}
	fclose(f);
	if (n > CONFIG_FILE_MAX) {
		free(text);
		return err_set(l->e, EX_CONFIG, "%s: larger than %d bytes", path,
		    CONFIG_FILE_MAX);
	}
	text[n] = '\0';
	if ((nul = memchr(text, '\0', n)) != NULL) {
		int line = 1;

		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		free(text);
		return err_set(l->e, EX_CONFIG, "%s:%d: a NUL byte; is it a text "
		    "file?", path, line);
	}
	for (const char *p = text; *p != '\0'; p++) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		/*
		 * libconfig 1.5 ends the whole process when an @include
		 * names a folder, and a daemon must survive a bad reload;
		 * kring's configuration is one file.
		 */
		if (strncmp(q, "@include", 8) == 0) {
			int line = 1;

			for (const char *r = text; r < q; r++)
				line += *r == '\n';
			free(text);
			return err_set(l->e, EX_CONFIG, "%s:%d: @include is not "
			    "supported: kring's configuration is one file",
			    path, line);
		}
		if ((p = strchr(q, '\n')) == NULL)
			break;
	}
	*out = text;
	return 0;
}

static int
load(struct loader *l, const char *path)
{
	struct stat sb;
	char *text = NULL;
	int ok;

	if (stat(path, &sb) != 0)
		return err_set(l->e, EX_CONFIG, "%s: cannot read: %s", path,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return err_set(l->e, EX_CONFIG, "%s: not a regular file", path);
	if (read_text(l, path, &text) != 0)
		return -1;
	ok = config_read_string(&l->lc, text);
	free(text);
	if (!ok) {
		if (config_error_type(&l->lc) == CONFIG_ERR_FILE_IO)
			return err_set(l->e, EX_CONFIG, "%s: cannot read: %s", path,
			    strerror(errno));
		return err_set(l->e, EX_CONFIG, "%s:%d: %s",
		    config_error_file(&l->lc) ? config_error_file(&l->lc) : path,
		    config_error_line(&l->lc), config_error_text(&l->lc));
	}
	if (walk(l, config_root_setting(&l->lc), "") != 0)
		return -1;
	for (size_t i = 0; i < NKEYS; i++)
		if (fill_key(l, &keys[i]) != 0)
			return -1;
	return check_whole(l);
}

int
config_load(const char *path, struct config **out, struct err *e)
{
	struct loader l;
	int rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.file = path;
	l.e = e;
	l.dir = folder_of(path);
	l.cfg = xcalloc(1, sizeof(*l.cfg));
	/* Absolute, so a daemon that chdir()ed to / can still reload it. */
	if ((l.cfg->file = realpath(path, NULL)) == NULL)
		l.cfg->file = xstrdup(path);
	config_init(&l.lc);
	config_set_auto_convert(&l.lc, 1);
	rc = load(&l, path);
	config_destroy(&l.lc);
	free(l.dir);
	if (rc != 0) {
		config_free(&l.cfg);
		return -1;
	}
	*out = l.cfg;
	return 0;
}

struct config *
config_defaults(void)
{
	struct loader l;
	struct err e;

	memset(&l, 0, sizeof(l));
	l.file = "(defaults)";
	l.e = &e;
	l.dir = xstrdup("/");
	l.cfg = xcalloc(1, sizeof(*l.cfg));
	l.cfg->file = xstrdup("(defaults)");
	config_init(&l.lc);
	for (size_t i = 0; i < NKEYS; i++)
		fill_key(&l, &keys[i]);
	config_destroy(&l.lc);
	free(l.dir);
	return l.cfg;
}

static bool
is_text(enum ktype t)
{
	return t == K_STRING || t == K_PATH;
}

void
config_free(struct config **cp)
{
	struct config *c = *cp;

	if (c == NULL)
		return;
	for (size_t i = 0; i < NKEYS; i++)
		if (is_text(keys[i].type))
			free(*(char **)((char *)c + keys[i].off));
	free(c->file);
	free(c->local);
	free(c->domain);
	if (c->inbound.password) {
		explicit_bzero(c->inbound.password, strlen(c->inbound.password));
		free(c->inbound.password);
	}
	if (c->smtp.password) {
		explicit_bzero(c->smtp.password, strlen(c->smtp.password));
		free(c->smtp.password);
	}
	free(c);
	*cp = NULL;
}

static bool
same(const struct config *a, const struct config *b, const struct key *k)
{
	const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;

	switch (k->type) {
	case K_STRING:
	case K_PATH: {
		const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;

		return (sa == NULL && sb == NULL) ||
		    (sa && sb && strcmp(sa, sb) == 0);
	}
	case K_INT:
	case K_ENUM:
	case K_CLOCK:
		return *(const int *)pa == *(const int *)pb;
	case K_DURATION:
	case K_SIZE:
		return *(const int64_t *)pa == *(const int64_t *)pb;
	default:
		return true;    /* reloadable types only */
	}
}

void
config_restart_needed(const struct config *old, const struct config *new,
    char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		int r;

		if (keys[i].reload || keys[i].type == K_GROUP ||
		    same(old, new, &keys[i]))
			continue;
		r = snprintf(out + n, outlen - n, "%s%s", n ? ", " : "",
		    keys[i].path);
		if (r < 0 || (size_t)r >= outlen - n)
			break;
		n += (size_t)r;
	}
}
