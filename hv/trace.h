/*
 * hv/trace.h — the hypervisor's trace emitters.
 *
 * Every emit call writes one struct trace_record (hv/include/public/trace.h)
 * into the trace ring, which the host reads through shared memory.  The
 * emitters are inline because they sit on hot paths (every hypercall); the
 * budget is about 30 instructions for an enabled event and a single
 * compare-and-branch when tracing is off (`trace=off`).
 *
 * This file and trace.c do not touch hardware except through trace_clock(),
 * so they also compile on the host, where the unit tests drive them.
 */
#ifndef HV_TRACE_H
#define HV_TRACE_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/trace.h"

/* The one ring, and whether events are recorded at all. */
extern struct trace_ring *trace_ring;
extern uint32_t trace_enabled;
extern uint32_t trace_seq;
extern uint32_t trace_lost_pending;   /* dropped, no LOST record written yet */

/* Time stamp for records: rdtsc in the hypervisor, settable in host tests. */
uint64_t trace_clock(void);

/* Format `bytes` of memory at `mem` as an empty ring; enabled = trace=on. */
void trace_init(void *mem, uint32_t bytes, uint32_t tsc_khz, int enabled);

/* The slow path: ring full (count a loss) or a loss to report first. */
struct trace_record *trace_slot_slow(void);

/*
 * Claim the next slot, or NULL if the event must be dropped.  The fast path
 * is: ring has room and nothing lost to report.
 */
static inline struct trace_record *trace_slot(void)
{
    struct trace_ring *r = trace_ring;
    uint32_t p = r->prod;
    if (p - r->cons >= r->nr_records || trace_lost_pending)
        return trace_slot_slow();
    return &r->records[p & (r->nr_records - 1)];
}

/* Publish a filled slot: the reader may see it once prod moves past it. */
static inline void trace_publish(void)
{
    __asm__ __volatile__("" ::: "memory");  /* x86 keeps stores in order; stop
                                               the compiler reordering them */
    trace_ring->prod++;
}

static inline struct trace_record *trace_begin(uint16_t ev, uint16_t dom, uint8_t nargs)
{
    struct trace_record *t = trace_slot();
    uint32_t seq = trace_seq++;
    if (!t)
        return 0;
    t->tsc = trace_clock();
    t->seq = seq;
    t->event = ev;
    t->domain = dom;
    t->cpu = 0;
    t->nargs = nargs;
    t->reserved = 0;
    return t;
}

/*
 * The emitters, by number of arguments.  The first test is the "single
 * branch when tracing is off".
 */
static inline void trace1(uint16_t ev, uint16_t dom, uint32_t a0)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 1);
    if (!t) return;
    t->args[0] = a0;
    trace_publish();
}

static inline void trace2(uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 2);
    if (!t) return;
    t->args[0] = a0; t->args[1] = a1;
    trace_publish();
}

static inline void trace3(uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1, uint32_t a2)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 3);
    if (!t) return;
    t->args[0] = a0; t->args[1] = a1; t->args[2] = a2;
    trace_publish();
}

static inline void trace4(uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1,
                          uint32_t a2, uint32_t a3)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 4);
    if (!t) return;
    t->args[0] = a0; t->args[1] = a1; t->args[2] = a2; t->args[3] = a3;
    trace_publish();
}

static inline void trace5(uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1,
                          uint32_t a2, uint32_t a3, uint32_t a4)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 5);
    if (!t) return;
    t->args[0] = a0; t->args[1] = a1; t->args[2] = a2; t->args[3] = a3;
    t->args[4] = a4;
    trace_publish();
}

static inline void trace6(uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1,
                          uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 6);
    if (!t) return;
    t->args[0] = a0; t->args[1] = a1; t->args[2] = a2; t->args[3] = a3;
    t->args[4] = a4; t->args[5] = a5;
    trace_publish();
}

static inline void trace7(uint16_t ev, uint16_t dom, uint32_t a0, uint32_t a1,
                          uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5,
                          uint32_t a6)
{
    if (!trace_enabled) return;
    struct trace_record *t = trace_begin(ev, dom, 7);
    if (!t) return;
    t->args[0] = a0; t->args[1] = a1; t->args[2] = a2; t->args[3] = a3;
    t->args[4] = a4; t->args[5] = a5; t->args[6] = a6;
    trace_publish();
}

#endif
