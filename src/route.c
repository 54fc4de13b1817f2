/*
 * route - deciding where an inbound mail goes (see route.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "config.h"
#include "mime.h"
#include "route.h"
#include "token.h"

/* Senders that are programs, whatever their domain. */
static const char *const robot_locals[] = {
	"mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply",
	"donotreply", "do-not-reply", "do_not_reply",
};

/* Subjects of out-of-office and other automatic replies, as they begin. */
static const char *const auto_subjects[] = {
	"automatisch antwoord", "automatisch beantwoord", "afwezig",
	"afwezigheid", "out of office", "out of the office", "automatic reply",
	"auto reply", "autoreply", "auto-reply", "auto response",
	"autoresponse", "automatic response", "abwesenheit", "abwesend",
	"absence", "vacation", "vakantie", "away from", "on leave", "auto:",
};

static bool
prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The local part of addr equals one of the robots' (case-insensitive). */
static bool
robot(const char *addr)
{
	const char *at;
	size_t n;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return false;
	n = (size_t)(at - addr);
	for (size_t i = 0; i < sizeof(robot_locals) / sizeof(robot_locals[0]);
	    i++)
		if (strlen(robot_locals[i]) == n &&
		    strncasecmp(addr, robot_locals[i], n) == 0)
			return true;
	return false;
}

static bool
ours(const struct config *cfg, const char *addr, char **ext)
{
	*ext = NULL;
	return addr != NULL && addr_extension(addr, cfg->local, cfg->domain,
	    cfg->recipient_delimiter, ext) == 1;
}

/* A List-Id of one of our lists: "... <LIST.D>". */
static bool
own_list_id(const struct config *cfg, const char *v)
{
	const char *lt = strrchr(v, '<'), *gt;
	size_t n, dn = strlen(cfg->domain);

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return false;
	n = (size_t)(gt - lt - 1);
	return n > dn + 1 && lt[n - dn] == '.' &&
	    strncasecmp(lt + 1 + n - dn, cfg->domain, dn) == 0;
}

const char *
route_auto_reply(const struct mime_msg *m)
{
	const char *subject;

	if (mime_field(m, "X-Autoreply") != NULL ||
	    mime_field(m, "X-Autorespond") != NULL ||
	    mime_field(m, "X-Autoresponder") != NULL)
		return "auto-reply header";
	if (m->subject != NULL) {
		subject = command_strip_prefixes(m->subject);
		for (size_t i = 0;
		    i < sizeof(auto_subjects) / sizeof(auto_subjects[0]); i++)
			if (prefix_ci(subject, auto_subjects[i]))
				return "out-of-office subject";
	}
	return NULL;
}

static const char *
never_answer(const struct config *cfg, const struct mime_msg *m)
{
	const char *v;

	if (m->return_path != NULL && *m->return_path == '\0')
		return "empty return path";
	if (m->from.addr == NULL)
		return "no sender address";
	if (robot(m->from.addr) || robot(m->return_path))
		return "sender is a program";
	if ((v = mime_field(m, "Auto-Submitted")) != NULL &&
	    strncasecmp(v, "no", 2) != 0)
		return "Auto-Submitted";
	if ((v = mime_field(m, "Precedence")) != NULL &&
	    (prefix_ci(v, "bulk") || prefix_ci(v, "junk") ||
	    prefix_ci(v, "list")))
		return "Precedence";
	if ((v = route_auto_reply(m)) != NULL)
		return v;
	/* A read receipt (RFC 8098) or another report no person wrote. */
	if (m->report_type != NULL)
		return "report";
	if ((v = mime_field(m, "List-Id")) != NULL && own_list_id(cfg, v))
		return "List-Id of our own list";
	return NULL;
}

/* The first of kring's addresses among the recipients, in SPEC's order. */
static char *
addressed(const struct config *cfg, const struct mime_msg *m,
    const char *envelope_rcpt)
{
	const struct mime_addr *lists[] = { m->delivered_to, m->x_original_to,
	    m->envelope_to, m->to, m->cc };
	size_t counts[] = { m->n_delivered_to, m->n_x_original_to,
	    m->n_envelope_to, m->n_to, m->n_cc };
	char *ext;

	if (ours(cfg, envelope_rcpt, &ext))
		return ext;
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
		for (size_t i = 0; i < counts[k]; i++)
			if (ours(cfg, lists[k][i].addr, &ext))
				return ext;
	return NULL;
}

