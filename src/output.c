/* output - not yet written. */
#include "autoconf.h"
