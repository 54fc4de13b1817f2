/*
 * fuzz_config - a configuration file, as kringd and kring read it at
 * start and on SIGHUP.
 */
#include "autoconf.h"

#include "config.h"
#include "err.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct err e;

	if (config_load(fuzz_file("kring.conf", data, size), &cfg, &e) == 0)
		config_free(&cfg);
	return 0;
}
