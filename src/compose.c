/* compose - not yet written. */
#include "autoconf.h"
