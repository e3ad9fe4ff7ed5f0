/*
 * hv/x86/traps.c — what happens after entry.S: every exception, interrupt and
 * hypercall is sorted here.
 *
 *   hardware interrupt (vector 32..47)  -> the hypervisor's own (timer)
 *   int $0x82 from ring 1               -> a hypercall (continued, if it
 *                                          stopped part-way: continuation.h)
 *   exception in ring 0                 -> the hypervisor's own bug (panic),
 *                                          or a fault in copy_guest (fixed up)
 *   #NM from a guest                    -> its x87 registers (lazy switch, fpu.c)
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
#include "core/guest_access.h"
#include "event/upcall.h"
#include "time/timer.h"
#include "core/continuation.h"
#include "core/hypercall.h"
#include "core/lab1.h"
#include "core/lib.h"
#include "core/progress.h"
#include "mm/isolation.h"
#include "mm/ptwr.h"
#include "sched/sched.h"
#include "time/time.h"
#include "trace/trace.h"
#include "x86/fpu.h"
#include "x86/watchdog.h"
#include "x86/x86.h"

extern char hv_stack_top[], entry_stack_top[];

/* The cost model's counters (declared in x86/x86.h). */
uint32_t hv_entries, invlpgs, rep_iters;
extern char copy_guest_insn[], copy_guest_insn2[], copy_guest_fault[];
/* The steps of the way out that can fault in ring 0, and where to start
 * it over (entry.S). */
extern char restore_ds[], restore_es[], restore_fs[], restore_gs[], restore_iret[];
extern char restore_restart[];

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

/* ---- a guest frame the way out could not restore ---------------------------
 *
 * ret_from_trap (entry.S) pops the guest's %ds %es %fs %gs and irets, all in
 * ring 0.  If one of those faults -- the selector names a descriptor that
 * is no longer valid -- the fault arrives here, on the same stack, and its
 * own frame has been pushed over the part of the guest's frame already
 * popped.  Those values are not lost: they are live in the registers the
 * fault saved.  So the guest's frame is rebuilt from the two, the selector
 * that failed becomes null, and the guest learns about it from its FAILSAFE
 * CALLBACK (set_callbacks), which receives the four selectors as they were
 * above an ordinary exception frame:
 *
 *      ds es fs gs  eip cs eflags [esp ss]
 *
 * That is Xen's answer, and the one a guest can rely on: never a ring-0
 * fault, never a silently changed selector.  A domain without a failsafe
 * callback, or whose iret itself failed (its frame is beyond repair), is
 * crashed.  entry.S then copies the rebuilt frame back (restore_frame) and
 * starts the way out over (restore_restart). */
struct cpu_regs restore_frame;
static struct domain *failsafe_for;     /* bounced already on this way out */
static const char *const seg_names[4] = { "%ds", "%es", "%fs", "%gs" };

/* 0..3: popping %ds..%gs faulted; 4: the iret; -1: not the way out. */
static int restore_site(uint32_t eip)
{
    const char *sites[5] = { restore_ds, restore_es, restore_fs, restore_gs, restore_iret };
    for (int i = 0; i < 5; i++)
        if (eip == (uint32_t)sites[i])
            return i;
    return -1;
}

/* The failsafe frame on the guest's kernel stack; 0 or -HV_EFAULT. */
static int bounce_failsafe(struct domain *d, struct cpu_regs *f, const uint32_t sel[4])
{
    const struct vcpu_info *v = &d->shared->vcpu_info[0];
    uint32_t from_ring = f->cs & 3, frame[9], n = 0;
    for (int i = 0; i < 4; i++)
        frame[n++] = sel[i];
    frame[n++] = f->eip;
    frame[n++] = f->cs;
    frame[n++] = (f->eflags & ~EFLAGS_IF) | (v->evtchn_upcall_mask ? 0 : EFLAGS_IF);
    uint32_t esp = f->esp;
    if (from_ring == 3) {
        frame[n++] = f->esp;
        frame[n++] = f->ss;
        esp = d->kernel_esp;
    }
    esp -= n * 4;
    if (copy_to_guest(guest_ptr_at(esp), frame, n * 4))
        return -HV_EFAULT;
    f->esp = esp;
    if (from_ring == 3)
        f->ss = d->kernel_ss;
    f->cs = d->failsafe_cs;
    f->eip = d->failsafe_eip;
    f->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    return 0;
}

