/*
 * hv/include/public/event_channel.h — the event-channel ABI: the sub-commands of the
 * event_channel_op hypercall, their argument structures, the virtual IRQ
 * numbers and the states a port can be in.
 *
 * Where this sits in the story: hardware interrupts belong to the
 * hypervisor; guests get *asynchronous events* instead.  An event channel is
 * a numbered "virtual interrupt line" (a port) in one domain.  Its far end is
 * another domain's port (inter-domain), a virtual IRQ the hypervisor raises
 * (the timer, the console), or a physical IRQ that dom0's drivers own.
 * Raising an event sets the port's pending bit in the receiver's shared info
 * page (shared_info.h); if the port is not masked, the receiver gets an
 * upcall — unless its upcall mask (its virtual interrupt flag) is set, in
 * which case the event waits until the guest unmasks.
 *
 * Calling convention:  event_channel_op(cmd, arg)
 *     %eax = __HYPERVISOR_event_channel_op (32)
 *     %ebx = cmd, one of EVTCHNOP_* below
 *     %ecx = guest virtual address of the command's argument structure
 * The hypervisor copies the structure in, and for commands with an "OUT"
 * field copies it back out.  Result: 0, or -HV_Exxx (hvkit.h).
 *
 * The numbers and layouts follow Xen's xen/include/public/event_channel.h,
 * so the names are the ones a student meets in Linux's drivers/xen.
 */
#ifndef HVKIT_PUBLIC_EVENT_CHANNEL_H
#define HVKIT_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>
#include "hvkit.h"

/* A port number: an index into the pending and mask bitmaps. */
typedef uint32_t evtchn_port_t;

/*
 * The sub-commands follow, each number next to its argument structure, in
 * Xen's order and with Xen's numbers (7, bind_ipi, and 8, bind_vcpu, make
 * sense only with several virtual CPUs, which hvkit does not have).  Every
 * structure is 4-byte aligned and has no 64-bit field, so it has the same
 * layout on i386 and x86_64 (tests/unit/test_abi_layout.c checks each
 * offset; the asserts below check the sizes in every build).
 */

/*
 * alloc_unbound: allocate a fresh port in domain `dom` (DOMID_SELF: the
 * caller) that only `remote_dom` may connect to.  The first half of the
 * inter-domain handshake: A allocates, tells B the port number (through
 * start info, a shared page, ...), B binds.
 */
