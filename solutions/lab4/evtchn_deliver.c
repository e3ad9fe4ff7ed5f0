/*
 * solutions/lab4/evtchn_deliver.c — lab 4, reference: event delivery.
 *
 * Where this sits in the story: hardware interrupts belong to the
 * hypervisor; a guest gets asynchronous events.  "Delivering" one is only
 * bit work in the guest's shared info page (public/shared_info.h):
 *
 *   evtchn_pending[port/32]  bit port%32   "this event happened"
 *   evtchn_mask[port/32]     bit port%32   "I don't want to hear about it now"
 *   evtchn_pending_sel       bit port/32   "scan this word of evtchn_pending"
 *   evtchn_upcall_pending                  "something is pending: upcall me"
 *   evtchn_upcall_mask                     the virtual interrupt flag (1 = cli)
 *
 * The selector lets the guest's upcall handler find pending ports without
 * scanning all 1024 bits: read-and-clear the selector, then for each set bit
 * read-and-clear that word of evtchn_pending.
 *
 * These functions only decide; the caller makes the upcall (bounces into the
 * guest's registered event callback) when they return 1.
 */
#include "event/lab4.h"

/* Which word of the bitmaps holds `port`, and its bit in that word. */
#define WORD(port) ((port) / 32)
#define BIT(port)  (1u << ((port) % 32))

int evtchn_set_pending(struct shared_info *s, uint32_t port)
{
    struct vcpu_info *v = &s->vcpu_info[0];

    if (port >= HV_NR_EVENT_CHANNELS)
        return 0;
    /* Already pending: the guest has not handled the last one yet.  Events
     * are edge-like and do not count: one upcall covers both. */
    if (s->evtchn_pending[WORD(port)] & BIT(port))
        return 0;
    s->evtchn_pending[WORD(port)] |= BIT(port);

    /* A masked port stays pending and silent; evtchn_unmask() raises it. */
    if (s->evtchn_mask[WORD(port)] & BIT(port))
        return 0;

    v->evtchn_pending_sel |= BIT(WORD(port));
    v->evtchn_upcall_pending = 1;

    /* With the upcall mask set (the guest did "cli"), the event is recorded
     * but not delivered now.  It is delivered later: when the guest clears
     * its upcall mask it checks evtchn_upcall_pending and, if set, makes a
     * hypercall so the hypervisor upcalls on the way back — just as a real
     * CPU takes a pending interrupt right after sti. */
    return v->evtchn_upcall_mask == 0;
}

int evtchn_unmask(struct shared_info *s, uint32_t port)
{
    struct vcpu_info *v = &s->vcpu_info[0];

    if (port >= HV_NR_EVENT_CHANNELS)
        return 0;
    s->evtchn_mask[WORD(port)] &= ~BIT(port);

    /* An event that arrived while the port was masked set only its pending
     * bit (see above); raise the selector and the upcall flag for it now. */
    if (!(s->evtchn_pending[WORD(port)] & BIT(port)))
        return 0;
    v->evtchn_pending_sel |= BIT(WORD(port));
    v->evtchn_upcall_pending = 1;
    return v->evtchn_upcall_mask == 0;
}
