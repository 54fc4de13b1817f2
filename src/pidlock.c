/* pidlock - not yet written. */
#include "autoconf.h"
