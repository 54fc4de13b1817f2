/*
 * fuzz_csv - `kring sub import`'s CSV reader on any bytes.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = fmemopen((void *)data, size, "rb");
	struct csv_reader *r;
	const char *why;
	char **fields;
	size_t n;

	if (size == 0 || in == NULL) {
		if (in != NULL)
			fclose(in);
		return 0;
	}
	r = csv_reader_new(in);
	/* A bad record is skipped, as import does; end of input ends it. */
	while (csv_read(r, &fields, &n, &why) != 0)
		;
	csv_reader_free(&r);
	fclose(in);
	return 0;
}
