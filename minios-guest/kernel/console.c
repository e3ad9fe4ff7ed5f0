/*
 * minios-guest/kernel/console.c — kprintf and panic: the kernel's voice.
 *
 * Where this sits in the story: kprintf formats a whole message into a buffer
 * and hands it to pv_ops.console_write in one go.  Natively that is a loop
 * of outb to the COM1 serial port; under hvkit it is one console_io
 * hypercall, and the hypervisor prints the line prefixed with "(dN) ".
 * With "console=split" console_write sends it to dom0's console back end
 * over a ring instead (consfront.c); a panic always goes to console_io.
 * Writing a message at once (not a character at a time) matters under PV:
 * each hypercall is a trap into ring 0.
 */
#include <stdarg.h>
#include "kernel/kernel.h"
#include "lib/fmt.h"
#include "arch/pvops.h"
#include "public/sched.h"

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_write(buf, (uint32_t)n);
}

/* Something the kernel cannot recover from: say so and stop the machine
 * (natively) or this domain (under hvkit) with reason "crash". */
void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_emergency();               /* the ring may be what broke: console_io */
    kprintf("minios: panic: ");
    pv_ops.console_write(buf, (uint32_t)n);
    kprintf("\n");
    pv_ops.shutdown(SHUTDOWN_crash);
    for (;;)
        ;
}
