#ifndef KRING_COMPOSE_H
#define KRING_COMPOSE_H
#endif
