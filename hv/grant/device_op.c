/*
 * hv/grant/device_op.c — hvkit's hypercall 48, device_op(cmd, arg): the
 * device store as guests see it (public/device.h).
 *
 * The policing layer over device_store.c, as channel_op.c is over the
 * port state machine: copy the argument in (-EFAULT, never a crash), find
 * the device and which end of it the caller is (a domain that is no end of
 * a device can neither read nor change it), check privilege (only dom0,
 * the toolstack, creates devices), apply, copy the answer back, leave one
 * trace record with the result the guest gets, and tell the other end:
 * VIRQ_DEVICE, the event that plays the part of a xenstore watch.
 *
 * And DEVOP_ring_push, the one command that changes nothing: a driver
 * that just published on its ring reports it, with whether it notified
 * the other side, and the hypervisor reads the ring's indices itself out
 * of the ring page -- the frame the back end has mapped, found through the
 * front end's grant -- so the trace shows every push, even the ones no
 * event announced.
 *
 * And DEVOP_console_write, the split console's way to the serial line:
 * the back end of a console device (dom0's con-back) prints its front
 * end's lines, which the hypervisor prefixes with the FRONT end's "(dN) "
 * -- dom0 speaks for dN only where the store says it is dN's console.
 */
#include "core/hypercall.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "event/upcall.h"
#include "grant/device.h"
#include "grant/grant.h"
#include "mm/mm.h"
#include "trace/trace.h"
#include "public/event_channel.h"
#include "public/io_ring.h"
#include "public/start_info.h"

static void tell(domid_t id)
{
    struct domain *d = domain_lookup(id);
    if (d)
        events_raise_virq(d, VIRQ_DEVICE);
}

static void trace_op(struct domain *d, uint32_t op, uint32_t dev, int32_t ret)
{
    trace3(TRC_DEV_OP, d->id, op, dev, (uint32_t)ret);
}

/* The record goes once nobody can use it again (dev_finished): its id
 * may then name a new device.  `who` did the last step. */
static void free_if_finished(struct hv_device *dev, domid_t who)
{
    if (!dev_finished(dev))
        return;
    trace4(TRC_DEV_FREE, who, dev->id, dev->type, dev->end[DEV_END_FRONT].dom,
           dev->end[DEV_END_BACK].dom);
    dev->type = 0;
}

