/*
 * solutions/lab5/echo_serve.c — lab 5, the guest's half, reference: the
 * echo back end's request loop over one front end's ring (the stub
 * students edit is labs/lab5/echo_serve.c).
 *
 * Where this sits in the story (course: split drivers, "data through
 * shared asynchronous rings of descriptors; requests and responses can
 * happen in any order"): dom0's back end has mapped the front end's ring
 * page (a grant, checked by the hypervisor's half of the lab,
 * grant_entry.c) and bound its event channel.  Each time it is woken, or
 * finds the ring busy, it comes here:
 *
 *   1. how many requests are waiting (io_back_requests).  The front end is
 *      another domain: if its req_prod claims more than the ring can hold
 *      (or went backwards) it is BROKEN -- disconnect it, never spin
 *      through garbage, and go on serving the others;
 *   2. none: ask to be woken at the next one (io_back_final_check writes
 *      req_event = req_cons + 1, then looks once more -- a request
 *      published in between would otherwise wait forever: the lost wake-up
 *      of notification suppression);
 *   3. some: COPY each out of its slot (io_back_get_request) before looking
 *      at it -- the front end may rewrite the slot while we check it --
 *      then answer them in whatever order suits the device: here the last
 *      first, on purpose, so the front end must match responses by id;
 *   4. publish the responses in one push, and notify the front end only if
 *      it asked (io_back_push_responses says so); count and trace either way.
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "public/io_ring.h"
#include "workloads/echo.h"

int echo_serve(struct echo_backend *be, const struct hv_device *dev)
{
    int did = 0;
    for (;;) {
        int broken;
        uint32_t n = io_back_requests(&be->ring, &broken);
        if (broken) {
            kprintf("echo-back: d%u: the front end published req_prod %u: more than the ring "
                    "holds beyond our %u\n", be->front, be->ring.s->req_prod, be->ring.rsp_prod_pvt);
            echo_teardown(be, DEV_STATE_CONNECTED, "front end broken, disconnected");
            return 1;
        }
        if (n == 0) {
            if (io_back_final_check(&be->ring))
                continue;                  /* one slipped in (or it broke): look again */
            return did;
        }
        /* Take them all, then answer the last first: out of order on
         * purpose, the front end matches by id. */
        struct echo_request q[IO_RING_SLOTS];
        for (uint32_t i = 0; i < n; i++)
            io_back_get_request(&be->ring, &q[i], sizeof q[i]);
        for (uint32_t i = n; i-- > 0;) {
            struct echo_response p = { .id = q[i].id, .status = echo_one(be, &q[i]) };
            if (p.status < 0)
                be->refused++;
            else
                be->served++;
            io_back_put_response(&be->ring, &p, sizeof p);
        }
        int notify = io_back_push_responses(&be->ring);
        if (notify) {
            evtchn_send(be->port);
            be->sent++;
        } else {
            be->suppressed++;
        }
        device_ring_pushed(dev, notify);
        did = 1;
    }
}
