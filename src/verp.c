/* verp - not yet written. */
#include "autoconf.h"
