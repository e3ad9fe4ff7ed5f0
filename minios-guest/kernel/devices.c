/*
 * minios-guest/kernel/devices.c — minios's side of split devices (PV
 * only; devices.h has the interface): VIRQ_DEVICE and the ring channels
 * into one counter, and the device_op wrappers.
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"

volatile uint32_t io_events;
volatile int toolstack_quit;
static evtchn_port_t device_port;

/* From evtchn_dispatch, events masked. */
static void io_kick(evtchn_port_t port)
{
    (void)port;
    io_events++;
    proc_wakeup((void *)&io_events);
}

void io_poke(void)
{
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    io_kick(0);
    if (was)
        pv_ops.irq_enable();
}

int io_events_init(void)
{
    if (device_port)
        return 0;
    int r = evtchn_bind_virq(VIRQ_DEVICE, &device_port);
    if (r < 0)
        return r;
    evtchn_set_handler(device_port, io_kick);
    return 0;
}

void io_watch_port(evtchn_port_t port)
{
    evtchn_set_handler(port, io_kick);
}

void io_wait(uint32_t *seen)
{
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    while (io_events == *seen)
        proc_sleep_on((void *)&io_events);
    *seen = io_events;
    if (was)
        pv_ops.irq_enable();
}

int device_create(uint32_t type, domid_t front, domid_t back, uint32_t *id)
{
    struct devop_create c = { .type = type, .front = front, .back = back };
    int r = HYPERVISOR_device_op(DEVOP_create, &c);
    if (r == 0)
        *id = c.id;
    return r;
}

int device_get(uint32_t nth, struct hv_device *dev)
{
    struct devop_get g = { .nth = nth };
    int r = HYPERVISOR_device_op(DEVOP_get, &g);
    if (r == 0)
        *dev = g.dev;
    return r;
}

int device_find_front(uint32_t type, struct hv_device *dev)
{
    for (uint32_t nth = 0; device_get(nth, dev) == 0; nth++)
        if (dev->type == type && dev->end[DEV_END_FRONT].dom == boot_info.domid &&
            dev->end[DEV_END_FRONT].state != DEV_STATE_CLOSED)
            return 0;
    return -HV_ENOENT;
}

static int is_known(uint32_t id, const uint32_t *known, uint32_t nknown)
{
    for (uint32_t i = 0; i < nknown; i++)
        if (known[i] == id)
            return 1;
    return 0;
}

int device_find_new_back(uint32_t type, const uint32_t *known, uint32_t nknown,
                         struct hv_device *dev)
{
    for (uint32_t nth = 0; device_get(nth, dev) == 0; nth++) {
        const struct hv_dev_end *b = &dev->end[DEV_END_BACK];
        if (dev->type != type || b->dom != boot_info.domid || b->state != DEV_STATE_INITIALISING ||
            (dev->flags & DEV_FLAG_FRONT_DEAD))
            continue;
        if (!is_known(dev->id, known, nknown))
            return 0;
    }
    return -HV_ENOENT;
}

int device_close_untaken(uint32_t type, const uint32_t *known, uint32_t nknown)
{
    struct hv_device dev;
    int n = 0;
    for (uint32_t nth = 0; device_get(nth, &dev) == 0; nth++) {
        uint32_t st = dev.end[DEV_END_BACK].state;
        if (dev.type != type || dev.end[DEV_END_BACK].dom != boot_info.domid ||
            !(dev.flags & DEV_FLAG_FRONT_DEAD) || st == DEV_STATE_CLOSED ||
            is_known(dev.id, known, nknown))
            continue;
        device_close(dev.id, st);
        n++;
        nth--;                         /* the record is gone: the next one is nth now */
    }
    return n;
}

int device_back_connect(const struct hv_device *dev, void **ring_va, grant_handle_t *handle,
                        evtchn_port_t *port, struct io_back *ring)
{
    const struct hv_dev_end *f = &dev->end[DEV_END_FRONT];
    int r = gnttab_map(f->dom, f->ring_ref, 0, ring_va, handle);
    if (r == 0)
        r = evtchn_bind_interdomain(f->dom, f->evtchn, port);
    if (r == 0 && *port >= EVENTS_NR_PORTS)
        r = -HV_ENOSPC;                 /* a port our event code cannot count */
    if (r < 0)
        return r;
    io_watch_port(*port);
    io_back_init(ring, *ring_va);
    return 0;
}

int device_find(uint32_t id, struct hv_device *dev)
{
    for (uint32_t nth = 0; device_get(nth, dev) == 0; nth++)
        if (dev->id == id)
            return 0;
    return -HV_ENOENT;
}

int device_publish(uint32_t id, uint32_t ring_ref, uint32_t evtchn, const uint32_t info[4])
{
    struct devop_publish p = { .id = id, .ring_ref = ring_ref, .evtchn = evtchn };
    for (int i = 0; i < 4; i++)
        p.info[i] = info ? info[i] : 0;
    return HYPERVISOR_device_op(DEVOP_publish, &p);
}

int device_set_state(uint32_t id, uint32_t state)
{
    struct devop_set_state s = { .id = id, .state = state };
    return HYPERVISOR_device_op(DEVOP_set_state, &s);
}

void device_close(uint32_t id, uint32_t now)
{
    if (now != DEV_STATE_CLOSING && now != DEV_STATE_CLOSED)
        device_set_state(id, DEV_STATE_CLOSING);
    if (now != DEV_STATE_CLOSED)
        device_set_state(id, DEV_STATE_CLOSED);
}

void device_ring_pushed(const struct hv_device *dev, int notified)
{
    if (!(dev->flags & DEV_FLAG_TRACED))
        return;                            /* no trace: save the trap */
    struct devop_ring_push p = { .id = dev->id, .notified = (uint32_t)notified };
    HYPERVISOR_device_op(DEVOP_ring_push, &p);
}

void device_io_note(const struct hv_device *dev, uint32_t kind, uint32_t a0, uint32_t a1,
                    uint32_t a2, uint32_t a3, uint32_t a4)
{
    if (!(dev->flags & DEV_FLAG_TRACED))
        return;                            /* no trace: save the trap */
    struct devop_io_note n = { .id = dev->id, .kind = kind, .arg = { a0, a1, a2, a3, a4 } };
    HYPERVISOR_device_op(DEVOP_io_note, &n);
}
