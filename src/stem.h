/*
 * stem - the stems of Dutch and English words, from Snowball's
 * stemmers (libstemmer), so that "aanmelden", "aanmelding" and
 * "aanmeld" are one word to the reader of people's mail, as are
 * "subscribe", "subscribing" and "subscribed".
 *
 * Only this module includes <libstemmer.h>.  A stemmer is not safe
 * to share between threads: each reader makes its own.  Words are
 * lower-case UTF-8; a word longer than STEM_MAX bytes is its own stem.
 */
#ifndef KRING_STEM_H
#define KRING_STEM_H

#include <stddef.h>

#define STEM_MAX 64

enum stem_lang { STEM_NL, STEM_EN };

struct stemmer;

/* Both languages' stemmers; exits on OOM as xmalloc does. */
struct stemmer *stemmer_new(void);
void stemmer_free(struct stemmer **sp);

/*
 * The stem of word (n bytes) in lang, written to out (STEM_MAX + 1
 * bytes, NUL-terminated); its length is returned.
 */
size_t stem_word(struct stemmer *s, enum stem_lang lang, const char *word,
    size_t n, char *out);

#endif
