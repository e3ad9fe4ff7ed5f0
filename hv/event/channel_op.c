/*
 * hv/event/channel_op.c — hypercall 32, event_channel_op(cmd, arg): the
 * guest's interface to event channels (public/event_channel.h).
 *
 * This is the *policing* layer.  The port state machine (hv/event/port.c)
 * assumes its callers are honest; here we are talking to a guest, so each
 * command: copies its argument structure in (a bad pointer is -EFAULT, never
 * a crash), finds the domains it names (-ESRCH if one is not alive),
 * checks privilege (only dom0 may act on another domain's ports or own a
 * physical IRQ), calls the state machine, copies the answer back, and
 * leaves one trace record saying what was asked and what came of it — so
 * an abusive guest is visible in the trace, not just refused.
 *
 * Policy and mechanism again: port.c would let any table connect to any
 * other; who may do what to whom is decided here, and only here.  A domU
 * acts on its own ports; dom0, the control domain, may also reserve and
 * inspect ports for others (what a toolstack needs to connect two domains
 * that do not know each other yet).
 */
#include "core/hypercall.h"
#include "core/console.h"
#include "core/domain.h"
#include "event/upcall.h"
#include "time/timer.h"
#include "core/guest_access.h"
#include "event/lab4.h"
#include "core/lib.h"
#include "time/time.h"
#include "trace/trace.h"
#include "public/event_channel.h"
#include "public/start_info.h"

/* SIF_PRIVILEGED: dom0, set by the builder.  Never something a guest can
 * ask for. */
static int privileged(const struct domain *d)
{
    return (d->flags & SIF_PRIVILEGED) != 0;
}

/* The domain a command names: DOMID_SELF or the caller's own id always
 * works; another domain only for the privileged domain.  Returns 0 and
 * sets *out, or -HV_EPERM / -HV_ESRCH. */
static int named_domain(domid_t id, struct domain **out)
{
    struct domain *self = current;
    if (id == DOMID_SELF || id == self->id) {
        *out = self;
        return 0;
    }
    if (!privileged(self))
        return -HV_EPERM;
    *out = domain_lookup(id);
    return *out ? 0 : -HV_ESRCH;
}

/* The record carries the result the guest got: a refusal in the trace is
 * exactly the refusal the guest saw. */
static void trace_op(uint32_t op, uint32_t port, uint32_t remote, uint32_t rport, int ret)
{
    trace5(TRC_EVTCHN_OP, current->id, op, port, remote, rport, (uint32_t)ret);
}

/* A command made port r (or failed: r < 0) in d and put it in the OUT field
 * of the guest's structure, buf: copy that back.  If the guest's structure
 * cannot be written, the guest cannot learn its port: close it again (with
 * `peer`, the far end's table, for an interdomain port). */
static int hand_out_port(struct domain *d, int r, guest_ptr arg, const void *buf,
                         uint32_t size, struct evtchn_domain *peer)
{
    if (r < 0 || copy_to_guest(arg, buf, size) == 0)
        return r;
    evtchn_close(&d->evtchn, (uint32_t)r, peer);
    return -HV_EFAULT;
}

static int op_alloc_unbound(guest_ptr arg)
{
    struct evtchn_alloc_unbound a;
    struct domain *d, *remote;
    if (copy_from_guest(&a, arg, sizeof a))
        return -HV_EFAULT;
    int r = named_domain(a.dom, &d);
    if (r == 0) {
        remote = a.remote_dom == DOMID_SELF ? d : domain_lookup(a.remote_dom);
        r = remote ? evtchn_alloc_unbound(&d->evtchn, remote->id) : -HV_ESRCH;
    }
    if (r >= 0)
        a.port = (evtchn_port_t)r;
    r = hand_out_port(d, r, arg, &a, sizeof a, 0);
    trace_op(EVTCHNOP_alloc_unbound, r > 0 ? (uint32_t)r : 0, a.remote_dom, 0, r < 0 ? r : 0);
    return r < 0 ? r : 0;
}

