/*
 * hv/event/lab4.h — the functions lab 4 asks students to write: event delivery.
 *
 * Where this sits in the story: a guest has no interrupt controller; it has
 * two bitmaps in its shared info page (evtchn_pending, evtchn_mask), a
 * selector word saying which 32-bit words of evtchn_pending to scan, an
 * "upcall pending" flag, and an upcall mask that stands in for the
 * interrupt flag.  These two functions are the hypervisor's side of that
 * contract.  You write their bodies in labs/lab4/ (the reference is built
 * in when lab 4 is not yours); the framework (hv/event/port.c and the hypercall handler) only calls
 * them.
 */
#ifndef HV_LAB4_H
#define HV_LAB4_H

#include <stdint.h>
#include "public/shared_info.h"

/* Mark `port` pending in s.  If it was not pending already and is not
 * masked, also set its selector bit and evtchn_upcall_pending.  Returns 1
 * iff the guest should get an upcall now: newly pending, port unmasked, and
 * the guest's upcall mask clear.
 * Two masks, two levels, as on a real interrupt controller: the port's
 * mask bit is "this line is disabled" (the event waits in evtchn_pending,
 * and only unmask raises the selector for it), the upcall mask is "the CPU
 * has interrupts off" (everything is recorded, nothing is delivered). */
int evtchn_set_pending(struct shared_info *s, uint32_t port);

/* Clear `port`'s mask bit.  If the port is pending, raise its selector bit
 * and evtchn_upcall_pending (the event that waited).  Returns 1 iff the
 * guest should get an upcall now. */
int evtchn_unmask(struct shared_info *s, uint32_t port);

#endif
