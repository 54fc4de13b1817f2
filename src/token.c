/* token - not yet written. */
#include "autoconf.h"
