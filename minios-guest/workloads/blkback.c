/*
 * minios-guest/workloads/blkback.c — the split block device's back end
 * (program blk-back, dom0): each domU's virtual disk is one partition of
 * dom0's IDE disk, served over that domU's ring (public/blkif.h).
 *
 * Where this sits in the story (course: split drivers, "the back-end driver
 * isolated in dom0 with direct access to the hardware"; "requests and
 * responses can happen in any order"): dom0 is the toolstack and the
 * driver domain at once.  It finds the disk (drivers/ide.c: IDENTIFY),
 * reads its partition table (made on the host by sfdisk), and creates one
 * DEV_TYPE_BLOCK device per domU: domU k gets partition k.  It publishes
 * each disk's size (info[]) and connects to each front end the way the
 * echo device does (workloads/echo.c: map the ring, bind the port).
 *
 * One request, end to end (docs/block.md draws it):
 *
 *   front end: puts the request, pushes, notifies (if dom0 asked)
 *   dom0:      takes every request waiting on every ring (io_req records),
 *              checks each against ITS front end's region, sorts them by
 *              disk sector (the elevator: one sweep up from where the head
 *              is, then round again), and for each one
 *                write: copies the front end's granted pages in (GNTTABOP_copy)
 *                       and writes them out: WRITE SECTORS, 256 words per
 *                       sector through port 0x1f0, IRQ 14 per sector
 *                read:  READ SECTORS, IRQ 14 -> pirq event -> 256 words in,
 *                       then copies them into the granted pages
 *              answers it (io_rsp), and once the round is done pushes
 *              every ring's responses, one notification per ring at most.
 *
 * So responses come back in the elevator's order, not the requests' --
 * the front end matches them by id.  The back end trusts nothing the front
 * end wrote: each request is copied out of the ring before it is looked at
 * (io_ring.h); its sector and count are checked against the region, so no
 * value reaches another domain's region or the partition table; the data
 * moves only through grants the hypervisor checks (not granted to dom0,
 * read-only for a read: the copy fails and the request is answered with
 * that error); and a front end that publishes more requests than its ring
 * holds is disconnected, while the other front ends go on.
 *
 * Two ways to start.  fronts=N: blk-back is the toolstack too, and makes
 * the devices of d1..dN itself (domU k on partition k), as at boot.
 * vms: dom0's toolstack (toolstack/xl.c) makes a device whenever it
 * creates a VM whose configuration says disk=K, and publishes K
 * (BLKIF_INFO_PARTITION); blk-back takes each new device as it appears --
 * checking that partition K exists, is not the VM store, and is not
 * another live VM's -- and serves at most three at once, until xl has
 * quit and the last device has closed.
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/vm.h"
#include "public/domctl.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "drivers/ide.h"
#include "lib/string.h"
#include "public/blkif.h"
#include "public/io_ring.h"
#include "workloads/workloads.h"

#define BLK_MAX_FRONTS 3               /* partitions 1..3 of the MBR's four */

struct blk_backend {
    uint32_t id;
    domid_t front;
    int done;
    uint32_t start, sectors;           /* the region: partition `front` */
    struct hv_device dev;              /* as last seen (flags: traced?) */
    void *ring_va;
    grant_handle_t handle;
    evtchn_port_t port;
    struct io_back ring;
    int answered;                      /* responses written this round */
    uint32_t served, refused, sent, suppressed, out_of_order;
    /* The bench (fronts=1): the instructions the two domains ran, idle
     * excluded, while the front end wrote, then while it read. */
    int phase;                         /* 0, BLKIF_OP_WRITE, BLKIF_OP_READ */
    uint64_t mark, cost[3];
    uint32_t kib2[3];                  /* sectors moved, per op (KiB * 2) */
    uint32_t requests[3];
    struct pending *taken;             /* a page: this round's requests from this ring */
    uint32_t ntaken;
};

