#ifndef KRING_OUTBOUND_H
#define KRING_OUTBOUND_H
#endif
