/*
 * hv/trace/trace.c — the trace ring: set-up and the slow paths of the emitters.
 *
 * The fast path is inline in trace.h.  What is here runs rarely: formatting
 * the ring at boot, and what to do when the ring is full.  The policy on a
 * full ring is xentrace's: drop the new event (never overwrite one the reader
 * has not seen), count it, and write one LOST record as soon as there is room
 * again.  Sequence numbers keep counting through the loss, so the gap is also
 * visible in seq.
 *
 * Pure C, no hardware: compiled into the hypervisor and into the host unit
 * tests (tests/unit/), which fill and drain a ring in ordinary memory.
 */
#include "trace/trace.h"

struct trace_ring *trace_ring;
uint32_t trace_enabled;
uint32_t trace_seq;
uint32_t trace_lost_pending;
uint32_t trace_entry_tsc;
struct trace_record *trace_next;
struct trace_record *trace_stop;
volatile uint32_t *trace_prod;

/*
 * Where the fast path must stop, for a ring whose next free index is p:
 * at the first slot the reader still owns (cons + nr_records), or at the end
 * of the record array, whichever comes first.  Past the end the slow path
 * wraps to slot 0.  (When the ring is full this is the next slot itself, so
 * the very next event takes the slow path and is counted as lost.)
 */
static void set_stop(uint32_t p)
{
    struct trace_ring *r = trace_ring;
    uint32_t n = r->nr_records;
    uint32_t slot = p & (n - 1);
    uint32_t room = n - (p - r->cons);          /* free slots */
    uint32_t to_end = n - slot;                 /* slots before the wrap */

    trace_next = &r->records[slot];
    trace_stop = trace_next + (room < to_end ? room : to_end);
}

/*
 * A loss is waiting to be reported: the next event must take the slow path
 * (which writes the LOST record first), whatever room the reader makes in
 * the meantime.  set_stop() would not do: the reader runs concurrently (on
 * the host), and if it frees a slot between our "full" test and set_stop's
 * look at cons, the fast path would publish events ahead of their LOST
 * record.
 */
static void stop_here(uint32_t p)
{
    trace_next = &trace_ring->records[p & (trace_ring->nr_records - 1)];
    trace_stop = trace_next;
}

/* The 8-byte magics, without a library call: this file is built both into
 * the hypervisor (its own lib) and into the host tests (libc), and needs
 * neither. */
static void copy8(char *dst, const char *src)
{
    for (int i = 0; i < 8; i++)
        dst[i] = src[i];
}

void trace_init(void *mem, uint32_t bytes, uint32_t tsc_khz, int enabled)
{
    struct trace_ring *r = mem;
    uint32_t n = 0;
    if (bytes >= sizeof(*r) + sizeof(struct trace_record))
        n = (bytes - sizeof(*r)) / sizeof(struct trace_record);
    if (n == 0) {
        /* Too small for even one record: there is no ring, only "off". */
        trace_ring = 0;
        trace_enabled = 0;
        return;
    }

    /* Round down to a power of two so a slot is index & (n - 1).  It is
     * also what keeps free-running 32-bit indices right when they wrap at
     * 2^32: index % n stays continuous across the wrap only when n divides
     * 2^32 (tests/unit/test_trace_ring.c starts the indices just below). */
    while (n & (n - 1))
        n &= n - 1;

    copy8(r->magic, TRACE_RING_MAGIC);
    r->version = TRACE_FORMAT_VERSION;
    r->record_size = sizeof(struct trace_record);
    r->nr_records = n;
    r->tsc_khz = tsc_khz;
    r->prod = 0;
    r->cons = 0;
    r->lost = 0;
    r->enabled = enabled ? 1 : 0;
    for (int i = 0; i < 6; i++)
        r->reserved[i] = 0;

    trace_seq = 0;
    trace_lost_pending = 0;
    trace_ring = r;
    trace_prod = &r->prod;
    trace_enabled = enabled ? 1 : 0;
    set_stop(0);
}

void trace_set_indices(uint32_t idx)
{
    trace_ring->prod = trace_ring->cons = idx;
    set_stop(idx);
}

struct trace_record *trace_slot_slow(void)
{
    struct trace_ring *r = trace_ring;
    uint32_t used = r->prod - r->cons;

    /* Full: drop this event.  It still uses up a sequence number, so the gap
     * shows; the next event comes here again (trace_stop == trace_next). */
    if (used >= r->nr_records) {
        trace_lost_pending++;
        r->lost++;
        trace_seq++;
        stop_here(r->prod);
        return 0;
    }

    /* Room again after a loss: report it first, then (if there is still a
     * free slot) carry on with the event in hand. */
    if (trace_lost_pending) {
        struct trace_record *t = &r->records[r->prod & (r->nr_records - 1)];
        t->tsc = trace_clock();
        t->seq = trace_seq++;
        t->event = TRC_LOST;
        t->domain = DOMID_HV;
        t->cpu = 0;
        t->nargs = 1;
        t->since_entry = TRACE_SINCE_MAX;     /* not about one entry */
        t->args[0] = trace_lost_pending;
        trace_lost_pending = 0;
        trace_publish();
        if (r->prod - r->cons >= r->nr_records) {
            trace_lost_pending++;
            r->lost++;
            trace_seq++;
            stop_here(r->prod);
            return 0;
        }
    }

    /* The usual reason to be here: the end of the array (wrap to slot 0) or
     * a stop the reader has since moved on. */
    set_stop(r->prod);
    if (trace_next == trace_stop)       /* cannot happen: there is room */
        return 0;
    return trace_next;
}
