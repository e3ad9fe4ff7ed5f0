/*
 * hv/core/lib.h — the little C library the hypervisor carries with it.
 *
 * The hypervisor is freestanding: no libc under it.  These are the string
 * functions and the printf formatter it needs, nothing more.  (GCC may also
 * call memcpy/memset on its own, for structure copies.)
 */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
int strcmp(const char *a, const char *b);
size_t strlcpy(char *dst, const char *src, size_t size);

/* printf-style formatting: %d %u %x %s %c %p, with width, '0' and '-'
 * flags, precision for %s (%.*s), and the 'l'/'ll' length modifiers.  Returns the full length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
