/* Placeholder until the token tests are written: reports a skip. */
#include <stdio.h>
int main(void) { puts("t_token: not written yet"); return 77; }
