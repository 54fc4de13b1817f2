#ifndef KRING_VERP_H
#define KRING_VERP_H
#endif
