/*
 * hv/core/hypercalls.c — the handlers of the foundation: trap table, stack
 * switch, callbacks, multicall, version, scheduling.  (The dispatch table
 * is made from the list in hv/core/hypercall_table.c; console_io and the
 * dispatcher itself are lab 1: labs/lab1/hypercall.c.)
 *
 * Every handler follows the same discipline: check every argument, touch
 * guest memory only through copy_from_guest/copy_to_guest, and return an
 * error code rather than trusting anything.  A guest can make the
 * hypervisor say no; it can never make it crash.
 *
 * Where this sits in the story (course: paravirtualization, "privileged
 * instructions are replaced by hypercalls"): most of these replace one
 * privileged instruction or one piece of machine state a native kernel
 * would set itself.  set_trap_table is the guest's lidt, stack_switch its
 * write of TSS.esp0, set_callbacks the interrupt vector the event
 * "hardware" will use, sched_op block its hlt.  Each takes effect on the
 * VIRTUAL machine (the domain's fields) and, where the real machine must
 * follow, on the real one for as long as the domain runs (the TSS, the
 * system-call gate), which the scheduler reloads at every switch.
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/continuation.h"
#include "core/guest_access.h"
#include "core/lib.h"
#include "mm/isolation.h"
#include "sched/sched.h"
#include "trace/trace.h"
#include "x86/x86.h"
#include "public/multicall.h"
#include "public/sched.h"
#include "public/trap.h"
#include "public/version.h"

/* A handler address the guest gives us must be guest code: its ring-1
 * selector (so the bounce or upcall enters ring 1, never ring 0) and an
 * address below the hole (so what runs there is the guest's own code). */
static int valid_guest_code(uint32_t cs, uint32_t eip)
{
    return cs == FLAT_RING1_CS && eip < HYPERVISOR_VIRT_START;
}

/*
 * set_trap_table(table): read trap_info entries until one with address 0,
 * check each, and only if all are good replace the domain's virtual IDT.
 * A NULL table clears it.
 */
int32_t do_set_trap_table(guest_ptr table)
{
    struct domain *d = current;
    static struct trap_info fresh[HV_MAX_TRAPS];

    memset(fresh, 0, sizeof fresh);
    if (!guest_ptr_is_null(table)) {
        for (uint32_t i = 0; i < HV_MAX_TRAPS; i++) {
            struct trap_info t;
            if (copy_from_guest(&t, guest_ptr_add(table, i * sizeof t), sizeof t))
                return -HV_EFAULT;
            if (t.address == 0)
                break;
            if (!valid_guest_code(t.cs, t.address))
                return -HV_EINVAL;
            fresh[t.vector] = t;
        }
    }
    memcpy(d->traps, fresh, sizeof fresh);
    /* The system-call gate may have changed. */
    domain_load_syscall_gate(d);
    return 0;
}

/*
 * stack_switch(ss, esp): the guest kernel's stack for entries from ring 3
 * (its per-process kernel stack).  Loaded into TSS.ss1:esp1 now and at
 * every switch to this domain.
 */
int32_t do_stack_switch(uint32_t ss, uint32_t esp)
{
    if (ss != FLAT_RING1_DS || esp > HYPERVISOR_VIRT_START || esp < 4)
        return -HV_EINVAL;
    current->kernel_ss = ss;
    current->kernel_esp = esp;
    tss_set_guest_stack(ss, esp);
    return 0;
}

/*
 * set_callbacks(event_cs, event_eip, failsafe_cs, failsafe_eip): where
 * upcalls enter the guest (hv/event/upcall.c), the virtual interrupt
 * handler; until it is set, an event that becomes deliverable crashes the
 * domain, as an interrupt with no IDT entry would stop a real CPU.
 */
int32_t do_set_callbacks(uint32_t event_cs, uint32_t event_eip,
                         uint32_t failsafe_cs, uint32_t failsafe_eip)
{
    if (!valid_guest_code(event_cs, event_eip) || !valid_guest_code(failsafe_cs, failsafe_eip))
        return -HV_EINVAL;
    current->event_cs = event_cs;
    current->event_eip = event_eip;
    current->failsafe_cs = failsafe_cs;
    current->failsafe_eip = failsafe_eip;
    return 0;
}

/*
 * multicall(calls, nr): run a batch, one trap for all of them.  Each entry
 * is copied in, dispatched exactly like int $0x82, and its result copied
 * back.  Nesting, and calls that would not return, are refused per entry;
 * such an entry gets a hypercall trace record of its own too (the
 * dispatcher never saw it), so every result a guest reads back from a
 * batch is in the trace.  A long multicall, or a long entry, is continued
 * like any long call (hv/core/continuation.h).
 */
