/*
 * hv/grant/device.h — the device store: one record per split device, with
 * the state of each end (public/device.h), and the rules for changing it.
 *
 * The store itself and its rules (device_store.c) are pure logic,
 * unit-tested on the host (tests/unit/test_device.c); the hypercall that
 * polices a guest's requests to it, the trace and the VIRQ_DEVICE
 * notifications are device_op.c.
 */
#ifndef HV_DEVICE_H
#define HV_DEVICE_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/device.h"

/* The store: dev_table[i] is device i + 1 (type 0: a free record). */
extern struct hv_device dev_table[DEV_MAX];

/* A new device of `type` between front and back, both ends INITIALISING.
 * 0 and *id, or -HV_EINVAL (unknown type, one domain at both ends),
 * -HV_ENOSPC (the store is full). */
int dev_create(uint32_t type, domid_t front, domid_t back, uint32_t *id);
/* Device `id`, or 0. */
struct hv_device *dev_find(uint32_t id);
/* Which end of dev domain d is: DEV_END_FRONT, DEV_END_BACK, or -1 (also
 * for an end whose domain died: the id may be another domain's now). */
int dev_end_of(const struct hv_device *dev, domid_t d);
/* The nth device d is an end of (all = 1: of all devices), or 0. */
struct hv_device *dev_nth(domid_t d, int all, uint32_t nth);

/* May `end` go from state `from` to state `to`, the other end being in
 * state `peer`?  The diagram of public/device.h. */
int dev_step_allowed(int end, uint32_t from, uint32_t to, uint32_t peer);
/* Move dev's end to state: 0, or -HV_EINVAL if dev_step_allowed says no. */
int dev_set_state(struct hv_device *dev, int end, uint32_t state);
/* Store dev's end's details: 0, or -HV_EBUSY once that end is past
 * INITWAIT (the other end may be using them). */
int dev_publish(struct hv_device *dev, int end, uint32_t ring_ref, uint32_t evtchn,
                const uint32_t info[4]);

/* end's domain died: the end is CLOSED, and nobody's (DEV_FLAG_*_DEAD). */
void dev_end_dead(struct hv_device *dev, int end);
/* Is dev done with -- both ends CLOSED and one of their domains dead?
 * Then nobody can ever use it again, and its record may be freed
 * (type = 0: device_op.c does it, with a dev_free record). */
int dev_finished(const struct hv_device *dev);

/* ---- the hypervisor's side (device_op.c) ------------------------------- */
struct domain;
/* d died: each end it had goes CLOSED and becomes nobody's, the other
 * end is told, and a record whose other end had closed already is freed. */
void device_domain_dead(struct domain *d);

#endif
