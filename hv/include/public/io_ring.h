/*
 * hv/include/public/io_ring.h — the I/O ring: one shared page of requests
 * and responses between a front end and a back end, and the few functions
 * both sides use on it.
 *
 * Where this sits in the story (course: split drivers, "data through shared
 * asynchronous rings of descriptors; requests and responses can happen in
 * any order"): a front end (the driver in a domU) and a back end (the
 * driver in dom0 that owns the real device) share one page -- the front
 * end grants it, the back end maps it -- and talk through it:
 *
 *       front end                      shared page                      back end
 *   req_prod_pvt --- puts requests ---> [ req req req .. ] --- takes ---> req_cons
 *   rsp_cons    <--- takes responses -- [ rsp rsp .. ]    <-- puts ----- rsp_prod_pvt
 *
 * Requests and responses share the IO_RING_SLOTS slots: a request's slot
 * is reused for a response once the back end has taken the request.  Each
 * side has a PRODUCER index in the page (req_prod written by the front
 * end, rsp_prod by the back end), which it moves only after the slots are
 * written ("publishing" a batch), and a CONSUMER index of its own, in its
 * private memory (rsp_cons, req_cons), which nobody else needs.  Responses
 * come in the order the back end finishes, not the order of the requests:
 * each request carries an id the front end chose and its response carries
 * it back, so the front end matches them (a disk serves requests in
 * elevator order; packets arrive when they arrive).
 *
 * FREE-RUNNING INDICES.  The indices only ever grow, wrapping around at
 * 2^32; a slot is index & (IO_RING_SLOTS - 1), so the ring size is a power
 * of two dividing 2^32.  "How many are waiting" is a difference, prod -
 * cons, which unsigned arithmetic gets right across the wrap.  Nothing is
 * ever reset to 0.
 *
 * NOTIFICATION SUPPRESSION.  After publishing, a side notifies the other
 * over an event channel -- but only if the other side asked: each consumer
 * writes in the page the index whose arrival should wake it (req_event for
 * the back end, rsp_event for the front end).  A producer that moved its
 * index from old to new notifies iff that index lies in (old, new]:
 * (new - event) < (new - old).  A consumer busy working does not ask, so a
 * producer adding to its queue costs no event at all; only a consumer
 * about to sleep asks, with the classic re-check that closes the race:
 * write event = cons + 1, full barrier, look at prod once more
 * (io_front_final_check, io_back_final_check) -- a request published
 * between the last look and the write would otherwise sleep forever.
 *
 * THE OTHER SIDE IS HOSTILE.  Everything in the page may be written by
 * the other domain at any moment, so:
 *   - a slot is COPIED into private memory before it is looked at
 *     (io_back_get_request, io_front_get_response): checking a request in
 *     the shared page and then using it lets the front end change it in
 *     between;
 *   - a slot index is always masked: no value of an index reaches outside
 *     the ring;
 *   - a producer index that claims more than the ring can hold -- more
 *     requests than free slots, more responses than requests in flight,
 *     or an index that went backwards -- is refused: the consumer sees
 *     nothing to take and `broken` says why, so the driver can disconnect
 *     the other side instead of spinning through garbage.
 *
 * Xen's ring (xen/include/public/io/ring.h) is the same design written as
 * macros that declare a ring type per device; here the ring is one type
 * with fixed-size slots, and each device's request and response structures
 * (at most IO_RING_SLOT_BYTES each) are copied in and out by length.  The
 * front end, the back end and tests/unit/test_io_ring.c all use these
 * functions: there is one copy of the index arithmetic.
 */
#ifndef HVKIT_PUBLIC_IO_RING_H
#define HVKIT_PUBLIC_IO_RING_H

#include <stdint.h>

#define IO_RING_SLOTS        32u       /* a power of two */
#define IO_RING_SLOT_BYTES   112u      /* the largest request or response */

struct io_ring_slot {
    uint8_t bytes[IO_RING_SLOT_BYTES];
};

