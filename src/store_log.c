/* store_log - not yet written. */
#include "autoconf.h"
