/*
 * config - kring's configuration file (libconfig syntax) as one immutable
 * struct config.
 *
 * One table (in config.c) names every key of SPEC's Configuration section
 * with its type, default, bounds and whether a running kringd can take a
 * new value on SIGHUP.  The loader walks the file against that table:
 * an unknown key, a wrong type, a value out of bounds, a bad duration or
 * size, a missing or unreadable password file, or a password file that
 * group or others can read is an error "FILE:LINE: KEY: WHY" with
 * EX_CONFIG (78).  Nothing else in kring includes <libconfig.h>.
 *
 * A struct config is built whole or not at all, and never changed after
 * config_load returns: reload builds a new one and swaps pointers.  It
 * owns all its strings.  Durations are seconds, sizes bytes.
 */
#ifndef KRING_CONFIG_H
#define KRING_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct err;

enum inbound_type { INBOUND_MAILDIR, INBOUND_IMAP, INBOUND_POP3, INBOUND_NONE };
enum tls_mode { TLS_IMPLICIT, TLS_STARTTLS, TLS_STARTTLS_IF_OFFERED, TLS_NONE };
enum processed { PROCESSED_KEEP, PROCESSED_DELETE };
enum transport { TRANSPORT_SMTP, TRANSPORT_MAILDIR };

#define CONFIG_RETRY_MAX 16
#define CONFIG_SECRET_MAX 255  /* libESMTP's PLAIN copies into 255 bytes */
#define CONFIG_FILE_MAX (1024 * 1024)  /* a configuration is a few KiB */

struct config_inbound {
	enum inbound_type type;
	char *path;              /* maildir */
	char *host;
	int port;
	enum tls_mode tls;       /* TLS_IMPLICIT, TLS_STARTTLS or TLS_NONE */
	char *ca_file;           /* trusted CAs (PEM); "" = the system's */
	char *user;
	char *password_file;
	char *password;          /* read from password_file; NULL when none */
	char *folder;
	bool idle;
	int64_t poll_interval;
	enum processed processed;
};

struct config_smtp {
	enum transport transport;
	char *host;
	int port;
	enum tls_mode tls;       /* never TLS_IMPLICIT: see config.c */
	char *user;
	char *password_file;
	char *password;          /* read from password_file; NULL when none */
	int connections;
	int messages_per_connection;
	double rate;             /* messages per second, 0 = unlimited */
	int64_t timeout;
	char *outbox;            /* maildir transport */
};

struct config_bounce {
	double threshold;
	int64_t window;
};

struct config_http {
	char *listen;            /* "" = off */
};

struct config_newsletter {
	int64_t image_max;       /* bytes of one picture */
	int64_t images_max;      /* bytes of a newsletter's pictures together */
};

struct config_queue {
	int64_t retry[CONFIG_RETRY_MAX];
	size_t nretry;           /* at least 1 */
	int64_t max_age;
};

struct config {
	char *file;              /* the path it was loaded from */
	char *address;           /* normal form, e.g. metandereogen@example.org */
	char *local;             /* L: local part of address */
	char *domain;            /* D: domain of address */
	char *recipient_delimiter;
	char *name;              /* the display name of kring's From; may be "" */
	char *signature;         /* how mails sign; "" = name, else address */
	char *office;            /* normal form, or "": who reads people's mail */
	enum lang language;
	char *store;
	char *templates;
	char *unsubscribe_url;   /* "" = none; else an https:// base */
	int64_t confirm_ttl;
	int confirm_limit;
	int confirm_per_hour;    /* the whole site's, answering requests */
	int64_t max_message_size;
	int64_t retention;
	int digest_time;         /* local minutes after midnight (08:00 = 480) */
	struct config_inbound inbound;
	struct config_smtp smtp;
	struct config_bounce bounce;
	struct config_http http;
	struct config_queue queue;
	struct config_newsletter newsletter;
};

/*
 * The configuration file to use: `option` when not NULL, else
 * $KRING_CONFIG when set and not empty, else SYSCONFDIR "/kring.conf".
 */
const char *config_path(const char *option);

/*
 * Load and validate a file.  On success *out is a new config (free with
 * config_free) and 0 is returned.  On failure -1 and e: EX_CONFIG with
 * "FILE:LINE: KEY: WHY" (or "FILE: WHY" when the file itself cannot be
 * read; a missing file is EX_CONFIG too, since the CLI cannot run without
 * it).  Relative paths in the file are taken relative to the file's
 * directory, so a site directory can be moved as a whole.
 */
int config_load(const char *path, struct config **out, struct err *e);

/* The built-in defaults alone (for tests and `kring init` messages). */
struct config *config_defaults(void);

void config_free(struct config **cfg);

/*
 * Keys whose values differ between old and new but cannot change while
 * kringd runs (e.g. "store").  Writes a comma-separated list into out
 * ("" when none).  kringd logs "restart needed" for them on SIGHUP.
 */
void config_restart_needed(const struct config *old, const struct config *new,
    char *out, size_t outlen);

#endif
