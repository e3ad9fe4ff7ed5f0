/*
 * labs/lab4/evtchn_deliver.c — lab 4: event delivery (your code goes here).
 *
 * Hardware interrupts belong to the hypervisor; a guest gets asynchronous
 * events as bits in its shared info page.  Write the hypervisor's side:
 * mark a port pending and decide whether the guest gets an upcall now
 * (evtchn_set_pending), and deliver what waited when a port is unmasked
 * (evtchn_unmask).  The contract is in hv/event/lab4.h; the bitmaps are in
 * hv/include/public/shared_info.h.  Think about the port mask, the
 * selector word and the guest's upcall mask (its virtual interrupt flag).
 *
 * Test with:  make LAB=4 unit-tests && build/lab4/tests/unit-tests
 */
#include "event/lab4.h"

int evtchn_set_pending(struct shared_info *s, uint32_t port)
{
    (void)s; (void)port;
    return 0;   /* TODO */
}

int evtchn_unmask(struct shared_info *s, uint32_t port)
{
    (void)s; (void)port;
    return 0;   /* TODO */
}
