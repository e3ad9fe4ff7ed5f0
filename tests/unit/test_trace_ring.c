/*
 * tests/unit/test_trace_ring.c — the hypervisor's trace ring (hv/trace/trace.c and
 * the inline emitters in hv/trace/trace.h), driven on the host.
 *
 * Where this sits in the story: the ring is shared between a writer (the
 * hypervisor) and a reader (hvtrace record) that never talk to each other,
 * so its rules must hold exactly: fill, drop when full (never overwrite),
 * count the loss, report it once with a LOST record when room returns, keep
 * sequence numbers counting so the gap shows, survive the 32-bit indices
 * wrapping, and cost nothing when tracing is off.  Here we play the reader by
 * hand, moving ring->cons ourselves.
 *
 * hv/trace/trace.c takes its time stamps from trace_clock(), which in the
 * hypervisor reads the TSC; here it is a fake clock the tests set.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "trace/trace.h"      /* hv/trace/trace.h: the emitters */

/* The fake clock: returns fake_clock, then moves it on by fake_clock_step. */
uint64_t fake_clock = 1000;
uint64_t fake_clock_step = 10;

uint64_t trace_clock(void)
{
    uint64_t t = fake_clock;
    fake_clock += fake_clock_step;
    return t;
}

/* A ring of exactly 8 records in ordinary memory. */
#define NREC 8
static _Alignas(64) unsigned char mem[sizeof(struct trace_ring) + NREC * sizeof(struct trace_record)];

static struct trace_record *slot(uint32_t index)
{
    return &trace_ring->records[index & (trace_ring->nr_records - 1)];
}

static void setup_ring(void)
{
    memset(mem, 0xAA, sizeof mem);
    fake_clock = 1000;
    fake_clock_step = 10;
    trace_init(mem, sizeof mem, 2000000, 1);
}

/* One event whose args say which it was, so order can be checked. */
static void emit(uint32_t n)
{
    trace5(TRC_SCHEDULE, 1, 0, 1, n, 0, 0);
}

TestSuite(trace_ring, .init = setup_ring);

Test(trace_ring, init_formats_an_empty_ring)
{
    struct trace_ring *r = trace_ring;
    cr_assert_eq((void *)r, (void *)mem);
    cr_assert_eq(memcmp(r->magic, TRACE_RING_MAGIC, 8), 0);
    cr_assert_eq(r->version, TRACE_FORMAT_VERSION);
    cr_assert_eq(r->record_size, 48);
    cr_assert_eq(r->nr_records, NREC);
    cr_assert_eq(r->tsc_khz, 2000000);
    cr_assert_eq(r->prod, 0);
    cr_assert_eq(r->cons, 0);
    cr_assert_eq(r->lost, 0);
    cr_assert_eq(r->enabled, 1);
    cr_assert_eq(trace_seq, 0);
}

Test(trace_ring, init_rounds_down_to_a_power_of_two)
{
    /* Room for 11 records: the ring uses 8, so a slot is index & 7. */
    static unsigned char big[sizeof(struct trace_ring) + 11 * sizeof(struct trace_record)];
    trace_init(big, sizeof big, 1, 1);
    cr_assert_eq(trace_ring->nr_records, 8);
}

Test(trace_ring, records_carry_everything_the_emitter_was_given)
{
    trace7(TRC_HYPERCALL, 3, 18, 1, 2, 3, 4, 5, (uint32_t)-HV_EINVAL);
    struct trace_record *t = slot(0);
    cr_assert_eq(trace_ring->prod, 1);
    cr_assert_eq(t->tsc, 1000);
    cr_assert_eq(t->seq, 0);
    cr_assert_eq(t->event, TRC_HYPERCALL);
    cr_assert_eq(t->domain, 3);
    cr_assert_eq(t->cpu, 0);
    cr_assert_eq(t->nargs, 7);
    uint32_t want[7] = { 18, 1, 2, 3, 4, 5, (uint32_t)-HV_EINVAL };
    cr_assert_arr_eq(t->args, want, sizeof want);
}

Test(trace_ring, fills_then_drops_and_counts)
{
    for (uint32_t i = 0; i < NREC; i++)
        emit(i);
    cr_assert_eq(trace_ring->prod, NREC);
    cr_assert_eq(trace_ring->lost, 0);

    /* Full: three more are dropped, nothing is overwritten. */
    unsigned char before[sizeof mem];
    memcpy(before, mem, sizeof mem);
    emit(100);
    emit(101);
    emit(102);
    cr_assert_eq(trace_ring->prod, NREC);
    cr_assert_eq(trace_ring->lost, 3);
    cr_assert_eq(trace_lost_pending, 3);
    cr_assert_eq(memcmp(before + 64, mem + 64, sizeof mem - 64), 0, "a full ring was written to");
    /* The dropped events still used up sequence numbers. */
    cr_assert_eq(trace_seq, NREC + 3);
}

