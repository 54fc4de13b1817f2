/*
 * verp - build and check signed VERP sub-addresses (see verp.h).
 *
 * Lower case only, because mail systems fold the case of local parts;
 * parsing folds it back.  The signature is compared in constant time so
 * a bounce forger learns nothing from how fast kring says no.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hmac.h"
#include "token.h"
#include "verp.h"
#include "xmem.h"

#define SIG_CHARS 8      /* 40 bits of base32 */
#define QID_MAX_CHARS 13 /* base 36 of INT64_MAX */

static const char b36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void
signature(const struct hmac_key *key, int64_t qid, char out[SIG_CHARS + 1])
{
	unsigned char mac[32];
	char data[32];
	int n = snprintf(data, sizeof(data), "verp:%lld", (long long)qid);

	hmac_raw(key, data, (size_t)n, mac);
	token_base32(mac, 5, out);   /* 40 bits: SIG_CHARS characters */
}

char *
verp_extension(const struct hmac_key *key, int64_t qid)
{
	char q[QID_MAX_CHARS + 1], sig[SIG_CHARS + 1];
	int i = QID_MAX_CHARS;
	uint64_t v = (uint64_t)qid;

	q[i] = '\0';
	do {
		q[--i] = b36[v % 36];
		v /= 36;
	} while (v > 0 && i > 0);
	signature(key, qid, sig);
	return xasprintf(VERP_EXT_PREFIX "%s-%s", q + i, sig);
}

int
verp_parse(const struct hmac_key *key, const char *ext, int64_t *qid)
{
	size_t plen = strlen(VERP_EXT_PREFIX), n = 0;
	const char *p;
	char sig[SIG_CHARS + 1], got[SIG_CHARS];
	uint64_t v = 0;

	if (strncasecmp(ext, VERP_EXT_PREFIX, plen) != 0)
		return 0;
	for (p = ext + plen; *p != '\0' && *p != '-'; p++, n++) {
		const char *d = strchr(b36, tolower((unsigned char)*p));

		if (d == NULL || n >= QID_MAX_CHARS - 1)
			return 0;
		v = v * 36 + (uint64_t)(d - b36);
	}
	if (n == 0 || *p != '-' || strlen(p + 1) != SIG_CHARS || v == 0 ||
	    v > INT64_MAX)
		return 0;
	for (int i = 0; i < SIG_CHARS; i++)
		got[i] = (char)tolower((unsigned char)p[1 + i]);
	signature(key, (int64_t)v, sig);
	if (!token_equal(sig, got, SIG_CHARS))
		return 0;
	*qid = (int64_t)v;
	return 1;
}

#define MSGID_PREFIX "kring."

char *
verp_message_id(const struct hmac_key *key, int64_t qid, const char *domain)
{
	char *ext = verp_extension(key, qid), *id;

	id = xasprintf(MSGID_PREFIX "%s@%s", ext + strlen(VERP_EXT_PREFIX),
	    domain);
	free(ext);
	return id;
}

int
verp_message_id_parse(const struct hmac_key *key, const char *msgid,
    const char *domain, int64_t *qid)
{
	size_t plen = strlen(MSGID_PREFIX), n;
	const char *at;
	char ext[64];

	if (msgid == NULL || strncasecmp(msgid, MSGID_PREFIX, plen) != 0 ||
	    (at = strrchr(msgid, '@')) == NULL ||
	    strcasecmp(at + 1, domain) != 0)
		return 0;
	n = (size_t)(at - msgid) - plen;
	if (n == 0 || n + strlen(VERP_EXT_PREFIX) >= sizeof(ext))
		return 0;
	snprintf(ext, sizeof(ext), VERP_EXT_PREFIX "%.*s", (int)n,
	    msgid + plen);
	return verp_parse(key, ext, qid);
}
