/* model - not yet written. */
#include "autoconf.h"
