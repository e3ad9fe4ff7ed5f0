/*
 * hv/event/upcall.c — getting an event from where it is raised to the guest's
 * event callback.  (Course: "hardware interrupts belong to the hypervisor;
 * guests get events".)
 *
 * The path of one event:
 *
 *   1. something raises it: another domain's EVTCHNOP_send
 *      (hv/event/channel_op.c), a virtual IRQ (the timers of hv/time/timer.c), or a
 *      physical IRQ dom0 bound;
 *   2. events_raise(): lab 4's evtchn_set_pending() sets the port's bit in
 *      the receiver's shared page and, if the port is not masked, the
 *      selector bit and evtchn_upcall_pending; a blocked receiver is woken;
 *   3. events_deliver(), the last thing trap() does before the iret: if the
 *      running domain has evtchn_upcall_pending set and its upcall mask
 *      (the virtual interrupt flag) clear, we bounce it into the callback it
 *      registered with set_callbacks, exactly as the CPU enters an
 *      interrupt handler: a frame (eip, cs, eflags, and esp, ss when it was
 *      in ring 3) pushed on its ring-1 stack, and the mask set, as an
 *      interrupt gate clears IF.  The guest scans the bitmaps, handles the
 *      ports, clears its mask and irets.
 *
 * An event raised while the port or the whole vcpu is masked waits in the
 * bitmaps; unmasking delivers it (EVTCHNOP_unmask, or the guest clearing
 * its mask and noticing evtchn_upcall_pending).  Nothing is lost, nothing
 * is counted twice: a pending bit is a bit, not a counter (two sends before
 * the guest looks are one event, as with a level-triggered line).
 */
#include "event/upcall.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "event/lab4.h"
#include "core/lib.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "sched/sched.h"
#include "time/time.h"
#include "trace/trace.h"
#include "public/start_info.h"

static int test_port(const uint32_t *bits, uint32_t port)
{
    return (bits[port / 32] >> (port % 32)) & 1;
}

/* Raising never switches domains and never enters the guest: it changes
 * bits and, at most, makes the receiver runnable (which may ask for a new
 * decision at the end of the trap).  Whether the receiver
 * runs soon is the scheduler's decision (BVT's warp is for exactly this),
 * and the upcall happens only when the receiver is next on its way back
 * into guest mode (events_deliver). */
void events_raise(struct domain *d, uint32_t port)
{
    struct shared_info *s = d->shared;
    uint32_t was_pending = test_port(s->evtchn_pending, port);
    uint32_t masked = test_port(s->evtchn_mask, port);
    int upcall = evtchn_set_pending(s, port);
    trace4(TRC_EVTCHN_PENDING, d->id, port, was_pending, masked, (uint32_t)upcall);
    /* Block means "until an event is pending for me" (sched_op block
     * clears the upcall mask, so any unmasked event qualifies). */
    if (s->vcpu_info[0].evtchn_upcall_pending)
        sched_wake(d);
}

void events_raise_virq(struct domain *d, uint32_t virq)
{
    uint32_t port = evtchn_virq_port(&d->evtchn, virq);
    if (!port)
        return;
    trace2(TRC_VIRQ, d->id, virq, port);
    events_raise(d, port);
}

/* The virtual interrupt.  The checks are the CPU's own for a real one:
 * something pending (the PIC's INTR line, here evtchn_upcall_pending), and
 * the interrupt flag set (here the upcall mask clear).  Then the same
 * entry the CPU would make through an interrupt gate: a frame on the
 * handler's stack, and interrupts off until the handler says otherwise. */
void events_deliver(struct cpu_regs *regs)
{
    struct domain *d = current;
    struct vcpu_info *v = &d->shared->vcpu_info[0];

    if (!v->evtchn_upcall_pending || v->evtchn_upcall_mask)
        return;
    if (d->event_eip == 0) {
        domain_crash(d, "an event is pending but no event callback is registered "
                        "(set_callbacks)");
        return;
    }

    /* The frame of public/trap.h without an error code.  EFLAGS.IF in the
     * image is the virtual IF, i.e. "events were enabled" (they were, or
     * we would not be here).  (Lab 1's bounce_exception() builds the same
     * frame for exceptions; the upcall does not call it because that is a
     * student's file, and events must keep working while lab 1 is a stub.) */
    uint32_t from_ring = regs->cs & 3;
    uint32_t frame[5], n = 0;
    frame[n++] = regs->eip;
    frame[n++] = regs->cs;
    frame[n++] = regs->eflags | EFLAGS_IF;
    uint32_t esp = regs->esp;
    if (from_ring == 3) {
        frame[n++] = regs->esp;
        frame[n++] = regs->ss;
        esp = d->kernel_esp;
    }
    esp -= n * 4;
    if (copy_to_guest(guest_ptr_at(esp), frame, n * 4)) {
        domain_crash(d, "its stack could not take the event-callback frame");
        return;
    }
    /* Like an interrupt gate: no further upcalls until the guest says so. */
    v->evtchn_upcall_mask = 1;
    d->nr_upcalls++;
    trace3(TRC_EVTCHN_UPCALL, d->id, d->event_eip, v->evtchn_pending_sel, from_ring);

    regs->esp = esp;
    if (from_ring == 3)
        regs->ss = d->kernel_ss;
    regs->cs = d->event_cs;
    regs->eip = d->event_eip;
    regs->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
}

/* The builder's stand-in for a toolstack: each domU gets a channel to
 * dom0 before anyone runs, using the very same two halves a pair of guests
 * would use (alloc_unbound in dom0, bind_interdomain in the domU), and the
 * same trace record.  The domU learns its port from start_info; dom0 finds
 * its ends with EVTCHNOP_status. */
void events_connect_dom0(void)
{
    struct domain *dom0 = domain_lookup(0);
    if (!dom0)
        return;
    for (int i = 1; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_lookup((domid_t)i);
        if (!d)
            continue;
        int p0 = evtchn_alloc_unbound(&dom0->evtchn, d->id);
        int pu = p0 < 0 ? p0 : evtchn_bind_interdomain(&d->evtchn, &dom0->evtchn, (uint32_t)p0);
        trace5(TRC_EVTCHN_OP, d->id, EVTCHNOP_bind_interdomain, pu < 0 ? 0 : (uint32_t)pu,
               0, p0 < 0 ? 0 : (uint32_t)p0, (uint32_t)(pu < 0 ? pu : 0));
        if (pu < 0) {
            printk("d%u: no event channel to dom0 (error %d)\n", d->id, pu);
            continue;
        }
        /* The start-info page, which the builder remembered for us. */
        struct start_info *si = mfn_to_virt(d->start_info_mfn);
        si->dom0_evtchn = (uint32_t)pu;
    }
}

/* Only a privileged domain can have bound a line (evtchn_bind_pirq), and
 * the line was unmasked at the PIC only when it did; the loop just finds
 * which one.  Hardware interrupts belong to the hypervisor: the domain
 * gets an event, never the interrupt itself. */
void events_pirq(uint32_t irq)
{
    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_lookup((domid_t)i);
        uint32_t port = d ? evtchn_pirq_port(&d->evtchn, irq) : 0;
        if (port) {
            trace2(TRC_PIRQ, d->id, irq, port);
            events_raise(d, port);
        }
    }
}
