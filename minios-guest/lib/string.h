/*
 * minios-guest/lib/string.h — the handful of string and memory routines minios uses.
 *
 * The compiler may also emit calls to memset/memcpy by itself (for struct
 * copies), even with -fno-builtin, so these must exist with these names.
 */
#ifndef MINIOS_STRING_H
#define MINIOS_STRING_H

#include <stdint.h>

void *memset(void *dst, int c, uint32_t n);
void *memcpy(void *dst, const void *src, uint32_t n);
uint32_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, uint32_t n);

#endif