static void restore_failed(struct cpu_regs *regs, int site)
{
    struct cpu_regs live, f;
    copy_regs(&live, regs);             /* regs overlaps the guest's frame */
    copy_regs(&f, guest_regs());        /* intact from the failed slot up */
    f.ebx = live.ebx; f.ecx = live.ecx; f.edx = live.edx; f.esi = live.esi;
    f.edi = live.edi; f.ebp = live.ebp; f.eax = live.eax;
    uint32_t *seg = &f.ds;              /* ds es fs gs, in frame order */
    const uint32_t *live_seg = &live.ds;
    for (int i = 0; i < site && i < 4; i++)
        seg[i] = live_seg[i];           /* popped before the fault: live */

    struct domain *d = current;
    trace4(TRC_TRAP_FAILSAFE, d ? d->id : DOMID_HV, (uint32_t)site,
           site < 4 ? seg[site] : f.cs, f.eip, (uint32_t)live.vector);
    if (!d)
        panic_regs(&live, "the way out faulted with no domain to return to");
    if (site == 4) {
        domain_crash(d, "the iret to its frame faulted: the frame cannot be restored");
    } else {
        uint32_t orig[4] = { seg[0], seg[1], seg[2], seg[3] };
        printk("d%u: %s = 0x%x could not be reloaded on the way out (%s): made null\n", d->id,
               seg_names[site], seg[site], live.vector < 20 ? trap_names[live.vector] : "fault");
        seg[site] = 0;
        if (failsafe_for != d) {
            failsafe_for = d;
            if (!d->failsafe_eip)
                domain_crash(d, "a segment could not be reloaded and it has no failsafe callback");
            else if (bounce_failsafe(d, &f, orig))
                domain_crash(d, "its stack could not take the failsafe-callback frame");
        }
    }
    copy_regs(&restore_frame, &f);
    regs->eip = (uint32_t)restore_restart;
}

/* An exception in ring 0 is a hypervisor bug — unless it is the one
 * instruction that touches guest memory on a guest's behalf, or a step of
 * the way out restoring a guest's frame. */
