/* cli_person - not yet written. */
#include "autoconf.h"
