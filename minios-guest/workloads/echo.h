/*
 * minios-guest/workloads/echo.h — the echo back end's state per front end,
 * shared by echo.c (connecting, tearing down, one request) and lab 5's
 * request loop, echo_serve() (labs/lab5/echo_serve.c).
 *
 * Where this sits in the story (course: split drivers, "requests and
 * responses can happen in any order"): dom0's back end keeps one of these
 * per domU front end -- the ring it mapped from the front end's grant, the
 * event channel bound to the front end's port, and its private side of
 * the ring (struct io_back: the consumer index of requests, the producer
 * index of responses, public/io_ring.h).
 */
#ifndef MINIOS_WORKLOADS_ECHO_H
#define MINIOS_WORKLOADS_ECHO_H

#include <stdint.h>
#include "public/device.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/io_ring.h"

#define ECHO_MAX_LEN 2048          /* the back end's own limit on one request */

struct echo_backend {
    uint32_t id;                   /* the device in the store */
    domid_t front;                 /* the front end's domain */
    int done;                      /* torn down: nothing more to do */
    void *ring_va;                 /* the front end's ring page, mapped */
    grant_handle_t handle;         /* ... by this grant mapping */
    evtchn_port_t port;            /* our end of the event channel */
    struct io_back ring;           /* our side of the ring */
    uint32_t served, refused, sent, suppressed;
};

/* One request, already copied out of the ring and into private memory: the
 * bytes it names copied in (GNTTABOP_copy), reversed, copied back.  The
 * status for its response: the length, or -HV_Exxx (why not). */
int32_t echo_one(struct echo_backend *be, const struct echo_request *q);

/* Disconnect from this front end: unmap the ring, close the port, say
 * CLOSING then CLOSED in the store (my_state: our state now), print why. */
void echo_teardown(struct echo_backend *be, uint32_t my_state, const char *why);

/* Lab 5: serve everything the ring holds, then ask to be woken for the
 * next request.  1 if anything was done (dev: the device's record, for
 * the trace of each push). */
int echo_serve(struct echo_backend *be, const struct hv_device *dev);

#endif
