/*
 * labs/lab5/echo_serve.c — lab 5, the guest's half: YOUR back-end request
 * loop over one front end's ring.
 *
 * Where this sits in the story (course: split drivers, "data through shared
 * asynchronous rings of descriptors; requests and responses can happen in
 * any order"): dom0's echo back end (minios-guest/workloads/echo.c) has
 * mapped a domU's ring page through a grant and bound its event channel.
 * Whenever it is woken, or the device is connected and it looks again, it
 * calls echo_serve().  The ring and its index arithmetic are
 * hv/include/public/io_ring.h (read its comment first); echo_one() and
 * echo_teardown() are given (workloads/echo.h).
 *
 * Write echo_serve(be, dev): loop until there is nothing left to do --
 *   1. n = io_back_requests(&be->ring, &broken).  The front end is another
 *      domain and may lie: if broken (its req_prod claims more than the
 *      ring holds, or went backwards), print
 *        "echo-back: d<front>: the front end published req_prod <req_prod>:
 *         more than the ring holds beyond our <rsp_prod_pvt>"
 *      (one line), echo_teardown(be, DEV_STATE_CONNECTED,
 *      "front end broken, disconnected") and return 1 -- a back end never
 *      spins through garbage, and the other front ends go on;
 *   2. n == 0: before going to sleep, ask to be woken at the next request
 *      and look once more: io_back_final_check(); if it finds one (or the
 *      front end broke), go round again, else return whether you did
 *      anything.  Sleeping without asking is the lost wake-up of
 *      notification suppression: the front end would never notify you;
 *   3. n > 0: take all n, each COPIED out of its slot into private memory
 *      (io_back_get_request) before you look at it -- the front end may
 *      rewrite a slot at any moment; then answer them LAST FIRST (the front
 *      end matches responses by id: requests and responses in any order),
 *      each response { id = the request's id, status = echo_one(be, &req) },
 *      counting be->served (status >= 0) or be->refused (< 0), put with
 *      io_back_put_response;
 *   4. publish them with ONE io_back_push_responses(); it says whether the
 *      front end asked to be notified: then evtchn_send(be->port) and
 *      be->sent++, else be->suppressed++; either way
 *      device_ring_pushed(dev, notify) (the ring_push trace record).
 * Return 1 if you did anything (served a batch, or tore the device down).
 *
 * Test with:  make LAB=5 scenario NAME=grant-echo
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "public/io_ring.h"
#include "workloads/echo.h"

int echo_serve(struct echo_backend *be, const struct hv_device *dev)
{
    (void)be; (void)dev;
    /* TODO (lab 5): serve the ring.  Until then the requests are never
     * answered: every domain waits, and the hypervisor stops the run
     * (deadlock). */
    return 0;
}
