/* Unit tests for json: structure, escaping, invalid UTF-8, times. */
#include "autoconf.h"

#include <string.h>

#include "buf.h"
#include "check.h"
#include "json.h"

int
main(void)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_object_open(&j, NULL);
	json_string(&j, "name", "\xc3\x8bl\"la\\\n\t\x01");
	json_string(&j, "bad", "a\xff" "b\xc3");
	json_int(&j, "n", -42);
	json_double(&j, "score", 1.5);
	json_bool(&j, "ok", true);
	json_null(&j, "none");
	json_string(&j, "nil", NULL);
	json_time(&j, "at", 1796108400);
	json_time(&j, "never", 0);
	json_array_open(&j, "empty");
	json_array_close(&j);
	json_array_open(&j, "list");
	json_object_open(&j, NULL);
	json_string(&j, "k", "v");
	json_object_close(&j);
	json_array_close(&j);
	json_object_close(&j);
	CHECK_STR(buf_str(&b),
	    "{\n"
	    "  \"name\": \"\xc3\x8bl\\\"la\\\\\\n\\t\\u0001\",\n"
	    "  \"bad\": \"a\xef\xbf\xbd" "b\xef\xbf\xbd\",\n"
	    "  \"n\": -42,\n"
	    "  \"score\": 1.5,\n"
	    "  \"ok\": true,\n"
	    "  \"none\": null,\n"
	    "  \"nil\": null,\n"
	    "  \"at\": \"2026-12-01T07:00:00Z\",\n"
	    "  \"never\": null,\n"
	    "  \"empty\": [],\n"
	    "  \"list\": [\n"
	    "    {\n"
	    "      \"k\": \"v\"\n"
	    "    }\n"
	    "  ]\n"
	    "}\n");
	buf_free(&b);
	return check_done();
}
