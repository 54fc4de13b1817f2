/* addr - not yet written. */
#include "autoconf.h"