static struct blk_backend backends[BLK_MAX_FRONTS];
static uint32_t nfronts;               /* slots in use (vms: all, free ones done) */
static int vms;                        /* serve the devices xl makes (the word vms) */
static uint32_t adopted;               /* vms: devices taken so far */
static struct ide_partition part[IDE_MBR_PARTITIONS];
static uint32_t gone_served, gone_refused, gone_ooo;   /* vms: of slots reused since */
static uint32_t head;                  /* the disk sector the last request ended at */
static uint32_t rounds, round_requests;

/* The bounce buffer between the granted pages and the disk: one request's
 * worth of pages, allocated at start (not in .bss: every domain runs the
 * same image, and a small domU has no 44 KiB to spare). */
static uint8_t *bounce[BLKIF_MAX_PAGES];

/* One round's requests.  Each back end keeps those taken from its ring in
 * a page of its own (a ring's worth: IO_RING_SLOTS); order[] lists every
 * ring's, for the elevator to sort. */
struct pending {
    struct blk_backend *be;            /* 0: dropped (its front end broke the ring) */
    struct blkif_request q;
    uint32_t lba;                      /* where on the disk, once checked */
    int32_t status;                    /* 1: not checked yet */
};
_Static_assert(IO_RING_SLOTS * sizeof(struct pending) <= 4096, "a ring's requests: one page");
static struct pending *order[BLK_MAX_FRONTS * IO_RING_SLOTS];

/* The trace note (DEVOP_io_note), only while a trace is recorded. */
static void note(const struct blk_backend *be, uint32_t kind, uint32_t a0, uint32_t a1,
                 uint32_t a2, uint32_t a3)
{
    device_io_note(&be->dev, kind, a0, a1, a2, a3, 0);
}

/* ---- the bench ------------------------------------------------------------ */

/* CPU time of dom0 and of this front end (DOMCTL_getinfo: a domain's time
 * advances only while it runs).  Under -icount shift=0 a nanosecond of it
 * is one instruction, so the sum is every instruction the two domains --
 * and the hypervisor on their behalf -- executed, without the idle loop's
 * waits for the disk (whose length in virtual time depends on the host). */
static uint64_t cost_now(const struct blk_backend *be)
{
    uint64_t sum = 0;
    domid_t who[2] = { DOMID_SELF, be->front };
    for (int i = 0; i < 2; i++) {
        struct hv_domctl c;
        domctl_init(&c, DOMCTL_getinfo, who[i]);
        if (HYPERVISOR_domctl(&c) == 0)
            sum += c.u.info.cpu_ns;
    }
    return sum;
}

/* A request of op was taken: a phase starts, or the next one does. */
static void bench_phase(struct blk_backend *be, uint32_t op)
{
    if (nfronts != 1 || op == (uint32_t)be->phase || (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE))
        return;
    uint64_t now = cost_now(be);
    if (be->phase)
        be->cost[be->phase] += now - be->mark;
    be->mark = now;
    be->phase = (int)op;
}

static void blk_bench_report(struct blk_backend *be)
{
    if (nfronts != 1 || !be->phase)
        return;
    be->cost[be->phase] += cost_now(be) - be->mark;
    be->phase = 0;
    static const char *const name[3] = { "", "read", "write" };
    for (int op = BLKIF_OP_READ; op <= BLKIF_OP_WRITE; op++)
        if (be->cost[op] && be->requests[op])
            kprintf("bench: blk_%s %u KiB in %u requests, %u instructions: %u KiB per Minsn, "
                    "%u insns per request\n", name[op], be->kib2[op] / 2, be->requests[op],
                    (uint32_t)be->cost[op],
                    (uint32_t)((uint64_t)be->kib2[op] * 500000u / be->cost[op]),
                    (uint32_t)(be->cost[op] / be->requests[op]));
}

/* ---- one request -------------------------------------------------------- */

/* The checks of a request against its front end's region: the status,
 * 0 if it may go to the disk (then p->lba is where). */
