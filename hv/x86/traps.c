/*
 * hv/x86/traps.c — what happens after entry.S: every exception, interrupt and
 * hypercall is sorted here.
 *
 *   hardware interrupt (vector 32..47)  -> the hypervisor's own (timer)
 *   int $0x82 from ring 1               -> a hypercall
 *   exception in ring 0                 -> the hypervisor's own bug (panic),
 *                                          or a fault in copy_guest (fixed up)
 *   #GP in ring 1                       -> trap & emulate, if it is cli/sti/hlt
 *   any other exception in ring 1 or 3  -> bounced to the guest kernel's
 *                                          handler; fatal for the domain if
 *                                          it has none (the others go on)
 *
 * On the way out, if a hypercall or interrupt asked for it, schedule() may
 * put another domain's registers in the frame before the iret.
 *
 * The two ways a guest's instruction ends up here are the two halves of the
 * course's CPU virtualization.  Ring deprivileging makes a privileged
 * instruction in the ring-1 kernel fault instead of run; the hypervisor
 * either emulates it (trap & emulate: the classic VMM, one trap per
 * instruction) or, for a paravirtualized kernel that never executes it,
 * is asked directly with a hypercall (one trap per request, or per batch).
 * Everything else a guest causes, a divide error, a page fault of its own
 * program, is the guest kernel's to handle: the hypervisor only relays it.
 */
#include "x86/traps.h"
#include "core/console.h"
#include "core/domain.h"
#include "event/upcall.h"
#include "time/timer.h"
#include "core/hypercall.h"
#include "core/lab1.h"
#include "core/lib.h"
#include "mm/isolation.h"
#include "mm/ptwr.h"
#include "sched/sched.h"
#include "time/time.h"
#include "trace/trace.h"
#include "x86/x86.h"

extern char hv_stack_top[], entry_stack_top[];
extern char copy_guest_insn[], copy_guest_insn2[], copy_guest_fault[];

/* For messages: the CPU's exception vectors 0..19 (Intel SDM vol. 3, 6.15). */
static const char *const trap_names[20] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 error", "alignment check", "machine check",
    "SIMD error",
};

/* Entries from ring 1 or 3 always start at TSS.esp0, the top of the
 * hypervisor stack (or of the entry stack under isolation=paging), so the
 * frame entry.S builds is always at the same address: the registers of
 * whichever guest entered last. */
struct cpu_regs *guest_regs(void)
{
    /* At the top of the stack in TSS.esp0 (see hv/x86/entry.S). */
    char *top = isolation_paging ? entry_stack_top : hv_stack_top;
    return (struct cpu_regs *)((uintptr_t)top - sizeof(struct cpu_regs));
}

/* An exception in ring 0 is a hypervisor bug — unless it is one of the two
 * instructions that touch guest memory on a guest's behalf (the exception
 * fixup of copy_guest, hv/x86/entry.S).  A guest can never cause a ring-0
 * fault anywhere else: every guest pointer goes through copy_guest, and
 * every guest frame number through the frame table's checks. */
static void hv_fault(struct cpu_regs *regs)
{
    if (regs->vector == TRAP_page_fault && (regs->eip == (uint32_t)copy_guest_insn ||
                                            regs->eip == (uint32_t)copy_guest_insn2)) {
        regs->eip = (uint32_t)copy_guest_fault;
        return;
    }
    panic_regs(regs, "%s in the hypervisor at eip %x (cr2 %x)",
               regs->vector < 20 ? trap_names[regs->vector] : "exception",
               regs->eip, read_cr2());
}

/* The domain cannot go on: say what happened, crash it, keep the others.
 * Isolation in one function: a fault that kills a native kernel kills
 * only this domain here, and the trace (trap_fatal) says why. */
static void guest_fatal(struct domain *d, struct cpu_regs *regs, uint32_t why)
{
    static const char *const whys[] = { "", "no handler registered",
        "its stack could not take the exception frame", "not emulated" };
    char msg[160];
    snprintf(msg, sizeof msg, "%s at eip %x (error code %x) in ring %u: %s",
             regs->vector < 20 ? trap_names[regs->vector] : "trap", regs->eip,
             regs->error_code, regs->cs & 3, whys[why]);
    trace4(TRC_TRAP_FATAL, d->id, regs->vector, regs->error_code, regs->eip, why);
    printk("d%u: fatal exception, its registers:\n", d->id);
    dump_regs(regs);
    domain_crash(d, msg);
}

