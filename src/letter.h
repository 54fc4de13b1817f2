/*
 * letter - the writer's own words in the text of a mail: what is left
 * when quoted text, the header block of a quoted or forwarded mail,
 * mobile footers, signatures and legal disclaimers are taken away.
 *
 * Both readers of the command address use it: the command parser
 * stops where the writer's text ends, and the reader of letters
 * (intent.h) reads only what the person wrote now, never the
 * newsletter they quote.  Pure functions, no state.
 */
#ifndef KRING_LETTER_H
#define KRING_LETTER_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* Bytes of own text kept: a letter, not a document. */
#define LETTER_MAX (16 * 1024)

/*
 * Whether line (len bytes, no LF) ends what the writer wrote: a
 * signature separator "-- ", a quoted line "> ", a mobile or web-mail
 * footer, "-----Oorspronkelijk bericht-----", or an attribution line
 * "Op … schreef …:" / "On … wrote:".
 */
bool letter_ends_writing(const char *line, size_t len);

/*
 * Append the writer's own text of text (UTF-8, LF line ends) to out:
 * the lines before the first that ends the writing, a quoted mail's
 * header block (Van:/From: followed by Verzonden:/Sent:/Date:), an
 * attribution spread over two lines, a forwarded message's banner or
 * the start of a disclaimer; at most LETTER_MAX bytes, cut at a line.
 */
void letter_own_text(const char *text, struct buf *out);

#endif
