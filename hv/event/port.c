/*
 * hv/event/port.c — the event-channel state machine (see port.h).
 *
 * A port's life:
 *
 *        alloc_unbound(for B)            B binds to it
 *   closed ----------------> unbound ------------------> interdomain
 *     ^  \                      ^                             |
 *     |   \ bind_virq/pirq      |  the peer closes its end    | close
 *     |    +--> virq / pirq     +-----------------------------+
 *     |             |                                         |
 *     +------ close +-------------------------------------<---+
 *
 * When one end of an inter-domain channel closes, the other end does not
 * vanish under its owner's feet: it goes back to "unbound, reserved for the
 * domain that closed", as in Xen, and sends on it fail until someone binds
 * again.
 *
 * Every function validates first and writes last, so an error changes
 * nothing — a guest can make the hypervisor say no, never leave it confused.
 */
#ifdef HV
#include "core/lib.h"
#else
#include <string.h>
#endif
#include "event/port.h"

/* Port 0 is reserved (see port.h), so valid ports are 1..NR-1. */
static int port_valid(uint32_t port)
{
    return port >= 1 && port < EVTCHN_NR_PORTS;
}

/* The lowest closed port, or 0 when the table is full.  Lowest first makes
 * port numbers predictable, which the tests and the trace rely on. */
static uint32_t free_port(const struct evtchn_domain *d)
{
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++)
        if (d->port[p].state == EVTCHNSTAT_closed)
            return p;
    return 0;
}

void evtchn_domain_init(struct evtchn_domain *d, domid_t id)
{
    memset(d, 0, sizeof *d);     /* EVTCHNSTAT_closed is 0 */
    d->id = id;
}

/* The first half of the inter-domain handshake.  The reservation names
 * the one domain allowed to connect: without it any domain that guessed
 * the port number could bind first and receive (or send) another pair's
 * events.  Reserving for an id the caller checked exists is the caller's
 * job (hv/event/channel_op.c). */
int evtchn_alloc_unbound(struct evtchn_domain *d, domid_t remote_dom)
{
    uint32_t p = free_port(d);
    if (!p)
        return -HV_ENOSPC;
    d->port[p].state = EVTCHNSTAT_unbound;
    d->port[p].u.unbound_remote = remote_dom;
    return (int)p;
}

/* The second half: both ends are written together, each naming the other,
 * so a channel is always symmetric (send on either end raises the other). */
int evtchn_bind_interdomain(struct evtchn_domain *d, struct evtchn_domain *remote,
                            uint32_t remote_port)
{
    if (!remote)
        return -HV_ESRCH;
    if (!port_valid(remote_port))
        return -HV_EINVAL;
    struct evtchn *rc = &remote->port[remote_port];
    if (rc->state == EVTCHNSTAT_interdomain)
        return -HV_EBUSY;                /* somebody (maybe we) bound it already */
    if (rc->state != EVTCHNSTAT_unbound)
        return -HV_EINVAL;
    if (rc->u.unbound_remote != d->id)
        return -HV_EPERM;                /* reserved for another domain */
    /* For a loopback channel (remote == d) remote_port is unbound, not
     * closed, so free_port() cannot return it. */
    uint32_t lp = free_port(d);
    if (!lp)
        return -HV_ENOSPC;

    d->port[lp].state = EVTCHNSTAT_interdomain;
    d->port[lp].u.interdomain.dom = remote->id;
    d->port[lp].u.interdomain.port = (uint16_t)remote_port;
    rc->state = EVTCHNSTAT_interdomain;
    rc->u.interdomain.dom = d->id;
    rc->u.interdomain.port = (uint16_t)lp;
    return (int)lp;
}

/* One port per VIRQ per domain, as in Xen: the hypervisor raises a VIRQ
 * by looking up that one port (virq_to_port), with no list to walk on the
 * timer's path. */
int evtchn_bind_virq(struct evtchn_domain *d, uint32_t virq)
{
    if (virq >= NR_VIRQS)
        return -HV_EINVAL;
    if (d->virq_to_port[virq])
        return -HV_EEXIST;
    uint32_t p = free_port(d);
    if (!p)
        return -HV_ENOSPC;
    d->port[p].state = EVTCHNSTAT_virq;
    d->port[p].u.virq = virq;
    d->virq_to_port[virq] = (uint16_t)p;
    return (int)p;
}

/* Physical IRQs are how a driver domain gets its device's interrupts as
 * events (the course's split drivers start here): the hypervisor keeps
 * the interrupt controller and forwards the line. */