static int op_bind_interdomain(guest_ptr arg)
{
    struct evtchn_bind_interdomain b;
    struct domain *d = current;
    /* Always for the caller itself: binding connects one of OUR ports, and
     * the reservation in the remote port (checked by port.c) says whether
     * we may. */
    if (copy_from_guest(&b, arg, sizeof b))
        return -HV_EFAULT;
    struct domain *remote = b.remote_dom == DOMID_SELF ? d : domain_lookup(b.remote_dom);
    int r = evtchn_bind_interdomain(&d->evtchn, remote ? &remote->evtchn : 0, b.remote_port);
    if (r >= 0)
        b.local_port = (evtchn_port_t)r;
    r = hand_out_port(d, r, arg, &b, sizeof b, remote ? &remote->evtchn : 0);
    trace_op(EVTCHNOP_bind_interdomain, r > 0 ? (uint32_t)r : 0, b.remote_dom,
             b.remote_port, r < 0 ? r : 0);
    return r < 0 ? r : 0;
}

static int op_bind_virq(guest_ptr arg)
{
    struct evtchn_bind_virq b;
    struct domain *d = current;
    /* One virtual CPU per domain: vcpu must be 0. */
    if (copy_from_guest(&b, arg, sizeof b))
        return -HV_EFAULT;
    int r = b.vcpu != 0 ? -HV_EINVAL : evtchn_bind_virq(&d->evtchn, b.virq);
    if (r >= 0)
        b.port = (evtchn_port_t)r;
    r = hand_out_port(d, r, arg, &b, sizeof b, 0);
    trace_op(EVTCHNOP_bind_virq, r > 0 ? (uint32_t)r : 0, DOMID_HV, b.virq, r < 0 ? r : 0);
    /* Console input that arrived before anyone listened is not lost. */
    if (r > 0 && b.virq == VIRQ_CONSOLE && d->id == 0 && serial_input_pending())
        events_raise_virq(d, VIRQ_CONSOLE);
    return r < 0 ? r : 0;
}

/* Is irq the line of one of dom0's devices? */
static int dom0_irq(uint32_t irq)
{
#define HW_DEVICE(name, line, first, count) if (irq == (line)) return 1;
#include "public/hw_devices.def"
#undef HW_DEVICE
    return 0;
}

static int op_bind_pirq(guest_ptr arg)
{
    struct evtchn_bind_pirq b;
    struct domain *d = current;
    if (copy_from_guest(&b, arg, sizeof b))
        return -HV_EFAULT;
    /* dom0 may bind the lines of its own devices (public/hw_devices.def)
     * and no other: the timer, the console and the RTC (the NMI watchdog)
     * are the hypervisor's, and a line with no device of dom0's behind it
     * is nobody's to take -- even dom0 gets -EBUSY.  A domU gets -EPERM for
     * any line, from evtchn_bind_pirq. */
    int r = privileged(d) && b.pirq < EVTCHN_NR_PIRQS && !dom0_irq(b.pirq) ? -HV_EBUSY :
            evtchn_bind_pirq(&d->evtchn, b.pirq, privileged(d));
    if (r >= 0)
        b.port = (evtchn_port_t)r;
    r = hand_out_port(d, r, arg, &b, sizeof b, 0);
    if (r >= 0)
        irq_unmask(b.pirq);
    trace_op(EVTCHNOP_bind_pirq, r > 0 ? (uint32_t)r : 0, DOMID_HV, b.pirq, r < 0 ? r : 0);
    return r < 0 ? r : 0;
}

