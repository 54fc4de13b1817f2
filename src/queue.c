/* queue - not yet written. */
#include "autoconf.h"
