/*
 * minios-guest/workloads/crash.c — two kernel tasks that execute a truly privileged instruction
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
 *   crash-handled  keeps its handlers, and turns events off first.  The #GP
 *                  reaches minios's trap(), which prints "minios: kernel
 *                  #GP at eip ..." with the saved eflags -- whose IF must
 *                  be 0, the virtual interrupt flag of that moment, though
 *                  the real IF of a guest is always 1 -- and shuts the
 *                  domain down with reason crash itself.
 *
 * Natively, in ring 0, the instruction is simply allowed: both say so and
 * exit normally.
 *
 * Two more break the event upcall (course: events are delivered like
 * interrupts, so they can fail like them).  Both enable events and wait for
 * the timer's next event:
 *
 *   crash-upcall-nocb   first points the event callback at address 0 (a
 *                       guest that never registered one): the hypervisor
 *                       has nowhere to deliver, and crashes the domain.
 *   crash-upcall-stack  moves its stack pointer to an unmapped address: the
 *                       hypervisor cannot push the upcall frame (like a
 *                       double fault), and crashes the domain.
 * PV only: natively they say so and exit.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/trap.h"
#include "lib/x86.h"

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
    kprintf("crash-handled: events off, executing mov %%cr3 in ring %u, handlers installed\n",
            read_cs() & 3);
    pv_ops.irq_disable();
    touch_cr3();
    pv_ops.irq_enable();
    kprintf("crash-handled: still alive: ring %u may use %%cr3\n", read_cs() & 3);
    return 0;
}

/* Wait for the timer's event with events on; whatever the upcall does to
 * us, we never get past this. */
static void wait_for_upcall(void)
{
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
    for (;;)
        __asm__ volatile("" ::: "memory");
}

int crash_upcall_nocb_main(void)
{
    if (!pv_ops.paravirt) {
        kprintf("crash-upcall-nocb: native mode: there are no upcalls\n");
        return 0;
    }
    kprintf("crash-upcall-nocb: event callback at 0, events on, waiting for the timer\n");
    pv_ops.irq_disable();
    HYPERVISOR_set_callbacks(FLAT_RING1_CS, 0, FLAT_RING1_CS, 0);
    wait_for_upcall();
    return 0;
}

int crash_upcall_stack_main(void)
{
    if (!pv_ops.paravirt) {
        kprintf("crash-upcall-stack: native mode: there are no upcalls\n");
        return 0;
    }
    kprintf("crash-upcall-stack: stack pointer at 0x1000 (unmapped), events on, "
            "waiting for the timer\n");
    pv_ops.irq_disable();
    /* No C from here: there is no stack.  Events on, spin. */
    __asm__ volatile("movl $0x1000, %%esp\n\t"
                     "movb $0, %0\n\t"
                     "1: jmp 1b"
                     : : "m"(shared_info->vcpu_info[0].evtchn_upcall_mask) : "memory");
    return 0;
}
