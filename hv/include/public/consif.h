/*
 * hv/include/public/consif.h — the split console's shared page: two byte
 * rings, `out` (the domU's output, to dom0) and `in` (typed input, from
 * dom0), and the few functions both ends use on them.
 *
 * Where this sits in the story (course: split drivers; "a simplified
 * front end in every guest, the back end in dom0 with the hardware"): a
 * domU's console is not the serial port -- the hypervisor owns COM1 -- but
 * a page it shares with dom0's console back end (con-back), which prints
 * each whole line on the domain's behalf, prefixed "(dN) ", and puts what
 * the user types for that domain into its `in` ring.  console_io stays the
 * EMERGENCY console: the way out before the ring is connected, and for a
 * panic, when the kernel trusts none of its own machinery.
 *
 *        domU (front end)              shared page                dom0 (con-back)
 *   kprintf -- out_prod++ ---> [ out: 2048 bytes ] --- out_cons++ --> "(dN) line"
 *   reader  <-- in_cons++ ---- [ in:  1024 bytes ] <-- in_prod++ ---- "dN: text" typed
 *
 * WHY A BYTE RING, NOT io_ring.h.  A console is a byte stream each way;
 * nothing is requested and nothing answered, so the request/response slots
 * of io_ring.h (112 bytes each, matched by id) would carry one message per
 * slot and waste most of the page.  This is Xen's console page
 * (xen/include/public/io/console.h, the same `in`, `out` and their four
 * indices at the same offsets), plus two event indices of our own: Xen's
 * console notifies on every write, and the ring's lesson -- notify only a
 * consumer that asked -- is cheap to keep here.
 *
 * Each ring has a PRODUCER index and a CONSUMER index, both in the page,
 * both FREE-RUNNING (they only grow, wrapping at 2^32; a byte's place is
 * index & (SIZE - 1); "how many" is prod - cons, right across the wrap).
 * The producer writes bytes, then moves prod; the consumer copies bytes
 * out, then moves cons.
 *
 * NOTIFICATION SUPPRESSION (io_ring.h's rule, one index per ring): a
 * consumer about to sleep writes `*_event = cons + 1`, a full barrier, and
 * looks at prod once more; a producer that moved prod from old to new
 * sends an event only if *_event lies in (old, new].  A busy consumer
 * costs the producer no event at all.
 *
 * THE OTHER SIDE IS HOSTILE.  Every index can be rewritten at any moment:
 *   - a consumer reads prod ONCE per look, and refuses a ring whose
 *     prod - cons is more than the ring holds (cons_avail: *broken), so a
 *     front end that publishes out_prod far past out_cons gets nothing
 *     printed and is disconnected, not a walk through garbage;
 *   - a producer keeps its own copy of where it wrote (prod_pvt) and reads
 *     the other side's cons only to see how much is free, refusing one
 *     that claims more consumed than produced (cons_free: *broken);
 *   - every byte position is masked: no index reaches outside the ring;
 *   - bytes are copied out before they are looked at.
 * The page belongs to the front end (it grants it); the back end maps it.
 * tests/unit/test_consif.c drives both ends on the host, including the
 * 2^32 wrap and every hostile index.
 */
#ifndef HVKIT_PUBLIC_CONSIF_H
#define HVKIT_PUBLIC_CONSIF_H

#include <stdint.h>

#define CONS_IN_SIZE   1024u          /* dom0 -> domU; powers of two */
#define CONS_OUT_SIZE  2048u          /* domU -> dom0 */

struct cons_page {
    uint8_t  in[CONS_IN_SIZE];        /* typed input, produced by the back end */
    uint8_t  out[CONS_OUT_SIZE];      /* output, produced by the front end */
    uint32_t in_cons, in_prod;        /* in:  front end consumes, back end produces */
    uint32_t out_cons, out_prod;      /* out: back end consumes, front end produces */
    uint32_t in_event;                /* front end: notify me when in_prod passes this */
    uint32_t out_event;               /* back end: notify me when out_prod passes this */
};
_Static_assert(sizeof(struct cons_page) == 3096, "cons_page: 3096 bytes");
_Static_assert(sizeof(struct cons_page) <= 4096, "cons_page: one page");

/* One direction, as its two ends see it: the producer's and the consumer's
 * view of one ring, so both rings share one copy of the arithmetic. */
struct cons_ring {
    uint8_t  *buf;
    uint32_t *cons, *prod, *event;    /* in the shared page */
    uint32_t  size;                   /* CONS_IN_SIZE or CONS_OUT_SIZE */
    uint32_t  pad;                    /* the same layout for 4- and 8-byte pointers */
};

