/*
 * minios-guest/workloads/blkfront.c — the split block device's front end
 * and its workload (program blk-front, a domU): write a known pattern to
 * the virtual disk, read it back, verify.
 *
 * Where this sits in the story (course: split drivers, "a simplified front
 * end in every guest"; "the guest passes a page for dom0 to write into";
 * "disk data arrives only after a request"): the domU has no disk and no
 * I/O port; all it has is a DEV_TYPE_BLOCK device in the device store whose
 * back end (dom0's blk-back) published the disk's size.  It grants its
 * buffer pages to dom0 once, writable, and keeps `batch` requests in
 * flight on the ring; each request names its pages by grant
 * (public/blkif.h).  The responses come back in the back end's (elevator)
 * order, and are matched by id.
 *
 * Command line:
 *   sectors=N   sectors to write and read back, from sector 0 (default 256)
 *   per=P       sectors per request (default 8: one page)
 *   batch=B     requests in flight (default 8)
 *   pattern=K   the pattern's key (default: the domain's id); 32-bit word
 *               j of disk sector s is blk_pattern(K, s, j), which the
 *               host's tests/io/check-disk.py computes the same way
 *   seq=1       the requests in order of sector (default: a permutation
 *               that jumps about the disk, "random")
 *   attack=1    be hostile too (block-attacks): first requests past the
 *               disk, bad counts and ops, grants not made to dom0, a read
 *               into a read-only grant; then the workload (with batch=32,
 *               a flood: every push fills the ring); last a req_prod far
 *               ahead, for which dom0 disconnects us
 *
 * The bench line: the events both sides raised per 100 requests
 * (notification suppression at work: with batch=1 about two per request,
 * fewer with more in flight).  The throughput is measured by the back end,
 * which can read both domains' CPU time (blkback.c).
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "lib/string.h"
#include "public/blkif.h"
#include "public/io_ring.h"
#include "workloads/workloads.h"

#define BLKF_MAX_PAGES 64              /* buffer pages: batch * pages per request */

/* Word j (0..127) of sector s of a disk written with key k, stored little-
 * endian (check-disk.py computes the same): different in every word of
 * every sector for every key, and cheap -- the workload's own part of a
 * request's cost should be small beside the I/O it measures. */
static uint32_t blk_pattern(uint32_t k, uint32_t s, uint32_t j)
{
    return (k * 0x9E3779B1u) ^ (s * 0x85EBCA77u) ^ (j * 0x01000193u);
}

struct blkfront {
    domid_t me, back;
    struct hv_device dev;
    struct io_front ring;
    evtchn_port_t port;
    int ring_ref;
    uint8_t *page[BLKF_MAX_PAGES];
    int gref[BLKF_MAX_PAGES];
    uint32_t npages;
    uint32_t disk_sectors;
    uint32_t sent, suppressed;
    uint32_t seen;
};

/* Wait until the back end is in `state` (or gave up); its state. */
static uint32_t wait_back(struct blkfront *f, uint32_t state)
{
    for (;;) {
        if (device_find(f->dev.id, &f->dev) < 0)
            return DEV_STATE_UNKNOWN;
        uint32_t s = f->dev.end[DEV_END_BACK].state;
        if (s == state || s == DEV_STATE_CLOSING || s == DEV_STATE_CLOSED)
            return s;
        io_wait(&f->seen);
    }
}

static void push(struct blkfront *f)
{
    int notify = io_front_push_requests(&f->ring);
    if (notify) {
        evtchn_send(f->port);
        f->sent++;
    } else {
        f->suppressed++;
    }
    device_ring_pushed(&f->dev, notify);
}

/* The next response, waiting for it: 0, or -1 if the back end broke the
 * ring or went away. */