/* The shared page. */
struct io_sring {
    uint32_t req_prod;         /* front end: requests published up to here */
    uint32_t req_event;        /* back end: notify me when req_prod passes this */
    uint32_t rsp_prod;         /* back end: responses published up to here */
    uint32_t rsp_event;        /* front end: notify me when rsp_prod passes this */
    uint8_t  pad[48];
    struct io_ring_slot ring[IO_RING_SLOTS];
};
_Static_assert(sizeof(struct io_sring) == 64 + IO_RING_SLOTS * IO_RING_SLOT_BYTES,
               "io_sring: a 64-byte header and the slots");
_Static_assert(sizeof(struct io_sring) <= 4096, "io_sring: one page");
_Static_assert((IO_RING_SLOTS & (IO_RING_SLOTS - 1)) == 0, "IO_RING_SLOTS: a power of two");

/* Each side's private state. */
struct io_front {
    struct io_sring *s;
    uint32_t req_prod_pvt;     /* requests written, not all published yet */
    uint32_t rsp_cons;         /* responses taken */
};
struct io_back {
    struct io_sring *s;
    uint32_t rsp_prod_pvt;     /* responses written, not all published yet */
    uint32_t req_cons;         /* requests taken */
};

/* ---- the shared indices: read and written once, in order ----------------- */

static inline uint32_t io_ring_load(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);    /* what follows reads after it */
}
static inline void io_ring_store(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);       /* what precedes is written first */
}
/* The full barrier of the final checks: the store of an event index must
 * be visible before the producer index is read again. */
static inline void io_ring_mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline struct io_ring_slot *io_ring_slot(struct io_sring *s, uint32_t idx)
{
    return &s->ring[idx & (IO_RING_SLOTS - 1)];
}

/* Did moving a producer from old to new pass the consumer's event index? */
static inline int io_ring_need_notify(uint32_t old, uint32_t new_prod, uint32_t event)
{
    return (uint32_t)(new_prod - event) < (uint32_t)(new_prod - old);
}

/* ---- the front end --------------------------------------------------------- */

/* A new ring, in a page the front end owns (zeroed or not): empty, every
 * index at `start` (0 in drivers; the tests start near 2^32 to cross the
 * wrap), and both sides asking for the first notification. */
static inline void io_front_init(struct io_front *f, struct io_sring *s, uint32_t start)
{
    s->req_prod = s->rsp_prod = start;
    s->req_event = s->rsp_event = start + 1;
    f->s = s;
    f->req_prod_pvt = f->rsp_cons = start;
    io_ring_mb();
}

/* Slots free for new requests: the ring less the requests whose responses
 * we have not taken. */
static inline uint32_t io_front_free(const struct io_front *f)
{
    return IO_RING_SLOTS - (f->req_prod_pvt - f->rsp_cons);
}

/* Write one request (len bytes) into the next slot.  0, or -1 if the ring
 * is full or the request too big.  Not visible until io_front_push_requests. */
static inline int io_front_put_request(struct io_front *f, const void *req, uint32_t len)
{
    if (len > IO_RING_SLOT_BYTES || io_front_free(f) == 0)
        return -1;
    __builtin_memcpy(io_ring_slot(f->s, f->req_prod_pvt), req, len);
    f->req_prod_pvt++;
    return 0;
}

/* Publish the requests written: 1 if the back end must be notified, 0 if
 * it did not ask (it is busy and will see them anyway). */
static inline int io_front_push_requests(struct io_front *f)
{
    uint32_t old = f->s->req_prod, new_prod = f->req_prod_pvt;
    io_ring_store(&f->s->req_prod, new_prod);
    io_ring_mb();
    return io_ring_need_notify(old, new_prod, io_ring_load(&f->s->req_event));
}

/* Responses waiting to be taken.  The back end cannot answer more
 * requests than are in flight: if rsp_prod says otherwise (or went
 * backwards), *broken = 1 and nothing is to be taken. */
