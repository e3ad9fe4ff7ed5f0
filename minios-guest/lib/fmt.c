/*
 * minios-guest/lib/fmt.c — the formatter behind kprintf (kernel) and printf (programs).
 *
 * Small on purpose: the conversions the kit's messages need and nothing else.
 * It runs in ring 1 and ring 3 (see fmt.h), so it must not touch any kernel
 * data: everything it uses is on the caller's stack.
 */
#include "lib/fmt.h"

/* Where we are in the output buffer. */
struct out {
    char *buf;
    uint32_t size;
    uint32_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len++] = c;
}

/* Print an unsigned number in base 10 or 16, right-aligned in width,
 * padded with pad (' ' or '0'); neg adds a minus sign.  64 bits wide for
 * %llu (the benchmarks' sums of squares); 32-bit values are widened. */
static void put_number(struct out *o, uint64_t v, unsigned base, int neg,
                       int width, char pad)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);

    int len = n + (neg ? 1 : 0);
    if (neg && pad == '0')
        put(o, '-');
    for (; width > len; width--)
        put(o, pad);
    if (neg && pad != '0')
        put(o, '-');
    while (n > 0)
        put(o, digits[--n]);
}

int vformat(char *buf, uint32_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        int wide = 0;               /* %llu, %llx: a 64-bit argument */
        if (*fmt == 'l') {          /* long is int on i386: ignore one l */
            fmt++;
            if (*fmt == 'l') {
                wide = 1;
                fmt++;
            }
        }

        switch (*fmt) {
        case 'd': {
            int v = va_arg(ap, int);
            /* Negate as unsigned so INT_MIN works too. */
            uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
            put_number(&o, u, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = wide ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            put_number(&o, v, *fmt == 'u' ? 10 : 16, 0, width, pad);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, (uint32_t)va_arg(ap, void *), 16, 0, 8, '0');
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == 0)
                s = "(null)";
            int n = 0;
            while (s[n])
                n++;
            for (; width > n; width--)
                put(&o, ' ');
            while (*s)
                put(&o, *s++);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':                  /* a lone '%' at the very end */
            fmt--;
            break;
        default:                    /* unknown: print it as it was */
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (o.size > 0)
        o.buf[o.len] = '\0';
    return (int)o.len;
}
