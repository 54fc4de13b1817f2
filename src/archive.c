/*
 * archive - members' archive links (see archive.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "config.h"
#include "err.h"
#include "hmac.h"
#include "notify.h"
#include "queue.h"
#include "render.h"
#include "store.h"
#include "token.h"
#include "xmem.h"

void
archive_token(const struct hmac_key *key, int64_t person, int64_t serial,
    char out[TOKEN_LEN + 1])
{
	unsigned char mac[32];
	char data[64];
	int n = snprintf(data, sizeof(data), "archive:%lld:%lld",
	    (long long)person, (long long)serial);

	hmac_raw(key, data, (size_t)n, mac);
	token_base32(mac, TOKEN_BYTES, out);
}

static int
make(struct store *st, const struct config *cfg, const struct hmac_key *key,
    int64_t person, int64_t serial, bool keep, int64_t now, char **url,
    struct err *e)
{
	char tok[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];

	archive_token(key, person, serial, tok);
	if (!keep) {
		token_hash_md(key->sha256, tok, hash);
		if (store_archive_link_set(st, person, hash, serial, now, e) != 0)
			return -1;
	}
	*url = notify_web_url(cfg, "a", tok);
	return 0;
}

int
archive_link(struct store *st, const struct config *cfg,
    const struct hmac_key *key, int64_t person, int64_t now, char **url,
    struct err *e)
{
	int64_t serial;
	int r;

	*url = NULL;
	if ((r = store_archive_link_serial(st, person, &serial, e)) < 0)
		return -1;
	return make(st, cfg, key, person, r ? serial : 1, r == 1, now, url, e);
}

int
archive_relink(struct store *st, const struct config *cfg,
    const struct hmac_key *key, int64_t person, int64_t now, char **url,
    struct err *e)
{
	int64_t serial;

	*url = NULL;
	if (store_archive_link_serial(st, person, &serial, e) < 0)
		return -1;
	return make(st, cfg, key, person, serial + 1, false, now, url, e);
}

void
archive_atom(const char *personal, char out[TOKEN_LEN + 1])
{
	snprintf(out, TOKEN_LEN + 1, "%s", personal);
	out[0] = out[0] == 'z' ? 'y' : 'z';
}

bool
archive_list_vars(struct store *st, const struct config *cfg,
    const char *list_id, const char *atom, struct render_vars *v)
{
	struct err e = { 0, "" };
	enum list_archive a = ARCHIVE_NONE;
	char aa[TOKEN_LEN + 1], *url = NULL, *path;

	if (store_list_archive(st, list_id, &a, &e) == 1 &&
	    a == ARCHIVE_PUBLIC) {
		/* Anyone may read it: one link for all, nothing of a member. */
		path = xasprintf("public/%s", list_id);
		url = notify_web_url(cfg, "a", path);
		free(path);
	} else if (a == ARCHIVE_MEMBERS) {
		archive_atom(atom, aa);
		url = notify_web_url(cfg, "a", aa);
	}
	render_vars_set(v, "archive_url", url);
	render_vars_flag(v, "archive_public", url != NULL &&
	    a == ARCHIVE_PUBLIC);
	free(url);
	return url != NULL && a == ARCHIVE_MEMBERS;
}

int
archive_links(struct store *st, const struct config *cfg,
    const struct hmac_key *key, const struct queue_rcpts *r, int64_t now,
    struct err *e)
{
	for (size_t i = 0; i < r->n; i++) {
		char *url;

		if (r->v[i].person_id <= 0)
			continue;
		if (archive_link(st, cfg, key, r->v[i].person_id, now, &url,
		    e) != 0)
			return -1;
		free(url);
	}
	return 0;
}

int
archive_token_now(struct store *st, const struct hmac_key *key,
    int64_t person, char out[TOKEN_LEN + 1], struct err *e)
{
	int64_t serial;
	int r;

	if ((r = store_archive_link_serial(st, person, &serial, e)) < 0)
		return -1;
	if (r == 0) {
		/* Not the shape of a token: the page says 403. */
		memset(out, 'z', TOKEN_LEN);
		out[TOKEN_LEN] = '\0';
		return 0;
	}
	archive_token(key, person, serial, out);
	return 1;
}
