#ifndef KRING_QUEUE_H
#define KRING_QUEUE_H
#endif
