/*
 * intent_robot - automatic mail that carries no mark (see intent_int.h).
 *
 * An out-of-office reply, a challenge-response mail or a ticket
 * acknowledgement is known by one phrase of each of three groups: what
 * it is, when or what then, and whom to turn to.  One group alone is
 * what people write too.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "intent_int.h"

/* ---- automatic mail without a mark ---- */

/* A robot is known by one phrase of each of three groups. */
struct robot_shape {
	const char *why;
	const char *a[32], *b[32], *c[32];
};

static const struct robot_shape robots[] = {
	{ "out-of-office text",
	  { "afwezig", "out of office", "out of the office", "niet aanwezig",
	    "met vakantie", "op vakantie", "met verlof", "on leave",
	    "on vacation", "on holiday", "away from the office",
	    "not in the office", "niet op kantoor", "beperkt bereikbaar",
	    "afwezigheid", "verlof", "parental leave", "maternity leave",
	    "sick leave", "annual leave", "abroad", "buitenland",
	    "not available", "niet bereikbaar", "study visit",
	    "limited access", "beperkt toegang", "attending" },
	  { "t/m", "tot en met", "until", "till", "terug", "back",
	    "weer aanwezig", "weer bereikbaar", "weer op kantoor", "return",
	    "tot maandag", "tot dinsdag", "tot woensdag", "tot donderdag",
	    "tot vrijdag", "tot " },
	  { "dringend", "urgent", "spoed", "collega", "colleague",
	    "contact opnemen", "contact met", "contact", "doorgestuurd",
	    "forwarded", "beantwoord", "reply", "respond", "reageren",
	    "terugkomst", "bereikbaar" } },
	{ "challenge-response",
	  { "verify", "verifieer", "verificatie", "bevestig dat",
	    "confirm that you", "bevestigen dat u", "prove you",
	    "verification" },
	  { "human", "mens", "robot", "spam", "whitelist", "approved sender",
	    "goedgekeurde afzender", "afzenderslijst", "sender list",
	    "challenge" },
	  { "http", "klik", "click", "link", "reply to this", "beantwoord" } },
	{ "automatic acknowledgement",
	  { "ticket", "zaaknummer", "referentienummer", "registratienummer",
	    "reference number", "case number", "meldingsnummer",
	    "ticketnummer", "case #", "support request", "uw melding",
	    "your request", "uw verzoek", "uw bericht", "your message",
	    "your e-mail" },
	  { "ontvangen", "received", "in behandeling", "being processed",
	    "geregistreerd", "registered", "in goede orde" },
	  { "automatisch", "automatic", "auto-generated", "do not reply",
	    "niet beantwoorden", "no-reply", "noreply", "do not respond",
	    "niet reageren", "gegenereerd", "generated", "kunt niet",
	    "above this line", "boven deze lijn", "support staff",
	    "servicedesk", "service desk", "helpdesk", "klantenservice",
	    "customer service" } },
};

/* ---- robots and language ---- */

static bool
any_phrase(const char *low, const char *const *v)
{
	for (size_t i = 0; i < 32 && v[i] != NULL; i++)
		if (strstr(low, v[i]) != NULL)
			return true;
	return false;
}

const char *
robot_of(const char *subject, const char *own)
{
	struct buf b = BUF_INIT;
	const char *why = NULL;
	char *low;

	buf_printf(&b, "%s\n%s", subject ? subject : "", own ? own : "");
	low = buf_steal(&b);
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (size_t i = 0; i < N(robots) && why == NULL; i++)
		if (any_phrase(low, robots[i].a) && any_phrase(low, robots[i].b) &&
		    any_phrase(low, robots[i].c))
			why = robots[i].why;
	free(low);
	return why;
}
