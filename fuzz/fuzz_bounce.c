/*
 * fuzz_bounce - a bounce read for the addresses that failed and how:
 * delivery-status reports through libetpan, plain-text bounces by their
 * shape.
 */
#include "autoconf.h"

#include <string.h>

#include "bounce_read.h"
#include "err.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounce_result r;
	struct err e;

	memset(&r, 0, sizeof(r));
	bounce_read((const char *)data, size, &r, &e);
	bounce_result_free(&r);
	return 0;
}