#define EVTCHNOP_alloc_unbound     6
struct evtchn_alloc_unbound {
    domid_t       dom;          /* IN: whose port (DOMID_SELF) */
    domid_t       remote_dom;   /* IN: the only domain allowed to bind to it */
    evtchn_port_t port;         /* OUT: the new port */
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound: 8 bytes");

/*
 * bind_interdomain: the second half.  Connect a fresh local port to
 * remote_port in remote_dom, which must be unbound and reserved for us.
 * From then on, send on either port raises the event at the other.
 */
#define EVTCHNOP_bind_interdomain  0
struct evtchn_bind_interdomain {
    domid_t       remote_dom;   /* IN: the domain that allocated the port */
    uint16_t      pad;
    evtchn_port_t remote_port;  /* IN: the port it allocated for us */
    evtchn_port_t local_port;   /* OUT: our end of the channel */
};
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain: 12 bytes");

/*
 * bind_virq: a port on which the hypervisor raises virtual IRQ `virq`.  Each
 * VIRQ can be bound to one port per domain (binding again: -HV_EEXIST).
 */
#define EVTCHNOP_bind_virq         1
struct evtchn_bind_virq {
    uint32_t      virq;         /* IN: VIRQ_* below */
    uint32_t      vcpu;         /* IN: which virtual CPU; always 0 in hvkit */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq: 12 bytes");

/*
 * bind_pirq: a port on which the hypervisor forwards physical IRQ `pirq`
 * (a line of the interrupt controller).  Only the privileged domain, which
 * drives the real devices, may do this (others: -HV_EPERM).
 */
#define EVTCHNOP_bind_pirq         2
struct evtchn_bind_pirq {
    uint32_t      pirq;         /* IN: 0..15 on the PC's two PICs */
    uint32_t      flags;        /* IN: BIND_PIRQ__WILL_SHARE or 0 */
    evtchn_port_t port;         /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "evtchn_bind_pirq: 12 bytes");
#define BIND_PIRQ__WILL_SHARE 1 /* the line may be shared with another device */

/* close: free a port.  An inter-domain peer's port goes back to "unbound,
 * reserved for us", so we (or a new instance of us) can bind again. */
#define EVTCHNOP_close             3
struct evtchn_close {
    evtchn_port_t port;         /* IN */
};
_Static_assert(sizeof(struct evtchn_close) == 4, "evtchn_close: 4 bytes");

/* send: raise the event at the far end of an inter-domain port. */
#define EVTCHNOP_send              4
struct evtchn_send {
    evtchn_port_t port;         /* IN */
};
_Static_assert(sizeof(struct evtchn_send) == 4, "evtchn_send: 4 bytes");

/* Port states, as evtchn_status reports them. */
#define EVTCHNSTAT_closed       0  /* free: not in use */
#define EVTCHNSTAT_unbound      1  /* reserved for a remote domain, not yet bound */
#define EVTCHNSTAT_interdomain  2  /* connected to another domain's port */
#define EVTCHNSTAT_pirq         3  /* bound to a physical IRQ */
#define EVTCHNSTAT_virq         4  /* bound to a virtual IRQ */
#define EVTCHNSTAT_ipi          5  /* inter-CPU (Xen only; never in hvkit) */

/* status: what port `port` of domain `dom` is connected to. */
#define EVTCHNOP_status            5
struct evtchn_status {
    domid_t       dom;          /* IN: DOMID_SELF, or any domain for dom0 */
    uint16_t      pad;
    evtchn_port_t port;         /* IN */
    uint32_t      status;       /* OUT: EVTCHNSTAT_* */
    uint32_t      vcpu;         /* OUT: the virtual CPU it notifies (0) */
    union {
        struct {
            domid_t dom;        /* unbound: who may bind to it */
        } unbound;
        struct {
            domid_t dom;        /* interdomain: the peer domain ... */
            uint16_t pad;
            evtchn_port_t port; /* ... and its port */
        } interdomain;
        uint32_t pirq;          /* pirq: the physical IRQ */
        uint32_t virq;          /* virq: the virtual IRQ */
    } u;                        /* OUT: which member is valid depends on status */
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status: 24 bytes");

/* unmask: clear the port's mask bit.  If the event arrived while masked,
 * this is when the guest gets it.  (A guest may also clear the bit itself
 * in the shared page, but then nobody notices an event that is already
 * pending; the hypercall re-raises it.) */
#define EVTCHNOP_unmask            9
struct evtchn_unmask {
    evtchn_port_t port;         /* IN */
};
_Static_assert(sizeof(struct evtchn_unmask) == 4, "evtchn_unmask: 4 bytes");

/* ------------------------------------------------------------------------
 * Virtual IRQs: events the hypervisor itself raises.  Xen's numbers.
 * ------------------------------------------------------------------------ */
#define VIRQ_TIMER    0   /* the periodic tick or this vcpu's one-shot timer fired */
#define VIRQ_DEBUG    1   /* "dump your state" request (debug key) */
#define VIRQ_CONSOLE  2   /* input arrived on the hypervisor console (dom0) */
#define VIRQ_DOM_EXC  3   /* a domain crashed or shut down (dom0's toolstack) */
#define VIRQ_BALLOON  4   /* hvkit's own: start_info.mem_target changed (DOMCTL_set_target) */
#define VIRQ_DEVICE   7   /* hvkit's own: a device of ours was created, or its other
                             end changed (public/device.h; Xen: a xenstore watch) */
#define NR_VIRQS      8   /* Xen has 24; hvkit uses only the first few */

#endif
