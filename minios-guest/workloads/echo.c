/*
 * minios-guest/workloads/echo.c — the echo device, both halves: a front
 * end in a domU and a back end in dom0, over a granted ring page and an
 * event channel (public/device.h, public/io_ring.h).
 *
 * Where this sits in the story (course: split drivers, "data through shared
 * asynchronous rings of descriptors; requests and responses can happen in
 * any order"): the smallest device that does everything a disk or a NIC
 * driver does.
 *
 *   dom0 (echo-back, the toolstack and the back end)   domU (echo-front)
 *   create a device per domU ---------VIRQ_DEVICE---->  finds it (device_get)
 *   INITWAIT                                            grants a ring page and
 *                                                       a data page, reserves a
 *                                                       port, publishes them,
 *                                                       INITIALISED
 *   maps the ring (map_grant_ref), binds the port,
 *   CONNECTED ------------------------VIRQ_DEVICE---->  CONNECTED
 *                          <-- requests on the ring --  puts a batch, one push
 *                                                       each: notifies only if
 *                                                       the back end asked
 *   takes every request waiting, answers the LAST
 *   first: copies the bytes in (GNTTABOP_copy),
 *   reverses them, copies them back, responds
 *                          --- responses ----------->   matches each by id,
 *                                                       checks the bytes
 *                                                       ... CLOSING
 *   unmaps, closes the port, CLOSED ------------------> revokes its grants
 *                                                       (now they are not in
 *                                                       use), CLOSED
 *
 * The back end trusts nothing on the ring: it copies every request out
 * before looking at it, checks it, and if the front end publishes more
 * requests than the ring can hold (io_ring.h: "broken") it disconnects
 * that front end and goes on serving the others.  Every push is reported
 * to the trace (ring_push: sent or suppressed) while a trace is recorded.
 * The back end's request loop, echo_serve(), is lab 5's guest half
 * (labs/lab5/echo_serve.c; echo.h).
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "public/io_ring.h"
#include "workloads/echo.h"
#include "workloads/workloads.h"

/* The bytes the front end puts in a request's piece of the data page. */
static uint8_t pattern(uint32_t id, uint32_t i)
{
    return (uint8_t)(id * 7 + i * 13 + 1);
}

/* ---- the front end ------------------------------------------------------ */

/* Wait until the device's back end is in `state` (or gave up: closing or
 * closed); returns the back end's state. */
static uint32_t wait_back(uint32_t id, uint32_t state, struct hv_device *dev)
{
    uint32_t seen = io_events;
    for (;;) {
        if (device_find(id, dev) < 0)
            return DEV_STATE_UNKNOWN;
        uint32_t s = dev->end[DEV_END_BACK].state;
        if (s == state || s == DEV_STATE_CLOSING || s == DEV_STATE_CLOSED)
            return s;
        io_wait(&seen);
    }
}