static inline uint32_t io_front_responses(const struct io_front *f, int *broken)
{
    uint32_t avail = io_ring_load(&f->s->rsp_prod) - f->rsp_cons;   /* backwards: huge */
    uint32_t in_flight = f->req_prod_pvt - f->rsp_cons;
    *broken = avail > in_flight;
    return *broken ? 0 : avail;
}

/* Copy the next response (len bytes) out of its slot and take it.  Only
 * after io_front_responses said there is one. */
static inline void io_front_get_response(struct io_front *f, void *rsp, uint32_t len)
{
    if (len > IO_RING_SLOT_BYTES)
        len = IO_RING_SLOT_BYTES;
    __builtin_memcpy(rsp, io_ring_slot(f->s, f->rsp_cons), len);
    f->rsp_cons++;
}

/* About to wait: ask for a notification at the next response, then look
 * once more.  1 if a response is there after all (do not wait). */
static inline int io_front_final_check(struct io_front *f)
{
    int broken;
    if (io_front_responses(f, &broken) || broken)
        return 1;
    io_ring_store(&f->s->rsp_event, f->rsp_cons + 1);
    io_ring_mb();
    return io_front_responses(f, &broken) != 0 || broken;
}

/* ---- the back end ---------------------------------------------------------- */

/* Take over a ring the front end initialised: start where its responses
 * stand (an honest front end has just set every index equal). */
static inline void io_back_init(struct io_back *b, struct io_sring *s)
{
    b->s = s;
    b->rsp_prod_pvt = b->req_cons = io_ring_load(&s->rsp_prod);
}

/* Requests waiting to be taken, at most as many as we may still take
 * before answering (the ring holds IO_RING_SLOTS in all).  A front end
 * that published more than that, or moved req_prod backwards, is broken:
 * *broken = 1 and nothing is to be taken. */
static inline uint32_t io_back_requests(const struct io_back *b, int *broken)
{
    /* Measured from our oldest unanswered request: the front end may have
     * published at most a ring's worth beyond it, and at least what we
     * took already. */
    uint32_t ahead = io_ring_load(&b->s->req_prod) - b->rsp_prod_pvt;
    uint32_t taken = b->req_cons - b->rsp_prod_pvt;
    *broken = ahead > IO_RING_SLOTS || ahead < taken;
    return *broken ? 0 : ahead - taken;
}

/* Copy the next request (len bytes) into private memory and take it.  Only
 * after io_back_requests said there is one.  Check the copy, never the
 * slot: the front end may rewrite the slot at any time. */
static inline void io_back_get_request(struct io_back *b, void *req, uint32_t len)
{
    if (len > IO_RING_SLOT_BYTES)
        len = IO_RING_SLOT_BYTES;
    __builtin_memcpy(req, io_ring_slot(b->s, b->req_cons), len);
    b->req_cons++;
}

/* Write one response (len bytes).  0, or -1 if it is too big or would
 * answer more requests than were taken. */
static inline int io_back_put_response(struct io_back *b, const void *rsp, uint32_t len)
{
    if (len > IO_RING_SLOT_BYTES || b->rsp_prod_pvt == b->req_cons)
        return -1;
    __builtin_memcpy(io_ring_slot(b->s, b->rsp_prod_pvt), rsp, len);
    b->rsp_prod_pvt++;
    return 0;
}

/* Publish the responses written: 1 if the front end must be notified. */
static inline int io_back_push_responses(struct io_back *b)
{
    uint32_t old = b->s->rsp_prod, new_prod = b->rsp_prod_pvt;
    io_ring_store(&b->s->rsp_prod, new_prod);
    io_ring_mb();
    return io_ring_need_notify(old, new_prod, io_ring_load(&b->s->rsp_event));
}

/* About to wait: ask for a notification at the next request, look once
 * more.  1 if there is a request after all (or the front end is broken:
 * the caller must look at why before waiting). */
static inline int io_back_final_check(struct io_back *b)
{
    int broken;
    if (io_back_requests(b, &broken) || broken)
        return 1;
    io_ring_store(&b->s->req_event, b->req_cons + 1);
    io_ring_mb();
    return io_back_requests(b, &broken) != 0 || broken;
}

#endif