static int next_response(struct blkfront *f, struct blkif_response *p)
{
    for (;;) {
        int broken;
        uint32_t avail = io_front_responses(&f->ring, &broken);
        if (broken) {
            kprintf("blk-front: d%u: FAIL: the back end published impossible responses\n", f->me);
            return -1;
        }
        if (avail) {
            io_front_get_response(&f->ring, p, sizeof *p);
            return 0;
        }
        if (io_front_final_check(&f->ring))
            continue;
        if (device_find(f->dev.id, &f->dev) == 0 &&
            f->dev.end[DEV_END_BACK].state != DEV_STATE_CONNECTED)
            return -1;                 /* disconnected (the attacks expect it) */
        io_wait(&f->seen);
    }
}

/* ---- the workload: write, read back, verify ----------------------------- */

struct slot {
    uint32_t id;                       /* 0: free */
    uint32_t sector, count, op;
};

/* Put one request for chunk c on the ring, its data in pages [k*pp, k*pp+pp). */
static void put(struct blkfront *f, struct slot *sl, uint32_t k, uint32_t pp, uint32_t id,
                uint32_t op, uint32_t sector, uint32_t count, uint32_t key)
{
    struct blkif_request q = { .id = id, .op = (uint16_t)op, .count = (uint16_t)count,
                               .sector = sector };
    for (uint32_t j = 0; j < pp; j++)
        q.gref[j] = (uint32_t)f->gref[k * pp + j];
    if (op == BLKIF_OP_WRITE) {
        for (uint32_t s = 0; s < count; s++) {
            uint32_t *w = (uint32_t *)(f->page[k * pp + s / 8] + (s % 8) * BLKIF_SECTOR_SIZE);
            for (uint32_t j = 0; j < BLKIF_SECTOR_SIZE / 4; j++)
                w[j] = blk_pattern(key, sector + s, j);
        }
    } else {
        for (uint32_t j = 0; j < pp; j++)
            memset(f->page[k * pp + j], 0, 4096);     /* what comes back is the disk's */
    }
    sl[k] = (struct slot){ id, sector, count, op };
    io_front_put_request(&f->ring, &q, sizeof q);
}

/* Chunk number n of `chunks` in the order asked for: in sequence, or a
 * fixed permutation that jumps about the disk (n * stride, for a stride
 * near half the disk with no factor in common with it). */
static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint32_t chunk_at(uint32_t n, uint32_t chunks, int random)
{
    if (!random || chunks < 3)
        return n;
    uint32_t stride = chunks / 2 + 1;
    while (gcd(stride, chunks) != 1)
        stride++;
    return (n * stride + 1) % chunks;
}

/* One pass over the sectors with op; counts bad responses. */
static int pass(struct blkfront *f, uint32_t op, uint32_t sectors, uint32_t per, uint32_t batch,
                int random, uint32_t key, uint32_t *next_id, uint32_t *out_of_order)
{
    uint32_t pp = (per + 7) / 8, chunks = (sectors + per - 1) / per, issued = 0, done = 0;
    struct slot sl[IO_RING_SLOTS];
    int bad = 0;
    memset(sl, 0, sizeof sl);
    while (done < chunks) {
        /* Fill every free slot, then one push: a batch. */
        int put_any = 0;
        for (uint32_t k = 0; k < batch && issued < chunks; k++) {
            if (sl[k].id)
                continue;
            uint32_t c = chunk_at(issued++, chunks, random), s = c * per;
            uint32_t n = sectors - s < per ? sectors - s : per;
            put(f, sl, k, pp, (*next_id)++, op, s, n, key);
            put_any = 1;
        }
        if (put_any)
            push(f);
        struct blkif_response p;
        if (next_response(f, &p) < 0)
            return -1;
        uint32_t k;
        for (k = 0; k < batch && sl[k].id != p.id; k++)
            ;
        if (k == batch || p.op != sl[k].op) {
            kprintf("blk-front: d%u: FAIL: a response for id %u, which is not in flight\n",
                    f->me, p.id);
            bad++;
            continue;
        }
        for (uint32_t j = 0; j < batch; j++)
            if (sl[j].id && sl[j].id < p.id) {
                (*out_of_order)++;
                break;
            }
        if (p.status != BLKIF_RSP_OKAY) {
            kprintf("blk-front: d%u: FAIL: request %u (sector %u) answered %d\n", f->me, p.id,
                    sl[k].sector, p.status);
            bad++;
        } else if (op == BLKIF_OP_READ) {
            uint32_t wrong = 0;
            for (uint32_t s = 0; s < sl[k].count; s++) {
                const uint32_t *w = (const uint32_t *)(f->page[k * pp + s / 8] +
                                                       (s % 8) * BLKIF_SECTOR_SIZE);
                for (uint32_t j = 0; j < BLKIF_SECTOR_SIZE / 4; j++)
                    wrong += w[j] != blk_pattern(key, sl[k].sector + s, j);
            }
            if (wrong) {
                kprintf("blk-front: d%u: FAIL: sectors %u..%u read back with %u wrong words\n",
                        f->me, sl[k].sector, sl[k].sector + sl[k].count - 1, wrong);
                bad++;
            }
        }
        sl[k].id = 0;
        done++;
    }
    return bad;
}

