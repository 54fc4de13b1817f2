/* json - not yet written. */
#include "autoconf.h"
