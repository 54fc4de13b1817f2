/*
 * command - the commands a person wrote in a mail to the command
 * address, in Dutch or English (SPEC "Commands by mail").
 *
 * Read from the Subject (after any Re:, Antw:, AW:, Fwd: prefixes),
 * then from the first lines of the body text, up to the first line that
 * is not a command, a signature separator "-- ", quoted text, or a
 * mobile footer ("Verzonden vanaf mijn iPhone").  A Subject that is not
 * a command is ignored (it is usually just a subject); when neither the
 * Subject nor the body starts with a command, the first body line is
 * returned as not understood, so the writer learns to ask for help.
 * The same command written twice (Subject and body) counts once.  The
 * archive's words (archief, bericht, zoek and archive, get, search) are
 * also words of prose ("Zoek je nog...", "Get me off this list"): a
 * line that begins with one but does not have its arguments is no
 * command, so a letter that starts that way is still read as one.  Pure
 * functions, no state.
 */
#ifndef KRING_COMMAND_H
#define KRING_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define COMMAND_MAX 10            /* carried out per mail */
#define COMMAND_TEXT_MAX 200      /* bytes of a command kept for the reply */
#define COMMAND_ARG_MAX 64        /* a list id or token */

enum command_verb {
	CMD_SUBSCRIBE,            /* list, digest */
	CMD_UNSUBSCRIBE,          /* list, or all */
	CMD_CONFIRM,              /* token */
	CMD_LISTS,
	CMD_WHICH,
	CMD_DIGEST,               /* list, on */
	CMD_HELP,
	CMD_UNKNOWN,              /* text is what was written */
	CMD_ARCHIVE,              /* list: its latest threads */
	CMD_GET,                  /* list, number: that post, attached */
	CMD_SEARCH,               /* list, words: the first hits */
};

/* Which language a command's words are in; NEUTRAL for "stop", "status". */
enum command_lang { CLANG_NEUTRAL, CLANG_NL, CLANG_EN };

struct command {
	enum command_verb verb;
	enum command_lang lang;
	char list[COMMAND_ARG_MAX + 1];   /* lower case; "" when none */
	char token[COMMAND_ARG_MAX + 1];  /* CMD_CONFIRM, lower case */
	bool all;                 /* CMD_UNSUBSCRIBE: "*", "alles", "all" */
	bool digest;              /* CMD_SUBSCRIBE: "digest", "samenvatting" */
	bool on;                  /* CMD_DIGEST: on/aan, else off/uit */
	int64_t number;           /* CMD_GET: the post's number */
	/* CMD_SEARCH: the words after the list, as written. */
	char words[COMMAND_TEXT_MAX + 1];
	/* The line as written (trimmed, made one line, at most COMMAND_TEXT_MAX). */
	char text[COMMAND_TEXT_MAX + 1];
};

struct command_set {
	struct command cmd[COMMAND_MAX];
	size_t n;
	bool too_many;            /* more commands followed than were kept */
};

/*
 * Read the commands of a mail: subject and text are UTF-8 (either may
 * be NULL), text with LF line ends.  Fills *out (n may be 0 when the
 * mail held nothing at all).
 */
void command_parse(const char *subject, const char *text,
    struct command_set *out);

/*
 * Parse one line as a command: true and *c filled when its first word
 * is a command word (its arguments may still be wrong: then verb is
 * CMD_UNKNOWN), false when the line is not a command.
 */
bool command_parse_line(const char *line, size_t len, struct command *c);

/* The subject without its reply and forward prefixes. */
const char *command_strip_prefixes(const char *subject);

/*
 * The language most of the commands are written in: true and *lang set,
 * false when they are all neutral (or there are none).
 */
bool command_lang(const struct command_set *cs, enum lang *lang);

#endif