Test(trace_ring, one_lost_record_when_room_returns_and_seq_shows_the_gap)
{
    for (uint32_t i = 0; i < NREC + 3; i++)     /* 8 kept, 3 dropped */
        emit(i);

    trace_ring->cons += 2;                      /* the reader frees two slots */
    emit(200);

    /* First the LOST record, then the event that found room. */
    cr_assert_eq(trace_ring->prod, NREC + 2);
    struct trace_record *lost = slot(NREC), *ev = slot(NREC + 1);
    cr_assert_eq(lost->event, TRC_LOST);
    cr_assert_eq(lost->domain, DOMID_HV);
    cr_assert_eq(lost->nargs, 1);
    cr_assert_eq(lost->args[0], 3);
    cr_assert_eq(ev->event, TRC_SCHEDULE);
    cr_assert_eq(ev->args[2], 200);

    /* seq: 0..7 kept, 8..10 dropped, LOST is 11, the event 12. */
    cr_assert_eq(slot(NREC - 1)->seq, 7);
    cr_assert_eq(lost->seq, 11);
    cr_assert_eq(ev->seq, 12);
    cr_assert_eq(lost->seq - slot(NREC - 1)->seq - 1, lost->args[0],
                 "the seq gap must equal the LOST count");
    cr_assert_eq(trace_lost_pending, 0);
    cr_assert_eq(trace_ring->lost, 3, "ring->lost counts since boot");

    /* Only one LOST record: the next events are plain (or dropped). */
    trace_ring->cons += 8;
    emit(201);
    cr_assert_eq(slot(NREC + 2)->event, TRC_SCHEDULE);
    cr_assert_eq(slot(NREC + 2)->seq, 13);
}

Test(trace_ring, lost_record_takes_the_last_slot_and_the_event_is_dropped)
{
    for (uint32_t i = 0; i < NREC + 2; i++)     /* 8 kept, 2 dropped */
        emit(i);
    trace_ring->cons += 1;                      /* room for exactly one */
    emit(300);

    cr_assert_eq(trace_ring->prod, NREC + 1);
    cr_assert_eq(slot(NREC)->event, TRC_LOST);
    cr_assert_eq(slot(NREC)->args[0], 2);
    cr_assert_eq(trace_ring->lost, 3);
    cr_assert_eq(trace_lost_pending, 1, "the event in hand is the next loss");

    trace_ring->cons += 1;
    emit(301);
    cr_assert_eq(slot(NREC + 1)->event, TRC_LOST);
    cr_assert_eq(slot(NREC + 1)->args[0], 1);
    cr_assert_eq(slot(NREC + 1)->seq, slot(NREC)->seq + 2);
}

Test(trace_ring, indices_wrap_around_2_to_the_32)
{
    trace_set_indices(0xFFFFFFF0u);
    uint32_t next_expected = 0;

    /* Produce in bursts of up to 5 and consume everything, across the wrap. */
    for (uint32_t round = 0; round < 20; round++) {
        for (uint32_t i = 0; i < 5; i++)
            emit(round * 5 + i);
        uint32_t prod = trace_ring->prod;
        for (uint32_t c = trace_ring->cons; c != prod; c++) {
            cr_assert_eq(slot(c)->args[2], next_expected);
            cr_assert_eq(slot(c)->seq, next_expected);
            next_expected++;
        }
        trace_ring->cons = prod;
    }
    cr_assert_eq(next_expected, 100);
    cr_assert_eq(trace_ring->prod, 0xFFFFFFF0u + 100);   /* wrapped past 0 */
    cr_assert_eq(trace_ring->lost, 0);
}

Test(trace_ring, full_is_detected_across_the_wrap)
{
    trace_set_indices(0xFFFFFFFCu);
    for (uint32_t i = 0; i < NREC; i++)
        emit(i);
    cr_assert_eq(trace_ring->prod, 4u, "prod wrapped to 4");
    emit(99);
    cr_assert_eq(trace_ring->prod, 4u);
    cr_assert_eq(trace_ring->lost, 1);
}

Test(trace_ring, disabled_tracing_writes_nothing)
{
    memset(mem, 0xAA, sizeof mem);
    trace_init(mem, sizeof mem, 1, 0);
    unsigned char before[sizeof mem];
    memcpy(before, mem, sizeof mem);

    trace1(TRC_BLOCK, 1, 1);
    trace2(TRC_DOM_SHUTDOWN, 1, 1, 0);
    trace5(TRC_SCHEDULE, 1, 0, 1, 2, 0, 0);
    trace4(TRC_TRAP_FATAL, 1, 13, 0, 0, 1);
    trace5(TRC_TRAP_BOUNCE, 1, 14, 0, 0, 0, 3);
    trace7(TRC_HYPERCALL, 1, 18, 0, 0, 0, 0, 0, 0);

    cr_assert_eq(memcmp(before, mem, sizeof mem), 0);
    cr_assert_eq(trace_ring->enabled, 0);
    cr_assert_eq(trace_seq, 0, "no sequence numbers used");
    cr_assert_eq(fake_clock, 1000, "the clock was not even read");
}

