/*
 * crash.c — two kernel tasks that execute a truly privileged instruction
 * (mov to/from %cr3, the page-table base) in the kernel's ring.
 *
 * Where this sits in the story (course: trap & emulate, isolation): in ring
 * 1 the instruction raises #GP.  hvkit emulates only cli/sti/hlt; anything
 * else is bounced to the guest's own #GP handler -- if it has one:
 *
 *   crash-gp       removes its trap table first.  The hypervisor has nowhere
 *                  to deliver the fault, so it crashes the domain (trace:
 *                  trap_fatal, dom_shutdown reason=crash).  The other
 *                  domains carry on: isolation.
 *   crash-handled  keeps its handlers.  The #GP reaches minios's trap(),
 *                  which prints "minios: kernel #GP at eip ..." and shuts
 *                  the domain down with reason crash itself.
 *
 * Natively, in ring 0, the instruction is simply allowed: both say so and
 * exit normally.
 */
#include "kernel.h"
#include "pvops.h"
#include "trap.h"
#include "x86.h"

/* Reload %cr3 with its own value: harmless in ring 0 (a TLB flush),
 * #GP anywhere else -- already at the read. */
static void touch_cr3(void)
{
    write_cr3(read_cr3());
}

int crash_gp_main(void)
{
    kprintf("crash-gp: removing the trap table, then executing mov %%cr3 in ring %u\n",
            read_cs() & 3);
    trap_uninstall();
    touch_cr3();
    trap_install();
    kprintf("crash-gp: still alive: ring %u may use %%cr3\n", read_cs() & 3);
    return 0;
}

int crash_handled_main(void)
{
    kprintf("crash-handled: executing mov %%cr3 in ring %u, handlers installed\n",
            read_cs() & 3);
    touch_cr3();
    kprintf("crash-handled: still alive: ring %u may use %%cr3\n", read_cs() & 3);
    return 0;
}
