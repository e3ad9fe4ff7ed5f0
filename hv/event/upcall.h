/*
 * hv/event/upcall.h — event delivery inside the hypervisor: raising an event in a
 * domain, virtual IRQs, and the upcall.  (The timers that raise VIRQ_TIMER
 * are in hv/time/timer.c.)
 *
 * Where this sits in the story: hv/event/port.c knows who is connected to whom
 * (pure bookkeeping); lab 4 (labs/lab4/evtchn_deliver.c) sets the bits
 * in a domain's shared page and decides whether an upcall is due; this
 * file is the glue that finds domains, wakes blocked ones, and finally
 * bounces the guest into its event callback on the way out of trap().
 */
#ifndef HV_EVENTS_H
#define HV_EVENTS_H

#include <stdint.h>

struct domain;
struct cpu_regs;

/* Mark d's `port` pending (lab 4), trace what delivery found, and wake d if
 * it is blocked.  The upcall itself happens when d next returns to guest
 * mode (events_deliver). */
void events_raise(struct domain *d, uint32_t port);

/* Raise virtual IRQ `virq` in d, if d bound a port to it.  An unbound VIRQ
 * is dropped, as an interrupt on a line nobody enabled would be: the guest
 * said it does not want it. */
void events_raise_virq(struct domain *d, uint32_t virq);

/* On the way back to the guest: if an event is pending and the guest's
 * virtual IF allows it (upcall mask clear), bounce into its event callback.
 * A guest with no callback, or whose stack cannot take the frame, is
 * crashed with a message. */
void events_deliver(struct cpu_regs *regs);

/* At boot, once every domain is built: connect each domU to dom0 with an
 * event channel and tell the domU its port (start_info.dom0_evtchn). */
void events_connect_dom0(void);

/* A physical IRQ arrived: send it to the domain that bound it, if any. */
void events_pirq(uint32_t irq);

#endif
