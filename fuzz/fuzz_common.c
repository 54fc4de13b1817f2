/*
 * fuzz_common - the site and the scratch files of the fuzz targets.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "fuzz.h"
#include "xmem.h"

/* One per fuzzing process: libFuzzer runs a target in one thread. */
static char dir[64];
static char path[128];

static const char *
scratch(void)
{
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/kring-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
	}
	return dir;
}

const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch(), name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

const struct config *
fuzz_config(void)
{
	static struct config *cfg;
	static const char text[] =
	    "address = \"metandereogen@example.org\";\n"
	    "store = \"/nonexistent/kring.db\";\n"
	    "inbound = { type = \"none\"; };\n";
	struct err e;

	if (cfg == NULL && config_load(fuzz_file("site.conf",
	    (const uint8_t *)text, strlen(text)), &cfg, &e) != 0) {
		fprintf(stderr, "fuzz: %s\n", e.msg);
		abort();
	}
	return cfg;
}

char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
