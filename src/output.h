#ifndef KRING_OUTPUT_H
#define KRING_OUTPUT_H
#endif
