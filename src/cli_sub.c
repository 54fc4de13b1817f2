/* cli_sub - not yet written. */
#include "autoconf.h"