static bool
suffix(const char *s, const char *suf, size_t *prefix_len)
{
	size_t n = strlen(s), k = strlen(suf);

	if (n <= k || strcmp(s + n - k, suf) != 0)
		return false;
	*prefix_len = n - k;
	return true;
}

static bool
set_arg(char *dst, const char *s, size_t n)
{
	if (n > COMMAND_ARG_MAX)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* Read the extension (lower case) into out's kind, list and token. */
static void
by_extension(const char *ext, struct route *out)
{
	const char *dash;
	size_t n;

	out->kind = ROUTE_COMMANDS;
	if (*ext == '\0')
		return;
	if (strcmp(ext, "help") == 0) {
		out->kind = ROUTE_HELP;
		return;
	}
	if (strncmp(ext, "bounce-", 7) == 0) {
		out->kind = ROUTE_BOUNCE;
		return;
	}
	if (strncmp(ext, "confirm-", 8) == 0) {
		if (token_well_formed(ext + 8) &&
		    set_arg(out->token, ext + 8, strlen(ext + 8)))
			out->kind = ROUTE_CONFIRM;
		return;
	}
	if (suffix(ext, "-subscribe", &n) && set_arg(out->list, ext, n) &&
	    addr_list_id_ok(out->list)) {
		out->kind = ROUTE_SUBSCRIBE;
		return;
	}
	if (suffix(ext, "-unsubscribe", &n) && set_arg(out->list, ext, n) &&
	    addr_list_id_ok(out->list)) {
		out->kind = ROUTE_UNSUBSCRIBE;
		return;
	}
	if ((dash = strrchr(ext, '-')) != NULL && token_well_formed(dash + 1)) {
		static const char us[] = "-unsubscribe";
		size_t head = (size_t)(dash - ext), k = sizeof(us) - 1;

		if (head > k && strncmp(dash - k, us, k) == 0 &&
		    set_arg(out->list, ext, head - k) &&
		    addr_list_id_ok(out->list) &&
		    set_arg(out->token, dash + 1, strlen(dash + 1))) {
			out->kind = ROUTE_UNSUBSCRIBE_TOKEN;
			return;
		}
	}
	if (addr_list_id_ok(ext) && set_arg(out->list, ext, strlen(ext))) {
		out->kind = ROUTE_POST;
		return;
	}
	out->list[0] = '\0';
}

void
route_mail(const struct config *cfg, const struct mime_msg *m,
    const char *envelope_rcpt, struct route *out)
{
	const char *why, *loop;
	char *ext = NULL, *from_ext = NULL;

	memset(out, 0, sizeof(*out));
	if (ours(cfg, m->from.addr, &from_ext)) {
		free(from_ext);
		out->kind = ROUTE_DROP;
		out->reason = "sent by kring";
		return;
	}
	if ((loop = mime_field(m, "X-Loop")) != NULL &&
	    strcasecmp(loop, cfg->address) == 0) {
		out->kind = ROUTE_DROP;
		out->reason = "X-Loop";
		return;
	}
	ext = addressed(cfg, m, envelope_rcpt);
	if (ext != NULL && strlen(ext) < sizeof(out->ext))
		memcpy(out->ext, ext, strlen(ext) + 1);
	if (m->is_dsn || (ext != NULL && strncmp(ext, "bounce-", 7) == 0)) {
		free(ext);
		out->kind = ROUTE_BOUNCE;
		return;
	}
	if ((why = never_answer(cfg, m)) != NULL) {
		free(ext);
		out->kind = ROUTE_DROP;
		out->reason = why;
		return;
	}
	by_extension(ext != NULL ? ext : "", out);
	free(ext);
}

const char *
route_kind_name(enum route_kind k)
{
	static const char *const names[] = {
		"drop", "bounce", "commands", "subscribe", "unsubscribe",
		"unsubscribe-token", "confirm", "help", "post",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