static int32_t check(struct pending *p)
{
    const struct blkif_request *q = &p->q;
    const struct blk_backend *be = p->be;
    if (q->op != BLKIF_OP_READ && q->op != BLKIF_OP_WRITE)
        return -HV_ENOSYS;
    if (q->count == 0 || q->count > BLKIF_MAX_SECTORS)
        return -HV_EINVAL;
    if (!blkif_in_disk(q->sector, q->count, be->sectors))
        return -HV_ERANGE;                 /* never sector + count: it could wrap */
    p->lba = be->start + (uint32_t)q->sector;
    return 0;
}

/* Sectors of page i of the request. */
static uint32_t page_sectors(const struct pending *p, uint32_t i)
{
    uint32_t n = p->q.count - i * BLKIF_SECTORS_PER_PAGE;
    return n > BLKIF_SECTORS_PER_PAGE ? BLKIF_SECTORS_PER_PAGE : n;
}

/* Copy page i of the request between the bounce buffer and the front
 * end's grant.  to_front: a read's data going out. */
static int copy_page(const struct pending *p, uint32_t i, int to_front)
{
    uint32_t n = page_sectors(p, i);
    uint32_t mfn = pv_ops.pt_mfn(bounce[i]);
    struct gnttab_copy c = { .len = (uint16_t)(n * BLKIF_SECTOR_SIZE) };
    struct gnttab_copy_ptr mine = { .u.gmfn = mfn, .domid = DOMID_SELF, .offset = 0 };
    struct gnttab_copy_ptr theirs = { .u.ref = p->q.gref[i], .domid = p->be->front, .offset = 0 };
    if (to_front) {
        c.source = mine;
        c.dest = theirs;
        c.flags = GNTCOPY_dest_gref;
    } else {
        c.source = theirs;
        c.dest = mine;
        c.flags = GNTCOPY_source_gref;
    }
    return gnttab_copy(&c);
}

/* The data through the bounce pages, one IDE command per page.  A write
 * copies every page in before the disk is touched: a bad grant anywhere
 * in the request, and nothing of it is written. */
static int32_t do_io(const struct pending *p)
{
    uint32_t pages = (p->q.count + BLKIF_SECTORS_PER_PAGE - 1) / BLKIF_SECTORS_PER_PAGE;
    int r = 0;
    if (p->q.op == BLKIF_OP_WRITE) {
        for (uint32_t i = 0; r == 0 && i < pages; i++)
            r = copy_page(p, i, 0);    /* e.g. not granted to us */
        for (uint32_t i = 0; r == 0 && i < pages; i++)
            r = ide_write(p->lba + i * BLKIF_SECTORS_PER_PAGE, page_sectors(p, i), bounce[i]);
    } else {
        for (uint32_t i = 0; r == 0 && i < pages; i++)
            r = ide_read(p->lba + i * BLKIF_SECTORS_PER_PAGE, page_sectors(p, i), bounce[i]);
        for (uint32_t i = 0; r == 0 && i < pages; i++)
            r = copy_page(p, i, 1);    /* e.g. a read-only grant: refused */
    }
    return r;
}

/* ---- the rounds -------------------------------------------------------- */

static void teardown(struct blk_backend *be, uint32_t my_state, const char *why)
{
    blk_bench_report(be);
    int u = be->ring_va ? gnttab_unmap(be->ring_va, be->handle) : 0;
    int c = be->port ? evtchn_close(be->port) : 0;
    device_close(be->id, my_state);
    be->ring_va = 0;
    be->port = 0;
    be->done = 1;
    kprintf("blk-back: d%u: %s: unmapped (%d), port closed (%d)\n", be->front, why, u, c);
    kprintf("blk-back: d%u: %u served, %u refused, %u answered out of order; "
            "notifications %u sent, %u suppressed\n", be->front, be->served, be->refused,
            be->out_of_order, be->sent, be->suppressed);
}

/* Take every request waiting on be's ring into its page, listed in
 * order[] from *n on. */
