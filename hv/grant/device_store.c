/*
 * hv/grant/device_store.c — the device store's records and the connection
 * states' rules (public/device.h), as pure logic.
 *
 * Where this sits in the story (course: split drivers): before a front end
 * and a back end share a ring they must meet, and then agree, step by
 * step, that both are ready.  The steps are Xen's xenbus states; what the
 * store adds is that the hypervisor checks the order, so that a trace of a
 * connection reads like the diagram: the back end cannot claim to be
 * connected before the front end published its ring, the front end cannot
 * before the back end did.  Either may close at any time -- a driver that
 * gives up, or a domain that dies, must never leave the other end
 * waiting for ever.
 */
#include "grant/device.h"

struct hv_device dev_table[DEV_MAX];

int dev_create(uint32_t type, domid_t front, domid_t back, uint32_t *id)
{
    if (type < DEV_TYPE_ECHO || type > DEV_TYPE_NET || front == back)
        return -HV_EINVAL;
    for (uint32_t i = 0; i < DEV_MAX; i++) {
        struct hv_device *dev = &dev_table[i];
        if (dev->type)
            continue;
        *dev = (struct hv_device){ .id = i + 1, .type = type };
        dev->end[DEV_END_FRONT] = (struct hv_dev_end){ .dom = front, .state = DEV_STATE_INITIALISING };
        dev->end[DEV_END_BACK] = (struct hv_dev_end){ .dom = back, .state = DEV_STATE_INITIALISING };
        *id = i + 1;
        return 0;
    }
    return -HV_ENOSPC;
}

struct hv_device *dev_find(uint32_t id)
{
    if (id == 0 || id > DEV_MAX || !dev_table[id - 1].type)
        return 0;
    return &dev_table[id - 1];
}

int dev_end_of(const struct hv_device *dev, domid_t d)
{
    /* A dead end is nobody's: domain ids are reused, and the next domain
     * to get this id must not inherit a dead one's device. */
    if (dev->end[DEV_END_FRONT].dom == d && !(dev->flags & DEV_FLAG_FRONT_DEAD))
        return DEV_END_FRONT;
    if (dev->end[DEV_END_BACK].dom == d && !(dev->flags & DEV_FLAG_BACK_DEAD))
        return DEV_END_BACK;
    return -1;
}

void dev_end_dead(struct hv_device *dev, int end)
{
    dev->end[end].state = DEV_STATE_CLOSED;
    dev->flags |= end == DEV_END_FRONT ? DEV_FLAG_FRONT_DEAD : DEV_FLAG_BACK_DEAD;
}

int dev_finished(const struct hv_device *dev)
{
    return dev->type && (dev->flags & (DEV_FLAG_FRONT_DEAD | DEV_FLAG_BACK_DEAD)) &&
           dev->end[DEV_END_FRONT].state == DEV_STATE_CLOSED &&
           dev->end[DEV_END_BACK].state == DEV_STATE_CLOSED;
}

struct hv_device *dev_nth(domid_t d, int all, uint32_t nth)
{
    for (uint32_t i = 0; i < DEV_MAX; i++) {
        struct hv_device *dev = &dev_table[i];
        if (!dev->type || (!all && dev_end_of(dev, d) < 0))
            continue;
        if (nth-- == 0)
            return dev;
    }
    return 0;
}

int dev_step_allowed(int end, uint32_t from, uint32_t to, uint32_t peer)
{
    switch (to) {
    case DEV_STATE_CLOSING:            /* giving up: from any live state */
        return from >= DEV_STATE_INITIALISING && from <= DEV_STATE_CONNECTED;
    case DEV_STATE_CLOSED:
        return from >= DEV_STATE_INITIALISING && from <= DEV_STATE_CLOSING;
    case DEV_STATE_INITIALISING:       /* again, after a close */
        return from == DEV_STATE_CLOSED;
    case DEV_STATE_INITIALISED:        /* the front end has published */
        return end == DEV_END_FRONT && from == DEV_STATE_INITIALISING;
    case DEV_STATE_INITWAIT:           /* the back end is ready for it */
        return end == DEV_END_BACK && from == DEV_STATE_INITIALISING;
    case DEV_STATE_CONNECTED:
        if (end == DEV_END_BACK)       /* it has mapped what the front end published */
            return from == DEV_STATE_INITWAIT &&
                   (peer == DEV_STATE_INITIALISED || peer == DEV_STATE_CONNECTED);
        return from == DEV_STATE_INITIALISED && peer == DEV_STATE_CONNECTED;
    }
    return 0;                          /* UNKNOWN, or no state at all */
}

int dev_set_state(struct hv_device *dev, int end, uint32_t state)
{
    struct hv_dev_end *e = &dev->end[end];
    if (!dev_step_allowed(end, e->state, state, dev->end[!end].state))
        return -HV_EINVAL;
    e->state = (uint16_t)state;
    return 0;
}

int dev_publish(struct hv_device *dev, int end, uint32_t ring_ref, uint32_t evtchn,
                const uint32_t info[4])
{
    struct hv_dev_end *e = &dev->end[end];
    if (e->state != DEV_STATE_INITIALISING && e->state != DEV_STATE_INITWAIT)
        return -HV_EBUSY;
    e->ring_ref = ring_ref;
    e->evtchn = evtchn;
    for (int i = 0; i < 4; i++)
        e->info[i] = info[i];
    return 0;
}