static int32_t op_create(struct domain *d, guest_ptr arg)
{
    struct devop_create c;
    if (copy_from_guest(&c, arg, sizeof c)) {
        trace_op(d, DEVOP_create, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    int32_t r = 0;
    if (!(d->flags & SIF_PRIVILEGED))
        r = -HV_EPERM;                   /* the toolstack's command */
    else if (!domain_lookup(c.front) || !domain_lookup(c.back))
        r = -HV_ESRCH;
    else
        r = dev_create(c.type, c.front, c.back, &c.id);
    if (r == 0 && copy_to_guest(arg, &c, sizeof c)) {
        dev_find(c.id)->type = 0;        /* nobody could learn its id: gone again */
        r = -HV_EFAULT;
    }
    trace5(TRC_DEV_CREATE, d->id, r == 0 ? c.id : 0, c.type, c.front, c.back, (uint32_t)r);
    if (r == 0) {
        if (c.front != d->id)
            tell(c.front);
        if (c.back != d->id)
            tell(c.back);
    }
    return r;
}

static int32_t op_get(struct domain *d, guest_ptr arg)
{
    struct devop_get g;
    if (copy_from_guest(&g, arg, sizeof g)) {
        trace_op(d, DEVOP_get, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    const struct hv_device *dev = dev_nth(d->id, (d->flags & SIF_PRIVILEGED) != 0, g.nth);
    int32_t r = dev ? 0 : -HV_ENOENT;
    if (dev) {
        g.dev = *dev;
        g.dev.flags = (dev->flags & ~DEV_FLAG_TRACED) | (trace_enabled ? DEV_FLAG_TRACED : 0);
        if (copy_to_guest(arg, &g, sizeof g))
            r = -HV_EFAULT;
    }
    trace_op(d, DEVOP_get, dev ? dev->id : 0, r);
    return r;
}

/* The device id names, and which end of it d is: 0, or -ENOENT (no such
 * device) / -EPERM (d is no end of it). */
static int32_t my_end(struct domain *d, uint32_t id, struct hv_device **dev, int *end)
{
    *dev = dev_find(id);
    if (!*dev)
        return -HV_ENOENT;
    *end = dev_end_of(*dev, d->id);
    return *end < 0 ? -HV_EPERM : 0;
}

static int32_t op_publish(struct domain *d, guest_ptr arg)
{
    struct devop_publish p;
    if (copy_from_guest(&p, arg, sizeof p)) {
        trace_op(d, DEVOP_publish, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    struct hv_device *dev;
    int end = DEV_END_FRONT;
    int32_t r = my_end(d, p.id, &dev, &end);
    if (r == 0)
        r = dev_publish(dev, end, p.ring_ref, p.evtchn, p.info);
    trace5(TRC_DEV_PUBLISH, d->id, p.id, (uint32_t)end, p.ring_ref, p.evtchn, (uint32_t)r);
    if (r == 0)
        tell(dev->end[!end].dom);
    return r;
}

static int32_t op_set_state(struct domain *d, guest_ptr arg)
{
    struct devop_set_state s;
    if (copy_from_guest(&s, arg, sizeof s)) {
        trace_op(d, DEVOP_set_state, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    struct hv_device *dev;
    int end = DEV_END_FRONT;
    int32_t r = my_end(d, s.id, &dev, &end);
    uint32_t old = r == 0 ? dev->end[end].state : DEV_STATE_UNKNOWN;
    if (r == 0)
        r = dev_set_state(dev, end, s.state);
    trace5(TRC_DEV_STATE, d->id, s.id, (uint32_t)end, old, s.state, (uint32_t)r);
    if (r == 0) {
        tell(dev->end[!end].dom);
        free_if_finished(dev, d->id);
    }
    return r;
}

static int32_t op_ring_push(struct domain *d, guest_ptr arg)
{
    struct devop_ring_push p;
    if (copy_from_guest(&p, arg, sizeof p)) {
        trace_op(d, DEVOP_ring_push, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    struct hv_device *dev;
    int end = DEV_END_FRONT;
    int32_t r = my_end(d, p.id, &dev, &end);
    /* The ring page: the frame the front end's ring grant is in use with.
     * While it is mapped, the mapping holds it: it is a live frame of the
     * front end, whatever its grant entry says now. */
    struct domain *front = r == 0 ? domain_lookup(dev->end[DEV_END_FRONT].dom) : 0;
    uint32_t frame = 0;
    if (r == 0 && (!front || !gnt_active_frame(&front->grant, dev->end[DEV_END_FRONT].ring_ref, &frame)))
        r = -HV_ENOENT;                  /* no ring in use (yet, or any more) */
    if (r < 0) {
        trace_op(d, DEVOP_ring_push, p.id, r);
        return r;
    }
    const struct io_sring *s = mfn_to_virt(frame);
    trace7(TRC_RING_PUSH, d->id, p.id, (uint32_t)end, s->req_prod, s->rsp_prod, s->req_event,
           s->rsp_event, p.notified != 0);
    return 0;
}

/* A driver's own account of what it did (public/device.h, DEVOP_io_note):
 * believed only as far as who says it -- the record carries the caller's
 * domain, and the caller must be an end of the device it names.  Nothing
 * changes; without a trace nothing is written at all. */
static int32_t op_io_note(struct domain *d, guest_ptr arg)
{
    struct devop_io_note n;
    if (copy_from_guest(&n, arg, sizeof n)) {
        trace_op(d, DEVOP_io_note, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    struct hv_device *dev;
    int end = DEV_END_FRONT;
    int32_t r = my_end(d, n.id, &dev, &end);
    if (r == 0 && n.kind != IO_NOTE_REQ && n.kind != IO_NOTE_RSP && n.kind != IO_NOTE_PKT)
        r = -HV_EINVAL;
    if (r < 0) {
        trace_op(d, DEVOP_io_note, n.id, r);
        return r;
    }
    if (n.kind == IO_NOTE_REQ)
        trace6(TRC_IO_REQ, d->id, n.id, (uint32_t)end, n.arg[0], n.arg[1], n.arg[2], n.arg[3]);
    else if (n.kind == IO_NOTE_RSP)
        trace5(TRC_IO_RSP, d->id, n.id, (uint32_t)end, n.arg[0], n.arg[1], n.arg[2]);
    else
        trace7(TRC_NET_PKT, d->id, n.id, n.arg[0], n.arg[1], n.arg[2] >> 16, n.arg[2] & 0xFFFF,
               n.arg[3], n.arg[4]);
    return 0;
}

static int32_t op_console_write(struct domain *d, guest_ptr arg)
{
    static struct devop_console_write w;     /* 256 bytes: not on the hypervisor stack */
    if (copy_from_guest(&w, arg, sizeof w)) {
        trace_op(d, DEVOP_console_write, 0, -HV_EFAULT);
        return -HV_EFAULT;
    }
    struct hv_device *dev;
    int end = DEV_END_FRONT;
    int32_t r = my_end(d, w.id, &dev, &end);
    /* The record names the domain written for (refused too: whose console
     * the caller tried to speak on). */
    domid_t front = dev ? dev->end[DEV_END_FRONT].dom : DOMID_HV;
    if (r == 0 && end != DEV_END_BACK)
        r = -HV_EPERM;                   /* a front end speaks through console_io */
    else if (r == 0 && (dev->type != DEV_TYPE_CONSOLE || w.len > CONS_WRITE_MAX))
        r = -HV_EINVAL;
    else if (r == 0 && dev->end[DEV_END_BACK].state == DEV_STATE_CLOSED)
        r = -HV_EPERM;                   /* no longer its console */
    uint32_t lines = r == 0 ? console_write_for(front, w.text, w.len) : 0;
    if (r == 0)
        r = (int32_t)w.len;
    trace5(TRC_CONS_WRITE, d->id, w.id, front, w.len, lines, (uint32_t)r);
    return r;
}

int32_t do_device_op(uint32_t cmd, guest_ptr arg)
{
    struct domain *d = current;
    switch (cmd) {
    case DEVOP_create:    return op_create(d, arg);
    case DEVOP_get:       return op_get(d, arg);
    case DEVOP_publish:   return op_publish(d, arg);
    case DEVOP_set_state: return op_set_state(d, arg);
    case DEVOP_ring_push: return op_ring_push(d, arg);
    case DEVOP_io_note:   return op_io_note(d, arg);
    case DEVOP_console_write: return op_console_write(d, arg);
    }
    trace_op(d, 99, cmd, -HV_ENOSYS);
    return -HV_ENOSYS;
}

void device_domain_dead(struct domain *d)
{
    for (uint32_t i = 0; i < DEV_MAX; i++) {
        struct hv_device *dev = &dev_table[i];
        int end = dev->type ? dev_end_of(dev, d->id) : -1;
        if (end < 0)
            continue;
        uint32_t old = dev->end[end].state;
        dev_end_dead(dev, end);
        if (old != DEV_STATE_CLOSED) {
            trace5(TRC_DEV_STATE, d->id, dev->id, (uint32_t)end, old, DEV_STATE_CLOSED, 0);
            tell(dev->end[!end].dom);
        }
        free_if_finished(dev, d->id);
    }
}
