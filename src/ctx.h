/*
 * ctx - what every domain function is handed: the configuration, the
 * store and the time.  Passing `now` in lets tests run kring at any
 * moment (a month boundary, a token's expiry) without waiting.
 */
#ifndef KRING_CTX_H
#define KRING_CTX_H

#include <time.h>

struct config;
struct store;

struct kr_ctx {
	const struct config *cfg;
	struct store *st;
	time_t now;
};

#endif