static void guest_exception(struct cpu_regs *regs)
{
    struct domain *d = current;
    uint32_t v = regs->vector;

    /* Trap & emulate: a privileged instruction in the guest kernel.  Only
     * from ring 1: the same cli in a ring-3 program is the program's
     * mistake, and its kernel gets the #GP as it would natively. */
    if (v == TRAP_gp_fault && (regs->cs & 3) == 1 && emulate_privileged(d, regs))
        return;

    uint32_t cr2 = v == TRAP_page_fault ? read_cr2() : 0;
    /* Writable page tables: a direct write to a page table the guest may
     * not write is validated and applied here (hv/mm/ptwr.c).  It is asked
     * first because such a #PF is the hypervisor's own doing (it made the
     * table read-only); any #PF it does not claim is the guest's. */
    if (v == TRAP_page_fault && ptwr_page_fault(d, regs, cr2))
        return;
    int r = bounce_exception(d, regs, v, cr2);
    if (r == BOUNCE_OK)
        d->nr_bounces++;
    else
        guest_fatal(d, regs, r == BOUNCE_NO_HANDLER ? 1 : 2);
}

static void hardware_irq(int irq, int from_guest)
{
    /* IRQ 7 can be spurious: the master PIC raises it for an interrupt
     * that went away before the CPU acknowledged it, and then no bit is set
     * in its in-service register (OCW3 0x0B reads it).  A spurious one must
     * not be acknowledged, or the EOI would end a real interrupt in
     * service.  (The slave's spurious line, 15, is not checked: it stays
     * masked unless dom0 binds it.) */
    if (irq == 7) {
        outb(0x20, 0x0B);
        if (!(inb(0x20) & 0x80))
            return;
    }
    /* Acknowledge at once: the hypervisor never takes an interrupt in the
     * middle of its own work (interrupt gates keep IF clear), so there is
     * no nesting for a late EOI to prevent. */
    irq_eoi(irq);
    if (irq == 0) {
        /* The PIT, the only timer: the hypervisor's tick, the guests'
         * one-shot timers and periodic tick (hv/time/timer.c), the end of a
         * scheduling slice.  It runs one-shot, so it is re-armed for the
         * earliest of those every time. */
        int tick = time_timer_interrupt();
        timer_tick(tick);        /* one-shot timers; every tick= ms, VIRQ_TIMER */
        sched_tick(from_guest, tick);   /* slice over? */
        uint64_t next = timer_next_deadline(), slice = sched_slice_end();
        time_timer_rearm(slice && (!next || slice < next) ? slice : next);
    } else if (irq == 4) {
        /* Console input: the hypervisor's device, dom0's event. */
        if (serial_rx_interrupt() > 0)
            events_raise_virq(&domains[0], VIRQ_CONSOLE);
    } else {
        events_pirq((uint32_t)irq);     /* a line dom0 bound, if any */
    }
}

/* An event is pending for d and its virtual IF lets it in.  The upcall
 * mask in the shared page is the guest's interrupt flag: the real IF is on
 * whenever a guest runs, so the hypervisor checks this instead, the way a
 * CPU checks IF before taking an interrupt. */
static int upcall_due(const struct domain *d)
{
    const volatile struct vcpu_info *vi = &d->shared->vcpu_info[0];
    return vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask;
}

/* Called by entry.S for every entry; the frame it returns with is what
 * ret_from_trap loads. */
void trap(struct cpu_regs *regs)
{
    int from_guest = (regs->cs & 3) != 0;
    uint32_t v = regs->vector;

    if (v >= 32 && v < 48)
        hardware_irq((int)v - 32, from_guest);
    else if (!from_guest)
        hv_fault(regs);
    else if (v == HYPERCALL_VECTOR) {
        /* The calling convention: number in %eax, arguments in %ebx %ecx
         * %edx %esi %edi, the result back in %eax (public/hvkit.h). */
        current->nr_hypercalls++;
        regs->eax = (uint32_t)hypercall_dispatch(regs->eax, regs->ebx, regs->ecx,
                                                 regs->edx, regs->esi, regs->edi);
    } else
        guest_exception(regs);

    /* Only switch when the frame at the top of the stack is a guest's: an
     * interrupt that arrived while the CPU idled inside schedule() returns
     * there instead.  Then, with the registers of whichever domain runs
     * next in the frame, an event pending for it and not masked becomes an
     * upcall.  Delivering can crash that domain (no callback, bad stack):
     * then it must not run another instruction, so decide again. */
    while (from_guest) {
        if (need_resched)
            schedule();
        if (!current || !upcall_due(current))
            break;
        events_deliver(guest_regs());
        if (!need_resched)
            break;
    }
}
