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

/* The cost model's counters (declared in x86/x86.h). */
uint32_t hv_entries, invlpgs, rep_iters;
extern char copy_guest_insn[], copy_guest_insn2[], copy_guest_fault[];

static const char *const trap_names[20] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 error", "alignment check", "machine check",
    "SIMD error",
};

struct cpu_regs *guest_regs(void)
{
    /* At the top of the stack in TSS.esp0 (see hv/x86/entry.S). */
    char *top = isolation_paging ? entry_stack_top : hv_stack_top;
    return (struct cpu_regs *)((uintptr_t)top - sizeof(struct cpu_regs));
}

/* An exception in ring 0 is a hypervisor bug — unless it is the one
 * instruction that touches guest memory on a guest's behalf. */
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

/* The domain cannot go on: say what happened, crash it, keep the others. */
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

    /* Trap & emulate: a privileged instruction in the guest kernel. */
    if (v == TRAP_gp_fault && (regs->cs & 3) == 1 && emulate_privileged(d, regs))
        return;

    uint32_t cr2 = v == TRAP_page_fault ? read_cr2() : 0;
    /* Writable page tables: a direct write to a page table the guest may
     * not write is validated and applied here (memory issue). */
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
    /* IRQ 7 and 15 can be spurious: the PIC raises them for an interrupt
     * that went away; they must not be acknowledged. */
    if (irq == 7) {
        outb(0x20, 0x0B);
        if (!(inb(0x20) & 0x80))
            return;
    }
    irq_eoi(irq);
    if (irq == 0) {
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

/* An event is pending for d and its virtual IF lets it in. */
static int upcall_due(const struct domain *d)
{
    const volatile struct vcpu_info *vi = &d->shared->vcpu_info[0];
    return vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask;
}

void trap(struct cpu_regs *regs)
{
    int from_guest = (regs->cs & 3) != 0;
    uint32_t v = regs->vector;
    hv_entries++;
    /* A new entry (not a fault of our own inside one, e.g. in copy_guest):
     * what the trace's since_entry counts from. */
    if (from_guest || (v >= 32 && v < 48))
        trace_entered();

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