static void take(struct blk_backend *be, uint32_t *n)
{
    for (;;) {
        int broken;
        uint32_t avail = io_back_requests(&be->ring, &broken);
        if (broken) {
            kprintf("blk-back: d%u: the front end published req_prod %u: more than the ring "
                    "holds beyond our %u\n", be->front, be->ring.s->req_prod,
                    be->ring.rsp_prod_pvt);
            /* Requests of it already taken are dropped with it. */
            for (uint32_t i = 0; i < *n; i++)
                if (order[i]->be == be)
                    order[i]->be = 0;
            teardown(be, DEV_STATE_CONNECTED, "front end broken, disconnected");
            return;
        }
        if (avail == 0) {
            if (io_back_final_check(&be->ring))
                continue;              /* one slipped in (or it broke): look again */
            return;
        }
        while (avail--) {
            /* At most a ring's worth a round: io_back_requests counts
             * from our oldest unanswered request, and all are answered
             * by the end of the round. */
            struct pending *p = &be->taken[be->ntaken++];
            order[(*n)++] = p;
            p->be = be;
            io_back_get_request(&be->ring, &p->q, sizeof p->q);
            p->status = 1;
            bench_phase(be, p->q.op);
            note(be, IO_NOTE_REQ, p->q.id, p->q.op, (uint32_t)p->q.sector, p->q.count);
        }
    }
}

/* The elevator's key: distance upward from the head, round the disk
 * (C-SCAN).  Refused requests go first: they cost the disk nothing. */
static uint32_t key(const struct pending *p)
{
    return p->status ? 0 : p->lba - head + 1;  /* wraps: below the head comes last */
}

/* One round: take from every connected ring, check, sort, serve, answer.
 * 1 if anything was done. */
static int round_once(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < nfronts; i++) {
        backends[i].ntaken = 0;
        if (!backends[i].done && backends[i].ring_va)
            take(&backends[i], &n);
    }
    if (n == 0)
        return 0;
    rounds++;
    round_requests += n;
    for (uint32_t i = 0; i < n; i++)
        if (order[i]->be)
            order[i]->status = check(order[i]);
    /* Insertion sort by key: n is at most a few rings' worth. */
    for (uint32_t i = 1; i < n; i++) {
        struct pending *t = order[i];
        uint32_t j = i;
        while (j > 0 && key(order[j - 1]) > key(t)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = t;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct pending *p = order[i];
        struct blk_backend *be = p->be;
        if (!be || be->done)
            continue;                  /* its front end was disconnected */
        if (p->status == 0) {
            p->status = do_io(p);
            head = p->lba + p->q.count;
        }
        if (p->status < 0) {
            be->refused++;
        } else {
            be->served++;
            be->kib2[p->q.op] += p->q.count;
            be->requests[p->q.op]++;
        }
        /* Out of order: an older request of this ring is still unanswered. */
        for (uint32_t j = i + 1; j < n; j++)
            if (order[j]->be == be && order[j]->q.id < p->q.id) {
                be->out_of_order++;
                break;
            }
        struct blkif_response rsp = { .id = p->q.id, .op = p->q.op, .status = p->status };
        io_back_put_response(&be->ring, &rsp, sizeof rsp);
        note(be, IO_NOTE_RSP, p->q.id, p->q.op, (uint32_t)p->status, 0);
        be->answered = 1;
    }
    /* One push per ring, after the whole round: the front end is woken
     * once for everything it gets back. */
    for (uint32_t i = 0; i < nfronts; i++) {
        struct blk_backend *be = &backends[i];
        if (!be->answered || be->done)
            continue;
        be->answered = 0;
        int notify = io_back_push_responses(&be->ring);
        if (notify) {
            evtchn_send(be->port);
            be->sent++;
        } else {
            be->suppressed++;
        }
        device_ring_pushed(&be->dev, notify);
    }
    return 1;
}

/* Look at one device's connection and do what its state asks.  1 if
 * anything changed. */
