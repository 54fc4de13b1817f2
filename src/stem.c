/*
 * stem - Snowball stemmers for Dutch and English (see stem.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <libstemmer.h>

#include "log.h"
#include "stem.h"
#include "xmem.h"

struct stemmer {
	struct sb_stemmer *sb[2];
};

static struct sb_stemmer *
need(const char *algorithm)
{
	struct sb_stemmer *s = sb_stemmer_new(algorithm, "UTF_8");

	/* NULL means no memory, or a libstemmer without the language. */
	if (s == NULL)
		log_fatal(EX_SOFTWARE, "libstemmer: no %s stemmer", algorithm);
	return s;
}

struct stemmer *
stemmer_new(void)
{
	struct stemmer *s = xcalloc(1, sizeof(*s));

	s->sb[STEM_NL] = need("dutch");
	s->sb[STEM_EN] = need("english");
	return s;
}

void
stemmer_free(struct stemmer **sp)
{
	struct stemmer *s = *sp;

	if (s == NULL)
		return;
	sb_stemmer_delete(s->sb[STEM_NL]);
	sb_stemmer_delete(s->sb[STEM_EN]);
	free(s);
	*sp = NULL;
}

size_t
stem_word(struct stemmer *s, enum stem_lang lang, const char *word, size_t n,
    char *out)
{
	const sb_symbol *r = NULL;
	int len = 0;

	if (n <= STEM_MAX)
		r = sb_stemmer_stem(s->sb[lang], (const sb_symbol *)word,
		    (int)n);
	if (r != NULL)
		len = sb_stemmer_length(s->sb[lang]);
	if (r == NULL || len < 0 || (size_t)len > STEM_MAX) {
		/* Too long to be a word of ours, or no memory: as it is. */
		len = (int)(n > STEM_MAX ? STEM_MAX : n);
		r = (const sb_symbol *)word;
	}
	memcpy(out, r, (size_t)len);
	out[len] = '\0';
	return (size_t)len;
}
