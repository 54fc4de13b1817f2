/*
 * fuzz_post - a post's own MIME body with the list footer added, as
 * every member's copy gets it: with the member's archive link as a
 * placeholder, and the site's links in the post losing their token.
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
		    "Afmelden: metandereogen+kinderopvang-unsubscribe@example.org\n"
		    "Het archief: https://lists.example.org/a/"
		    "zcdefghijklmnopqrstuvwxyz2\n",
		.mark_head = "metandereogen+",
		.mark_tail = "-unsubscribe@example.org",
		.atom = "qcdefghijklmnopqrstuvwxyz2",
		.link_base = "https://lists.example.org/a/",
	};
	struct buf body = BUF_INIT;
	struct err e;

	compose_post_body((const char *)data, size, &f, 1, &body, &e);
	buf_free(&body);
	return 0;
}