/* ---- the attacks ---------------------------------------------------------- */

static struct checks checks = { .who = "blk-front" };

/* One hostile request (sl: the buffer's first pages): its status. */
static int32_t lone(struct blkfront *f, uint32_t id, uint32_t op, uint64_t sector,
                    uint32_t count, uint32_t gref0)
{
    struct blkif_request q = { .id = id, .op = (uint16_t)op, .count = (uint16_t)count,
                               .sector = sector };
    for (uint32_t j = 0; j < BLKIF_MAX_PAGES; j++)
        q.gref[j] = j < f->npages ? (uint32_t)f->gref[j] : 0;
    q.gref[0] = gref0;
    io_front_put_request(&f->ring, &q, sizeof q);
    push(f);
    struct blkif_response p;
    if (next_response(f, &p) < 0)
        return 1;
    return p.id == id ? p.status : 2;
}

/* Requests that lie, one at a time: each must come back refused, and
 * nothing of them may reach the disk (check-disk.py looks). */
static void attack_requests(struct blkfront *f, uint32_t *next_id)
{
    uint32_t size = f->disk_sectors, g = (uint32_t)f->gref[0];
    check_eq(&checks, "write the sector past my disk", lone(f, (*next_id)++, BLKIF_OP_WRITE,
             size, 1, g), -HV_ERANGE);
    check_eq(&checks, "write across my disk's end", lone(f, (*next_id)++, BLKIF_OP_WRITE,
             size - 1, 2, g), -HV_ERANGE);
    check_eq(&checks, "read sector 2^63", lone(f, (*next_id)++, BLKIF_OP_READ,
             1ull << 63, 1, g), -HV_ERANGE);
    check_eq(&checks, "write 2^64 - 1 (a wrap-around)", lone(f, (*next_id)++, BLKIF_OP_WRITE,
             ~0ull, 8, g), -HV_ERANGE);
    check_eq(&checks, "count 0", lone(f, (*next_id)++, BLKIF_OP_READ, 0, 0, g), -HV_EINVAL);
    check_eq(&checks, "count 89", lone(f, (*next_id)++, BLKIF_OP_READ, 0, 89, g), -HV_EINVAL);
    check_eq(&checks, "op 7", lone(f, (*next_id)++, 7, 0, 1, g), -HV_ENOSYS);
    check_eq(&checks, "write from grant 300 (never made)", lone(f, (*next_id)++,
             BLKIF_OP_WRITE, 0, 1, 300), -HV_ENOENT);
    /* A grant this domain made -- to d0's neighbour, not to dom0. */
    uint8_t *other = page_alloc();
    int gother = gnttab_grant((domid_t)(f->me == 1 ? 2 : 1), pv_ops.pt_mfn(other), 0);
    check_eq(&checks, "write from a grant made to another domain", lone(f, (*next_id)++,
             BLKIF_OP_WRITE, 0, 1, (uint32_t)gother), -HV_EPERM);
    /* A read-only grant to dom0: fine to write from, not to read into. */
    uint8_t *ro = page_alloc();
    int gro = gnttab_grant(f->back, pv_ops.pt_mfn(ro), 1);
    check_eq(&checks, "read into a read-only grant", lone(f, (*next_id)++, BLKIF_OP_READ, 0, 1,
             (uint32_t)gro), -HV_EACCES);
    check_eq(&checks, "the revocations", gnttab_end((grant_ref_t)gother) |
             gnttab_end((grant_ref_t)gro), 0);
}

