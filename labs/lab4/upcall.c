/*
 * labs/lab4/upcall.c — lab 4, the guest's half: YOUR upcall handler scan.
 *
 * Where this sits in the story (course: event channels): the hypervisor's
 * half (evtchn_deliver.c, also yours) set a port's bit in
 * shared_info->evtchn_pending, its word's bit in
 * vcpu_info[0].evtchn_pending_sel, and vcpu_info[0].evtchn_upcall_pending,
 * then bounced into minios's callback (entry.S) with the upcall mask set.
 * events_upcall() (minios-guest/kernel/events.c) calls this function to find which
 * ports fired and dispatch them; afterwards it unmasks and re-checks.
 *
 * Write evtchn_do_upcall(s):
 *   1. clear v->evtchn_upcall_pending (before the scan: why? see README);
 *   2. atomically read-and-zero v->evtchn_pending_sel (xchg);
 *   3. for each set bit w of it: bits = s->evtchn_pending[w] &
 *      ~s->evtchn_mask[w]; for each set bit b of bits, atomically clear it
 *      in s->evtchn_pending[w] (lock btr) and, if it was set, call
 *      evtchn_dispatch(w * 32 + b);
 *   4. return how many ports you dispatched.
 * The hypervisor may set bits at any moment: a plain read-then-write of a
 * shared word can lose an event.
 */
#include <stdint.h>
#include "kernel/events.h"

int evtchn_do_upcall(struct shared_info *s)
{
    (void)s;
    /* TODO (lab 4): scan and dispatch.  Until then no event reaches the
     * kernel, and events.c stops the domain after 1000 empty upcalls. */
    return 0;
}