static inline struct cons_ring cons_out_ring(struct cons_page *p)
{
    return (struct cons_ring){ p->out, &p->out_cons, &p->out_prod, &p->out_event, CONS_OUT_SIZE, 0 };
}
static inline struct cons_ring cons_in_ring(struct cons_page *p)
{
    return (struct cons_ring){ p->in, &p->in_cons, &p->in_prod, &p->in_event, CONS_IN_SIZE, 0 };
}

static inline uint32_t cons_load(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void cons_store(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline void cons_mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A fresh page (the front end's, zeroed or not): both rings empty at
 * `start` (0 in drivers; the tests start near 2^32), and both consumers
 * asking for the first byte. */
static inline void cons_page_init(struct cons_page *p, uint32_t start)
{
    p->in_cons = p->in_prod = p->out_cons = p->out_prod = start;
    p->in_event = p->out_event = start + 1;
    cons_mb();
}

/* ---- the producer ---------------------------------------------------------- */

/* Bytes free for the producer, whose own index is prod_pvt.  A consumer
 * index ahead of it, or more than a ring behind it, is impossible:
 * *broken = 1 and nothing is free. */
static inline uint32_t cons_free(const struct cons_ring *r, uint32_t prod_pvt, int *broken)
{
    uint32_t used = prod_pvt - cons_load(r->cons);     /* cons ahead: huge */
    *broken = used > r->size;
    return *broken ? 0 : r->size - used;
}

/* Write up to n bytes at prod_pvt, as many as are free; how many were
 * written (0 if full or broken).  Not visible until cons_publish. */
static inline uint32_t cons_write(const struct cons_ring *r, uint32_t *prod_pvt,
                                  const void *bytes, uint32_t n)
{
    int broken;
    uint32_t room = cons_free(r, *prod_pvt, &broken);
    if (n > room)
        n = room;
    for (uint32_t i = 0; i < n; i++)
        r->buf[(*prod_pvt + i) & (r->size - 1)] = ((const uint8_t *)bytes)[i];
    *prod_pvt += n;
    return n;
}

/* Publish what was written up to prod_pvt: 1 if the consumer asked to be
 * notified (its event index was passed), 0 if it is busy. */
static inline int cons_publish(const struct cons_ring *r, uint32_t prod_pvt)
{
    uint32_t old = *r->prod;
    cons_store(r->prod, prod_pvt);
    cons_mb();
    uint32_t ev = cons_load(r->event);
    return (uint32_t)(prod_pvt - ev) < (uint32_t)(prod_pvt - old);
}

/* ---- the consumer ---------------------------------------------------------- */

/* Bytes waiting for the consumer, whose own index is cons_pvt, with prod
 * read once into *prod_seen.  More than the ring holds (or prod behind
 * us) is impossible: *broken = 1 and nothing is waiting. */
static inline uint32_t cons_avail(const struct cons_ring *r, uint32_t cons_pvt,
                                  uint32_t *prod_seen, int *broken)
{
    *prod_seen = cons_load(r->prod);
    uint32_t n = *prod_seen - cons_pvt;                 /* prod behind: huge */
    *broken = n > r->size;
    return *broken ? 0 : n;
}

/* Copy up to n of the `avail` waiting bytes out, advancing cons_pvt; how
 * many.  The shared cons moves in cons_consumed. */
static inline uint32_t cons_read(const struct cons_ring *r, uint32_t *cons_pvt,
                                 uint32_t avail, void *bytes, uint32_t n)
{
    if (n > avail)
        n = avail;
    for (uint32_t i = 0; i < n; i++)
        ((uint8_t *)bytes)[i] = r->buf[(*cons_pvt + i) & (r->size - 1)];
    *cons_pvt += n;
    return n;
}

static inline void cons_consumed(const struct cons_ring *r, uint32_t cons_pvt)
{
    cons_store(r->cons, cons_pvt);
}

/* About to sleep: ask for an event at the next byte, look once more.  1 if
 * something arrived after all (or the ring broke): do not sleep. */
static inline int cons_final_check(const struct cons_ring *r, uint32_t cons_pvt)
{
    uint32_t seen;
    int broken;
    if (cons_avail(r, cons_pvt, &seen, &broken) || broken)
        return 1;
    cons_store(r->event, cons_pvt + 1);
    cons_mb();
    return cons_avail(r, cons_pvt, &seen, &broken) != 0 || broken;
}

#endif
