/* units - not yet written. */
#include "autoconf.h"
