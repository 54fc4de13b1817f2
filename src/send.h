#ifndef KRING_SEND_H
#define KRING_SEND_H
#endif
