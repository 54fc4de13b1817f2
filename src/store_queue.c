/* store_queue - not yet written. */
#include "autoconf.h"
