/* config - not yet written. */
#include "autoconf.h"
