/*
 * hv/event/port.h — the event-channel state machine: who is connected to whom.
 *
 * Where this sits in the story: hardware interrupts belong to the
 * hypervisor; guests get asynchronous events through event channels
 * (public/event_channel.h).  This file is the *bookkeeping* half: each
 * domain has a table of ports, and each port is free, reserved for a remote
 * domain (unbound), connected to another domain's port (interdomain), or
 * bound to a virtual or physical IRQ.  The *delivery* half — setting the
 * pending bit in the shared page and deciding on an upcall — is lab 4
 * (lab4.h, labs/lab4/evtchn_deliver.c).
 *
 * Nothing here touches hardware or looks domains up: every operation takes
 * the port tables it needs as pointers, so the same code runs in the
 * hypervisor and in the host unit tests.  The hypercall handler finds the
 * domains (and says -HV_ESRCH when one is missing), checks privilege, and
 * after a successful send calls evtchn_set_pending() on the receiver.
 *
 * Every operation checks everything first and changes state only once it
 * cannot fail, so an error leaves both tables exactly as they were.
 */
#ifndef HV_EVTCHN_H
#define HV_EVTCHN_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/shared_info.h"
#include "public/event_channel.h"

/* Ports per domain.  The shared page has room for HV_NR_EVENT_CHANNELS;
 * the teaching OS needs a handful, so we keep the table small. */
#define EVTCHN_NR_PORTS 64
#if EVTCHN_NR_PORTS > HV_NR_EVENT_CHANNELS
#error "more ports than the shared page has pending bits"
#endif

/* Physical IRQ lines: the PC's two 8259 PICs. */
#define EVTCHN_NR_PIRQS 16

/* One port.  `state` is an EVTCHNSTAT_* value, so status needs no table. */
struct evtchn {
    uint8_t  state;
    union {
        domid_t unbound_remote;         /* unbound: who may bind to it */
        struct {
            domid_t  dom;               /* interdomain: the peer ... */
            uint16_t port;              /* ... and its port there */
        } interdomain;
        uint32_t virq;                  /* virq: which VIRQ_* */
        uint32_t pirq;                  /* pirq: which line */
    } u;
};

/*
 * A domain's event-channel state; struct domain embeds one.
 *
 * Port 0 is never handed out (as in Xen), so 0 can mean "not bound" in
 * virq_to_port[] and pirq_to_port[], and a guest that forgets to fill in a
 * port number gets -HV_EINVAL instead of somebody's live channel.
 */
struct evtchn_domain {
    domid_t       id;                              /* whose table this is */
    struct evtchn port[EVTCHN_NR_PORTS];
    uint16_t      virq_to_port[NR_VIRQS];          /* 0 = not bound */
    uint16_t      pirq_to_port[EVTCHN_NR_PIRQS];   /* 0 = not bound */
};

/* Where a send lands: the receiving domain and its port. */
struct evtchn_target {
    domid_t  dom;
    uint32_t port;
};

/* Every port closed, nothing bound. */
void evtchn_domain_init(struct evtchn_domain *d, domid_t id);

/* Reserve a fresh port in d that only remote_dom may bind to.  The caller
 * has checked that remote_dom exists.  Returns the port, or -HV_ENOSPC. */
int evtchn_alloc_unbound(struct evtchn_domain *d, domid_t remote_dom);

/* Connect a fresh port in d to remote's port remote_port, which must be
 * unbound and reserved for d.  remote may be d itself (a loopback channel).
 * Returns d's new port, or: -HV_ESRCH (remote is NULL: no such domain),
 * -HV_EINVAL (remote_port out of range, or not unbound), -HV_EBUSY (that
 * port is already connected), -HV_EPERM (reserved for somebody else),
 * -HV_ENOSPC (d has no free port). */
int evtchn_bind_interdomain(struct evtchn_domain *d, struct evtchn_domain *remote,
                            uint32_t remote_port);

/* A fresh port in d for virtual IRQ virq.  Returns the port, or -HV_EINVAL
 * (no such VIRQ), -HV_EEXIST (already bound in d), -HV_ENOSPC. */
int evtchn_bind_virq(struct evtchn_domain *d, uint32_t virq);

/* A fresh port in d for physical IRQ pirq.  Only a privileged domain (the
 * caller says whether d is) may own hardware lines.  Returns the port, or
 * -HV_EPERM, -HV_EINVAL (no such line), -HV_EEXIST, -HV_ENOSPC. */
int evtchn_bind_pirq(struct evtchn_domain *d, uint32_t pirq, int privileged);

/* The domain at the far end of an interdomain port, for the caller to look
 * up before evtchn_close().  Returns the domid, or -HV_EINVAL if port is not
 * an interdomain port. */
int evtchn_peer(const struct evtchn_domain *d, uint32_t port);

/* Close port in d.  For an interdomain port, `peer` is the table of the
 * domain evtchn_peer() named (NULL if that domain no longer exists): its end
 * goes back to "unbound, reserved for d", as in Xen.  Returns 0, or
 * -HV_EINVAL (out of range, already closed, or peer is not the far end). */
int evtchn_close(struct evtchn_domain *d, uint32_t port, struct evtchn_domain *peer);

/* Which domain and port a send on d's port raises.  Only interdomain ports
 * can be sent on: the others are raised by the hypervisor.  Returns 0 and
 * fills *to, or -HV_EINVAL (out of range, closed, unbound, virq, pirq). */
int evtchn_send(const struct evtchn_domain *d, uint32_t port, struct evtchn_target *to);

/* Fill *st (status, vcpu and the union; dom and port are left as given) for
 * d's port.  Returns 0 or -HV_EINVAL (out of range). */
int evtchn_status(const struct evtchn_domain *d, uint32_t port, struct evtchn_status *st);

/* May d unmask this port?  Returns 0 or -HV_EINVAL (out of range).  The
 * bit work is lab 4's evtchn_unmask() on the shared page. */
int evtchn_unmask_check(const struct evtchn_domain *d, uint32_t port);

/* The port bound to a VIRQ / PIRQ in d, or 0 when none: the hypervisor
 * asks this when the timer fires or a hardware interrupt arrives. */
uint32_t evtchn_virq_port(const struct evtchn_domain *d, uint32_t virq);
uint32_t evtchn_pirq_port(const struct evtchn_domain *d, uint32_t pirq);

#endif