static void hv_fault(struct cpu_regs *regs)
{
    if (regs->vector == TRAP_page_fault && (regs->eip == (uint32_t)copy_guest_insn ||
                                            regs->eip == (uint32_t)copy_guest_insn2)) {
        regs->eip = (uint32_t)copy_guest_fault;
        return;
    }
    int site = restore_site(regs->eip);
    if (site >= 0) {
        restore_failed(regs, site);
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
        "its stack could not take the exception frame", "not emulated", "",
        "it was in virtual-8086 mode, which no guest may enter" };
    char msg[160];
    if (regs->eflags & EFLAGS_VM)
        snprintf(msg, sizeof msg, "%s at %x:%x (error code %x) in virtual-8086 mode: %s",
                 regs->vector < 20 ? trap_names[regs->vector] : "interrupt", regs->cs,
                 regs->eip, regs->error_code, whys[why]);
    else
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
    uint32_t cr2 = v == TRAP_page_fault ? read_cr2() : 0;

    /* The same fault with the same registers, again and again: the guest
     * can never get past it (hv/core/progress.c). */
    progress_check_exception(d, regs, cr2);

    /* The FPU is another domain's, or nobody's yet (lazy switch). */
    if (v == TRAP_no_device) {
        fpu_trap(d);
        return;
    }
    /* Trap & emulate: a privileged instruction in the guest kernel.  Only
     * from ring 1: the same cli in a ring-3 program is the program's
     * mistake, and its kernel gets the #GP as it would natively. */
    if (v == TRAP_gp_fault && (regs->cs & 3) == 1 && emulate_privileged(d, regs))
        return;

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
        guest_fatal(d, regs, r == BOUNCE_NO_HANDLER ? FATAL_NO_HANDLER : FATAL_BOUNCE_FAULTED);
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
         * earliest of those every time.  (First it tells the NMI watchdog
         * that the timer still arrives: hv/x86/watchdog.c.) */
        watchdog_tick();
        progress_check_limit();         /* the test's instruction limit (hv/core/progress.c) */
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

/* The end of every entry from a guest (and of a restarted way out): only
 * switch when the frame at the top of the stack is a guest's -- an interrupt
 * that arrived while the CPU idled inside schedule() returns there instead.
 * Then, with the registers of whichever domain runs next in the frame, an
 * event pending for it and not masked becomes an upcall.  Delivering can
 * crash that domain (no callback, bad stack): then it must not run another
 * instruction, so decide again. */
static inline void exit_work(void)
{
    for (;;) {
        if (need_resched)
            schedule();
        if (!current || !upcall_due(current))
            break;
        progress_made(current);
        events_deliver(guest_regs());
        if (!need_resched)
            break;
    }
}

void exit_to_guest(void)
{
    exit_work();
}

/*
 * Virtual-8086 mode.  Only ring 0 may enter it on real hardware (iret
 * ignores EFLAGS.VM elsewhere), but QEMU's TCG lets a ring-1 iret in.  A
 * way in from VM86 is recognised by EFLAGS.VM in the frame -- its cs is a
 * real-mode paragraph whose low bits say nothing about rings -- and the
 * domain is crashed, whatever brought us in: no guest may run there.
 * (entry.S has already folded the frame's four extra words away.)
 */
static void vm86_fatal(struct cpu_regs *regs)
{
    struct domain *d = current;
    if (d && d->state != DOM_DEAD)
        guest_fatal(d, regs, FATAL_VM86);
    regs->eflags &= ~EFLAGS_VM;         /* never an iret back into it */
}

void trap(struct cpu_regs *regs)
{
    uint32_t v = regs->vector;
    hv_entries++;

    /* The most common way in first.  Only ring 1 can make it: the gate's
     * DPL is 1, so ring 3 and virtual-8086 mode get a #GP instead. */
    if (v == HYPERCALL_VECTOR) {
        trace_entered();                /* what the call's record counts from */
        failsafe_for = 0;               /* a new way in: a new way out */
        /* The calling convention: number in %eax, arguments in %ebx %ecx
         * %edx %esi %edi, the result back in %eax (public/hvkit.h). */
        current->nr_hypercalls++;
        progress_made(current);
        regs->eax = (uint32_t)hypercall_dispatch(regs->eax, regs->ebx, regs->ecx,
                                                 regs->edx, regs->esi, regs->edi);
        /* A long call stopped part-way: the guest re-executes it with the
         * arguments it left (hv/core/continuation.h). */
        if (hypercall_continued)
            hypercall_continuation_apply(regs);
        exit_work();
        return;
    }

    int vm86 = (regs->eflags & EFLAGS_VM) != 0;
    int from_guest = vm86 || (regs->cs & 3) != 0;
    if (from_guest)
        failsafe_for = 0;
    /* A new entry (not a fault of our own inside one, e.g. in copy_guest):
     * what the trace's since_entry counts from. */
    if (from_guest || (v >= 32 && v < 48))
        trace_entered();

    if (v >= 32 && v < 48)
        hardware_irq((int)v - 32, from_guest);
    else if (v == TRAP_nmi)
        watchdog_nmi(regs, from_guest);
    else if (!from_guest)
        hv_fault(regs);
    else if (!vm86)
        guest_exception(regs);

    if (vm86)
        vm86_fatal(regs);
    if (from_guest)
        exit_work();
}
