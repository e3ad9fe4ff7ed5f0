/*
 * minios-guest/lib/string.c — memset, memcpy and friends, written the obvious way.
 *
 * Plain byte loops: minios is about clarity, not speed.  These run in both
 * ring 1 and ring 3 (ulib.c's printf may use them) and touch only what they
 * are given.
 */
#include "lib/string.h"

void *memset(void *dst, int c, uint32_t n)
{
    uint8_t *d = dst;
    while (n-- > 0)
        *d++ = (uint8_t)c;
    return dst;
}

void *memcpy(void *dst, const void *src, uint32_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

uint32_t strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, uint32_t n)
{
    for (; n > 0; n--, a++, b++) {
        if (*a != *b || *a == '\0')
            return (uint8_t)*a - (uint8_t)*b;
    }
    return 0;
}
