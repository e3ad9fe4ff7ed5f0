/*
 * hv/trace/trace.h — the hypervisor's trace emitters.
 *
 * Every emit call writes one struct trace_record (hv/include/public/trace.h)
 * into the trace ring, which the host reads through shared memory.  The
 * emitters are inline because they sit on hot paths (every hypercall); the
 * budget is about thirty instructions for an enabled event and a single
 * compare-and-branch when tracing is off (`trace=off`).
 *
 * Optimization: everything below about trace_next, trace_stop, the
 * combined header words and incl.  The plain version of an emitter is
 *     if (!trace_enabled) return;
 *     if (prod - cons == nr_records) { count a loss; return; }
 *     struct trace_record *t = &records[prod % nr_records];
 *     ...fill in every field...;  prod++;
 * with a LOST record written first when a loss is pending.  That is what
 * the code still does, only arranged so that the common case is one
 * compare: 47 instructions per 7-argument record became 30, before
 * since_entry added its few (docs/performance.md, "Tracing", has the
 * cost as measured now).  A first reading can take
 * trace_begin() as "the plain version" and skip the rest.
 *
 * How the fast path stays short (docs/trace-format.md, "Cost"):
 *   - the hypervisor keeps a pointer to the next free slot (trace_next) and
 *     a pointer where the fast path must stop (trace_stop): the end of the
 *     record array, or the first slot the reader has not freed yet, or the
 *     next slot itself while a loss waits to be reported.  So ONE compare
 *     covers "ring full", "wrap to slot 0" and "LOST record due"; everything
 *     else is in trace_slot_slow(), out of line;
 *   - no division, modulo or multiply: the slot is a pointer that moves by
 *     one record, and the ring size is a power of two;
 *   - the time stamp is the rdtsc instruction itself, inline (in the
 *     hypervisor); host unit tests supply trace_clock() instead;
 *   - event+domain and cpu+nargs+since_entry are written as one 32-bit
 *     word each (the record layout is unchanged: little-endian, the same
 *     bytes);
 *   - since_entry, the time since this entry into the hypervisor began, is
 *     the stamp's low half less trace_entry_tsc (set by trace_entered(),
 *     from trap()), clamped to 16 bits: a subtraction, a compare and a
 *     conditional move.  It is what makes a hypercall's path length exact
 *     in the trace: the record is written as the call returns.
 *
 * This file and trace.c do not touch hardware except through the TSC, so
 * they also compile on the host, where the unit tests drive them.
 */
#ifndef HV_TRACE_H
#define HV_TRACE_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/trace.h"

/* The one ring, and whether events are recorded at all.  Globals, not a
 * structure passed around: every emitter is inline at its call site, and
 * a global's address is a constant in the instruction. */
extern struct trace_ring *trace_ring;
extern uint32_t trace_enabled;
extern uint32_t trace_seq;
extern uint32_t trace_lost_pending;   /* dropped, no LOST record written yet */
/* The fast path's two pointers (see above); only trace.c moves trace_stop. */
extern struct trace_record *trace_next;
extern struct trace_record *trace_stop;
extern volatile uint32_t *trace_prod;  /* = &trace_ring->prod, one load less */
extern uint32_t trace_entry_tsc;       /* low half of the tsc when the current
                                          entry into the hypervisor began */

/* Time stamp for records: rdtsc in the hypervisor (hv/core/main.c), a fake clock
 * that the host tests set.  trace_stamp() is what the fast path uses: the
 * rdtsc instruction itself in the hypervisor, no call. */
uint64_t trace_clock(void);
#ifdef HV
static inline uint64_t trace_stamp(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
#else
static inline uint64_t trace_stamp(void)
{
    return trace_clock();
}
#endif

/* Format `bytes` of memory at `mem` as an empty ring; enabled = trace=on. */
void trace_init(void *mem, uint32_t bytes, uint32_t tsc_khz, int enabled);

/* For the host tests of the 2^32 wrap: start both ring indices at idx (the
 * ring must be empty).  The hypervisor itself never calls this. */
void trace_set_indices(uint32_t idx);

/*
 * The slow path: wrap to slot 0, ring full (count a loss, use up a sequence
 * number, return NULL), or a loss to report first.  Returns the slot to
 * fill, and leaves trace_next/trace_stop right for the next event.
 */
struct trace_record *trace_slot_slow(void);

/* counter++ as one read-modify-write instruction (incl) in the hypervisor:
 * GCC would load, add and store.  Not atomic, and need not be: there is one
 * CPU, and only the hypervisor writes these counters. */
static inline void trace_count(volatile uint32_t *counter)
{
#ifdef HV
    __asm__ __volatile__("incl %0" : "+m"(*counter));
#else
    (*counter)++;
#endif
}

/* An entry into the hypervisor begins (trap(): from a guest, or an
 * interrupt): the time every record written for it counts from. */
static inline void trace_entered(void)
{
    if (trace_enabled)
        trace_entry_tsc = (uint32_t)trace_stamp();
}

/*
 * Claim the next slot and stamp it, or NULL if the event must be dropped.
 * `head` is event | domain << 16, `tail` is cpu | nargs << 8 | since_entry
 * << 16: the 32-bit words at offsets 12 and 16 of the record.
 */
static inline struct trace_record *trace_begin(uint16_t ev, uint16_t dom, uint8_t nargs)
{
    struct trace_record *t = trace_next;
    if (__builtin_expect(t == trace_stop, 0)) {
        t = trace_slot_slow();
        if (!t)
            return 0;
    }
    trace_next = t + 1;
    uint64_t now = trace_stamp();
    t->tsc = now;
    t->seq = trace_seq;
    trace_count(&trace_seq);
    uint32_t since = (uint32_t)now - trace_entry_tsc;
    if (since > TRACE_SINCE_MAX)
        since = TRACE_SINCE_MAX;
    uint32_t head = (uint32_t)ev | (uint32_t)dom << 16;
    uint32_t tail = (uint32_t)nargs << 8 | since << 16;     /* cpu 0 */
    __builtin_memcpy(&t->event, &head, 4);
    __builtin_memcpy(&t->cpu, &tail, 4);
    return t;
}

/* Publish a filled slot: the reader may see it once prod moves past it.
 * The reader is another program on the host, reading the guest RAM file
 * while the machine runs, so the order of the stores is the whole
 * protocol: the record first, the index after (and the reader reads the
 * index first, the record after). */
static inline void trace_publish(void)
{
    __asm__ __volatile__("" ::: "memory");  /* x86 keeps stores in order; stop
                                               the compiler reordering them */
    trace_count(trace_prod);
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
