/*
 * addr - address validation and sub-addresses.  The rules are those of
 * RFC 5321 for what a list server may safely put in an envelope and a
 * header: a dot-atom local part (or UTF-8, RFC 6531), a DNS domain stored
 * as A-labels.  Quoted local parts are refused: they are legal but never
 * needed by the people kring serves, and they are where injection hides.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <idn2.h>

#include "addr.h"
#include "err.h"
#include "utf8.h"
#include "xmem.h"

/* atext of RFC 5322 3.2.3, ASCII part. */
static bool
atext(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static const char *
local_problem(const char *l, size_t n)
{
	if (n == 0)
		return "address has an empty local part";
	if (n > ADDR_LOCAL_MAX)
		return "local part longer than 64 characters";
	if (l[0] == '"')
		return "quoted local parts are not accepted";
	if (l[0] == '.' || l[n - 1] == '.')
		return "local part starts or ends with a dot";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c == '.' && l[i + 1] == '.')
			return "local part has two dots in a row";
		if (c >= 0x80 || c == '.' || atext(c))
			continue;
		return "local part contains a character that is not allowed";
	}
	if (!utf8_valid(l, n))
		return "local part is not valid UTF-8";
	return NULL;
}

static const char *
domain_problem(const char *d)
{
	size_t n = strlen(d), label = 0, labels = 1;

	if (n == 0)
		return "address has an empty domain";
	if (n > ADDR_DOMAIN_MAX)
		return "domain longer than 255 characters";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return "domain has an empty label or a label ending in '-'";
			label = 0;
			labels++;
			continue;
		}
		if (!(isalnum(c) || c == '-'))
			return "domain contains a character that is not allowed";
		if (label == 0 && c == '-')
			return "domain label starts with '-'";
		if (++label > 63)
			return "domain label longer than 63 characters";
	}
	if (label == 0 || d[n - 1] == '-')
		return "domain ends with a dot or '-'";
	if (labels < 2)
		return "domain has no dot";
	return NULL;
}

/* The address between its brackets: one @, no character mail forbids. */
static int
bare_check(const char *p, size_t n, struct err *e)
{
	const char *at, *why;

	if (n == 0)
		return err_set(e, EX_DATAERR, "address is empty");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f)
			return err_set(e, EX_DATAERR,
			    "address contains a control character");
		if (strchr(" <>,;\"()[]\\:", c) != NULL)
			return err_set(e, EX_DATAERR, "address contains '%c'",
			    c);
	}
	if ((at = memchr(p, '@', n)) == NULL)
		return err_set(e, EX_DATAERR, "address has no @");
	if (memchr(at + 1, '@', n - (size_t)(at + 1 - p)) != NULL)
		return err_set(e, EX_DATAERR, "address has more than one @");
	if ((why = local_problem(p, (size_t)(at - p))) != NULL)
		return err_set(e, EX_DATAERR, "%s", why);
	return 0;
}

/*
 * The domain in lower-case ASCII: IDNA 2008 for domains with non-ASCII
 * labels (stored as A-labels); plain ASCII domains get our own checks,
 * whose messages say more.  NULL with e set when it is no domain.
 */
static char *
domain_ascii(const char *domain, struct err *e)
{
	char *ascii = NULL;
	const char *why;
	bool plain = true;

	if (!utf8_valid(domain, strlen(domain))) {
		err_set(e, EX_DATAERR, "domain is not valid UTF-8");
		return NULL;
	}
	for (const char *c = domain; *c; c++)
		if ((unsigned char)*c >= 0x80)
			plain = false;
	if (plain) {
		ascii = xstrdup(domain);
	} else if (idn2_to_ascii_8z(domain, &ascii, IDN2_NFC_INPUT |
	    IDN2_NONTRANSITIONAL) != IDN2_OK) {
		err_set(e, EX_DATAERR, "domain is not a valid "
		    "internationalised domain name");
		return NULL;
	}
	for (char *c = ascii; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if ((why = domain_problem(ascii)) != NULL) {
		err_set(e, EX_DATAERR, "%s", why);
		free(ascii);
		return NULL;
	}
	return ascii;
}

char *
addr_normalize(const char *in, struct err *e)
{
	const char *p = in, *at;
	char *local = NULL, *domain = NULL, *ascii = NULL, *out;
	size_t n;

	for (const unsigned char *c = (const unsigned char *)in; *c; c++) {
		if (*c == '\r' || *c == '\n') {
			err_set(e, EX_DATAERR, "address contains a line break");
			return NULL;
		}
	}
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		p++;
		n -= 2;
	}
	if (bare_check(p, n, e) != 0)
		return NULL;
	at = memchr(p, '@', n);
	local = xstrndup(p, (size_t)(at - p));
	domain = xstrndup(at + 1, n - (size_t)(at + 1 - p));
	if ((ascii = domain_ascii(domain, e)) == NULL)
		goto fail;
	out = xasprintf("%s@%s", local, ascii);
	if (strlen(out) > ADDR_MAX) {
		free(out);
		err_set(e, EX_DATAERR, "address longer than 254 characters");
		goto fail;
	}
	free(local);
	free(domain);
	free(ascii);
	return out;
fail:
	free(local);
	free(domain);
	free(ascii);
	return NULL;
}

bool
addr_list_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > LIST_ID_MAX)
		return false;
	if (!(islower((unsigned char)id[0]) || isdigit((unsigned char)id[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) ||
		    id[i] == '-'))
			return false;
	return true;
}

void
addr_split(const char *addr, char **local, char **domain)
{
	const char *at = strrchr(addr, '@');

	if (at == NULL) {
		*local = xstrdup(addr);
		*domain = xstrdup("");
		return;
	}
	*local = xstrndup(addr, (size_t)(at - addr));
	*domain = xstrdup(at + 1);
}

int
addr_extension(const char *addr, const char *local, const char *domain,
    const char *delim, char **ext)
{
	const char *at = strrchr(addr, '@');
	size_t ll = strlen(local), dl = strlen(delim), alen;

	*ext = NULL;
	if (at == NULL || strcasecmp(at + 1, domain) != 0)
		return 0;
	alen = (size_t)(at - addr);
	if (alen < ll || strncasecmp(addr, local, ll) != 0)
		return 0;
	if (alen == ll) {
		*ext = xstrdup("");
		return 1;
	}
	if (dl == 0 || alen < ll + dl + 1 || strncmp(addr + ll, delim, dl) != 0)
		return 0;
	*ext = xstrndup(addr + ll + dl, alen - ll - dl);
	for (char *c = *ext; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return 1;
}

char *
addr_with_extension(const char *local, const char *domain, const char *delim,
    const char *ext)
{
	if (ext == NULL || *ext == '\0')
		return xasprintf("%s@%s", local, domain);
	return xasprintf("%s%s%s@%s", local, delim, ext, domain);
}