int echo_front_main(void)
{
    if (!need_pv("echo-front"))
        return 0;
    uint32_t nreq = (uint32_t)cmdline_int("requests", 64);
    uint32_t batch = (uint32_t)cmdline_int("batch", 8);
    uint32_t len = (uint32_t)cmdline_int("len", 100);
    /* crash_after=N: die (a kernel fault) with the ring still mapped by
     * the back end, after N responses (the grant-crash scenario). */
    uint32_t crash_after = (uint32_t)cmdline_int("crash_after", 0);
    if (batch < 1 || batch > IO_RING_SLOTS || batch * len > 4096) {
        kprintf("echo-front: FAIL: batch %u of %u bytes does not fit\n", batch, len);
        return 1;
    }
    domid_t me = (domid_t)boot_info.domid;
    if (io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("echo-front: FAIL: no device events or grant table\n");
        return 1;
    }

    /* 1. The toolstack announces the device. */
    struct hv_device dev;
    uint32_t seen = io_events;
    while (device_find_front(DEV_TYPE_ECHO, &dev) < 0)
        io_wait(&seen);
    domid_t back = dev.end[DEV_END_BACK].dom;
    kprintf("echo-front: d%u: device %u, back end d%u\n", me, dev.id, back);

    /* 2. What the back end needs: the ring, the data page, a port. */
    struct io_sring *sring = page_alloc();
    uint8_t *data = page_alloc();
    struct io_front ring;
    io_front_init(&ring, sring, 0);
    int ring_ref = gnttab_grant(back, pv_ops.pt_mfn(sring), 0);
    int data_ref = gnttab_grant(back, pv_ops.pt_mfn(data), 0);
    evtchn_port_t port = 0;
    int r = evtchn_alloc_unbound(back, &port);
    if (ring_ref < 0 || data_ref < 0 || r < 0 || port >= EVENTS_NR_PORTS) {
        kprintf("echo-front: FAIL: grants %d %d, port %d\n", ring_ref, data_ref, r);
        return 1;
    }
    io_watch_port(port);
    r = device_publish(dev.id, (uint32_t)ring_ref, port, 0);
    if (r == 0)
        r = device_set_state(dev.id, DEV_STATE_INITIALISED);
    kprintf("echo-front: d%u: ring grant %d, data grant %d, port %u: published (%d)\n",
            me, ring_ref, data_ref, port, r);

    /* 3. Connected once the back end is. */
    uint32_t bs = wait_back(dev.id, DEV_STATE_CONNECTED, &dev);
    if (bs != DEV_STATE_CONNECTED) {
        kprintf("echo-front: FAIL: the back end did not connect (state %u)\n", bs);
        return 1;
    }
    r = device_set_state(dev.id, DEV_STATE_CONNECTED);
    kprintf("echo-front: d%u: connected (%d)\n", me, r);

    /* 4. The requests, a batch at a time; one push per request, so the
     * pushes after the first of a batch find the back end busy. */
    uint32_t next_id = 1, answered = 0, bad = 0, out_of_order = 0, sent = 0, suppressed = 0;
    uint32_t inflight_id[IO_RING_SLOTS];
    uint32_t tsc0 = rdtsc32(), events0 = evtchn_count[port];
    while (answered < nreq) {
        uint32_t k, n = nreq - answered < batch ? nreq - answered : batch;
        for (k = 0; k < n; k++) {
            uint32_t id = next_id++;
            struct echo_request q = {
                .id = id, .op = ECHO_OP_REVERSE, .gref = (uint32_t)data_ref,
                .offset = (uint16_t)(k * len), .len = (uint16_t)len,
            };
            for (uint32_t i = 0; i < len; i++)
                data[q.offset + i] = pattern(id, i);
            inflight_id[k] = id;
            io_front_put_request(&ring, &q, sizeof q);
            int notify = io_front_push_requests(&ring);
            if (notify) {
                evtchn_send(port);
                sent++;
            } else {
                suppressed++;
            }
            device_ring_pushed(&dev, notify);
        }
        /* The responses, in whatever order they come. */
        uint32_t got = 0;
        while (got < n) {
            int broken;
            uint32_t avail = io_front_responses(&ring, &broken);
            if (broken) {
                kprintf("echo-front: FAIL: the back end published impossible responses\n");
                return 1;
            }
            if (!avail) {
                if (!io_front_final_check(&ring))
                    io_wait(&seen);
                continue;
            }
            struct echo_response p;
            io_front_get_response(&ring, &p, sizeof p);
            for (k = 0; k < n && inflight_id[k] != p.id; k++)
                ;
            if (k == n) {
                kprintf("echo-front: FAIL: a response for id %u, which is not in flight\n", p.id);
                bad++;
                continue;
            }
            /* Out of order: an older request is still waiting. */
            for (uint32_t j = 0; j < n; j++)
                if (inflight_id[j] && inflight_id[j] < p.id) {
                    out_of_order++;
                    break;
                }
            inflight_id[k] = 0;
            int ok = p.status == (int32_t)len;
            for (uint32_t i = 0; ok && i < len; i++)
                ok = data[k * len + i] == pattern(p.id, len - 1 - i);
            if (!ok) {
                kprintf("echo-front: FAIL: request %u: status %d, bytes %s\n", p.id, p.status,
                        p.status == (int32_t)len ? "not reversed" : "-");
                bad++;
            }
            got++;
            answered++;
            if (crash_after && answered == crash_after) {
                kprintf("echo-front: d%u: crashing on purpose, %u responses in, ring still mapped\n",
                        me, answered);
                *(volatile uint32_t *)0 = 0;      /* a kernel page fault: minios gives up */
            }
        }
    }
    /* Under -icount the TSC counts guest instructions (bench/parts/rings.sh):
     * per request, front -> back -> front, everyone's instructions; and the
     * events both sides raised per 100 requests. */
    uint32_t insns = rdtsc32() - tsc0, received = evtchn_count[port] - events0;
    kprintf("bench: echo_request_batch%u %u insns\n", batch, insns / nreq);
    kprintf("bench: echo_events_per_100_batch%u %u events\n", batch,
            (sent + received) * 100 / nreq);
    kprintf("echo-front: d%u: %u requests, %u answered and checked, %u out of order: %s\n",
            me, nreq, answered, out_of_order, bad ? "FAIL" : "PASS");
    kprintf("echo-front: d%u: notifications: %u sent, %u suppressed\n", me, sent, suppressed);

    /* 5. Close: the back end unmaps, then our grants are free to revoke. */
    device_set_state(dev.id, DEV_STATE_CLOSING);
    bs = wait_back(dev.id, DEV_STATE_CLOSED, &dev);
    int e1 = gnttab_end((grant_ref_t)ring_ref), e2 = gnttab_end((grant_ref_t)data_ref);
    evtchn_close(port);
    r = device_set_state(dev.id, DEV_STATE_CLOSED);
    kprintf("echo-front: d%u: closed (back end %u), grants revoked: %d %d, %d\n", me, bs, e1, e2, r);
    return bad != 0 || e1 != 0 || e2 != 0;
}