static int op_close(guest_ptr arg)
{
    struct evtchn_close c;
    struct domain *d = current;
    /* The peer is found from OUR port's record, never from the guest's
     * argument, and may already be dead (then only our end closes). */
    if (copy_from_guest(&c, arg, sizeof c))
        return -HV_EFAULT;
    int peer = evtchn_peer(&d->evtchn, c.port);
    struct domain *pd = peer >= 0 ? domain_lookup((domid_t)peer) : 0;
    int r = evtchn_close(&d->evtchn, c.port, pd ? &pd->evtchn : 0);
    trace_op(EVTCHNOP_close, c.port, peer >= 0 ? (uint32_t)peer : DOMID_HV, 0, r);
    return r;
}

static int op_send(guest_ptr arg)
{
    struct evtchn_send s;
    struct evtchn_target to;
    struct domain *d = current;
    /* The notification primitive of split drivers: it carries no data,
     * only "look at our shared memory".  The receiver is named by the
     * channel, not by the sender, so a guest can signal only the domains
     * it is connected to. */
    if (copy_from_guest(&s, arg, sizeof s))
        return -HV_EFAULT;
    int r = evtchn_send(&d->evtchn, s.port, &to);
    struct domain *target = r == 0 ? domain_lookup(to.dom) : 0;
    if (r == 0 && !target)
        r = -HV_ESRCH;              /* the peer died; its end is gone */
    trace4(TRC_EVTCHN_SEND, d->id, s.port, r == 0 ? to.dom : DOMID_HV,
           r == 0 ? to.port : 0, (uint32_t)r);
    if (r == 0)
        events_raise(target, to.port);
    return r;
}

static int op_status(guest_ptr arg)
{
    struct evtchn_status st;
    struct domain *d;
    if (copy_from_guest(&st, arg, sizeof st))
        return -HV_EFAULT;
    int r = named_domain(st.dom, &d);
    if (r == 0)
        r = evtchn_status(&d->evtchn, st.port, &st);
    if (r == 0 && copy_to_guest(arg, &st, sizeof st))
        r = -HV_EFAULT;
    trace_op(EVTCHNOP_status, st.port, st.dom, 0, r);
    return r;
}

static int op_unmask(guest_ptr arg)
{
    struct evtchn_unmask u;
    struct domain *d = current;
    /* A hypercall, not just a bit the guest clears, because an event that
     * arrived while the port was masked set no selector bit and no upcall
     * flag: someone has to raise them now, and this is where the
     * hypervisor does (lab 4's evtchn_unmask). */
    if (copy_from_guest(&u, arg, sizeof u))
        return -HV_EFAULT;
    int r = evtchn_unmask_check(&d->evtchn, u.port);
    if (r == 0) {
        int upcall = evtchn_unmask(d->shared, u.port);
        trace2(TRC_EVTCHN_UNMASK, d->id, u.port, (uint32_t)upcall);
    } else {
        trace_op(EVTCHNOP_unmask, u.port, DOMID_HV, 0, r);
    }
    return r;
}

int32_t do_event_channel_op(uint32_t cmd, guest_ptr arg)
{
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:    return op_alloc_unbound(arg);
    case EVTCHNOP_bind_interdomain: return op_bind_interdomain(arg);
    case EVTCHNOP_bind_virq:        return op_bind_virq(arg);
    case EVTCHNOP_bind_pirq:        return op_bind_pirq(arg);
    case EVTCHNOP_close:            return op_close(arg);
    case EVTCHNOP_send:             return op_send(arg);
    case EVTCHNOP_status:           return op_status(arg);
    case EVTCHNOP_unmask:           return op_unmask(arg);
    }
    trace_op(99, 0, DOMID_HV, cmd, -HV_ENOSYS);
    return -HV_ENOSYS;
}

/* set_timer_op(lo, hi): the one-shot timer, at absolute system time hi:lo
 * ns; 0 cancels.  When it expires, VIRQ_TIMER is raised (and wakes the
 * domain if it blocked waiting for it).  The handler stays next to the
 * event hypercall because what it arms is an event; the timers themselves
 * are in hv/time/timer.c. */
int32_t do_set_timer_op(uint32_t lo, uint32_t hi)
{
    timer_set(current, ((uint64_t)hi << 32) | lo);
    return 0;
}