int evtchn_bind_pirq(struct evtchn_domain *d, uint32_t pirq, int privileged)
{
    /* Privilege first: an unprivileged domain learns nothing about which
     * lines exist or are taken. */
    if (!privileged)
        return -HV_EPERM;
    if (pirq >= EVTCHN_NR_PIRQS)
        return -HV_EINVAL;
    if (d->pirq_to_port[pirq])
        return -HV_EEXIST;
    uint32_t p = free_port(d);
    if (!p)
        return -HV_ENOSPC;
    d->port[p].state = EVTCHNSTAT_pirq;
    d->port[p].u.pirq = pirq;
    d->pirq_to_port[pirq] = (uint16_t)p;
    return (int)p;
}

int evtchn_peer(const struct evtchn_domain *d, uint32_t port)
{
    if (!port_valid(port) || d->port[port].state != EVTCHNSTAT_interdomain)
        return -HV_EINVAL;
    return d->port[port].u.interdomain.dom;
}

/* The peer's table is passed in, not looked up, and checked to point back
 * at us before anything is written: the caller found it by the id in our
 * port, and a stale or wrong table must make the close fail, not corrupt
 * a third domain's port. */
int evtchn_close(struct evtchn_domain *d, uint32_t port, struct evtchn_domain *peer)
{
    if (!port_valid(port))
        return -HV_EINVAL;
    struct evtchn *c = &d->port[port];
    struct evtchn *pc = NULL;

    switch (c->state) {
    case EVTCHNSTAT_closed:
        return -HV_EINVAL;
    case EVTCHNSTAT_interdomain:
        /* The caller must hand us the right peer; check it points back. */
        if (peer) {
            if (peer->id != c->u.interdomain.dom)
                return -HV_EINVAL;
            pc = &peer->port[c->u.interdomain.port];
            if (pc->state != EVTCHNSTAT_interdomain ||
                pc->u.interdomain.dom != d->id || pc->u.interdomain.port != port)
                return -HV_EINVAL;
        }
        break;
    case EVTCHNSTAT_virq:
        d->virq_to_port[c->u.virq] = 0;
        break;
    case EVTCHNSTAT_pirq:
        d->pirq_to_port[c->u.pirq] = 0;
        break;
    default:                             /* unbound: nothing else to undo */
        break;
    }

    if (pc) {
        /* The far end waits for us (or our successor) to bind again. */
        pc->state = EVTCHNSTAT_unbound;
        pc->u.unbound_remote = d->id;
    }
    memset(c, 0, sizeof *c);             /* EVTCHNSTAT_closed */
    return 0;
}

int evtchn_send(const struct evtchn_domain *d, uint32_t port, struct evtchn_target *to)
{
    if (!port_valid(port))
        return -HV_EINVAL;
    const struct evtchn *c = &d->port[port];
    /* Unbound: nobody listens yet.  virq/pirq: only the hypervisor raises
     * those.  Closed: not ours to use. */
    if (c->state != EVTCHNSTAT_interdomain)
        return -HV_EINVAL;
    to->dom = c->u.interdomain.dom;
    to->port = c->u.interdomain.port;
    return 0;
}

/* The union is cleared first, so the members a state does not use read as
 * 0 whatever the caller's structure held before. */
int evtchn_status(const struct evtchn_domain *d, uint32_t port, struct evtchn_status *st)
{
    if (!port_valid(port))
        return -HV_EINVAL;
    const struct evtchn *c = &d->port[port];
    memset(&st->u, 0, sizeof st->u);
    st->status = c->state;
    st->vcpu = 0;
    switch (c->state) {
    case EVTCHNSTAT_unbound:
        st->u.unbound.dom = c->u.unbound_remote;
        break;
    case EVTCHNSTAT_interdomain:
        st->u.interdomain.dom = c->u.interdomain.dom;
        st->u.interdomain.port = c->u.interdomain.port;
        break;
    case EVTCHNSTAT_virq:
        st->u.virq = c->u.virq;
        break;
    case EVTCHNSTAT_pirq:
        st->u.pirq = c->u.pirq;
        break;
    }
    return 0;
}

int evtchn_unmask_check(const struct evtchn_domain *d, uint32_t port)
{
    /* Unmasking a closed port is harmless (Xen allows it too): the mask
     * bit is the guest's own business.  Only the range matters. */
    (void)d;
    return port_valid(port) ? 0 : -HV_EINVAL;
}

uint32_t evtchn_virq_port(const struct evtchn_domain *d, uint32_t virq)
{
    return virq < NR_VIRQS ? d->virq_to_port[virq] : 0;
}

uint32_t evtchn_pirq_port(const struct evtchn_domain *d, uint32_t pirq)
{
    return pirq < EVTCHN_NR_PIRQS ? d->pirq_to_port[pirq] : 0;
}