/* ---- the back end --------------------------------------------------------- */

#define ECHO_MAX_FRONTS 8
static struct echo_backend backends[ECHO_MAX_FRONTS];
static uint8_t *echo_buf;              /* where the bytes are reversed */

/* One request: the bytes in, reversed, back out.  The status: len, or
 * why not. */
int32_t echo_one(struct echo_backend *be, const struct echo_request *q)
{
    if (q->op != ECHO_OP_REVERSE)
        return -HV_ENOSYS;
    if (q->len == 0 || q->len > ECHO_MAX_LEN)
        return -HV_EINVAL;                 /* our own limit: before any copy */
    uint32_t mfn = pv_ops.pt_mfn(echo_buf);
    struct gnttab_copy in = {
        .source = { .u.ref = q->gref, .domid = be->front, .offset = q->offset },
        .dest = { .u.gmfn = mfn, .domid = DOMID_SELF, .offset = 0 },
        .len = q->len, .flags = GNTCOPY_source_gref,
    };
    int r = gnttab_copy(&in);
    if (r < 0)
        return r;                          /* e.g. not granted to us, or past the page */
    for (uint32_t i = 0, j = q->len - 1u; i < j; i++, j--) {
        uint8_t t = echo_buf[i];
        echo_buf[i] = echo_buf[j];
        echo_buf[j] = t;
    }
    struct gnttab_copy out = {
        .source = { .u.gmfn = mfn, .domid = DOMID_SELF, .offset = 0 },
        .dest = { .u.ref = q->gref, .domid = be->front, .offset = q->offset },
        .len = q->len, .flags = GNTCOPY_dest_gref,
    };
    r = gnttab_copy(&out);
    return r < 0 ? r : (int32_t)q->len;
}

