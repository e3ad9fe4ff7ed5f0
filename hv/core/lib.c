/*
 * hv/core/lib.c — string functions and a small printf formatter for the
 * freestanding hypervisor.  Nothing here is about virtualization; it exists
 * because ring 0 has no C library.
 */
#include "core/lib.h"
#include "x86/x86.h"             /* rep_iters: counted for the benchmarks */

/*
 * memcpy and memset.  Optimization (a first reading can skip it): a plain
 * byte loop costs about 4 instructions per byte, and the hypervisor clears
 * whole pages all the time (frame_alloc zeroes every frame it hands out:
 * building a 2 MiB domain clears 2 MiB).  x86's string instructions do a
 * 32-bit word per iteration instead: `rep stosl` stores %eax at %edi and
 * `rep movsl` copies %esi to %edi, %ecx times, with no loop around them.
 * So: single bytes up to a 4-byte boundary of the destination, the words
 * with one rep, the 0-3 bytes left over one by one.  (The direction flag
 * is clear, as the C calling convention requires: entry.S does `cld` on
 * every entry from a guest, which could have set it.)
 */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n && ((uintptr_t)d & 3)) {
        *d++ = *s++;
        n--;
    }
    size_t words = n / 4;
    rep_iters += words;
    __asm__ __volatile__("rep movsl"
                         : "+D"(d), "+S"(s), "+c"(words)
                         :
                         : "memory");
    for (n &= 3; n; n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char byte = (unsigned char)c;
    while (n && ((uintptr_t)d & 3)) {
        *d++ = byte;
        n--;
    }
    size_t words = n / 4;
    uint32_t pattern = byte * 0x01010101u;       /* the byte in all four lanes */
    rep_iters += words;
    __asm__ __volatile__("rep stosl"
                         : "+D"(d), "+c"(words)
                         : "a"(pattern)
                         : "memory");
    for (n &= 3; n; n--)
        *d++ = byte;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

/* BSD's strlcpy: always terminates (for size > 0) and returns strlen(src),
 * so a caller can tell that the copy was cut.  The builder uses it for a
 * guest's command line, whose length comes from the boot loader. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}

/* The output cursor of vsnprintf: counts everything, stores what fits. */
struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* Digits are produced lowest first into tmp and written out reversed.
 * 64-bit values are divided by 10 or 16 here, which on x86-32 is a call
 * into libgcc's __udivdi3: fine for messages.  On hot paths the hypervisor
 * formats nothing; it writes raw numbers into trace records and leaves the
 * printing to the host (tracer/). */
static void put_number(struct out *o, unsigned long long v, unsigned base,
                       int negative, int width, int zero, int left)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative)
        width--;
    if (negative && zero)
        put(o, '-');
    if (!left)
        for (int i = n; i < width; i++)
            put(o, zero ? '0' : ' ');
    if (negative && !zero)
        put(o, '-');
    while (n)
        put(o, tmp[--n]);
    if (left)
        for (int i = n; i < width; i++)
            put(o, ' ');
}

/* C99's contract: never writes more than size bytes, always terminates
 * (size > 0), returns the length the whole output would have had.  The
 * guest never reaches this with its own format string: guest text goes
 * out through console_guest_write byte by byte, never as a format. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        int zero = 0, left = 0, width = 0, longs = 0;
        for (;; fmt++) {
            if (*fmt == '0') zero = 1;
            else if (*fmt == '-') left = 1;
            else break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        int precision = -1;             /* %.Ns / %.*s: at most N chars */
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') {
                precision = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                precision = precision * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
            int neg = v < 0;
            put_number(&o, neg ? -(unsigned long long)v : (unsigned long long)v,
                       10, neg, width, zero, left);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                                              : va_arg(ap, unsigned int);
            put_number(&o, v, *fmt == 'u' ? 10 : 16, 0, width, zero, left);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 8, 1, 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = (int)strlen(s);
            if (precision >= 0 && n > precision)
                n = precision;
            if (!left)
                for (int i = n; i < width; i++) put(&o, ' ');
            for (int i = 0; i < n; i++)
                put(&o, s[i]);
            if (left)
                for (int i = n; i < width; i++) put(&o, ' ');
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        case 0:
            fmt--;
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}
