/*
 * minios-guest/kernel/devices.h — minios's side of split devices (PV
 * only): the device store's wrappers, and waiting for "something happened
 * to my devices".
 *
 * Where this sits in the story (course: split drivers): a front end or a
 * back end is a kernel task that waits for two kinds of news -- the other
 * end changed state (VIRQ_DEVICE, from the device store) and the other end
 * published on a ring (the ring's event channel) -- and then looks at
 * everything again.  Both kinds bump one counter, io_events; io_wait()
 * sleeps until it moves.  (public/device.h has the store and its states.)
 */
#ifndef MINIOS_DEVICES_H
#define MINIOS_DEVICES_H

#include <stdint.h>
#include "public/device.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/io_ring.h"

/* Bind VIRQ_DEVICE (once).  0 or -errno. */
int io_events_init(void);
/* Count this port's events in io_events too (a ring's channel). */
void io_watch_port(evtchn_port_t port);
/* We changed the store ourselves (dom0's toolstack created a device for
 * one of dom0's back ends, and the hypervisor tells nobody of their own
 * doing): wake whoever waits in io_wait. */
void io_poke(void);
/* dom0's toolstack has quit (xl_main's end): back ends serving the VMs
 * it created (vms) stop once their last device has closed. */
extern volatile int toolstack_quit;
/* Events of either kind so far. */
extern volatile uint32_t io_events;
/* Sleep until io_events differs from *seen; then *seen = io_events.
 * Take *seen BEFORE looking at what might have changed: then a change
 * between the look and the wait is never missed. */
void io_wait(uint32_t *seen);

/* device_op wrappers: 0 or -HV_Exxx. */
int device_create(uint32_t type, domid_t front, domid_t back, uint32_t *id);
int device_get(uint32_t nth, struct hv_device *dev);
/* The first device of `type` (DEV_TYPE_*) we are the front end of: 0, or
 * -HV_ENOENT.  A domU may have several devices (a disk, a NIC, a
 * console): each front end looks for its own type. */
int device_find_front(uint32_t type, struct hv_device *dev);
/* A back end that serves devices the toolstack creates while it runs
 * (xl create with disk=, ip=, console=split): the first device of `type`
 * whose back end is us, still INITIALISING, with a live front end, and
 * whose id is none of known[0..nknown-1] (the ones we serve now: a
 * record we closed is never INITIALISING again, and its id may come back
 * for a new device once the store frees it).  0, or -HV_ENOENT. */
int device_find_new_back(uint32_t type, const uint32_t *known, uint32_t nknown,
                         struct hv_device *dev);
/* Close our end of every device of `type` whose front end died before we
 * took it (none of known[]): nobody else will, and the store frees a
 * record only once both ends are CLOSED.  How many were closed. */
int device_close_untaken(uint32_t type, const uint32_t *known, uint32_t nknown);
/* A back end's half of connecting, once the front end is INITIALISED:
 * map the ring page it granted (*ring_va, *handle), bind the event-channel
 * port it reserved for us (*port), watch that port and start our side of
 * the ring.  0, or the error of the step that failed -- then the caller
 * tears down what is set; the CONNECTED step is the caller's. */
int device_back_connect(const struct hv_device *dev, void **ring_va, grant_handle_t *handle,
                        evtchn_port_t *port, struct io_back *ring);
/* Device `id` (among ours): 0, or -HV_ENOENT. */
int device_find(uint32_t id, struct hv_device *dev);
int device_publish(uint32_t id, uint32_t ring_ref, uint32_t evtchn, const uint32_t info[4]);
int device_set_state(uint32_t id, uint32_t state);
/* Close our end of device id, now in state `now`: CLOSING, then CLOSED,
 * each step only if our end is not past it already (the diagram allows
 * no step back).  What a back end does when it gives a device up. */
void device_close(uint32_t id, uint32_t now);
/* We just pushed on the ring of dev and did (1) or did not (0) notify:
 * tell the trace (a hypercall; only while a trace is recorded). */
void device_ring_pushed(const struct hv_device *dev, int notified);
/* Tell the trace what this driver did (public/device.h, DEVOP_io_note:
 * IO_NOTE_REQ/RSP/PKT and their arguments); nothing without a trace. */
void device_io_note(const struct hv_device *dev, uint32_t kind, uint32_t a0, uint32_t a1,
                    uint32_t a2, uint32_t a3, uint32_t a4);

#endif
