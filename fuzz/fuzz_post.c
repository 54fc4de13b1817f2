/*
 * fuzz_post - a post's own MIME body with the list footer added, as
 * every member's copy gets it.
 */
#include "autoconf.h"

#include "buf.h"
#include "compose_post.h"
#include "err.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compose_footer f = {
		.text = "CoP Kinderopvang\nmetandereogen+kinderopvang@example.org\n"
		    "Afmelden: metandereogen+kinderopvang-unsubscribe@example.org\n",
		.mark_head = "metandereogen+",
		.mark_tail = "-unsubscribe@example.org",
	};
	struct buf body = BUF_INIT;
	struct err e;

	compose_post_body((const char *)data, size, &f, 1, &body, &e);
	buf_free(&body);
	return 0;
}
