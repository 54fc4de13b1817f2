/* store_sub - not yet written. */
#include "autoconf.h"
