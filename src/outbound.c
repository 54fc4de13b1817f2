/* outbound - not yet written. */
#include "autoconf.h"
