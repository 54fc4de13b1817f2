/* hmac - not yet written. */
#include "autoconf.h"