static int step(struct blk_backend *be)
{
    if (be->done || device_find(be->id, &be->dev) < 0)
        return 0;
    const struct hv_device *dev = &be->dev;
    uint32_t me = dev->end[DEV_END_BACK].state, fe = dev->end[DEV_END_FRONT].state;
    if (me == DEV_STATE_INITIALISING) {
        uint32_t info[4] = { 0 };
        info[BLKIF_INFO_PARTITION] = be->dev.end[DEV_END_BACK].info[BLKIF_INFO_PARTITION];
        info[BLKIF_INFO_SECTORS] = be->sectors;
        info[BLKIF_INFO_SECTOR_SIZE] = BLKIF_SECTOR_SIZE;
        info[BLKIF_INFO_MAX_SECTORS] = BLKIF_MAX_SECTORS;
        int r = device_publish(be->id, 0, 0, info);
        if (r == 0)
            r = device_set_state(be->id, DEV_STATE_INITWAIT);
        kprintf("blk-back: d%u: disk of %u sectors published (%d)\n", be->front, be->sectors, r);
        return 1;
    }
    if (fe == DEV_STATE_CLOSING || fe == DEV_STATE_CLOSED) {
        teardown(be, me, fe == DEV_STATE_CLOSED ? "front end closed" : "front end closing");
        return 1;
    }
    if (me == DEV_STATE_INITWAIT && fe == DEV_STATE_INITIALISED) {
        const struct hv_dev_end *f = &dev->end[DEV_END_FRONT];
        int r = device_back_connect(dev, &be->ring_va, &be->handle, &be->port, &be->ring);
        if (r < 0) {
            kprintf("blk-back: d%u: cannot connect: ring grant %u, port %u: %d\n", be->front,
                    f->ring_ref, f->evtchn, r);
            teardown(be, me, "not connected");
            return 1;
        }
        r = device_set_state(be->id, DEV_STATE_CONNECTED);
        kprintf("blk-back: d%u: ring mapped, port %u bound: connected (%d)\n", be->front,
                be->port, r);
        return 1;
    }
    return 0;
}

/* vms: take the devices the toolstack made since we last looked, as
 * long as a slot is free.  1 if any was taken (or refused). */
static int adopt(void)
{
    uint32_t live[BLK_MAX_FRONTS], n = 0;   /* the devices we serve */
    for (uint32_t i = 0; i < BLK_MAX_FRONTS; i++)
        if (!backends[i].done)
            live[n++] = backends[i].id;
    int did = device_close_untaken(DEV_TYPE_BLOCK, live, n) > 0;
    for (uint32_t s = 0; s < BLK_MAX_FRONTS; s++) {
        struct blk_backend *be = &backends[s];
        if (!be->done)
            continue;
        struct hv_device dev;
        if (device_find_new_back(DEV_TYPE_BLOCK, live, n, &dev) < 0)
            return did;
        uint32_t k = dev.end[DEV_END_BACK].info[BLKIF_INFO_PARTITION];
        if (k == 0)
            return did;                /* the toolstack has not said which yet */
        domid_t front = dev.end[DEV_END_FRONT].dom;
        const char *why = 0;
        if (k > IDE_MBR_PARTITIONS || !part[k - 1].type)
            why = "no such partition";
        else if (part[k - 1].type == 0xda)
            why = "that is the VM store";
        for (uint32_t i = 0; !why && i < BLK_MAX_FRONTS; i++)
            if (!backends[i].done && backends[i].start == part[k - 1].start)
                why = "another VM's disk";
        adopted++;
        did = 1;
        if (why) {
            kprintf("blk-back: device %u for d%u: partition %u: %s: refused\n", dev.id, front, k,
                    why);
            device_close(dev.id, DEV_STATE_INITIALISING);
            s--;                       /* the slot is still free */
            continue;
        }
        live[n++] = dev.id;
        struct pending *taken = be->taken;
        gone_served += be->served;
        gone_refused += be->refused;
        gone_ooo += be->out_of_order;
        memset(be, 0, sizeof *be);
        be->taken = taken;
        be->id = dev.id;
        be->front = front;
        be->start = part[k - 1].start;
        be->sectors = part[k - 1].sectors;
        kprintf("blk-back: device %u for d%u: partition %u, sectors %u..%u (taken: %u so far)\n",
                be->id, be->front, k, be->start, be->start + be->sectors - 1, adopted);
    }
    return did;
}

