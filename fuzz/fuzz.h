/*
 * fuzz - what the libFuzzer targets share: a site configuration loaded
 * once, and a NUL-terminated copy of the input.
 *
 * Each target is one fuzz_*.c with LLVMFuzzerTestOneInput; fuzz/run.sh
 * builds them with clang (-fsanitize=fuzzer,address,undefined) against
 * a libkring.a built the same way, and runs each for a given time.
 */
#ifndef KRING_FUZZ_H
#define KRING_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct config;

/* The configuration of a site at example.org; loaded on first use. */
const struct config *fuzz_config(void);

/* data as a string (malloc'd, NUL added; inner NULs stay). */
char *fuzz_string(const uint8_t *data, size_t size);

/* A file in a private temporary folder holding data; its path. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

#endif
