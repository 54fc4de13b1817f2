/*
 * fuzz_letter - the reader of letters on a whole mail: its text cut to
 * the writer's own words, then read against a site of four lists, one
 * with aliases; and the same input read as bare text.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "intent.h"
#include "letter.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct intent_list lists[] = {
	{ "nieuwsbrief", "Nieuwsbrief Met Andere Ogen", "", true },
	{ "kinderopvang", "CoP Kinderopvang", "", false },
	{ "jeugdzorg", "CoP Jeugdzorg", "jeugd,jz", false },
	{ "gezondeschool", "CoP Gezonde School", "jgz", false },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intent_reader *r = intent_reader_new();
	struct mime_msg m;
	struct buf own = BUF_INIT;
	struct intent it;
	struct err e;
	char *s = fuzz_string(data, size);

	memset(&m, 0, sizeof(m));
	if (mime_parse((const char *)data, size, &m, &e) == 0) {
		letter_own_text(m.text, &own);
		intent_read(r, "Met Andere Ogen", lists, 4, m.subject,
		    buf_str(&own), m.n_attachments, &it);
	}
	mime_msg_free(&m);
	buf_free(&own);
	intent_read(r, "", lists, 4, NULL, s, 0, &it);
	intent_reader_free(&r);
	free(s);
	return 0;
}
