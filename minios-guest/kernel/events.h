/*
 * minios-guest/kernel/events.h — minios's side of event channels (PV only): the upcall, the
 * ports the kernel has bound, and thin wrappers of event_channel_op.
 *
 * Where this sits in the story (course: event channels, "hardware
 * interrupts belong to the hypervisor; guests get events"): natively the
 * timer is IRQ 0 of the PIC; under hvkit it is VIRQ_TIMER, delivered on an
 * event-channel port.  The hypervisor marks the port pending in the shared-
 * info page and bounces into our callback (entry.S: hypervisor_callback);
 * events_upcall() runs the lab-4 scan (upcall.c: evtchn_do_upcall), which
 * calls evtchn_dispatch() for every pending, unmasked port.
 *
 * Kernel tasks wait for events with evtchn_wait(): each port has a counter
 * of events received, and a task sleeps until the counter reaches a value.
 */
#ifndef MINIOS_EVENTS_H
#define MINIOS_EVENTS_H

#include <stdint.h>
#include "public/event_channel.h"
#include "public/shared_info.h"

/* minios keeps a counter for the first EVENTS_NR_PORTS ports only; events
 * on a higher port are counted in events_stray and otherwise ignored. */
#define EVENTS_NR_PORTS 64

struct trapframe;

/* PV timer_start: register the callback, bind VIRQ_TIMER.  0 or -errno. */
int events_init(void);
/* The port VIRQ_TIMER is bound to (0: none yet). */
extern evtchn_port_t events_timer_port;

/* entry.S -> trap() -> here, with the upcall mask set. */
void events_upcall(struct trapframe *tf);

/* Lab 4 (upcall.c): scan the pending bitmaps, clear and dispatch each
 * pending unmasked port; returns how many ports it dispatched. */
int evtchn_do_upcall(struct shared_info *s);
/* Called by evtchn_do_upcall for one port, events masked. */
void evtchn_dispatch(evtchn_port_t port);

/* Events received per port, and how many upcalls happened. */
extern volatile uint32_t evtchn_count[EVENTS_NR_PORTS];
extern volatile uint32_t events_upcalls, events_stray;
/* An optional function to call (events masked) when a port fires. */
void evtchn_set_handler(evtchn_port_t port, void (*fn)(evtchn_port_t));
/* Has port a handler (a driver's: that driver closes it)?  0 or 1. */
int evtchn_has_handler(evtchn_port_t port);

/* Sleep (this process) until evtchn_count[port] >= target. */
void evtchn_wait(evtchn_port_t port, uint32_t target);

/* event_channel_op wrappers: 0 or -HV_Exxx; OUT ports through *port. */
int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                            evtchn_port_t *port);
int evtchn_bind_virq(uint32_t virq, evtchn_port_t *port);
int evtchn_send(evtchn_port_t port);
int evtchn_close(evtchn_port_t port);
int evtchn_unmask(evtchn_port_t port);
int evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

#endif