static uint32_t attack_ring(struct blkfront *f)
{    /* Last: a req_prod 1000 past what we wrote.  The back end must not
     * serve 1000 slots of garbage: it disconnects us. */
    io_ring_store(&f->ring.s->req_prod, f->ring.req_prod_pvt + 1000);
    evtchn_send(f->port);
    uint32_t bs = wait_back(f, DEV_STATE_CLOSED);
    check_eq(&checks, "dom0 disconnected us for req_prod + 1000", (int)bs, DEV_STATE_CLOSED);
    return bs;
}

/* ---- main --------------------------------------------------------------- */

int blk_front_main(void)
{
    if (!need_pv("blk-front"))
        return 0;
    struct blkfront fr, *f = &fr;
    memset(f, 0, sizeof fr);
    f->me = (domid_t)boot_info.domid;
    uint32_t sectors = (uint32_t)cmdline_int("sectors", 256);
    uint32_t per = (uint32_t)cmdline_int("per", 8);
    uint32_t batch = (uint32_t)cmdline_int("batch", 8);
    uint32_t key = (uint32_t)cmdline_int("pattern", f->me);
    int random = cmdline_int("seq", 0) == 0;
    int attack = cmdline_int("attack", 0);
    uint32_t pp = (per + 7) / 8;
    if (per < 1 || per > BLKIF_MAX_SECTORS || batch < 1 || batch > IO_RING_SLOTS ||
        batch * pp > BLKF_MAX_PAGES || sectors < 1) {
        kprintf("blk-front: FAIL: batch %u of %u sectors does not fit\n", batch, per);
        return 1;
    }
    if (io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("blk-front: FAIL: no device events or grant table\n");
        return 1;
    }
    f->seen = io_events;

    /* 1. The toolstack announces the device; its back end is dom0. */
    while (device_find_front(DEV_TYPE_BLOCK, &f->dev) < 0)
        io_wait(&f->seen);
    f->back = f->dev.end[DEV_END_BACK].dom;
    kprintf("blk-front: d%u: block device %u, back end d%u\n", f->me, f->dev.id, f->back);

    /* 2. The ring, the buffer pages (granted once, writable), a port. */
    struct io_sring *sring = page_alloc();
    io_front_init(&f->ring, sring, 0);
    f->ring_ref = gnttab_grant(f->back, pv_ops.pt_mfn(sring), 0);
    f->npages = batch * pp;
    int bad_grant = f->ring_ref < 0;
    for (uint32_t j = 0; j < f->npages; j++) {
        f->page[j] = page_alloc();
        f->gref[j] = f->page[j] ? gnttab_grant(f->back, pv_ops.pt_mfn(f->page[j]), 0) : -1;
        bad_grant |= f->gref[j] < 0;
    }
    int r = evtchn_alloc_unbound(f->back, &f->port);
    if (bad_grant || r < 0 || f->port >= EVENTS_NR_PORTS) {
        kprintf("blk-front: d%u: FAIL: grants or port (%d)\n", f->me, r);
        return 1;
    }
    io_watch_port(f->port);
    r = device_publish(f->dev.id, (uint32_t)f->ring_ref, f->port, 0);
    if (r == 0)
        r = device_set_state(f->dev.id, DEV_STATE_INITIALISED);
    kprintf("blk-front: d%u: ring grant %d, %u buffer pages granted, port %u: published (%d)\n",
            f->me, f->ring_ref, f->npages, f->port, r);

    /* 3. Connected once the back end is; the disk's size is its news. */
    uint32_t bs = wait_back(f, DEV_STATE_CONNECTED);
    if (bs != DEV_STATE_CONNECTED) {
        kprintf("blk-front: d%u: FAIL: the back end did not connect (state %u)\n", f->me, bs);
        return 1;
    }
    f->disk_sectors = f->dev.end[DEV_END_BACK].info[BLKIF_INFO_SECTORS];
    r = device_set_state(f->dev.id, DEV_STATE_CONNECTED);
    kprintf("blk-front: d%u: connected (%d): disk of %u sectors (%u KiB), %u per request\n",
            f->me, r, f->disk_sectors, f->disk_sectors / 2,
            f->dev.end[DEV_END_BACK].info[BLKIF_INFO_MAX_SECTORS]);
    if (sectors > f->disk_sectors ||
        f->dev.end[DEV_END_BACK].info[BLKIF_INFO_SECTOR_SIZE] != BLKIF_SECTOR_SIZE) {
        kprintf("blk-front: d%u: FAIL: %u sectors do not fit the disk\n", f->me, sectors);
        return 1;
    }

    uint32_t next_id = 1, ooo_w = 0, ooo_r = 0;
    if (attack)
        attack_requests(f, &next_id);

    /* 4. Write, read back, verify. */
    uint32_t events0 = evtchn_count[f->port], sent0 = f->sent, first_id = next_id;
    int bad_w = pass(f, BLKIF_OP_WRITE, sectors, per, batch, random, key, &next_id, &ooo_w);
    int bad_r = bad_w < 0 ? -1 : pass(f, BLKIF_OP_READ, sectors, per, batch, random, key,
                                       &next_id, &ooo_r);
    uint32_t nreq = next_id - first_id, events = evtchn_count[f->port] - events0 + f->sent - sent0;
    kprintf("bench: blk_events_per_100_batch%u %u events\n", batch, events * 100 / nreq);
    kprintf("blk-front: d%u: wrote %u sectors, %u requests, %u answered out of order: %s\n",
            f->me, sectors, (sectors + per - 1) / per, ooo_w, bad_w ? "FAIL" : "PASS");
    kprintf("blk-front: d%u: read back and verified %u sectors, %u answered out of order: %s\n",
            f->me, sectors, ooo_r, bad_r ? "FAIL" : "PASS");
    kprintf("blk-front: d%u: notifications: %u sent, %u suppressed\n", f->me, f->sent,
            f->suppressed);

    if (attack && bad_w == 0 && bad_r == 0) {
        bs = attack_ring(f);
        kprintf("blk-front: %d passed, %d failed\n", checks.passed, checks.failed);
    } else {
        /* 5. Close: the back end unmaps, then our grants are free to revoke. */
        device_set_state(f->dev.id, DEV_STATE_CLOSING);
        bs = wait_back(f, DEV_STATE_CLOSED);
    }
    int ends = gnttab_end((grant_ref_t)f->ring_ref);
    for (uint32_t j = 0; j < f->npages; j++)
        ends |= gnttab_end((grant_ref_t)f->gref[j]);
    evtchn_close(f->port);
    r = device_set_state(f->dev.id, DEV_STATE_CLOSED);
    kprintf("blk-front: d%u: closed (back end %u), grants revoked (%d), %d\n", f->me, bs, ends, r);
    if (attack)
        refusals_print();
    return bad_w != 0 || bad_r != 0 || ends != 0 || checks.failed != 0;
}
