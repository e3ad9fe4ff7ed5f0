/*
 * minios-guest/programs/ulib.c — RING 3 code: printf for programs, on top of SYS_write.
 *
 * It formats into a buffer on the program's own stack and makes a single
 * write system call, so a line is never split between two processes or two
 * domains.
 */
#include <stdarg.h>
#include "lib/fmt.h"
#include "programs/ulib.h"

int printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return write(1, buf, (uint32_t)n);
}