void echo_teardown(struct echo_backend *be, uint32_t my_state, const char *why)
{
    int u = be->ring_va ? gnttab_unmap(be->ring_va, be->handle) : 0;
    int c = be->port ? evtchn_close(be->port) : 0;
    device_close(be->id, my_state);
    be->ring_va = 0;
    be->port = 0;
    be->done = 1;
    kprintf("echo-back: d%u: %s: unmapped (%d), port closed (%d)\n", be->front, why, u, c);
    kprintf("echo-back: d%u: %u served, %u refused; notifications %u sent, %u suppressed\n",
            be->front, be->served, be->refused, be->sent, be->suppressed);
}

/* Look at one device and do whatever its state asks.  1 if anything changed. */
static int step(struct echo_backend *be)
{
    struct hv_device dev;
    if (be->done || device_find(be->id, &dev) < 0)
        return 0;
    uint32_t me = dev.end[DEV_END_BACK].state, fe = dev.end[DEV_END_FRONT].state;
    if (me == DEV_STATE_INITIALISING) {
        device_set_state(be->id, DEV_STATE_INITWAIT);
        return 1;
    }
    if (fe == DEV_STATE_CLOSING || fe == DEV_STATE_CLOSED) {
        echo_teardown(be, me, fe == DEV_STATE_CLOSED ? "front end closed" : "front end closing");
        return 1;
    }
    if (me == DEV_STATE_INITWAIT && fe == DEV_STATE_INITIALISED) {
        const struct hv_dev_end *f = &dev.end[DEV_END_FRONT];
        int r = device_back_connect(&dev, &be->ring_va, &be->handle, &be->port, &be->ring);
        if (r < 0) {
            kprintf("echo-back: d%u: cannot connect: ring grant %u, port %u: %d\n", be->front,
                    f->ring_ref, f->evtchn, r);
            echo_teardown(be, me, "not connected");
            return 1;
        }
        r = device_set_state(be->id, DEV_STATE_CONNECTED);
        kprintf("echo-back: d%u: ring mapped, port %u bound: connected (%d)\n", be->front,
                be->port, r);
        return 1;
    }
    if (me == DEV_STATE_CONNECTED)
        return echo_serve(be, &dev);
    return 0;
}

int echo_back_main(void)
{
    if (!need_pv("echo-back"))
        return 0;
    uint32_t fronts = (uint32_t)cmdline_int("fronts", 1);
    if (fronts < 1 || fronts > ECHO_MAX_FRONTS || io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("echo-back: FAIL: cannot start (%u front ends)\n", fronts);
        return 1;
    }
    echo_buf = page_alloc();
    /* The toolstack's part: one echo device per domU, d1 .. d<fronts>. */
    for (uint32_t i = 0; i < fronts; i++) {
        struct echo_backend *be = &backends[i];
        be->front = (domid_t)(i + 1);
        int r = device_create(DEV_TYPE_ECHO, be->front, (domid_t)boot_info.domid, &be->id);
        kprintf("echo-back: device %u for d%u (%d)\n", be->id, be->front, r);
        if (r < 0)
            be->done = 1;
    }
    uint32_t seen = io_events;
    for (;;) {
        uint32_t before = io_events;
        int progress = 0, left = 0;
        for (uint32_t i = 0; i < fronts; i++) {
            progress |= step(&backends[i]);
            left += !backends[i].done;
        }
        if (!left)
            break;
        if (!progress) {
            seen = before;                 /* anything since we started looking */
            io_wait(&seen);
        }
    }
    uint32_t served = 0, refused = 0;
    for (uint32_t i = 0; i < fronts; i++) {
        served += backends[i].served;
        refused += backends[i].refused;
    }
    kprintf("echo-back: all %u devices closed: %u requests served, %u refused\n", fronts,
            served, refused);
    refusals_print();
    return 0;
}
