/* csv - not yet written. */
#include "autoconf.h"
