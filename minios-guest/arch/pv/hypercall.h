/*
 * minios-guest/arch/pv/hypercall.h — how the guest kernel calls the hypervisor: int $0x82.
 *
 * Where this sits in the story (course: hypercalls): a hypercall is to the
 * hypervisor what a system call is to a kernel.  The guest kernel (ring 1)
 * puts the call number in %eax and up to five arguments in %ebx %ecx %edx
 * %esi %edi and executes int $0x82; the hypervisor's gate for that vector
 * has DPL 1, so ring 1 may use it and a ring-3 program may not (it gets #GP).
 * The result comes back in %eax: >= 0 on success, -errno on error.  The
 * argument registers may come back changed (a long call is continued in
 * pieces, and the last piece leaves its arguments there: Xen's rule); every
 * other register is preserved.  Numbers and structures: hv/include/public/.
 *
 * Only paravirtualized code (pvops-hv.c and the PV demo programs) includes
 * this file; natively there is nobody to call.
 */
#ifndef MINIOS_HYPERCALL_H
#define MINIOS_HYPERCALL_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/console.h"
#include "public/sched.h"
#include "public/trap.h"
#include "public/multicall.h"
#include "public/version.h"
#include "public/event_channel.h"
#include "public/domctl.h"

/* The one real wrapper: any hypercall number, five arguments.  The
 * arguments are in-out operands ("+b" ...): the compiler must not assume
 * they survive the call.  The "memory" clobber tells it the hypervisor may
 * read or write any memory we passed a pointer to. */
static inline int hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                            uint32_t a4, uint32_t a5)
{
    int ret;
    __asm__ volatile("int $0x82"
                     : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                     : "a"(nr)
                     : "memory");
    return ret;
}

/* Named wrappers, one per hypercall the kernel uses. */
static inline int HYPERVISOR_console_io(uint32_t cmd, uint32_t count, const void *buf)
{
    return hypercall(__HYPERVISOR_console_io, cmd, count, (uint32_t)buf, 0, 0);
}

static inline int HYPERVISOR_sched_op(uint32_t cmd, void *arg)
{
    return hypercall(__HYPERVISOR_sched_op, cmd, (uint32_t)arg, 0, 0, 0);
}

static inline int HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return hypercall(__HYPERVISOR_set_trap_table, (uint32_t)table, 0, 0, 0, 0);
}

static inline int HYPERVISOR_stack_switch(uint32_t ss, uint32_t esp)
{
    return hypercall(__HYPERVISOR_stack_switch, ss, esp, 0, 0, 0);
}

static inline int HYPERVISOR_xen_version(uint32_t cmd, void *buf)
{
    return hypercall(__HYPERVISOR_xen_version, cmd, (uint32_t)buf, 0, 0, 0);
}

static inline int HYPERVISOR_multicall(struct multicall_entry *calls, uint32_t nr)
{
    return hypercall(__HYPERVISOR_multicall, (uint32_t)calls, nr, 0, 0, 0);
}

/* Where the hypervisor bounces events (the "upcall"): code segment and
 * address of the event callback, and of the failsafe callback (used when
 * returning to the guest faults; minios points both at the same stub). */
static inline int HYPERVISOR_set_callbacks(uint32_t ev_cs, uint32_t ev_eip,
                                           uint32_t fs_cs, uint32_t fs_eip)
{
    return hypercall(__HYPERVISOR_set_callbacks, ev_cs, ev_eip, fs_cs, fs_eip, 0);
}

/* One-shot timer at absolute system time `deadline` ns (0 cancels): the
 * 64-bit time goes in two registers, low half first. */
static inline int HYPERVISOR_set_timer_op(uint64_t deadline)
{
    return hypercall(__HYPERVISOR_set_timer_op, (uint32_t)deadline,
                     (uint32_t)(deadline >> 32), 0, 0, 0);
}

/* event_channel_op(cmd, arg): one of EVTCHNOP_* (public/event_channel.h). */
static inline int HYPERVISOR_event_channel_op(uint32_t cmd, void *arg)
{
    return hypercall(__HYPERVISOR_event_channel_op, cmd, (uint32_t)arg, 0, 0, 0);
}

/* domctl(op): dom0's control of domains (public/domctl.h). */
static inline int HYPERVISOR_domctl(struct hv_domctl *op)
{
    return hypercall(__HYPERVISOR_domctl, (uint32_t)op, 0, 0, 0, 0);
}

#endif