int blk_back_main(void)
{
    if (!need_pv("blk-back"))
        return 0;
    vms = cmdline_has("vms");
    nfronts = vms ? BLK_MAX_FRONTS : (uint32_t)cmdline_int("fronts", 2);
    if (nfronts < 1 || nfronts > BLK_MAX_FRONTS || io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("blk-back: FAIL: cannot start (%u front ends)\n", nfronts);
        return 1;
    }
    for (uint32_t i = 0; i < BLKIF_MAX_PAGES; i++)
        if (!(bounce[i] = page_alloc())) {
            kprintf("blk-back: FAIL: no memory for the bounce pages\n");
            return 1;
        }
    /* The hardware: the disk and its partition table. */
    int r = ide_init();
    if (r < 0) {
        kprintf("blk-back: FAIL: no IDE disk (%d)\n", r);
        return 1;
    }
    kprintf("blk-back: IDE disk '%s': %u sectors, IRQ 14 on port %u\n", ide_disk.model,
            ide_disk.sectors, ide_disk.port);
    r = ide_read_partitions(part);
    if (r < (int)(vms ? 1 : nfronts)) {
        kprintf("blk-back: FAIL: the partition table has %d partitions, %u needed\n", r, nfronts);
        return 1;
    }
    for (int i = 0; i < IDE_MBR_PARTITIONS; i++)
        if (part[i].type)
            kprintf("blk-back: partition %d: type 0x%x, sectors %u..%u\n", i + 1, part[i].type,
                    part[i].start, part[i].start + part[i].sectors - 1);

    /* The toolstack's part: one block device per domU, d1 .. d<fronts>,
     * domU k on partition k -- or, with vms, free slots for the devices
     * xl will make. */
    for (uint32_t i = 0; i < nfronts; i++) {
        struct blk_backend *be = &backends[i];
        be->taken = page_alloc();
        if (!be->taken) {
            kprintf("blk-back: FAIL: no memory for a ring's requests\n");
            return 1;
        }
        if (vms) {
            be->done = 1;              /* free */
            continue;
        }
        be->front = (domid_t)(i + 1);
        be->start = part[i].start;
        be->sectors = part[i].sectors;
        r = part[i].type ? device_create(DEV_TYPE_BLOCK, be->front, (domid_t)boot_info.domid,
                                         &be->id) : -HV_ENODEV;
        kprintf("blk-back: device %u for d%u: partition %u, sectors %u..%u (%d)\n", be->id,
                be->front, i + 1, be->start, be->start + be->sectors - 1, r);
        if (r < 0)
            be->done = 1;
    }
    uint32_t seen = io_events;
    for (;;) {
        uint32_t before = io_events;
        int progress = vms ? adopt() : 0, left = 0;
        for (uint32_t i = 0; i < nfronts; i++) {
            progress |= step(&backends[i]);
            left += !backends[i].done;
        }
        progress |= round_once();
        if (!left && (!vms || toolstack_quit))
            break;
        if (!progress) {
            seen = before;             /* anything since we started looking */
            io_wait(&seen);
        }
    }
    int f = ide_flush();
    uint32_t served = gone_served, refused = gone_refused, ooo = gone_ooo;
    for (uint32_t i = 0; i < nfronts; i++) {
        served += backends[i].served;
        refused += backends[i].refused;
        ooo += backends[i].out_of_order;
    }
    kprintf("blk-back: all %u devices closed: %u requests served, %u refused, %u out of order, "
            "in %u rounds\n", vms ? adopted : nfronts, served, refused, ooo, rounds);
    kprintf("blk-back: disk: %u commands, %u interrupts; cache flushed (%d)\n", ide_commands,
            ide_irqs, f);
    refusals_print();
    return 0;
}
