/* store_list - not yet written. */
#include "autoconf.h"
