/* Placeholder until the config tests are written: reports a skip. */
#include <stdio.h>
int main(void) { puts("t_config: not written yet"); return 77; }
