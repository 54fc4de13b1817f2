/* kringd - not yet written. */
#include "autoconf.h"
int main(void) { return 0; }
