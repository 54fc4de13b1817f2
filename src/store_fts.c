/*
 * store_fts - the "kring" tokenizer of SQLite FTS5, so that the search
 * of a CoP's archive finds a word in any of its Dutch or English forms:
 * "thuiszitter" finds "thuiszitters", "samenwerken" "samenwerking".
 *
 * A word is a run of letters and digits (any byte of a multi-byte
 * UTF-8 character counts as a letter, except the general punctuation
 * of U+2000..U+206F and the no-break space).  ASCII and Latin-1 capitals
 * are lowered; then the word goes in as its Dutch stem, with its
 * English stem at the same place when that differs.  A query is cut
 * the same way, so the two stems of a query word are alternatives.
 * Offsets are the word's own bytes, so snippet() marks what was
 * written.  Each tokenizer instance has its own stemmer (stem.h), as a
 * store connection is used by one thread at a time.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "stem.h"
#include "store_int.h"
#include "xmem.h"

/* Bytes of one word looked at; the stemmer takes no more than STEM_MAX. */
#define WORD_MAX 128

struct fts_tok {
	struct stemmer *stem;
};

static int
tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	struct fts_tok *t = xcalloc(1, sizeof(*t));

	(void)ctx;
	(void)argv;
	(void)argc;
	t->stem = stemmer_new();
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
tok_delete(Fts5Tokenizer *p)
{
	struct fts_tok *t = (struct fts_tok *)p;

	stemmer_free(&t->stem);
	free(t);
}

/* Length of the separator at s[0..n), 0 when s starts a word's byte. */
static size_t
separator(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return (s[0] >= '0' && s[0] <= '9') ||
		    (s[0] >= 'a' && s[0] <= 'z') ||
		    (s[0] >= 'A' && s[0] <= 'Z') ? 0 : 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0xa0 || s[1] == 0xab ||
	    s[1] == 0xbb))
		return 2;
	if (n >= 3 && s[0] == 0xe2 && (s[1] == 0x80 || s[1] == 0x81))
		return 3;
	return 0;
}

/* word[0..n) lowered into out; its length. */
static size_t
lower(const unsigned char *w, size_t n, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < WORD_MAX; i++) {
		unsigned char c = w[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		/* U+00C0..U+00DE but the multiplication sign. */
		else if (c >= 0x80 && c <= 0x9e && i > 0 && w[i - 1] == 0xc3 &&
		    c != 0x97 && k > 0)
			c = (unsigned char)(c + 32);
		out[k++] = (char)c;
	}
	return k;
}

static int
emit(struct fts_tok *t, void *ctx, const unsigned char *w, size_t n,
    int start, int end,
    int (*cb)(void *, int, const char *, int, int, int))
{
	char low[WORD_MAX + 1], nl[STEM_MAX + 1], en[STEM_MAX + 1];
	size_t k = lower(w, n, low), a, b;
	int rc;

	/* The stemmer wants whole characters: do not end inside one. */
	while (k > 0 && n > k && ((unsigned char)low[k] & 0xc0) == 0x80)
		k--;
	a = stem_word(t->stem, STEM_NL, low, k, nl);
	b = stem_word(t->stem, STEM_EN, low, k, en);
	if ((rc = cb(ctx, 0, nl, (int)a, start, end)) != SQLITE_OK)
		return rc;
	if (a == b && memcmp(nl, en, a) == 0)
		return SQLITE_OK;
	return cb(ctx, FTS5_TOKEN_COLOCATED, en, (int)b, start, end);
}

static int
tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text,
    int len, int (*cb)(void *, int, const char *, int, int, int))
{
	struct fts_tok *t = (struct fts_tok *)p;
	const unsigned char *s = (const unsigned char *)text;
	size_t n = len > 0 ? (size_t)len : 0, i = 0;
	int rc = SQLITE_OK;

	(void)flags;
	while (i < n && rc == SQLITE_OK) {
		size_t sep = separator(s + i, n - i), start;

		if (sep > 0) {
			i += sep;
			continue;
		}
		start = i;
		while (i < n && separator(s + i, n - i) == 0)
			i++;
		rc = emit(t, ctx, s + start, i - start, (int)start, (int)i, cb);
	}
	return rc;
}

static fts5_api *
fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	return api;
}

int
store_fts_register(sqlite3 *db)
{
	static fts5_tokenizer kind = { tok_create, tok_delete, tok_tokenize };
	fts5_api *api = fts5_of(db);

	if (api == NULL)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "kring", NULL, &kind, NULL);
}
