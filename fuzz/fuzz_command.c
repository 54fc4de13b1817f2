/*
 * fuzz_command - the command parser on a Subject and a body: the first
 * line of the input is the Subject, the rest the body.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char *nl = strchr(s, '\n');
	struct command_set cs;

	if (nl != NULL)
		*nl = '\0';
	command_parse(s, nl != NULL ? nl + 1 : "", &cs);
	command_parse(NULL, s, &cs);
	free(s);
	return 0;
}
