/*
 * fuzz_message - an inbound mail as kringd takes it: parsed within
 * limits, routed by its addresses, its commands read.
 */
#include "autoconf.h"

#include <string.h>

#include "command.h"
#include "err.h"
#include "fuzz.h"
#include "mime.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct config *cfg = fuzz_config();
	struct mime_msg m;
	struct route rt;
	struct command_set cs;
	struct err e;

	memset(&m, 0, sizeof(m));
	if (mime_parse((const char *)data, size, &m, &e) == 0) {
		route_mail(cfg, &m, NULL, &rt);
		route_mail(cfg, &m, "metandereogen+kinderopvang@example.org",
		    &rt);
		command_parse(m.subject, m.text, &cs);
	}
	mime_msg_free(&m);
	return 0;
}
