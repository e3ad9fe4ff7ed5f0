/*
 * minios-guest/lib/fmt.h — printf-style formatting into a buffer, shared by the kernel's
 * kprintf (console.c) and the programs' printf (ulib.c).
 *
 * Where this sits in the story: a plain library routine with no state and no
 * privileged instruction, so it can run in ring 1 (kernel) and ring 3
 * (programs) alike -- like the bits of libc a real kernel also carries.
 */
#ifndef MINIOS_FMT_H
#define MINIOS_FMT_H

#include <stdarg.h>
#include <stdint.h>

/* Format into buf (size bytes, always NUL-terminated if size > 0).
 * Conversions: %d %u %x %s %c %p %%, %llu and %llx for 64-bit values,
 * with an optional '0' flag and width
 * ("%08x", "%5d").  Returns the number of characters stored (not counting
 * the NUL); output that does not fit is dropped. */
int vformat(char *buf, uint32_t size, const char *fmt, va_list ap);

#endif