int32_t do_multicall(guest_ptr calls, uint32_t nr)
{
    if (nr > MULTICALL_MAX)
        return -HV_EINVAL;
    if (!guest_range_ok(calls.va, nr * sizeof(struct multicall_entry)))
        return -HV_EFAULT;
    for (uint32_t i = 0; i < nr; i++) {
        struct multicall_entry e;
        guest_ptr entry = guest_ptr_add(calls, i * sizeof e);
        /* In pieces: between two entries, if the timer is due, the guest
         * re-executes the multicall from here. */
        if (i > 0 && hypercall_preempt_check())
            return hypercall_continue(__HYPERVISOR_multicall, entry.va, nr - i, 0, 0, 0);
        if (copy_from_guest(&e, entry, sizeof e))
            return -HV_EFAULT;
        if (e.op == __HYPERVISOR_multicall ||
            (e.op == __HYPERVISOR_sched_op && e.args[0] == SCHEDOP_shutdown)) {
            e.result = -HV_EINVAL;
            trace7(TRC_HYPERCALL, current->id, e.op, e.args[0], e.args[1], e.args[2],
                   e.args[3], e.args[4], (uint32_t)e.result);
        } else {
            e.result = hypercall_dispatch(e.op, e.args[0], e.args[1], e.args[2],
                                          e.args[3], e.args[4]);
        }
        uint32_t cnr, cargs[5];
        if (e.result == -HV_ERESTART && hypercall_continuation_take(&cnr, cargs)) {
            /* The entry itself stopped part-way: its arguments for the
             * rest go back into the entry, in the guest's memory, and the
             * multicall is continued from this entry. */
            if (copy_to_guest(guest_ptr_add(entry, __builtin_offsetof(struct multicall_entry, args)),
                              cargs, sizeof cargs))
                return -HV_EFAULT;
            return hypercall_continue(__HYPERVISOR_multicall, entry.va, nr - i, 0, 0, 0);
        }
        if (copy_to_guest(guest_ptr_add(entry, __builtin_offsetof(struct multicall_entry, result)),
                          &e.result, sizeof e.result))
            return -HV_EFAULT;
    }
    return 0;
}

static int32_t hvkit_stats(guest_ptr buf)
{
    struct xenver_hvkit_stats st = {
        .isolation = isolation_paging ? HVKIT_ISOLATION_PAGING : HVKIT_ISOLATION_CLASSIC,
        .cr3_loads = cr3_loads,
        .entries = hv_entries,
        .invlpgs = invlpgs,
        .rep_iters = rep_iters,
        .switches = domain_switches,
    };
    return copy_to_guest(buf, &st, sizeof st);
}

/* xen_version: the cheapest hypercall there is (XENVER_version touches
 * nothing), which is why the benchmarks time it as the null hypercall and
 * a guest uses it as a harmless way to enter the hypervisor and leave with
 * pending events delivered (minios-guest/arch/pv/pvops-hv.c). */
int32_t do_xen_version(uint32_t cmd, guest_ptr buf)
{
    static const char extra[XENVER_EXTRAVERSION_LEN] = "-hvkit";
    /* The null hypercall first, before any other test. */
    if (cmd == XENVER_version)
        return (HVKIT_VERSION_MAJOR << 16) | HVKIT_VERSION_MINOR;
    switch (cmd) {
    case XENVER_extraversion:
        return copy_to_guest(buf, extra, sizeof extra);
    case XENVER_hvkit_stats:
        return hvkit_stats(buf);
    }
    return -HV_ENOSYS;
}

/* sched_op: give the CPU back (see public/sched.h).  None of these
 * switches domain here: they change state and ask (sched_request), and the
 * switch happens on the way out of trap(), after the result is in %eax. */
int32_t do_sched_op(uint32_t cmd, guest_ptr arg)
{
    struct domain *d = current;
    switch (cmd) {
    case SCHEDOP_yield:
        sched_request(SCHED_YIELD);
        return 0;
    case SCHEDOP_block:
        /* As in Xen: block enables events (clears the upcall mask), and
         * returns at once if one is already pending, so a guest that checks
         * "anything to do?" with events masked and then blocks cannot miss
         * an event that arrived in between. */
        d->shared->vcpu_info[0].evtchn_upcall_mask = 0;
        if (!d->shared->vcpu_info[0].evtchn_upcall_pending)
            sched_block_until_event(d);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, arg, sizeof s))
            return -HV_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -HV_EINVAL;
        domain_shutdown(d, s.reason);
        return 0;
    }
    }
    return -HV_EINVAL;
}
