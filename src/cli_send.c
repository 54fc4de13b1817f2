/* cli_send - not yet written. */
#include "autoconf.h"