/* A ring too small for one record is refused: tracing is off, nothing is
 * written past the buffer. */
Test(trace_ring, too_small_for_one_record_means_off)
{
    static unsigned char mem[64 + 47];
    memset(mem, 0xAB, sizeof mem);
    trace_init(mem, sizeof mem, 1000, 1);
    cr_assert_eq(trace_enabled, 0);
    cr_assert_null(trace_ring);
    trace1(TRC_LOST, 0, 1);               /* must be a no-op */
    for (size_t i = 0; i < sizeof mem; i++)
        cr_assert_eq(mem[i], 0xAB);
}

/*
 * The fast path's stop pointer (hv/trace/trace.h) is computed from `cons` as last
 * read; the reader moving on later must only delay the hypervisor's
 * noticing, never cost a record or let it overwrite one.
 */
Test(trace_ring, stop_pointer_follows_the_reader_across_the_wrap)
{
    for (uint32_t i = 0; i < 3; i++)
        emit(i);
    trace_ring->cons += 3;                      /* reader takes 0..2 */
    for (uint32_t i = 3; i < 3 + NREC; i++)     /* exactly fills the ring: */
        emit(i);                                /* slots 3..7, then 0..2 */
    cr_assert_eq(trace_ring->lost, 0);
    cr_assert_eq(trace_ring->prod, 3 + NREC);
    for (uint32_t c = 3; c < 3 + NREC; c++)
        cr_assert_eq(slot(c)->args[2], c, "record %u in order", c);
    emit(99);                                   /* full now: dropped */
    cr_assert_eq(trace_ring->lost, 1);
    cr_assert_eq(trace_ring->prod, 3 + NREC);
    cr_assert_eq(slot(3)->args[2], 3, "slot 3 (unread) was not overwritten");
}

Test(trace_ring, reader_freeing_slots_late_is_noticed_at_the_stop)
{
    for (uint32_t i = 0; i < NREC; i++)
        emit(i);                                /* full */
    trace_ring->cons += NREC;                   /* all read, none emitted since */
    for (uint32_t i = NREC; i < 3 * NREC; i++) {
        emit(i);
        if ((i + 1) % NREC == 0)
            trace_ring->cons = trace_ring->prod;    /* the reader keeps up */
    }
    cr_assert_eq(trace_ring->lost, 0, "no loss while the reader keeps up");
    cr_assert_eq(trace_ring->prod, 3 * NREC);
    cr_assert_eq(trace_seq, 3 * NREC);
    for (uint32_t c = 2 * NREC; c < 3 * NREC; c++)
        cr_assert_eq(slot(c)->seq, c);
}

/* since_entry: each record says how long after the current entry into
 * the hypervisor it was written, so a hypercall's record (written as it
 * returns) carries the call's exact path length; too long saturates. */
Test(trace_ring, records_carry_the_time_since_the_entry)
{
    fake_clock = 5000;
    fake_clock_step = 0;
    trace_entered();                      /* the entry begins at 5000 */
    fake_clock = 5123;
    emit(1);
    fake_clock = 5200;
    emit(2);
    cr_assert_eq(slot(0)->since_entry, 123);
    cr_assert_eq(slot(1)->since_entry, 200);
    cr_assert_eq(slot(0)->tsc - slot(0)->since_entry, 5000, "tsc - since_entry is the entry");
    cr_assert_eq(slot(0)->cpu, 0);
    cr_assert_eq(slot(0)->nargs, 5, "the word with since_entry keeps nargs");

    fake_clock = 5000 + 0x20000;          /* past what 16 bits hold */
    emit(3);
    cr_assert_eq(slot(2)->since_entry, TRACE_SINCE_MAX);

    trace_entered();                      /* a new entry starts the count again */
    fake_clock += 7;
    emit(4);
    cr_assert_eq(slot(3)->since_entry, 7);
}

/* With tracing off, an entry does not even read the clock. */
Test(trace_ring, entries_cost_nothing_when_tracing_is_off)
{
    trace_enabled = 0;
    fake_clock = 9000;
    fake_clock_step = 1;
    uint32_t before = trace_entry_tsc;
    trace_entered();
    cr_assert_eq(trace_entry_tsc, before);
    cr_assert_eq(fake_clock, 9000, "the clock was not read");
}
