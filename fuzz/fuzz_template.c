/*
 * fuzz_template - a site's own template (nl/reply.txt), loaded and
 * checked with the shipped set as kringd does at start, and rendered
 * when it passes.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "notify.h"
#include "render.h"

#ifndef FUZZ_TEMPLATES
#error "FUZZ_TEMPLATES: the shipped templates folder"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_set *set = NULL;
	struct render_vars *v;
	struct buf out = BUF_INIT;
	struct err e;
	char site[128];
	const char *path = fuzz_file("help.txt", data, size);

	/* The site folder: DIR/site/nl/help.txt is the input. */
	snprintf(site, sizeof(site), "%.*s/site", (int)(strrchr(path, '/') -
	    path), path);
	{
		char nl[160], to[192];

		snprintf(nl, sizeof(nl), "%s/nl", site);
		mkdir(site, 0700);
		mkdir(nl, 0700);
		snprintf(to, sizeof(to), "%s/help.txt", nl);
		if (rename(path, to) != 0)
			abort();
	}
	if (render_set_load(site, FUZZ_TEMPLATES, &set, &e) == 0) {
		struct notify_to to = { "anna@example.net", "Anna <b>&amp;", 0 };

		v = render_vars_new();
		notify_common_vars(fuzz_config(), &to, v);
		render(set, LANG_NL, "help.txt", v, &out, &e);
		render_vars_free(&v);
		render_set_free(&set);
	}
	buf_free(&out);
	return 0;
}
