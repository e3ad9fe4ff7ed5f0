/*
 * tests/unit/test_consif.c — the split console's byte rings
 * (hv/include/public/consif.h) on the host: a console page in plain
 * memory, the front end writing `out` and reading `in`, the back end the
 * other way round, and every index a hostile side can publish.
 *
 * What must hold: bytes come out in the order they went in, across the
 * 2^32 wrap of the free-running indices and the wrap of the ring; a full
 * ring takes no more; a consumer is notified exactly when it asked (its
 * event index falls in what was just published), never while busy; and
 * an impossible index -- a producer more than a ring ahead, or behind; a
 * consumer ahead of the producer -- gives nothing to take or no room,
 * and says so.  No index ever reaches a byte outside the ring.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "public/consif.h"

static struct cons_page page;
static struct cons_ring out, in;
static uint32_t fe_out_pvt, be_out_pvt, be_in_pvt, fe_in_pvt;

static void start_at(uint32_t start)
{
    memset(&page, 0xA5, sizeof page);          /* the page was not zeroed */
    cons_page_init(&page, start);
    out = cons_out_ring(&page);
    in = cons_in_ring(&page);
    fe_out_pvt = be_out_pvt = be_in_pvt = fe_in_pvt = start;
}

static void setup(void)
{
    start_at(0);
}

TestSuite(consif, .init = setup);

/* The back end takes everything waiting from out; how many bytes. */
static uint32_t drain(uint8_t *buf, uint32_t max)
{
    uint32_t prod;
    int broken;
    uint32_t n = cons_avail(&out, be_out_pvt, &prod, &broken);
    cr_assert(!broken);
    n = cons_read(&out, &be_out_pvt, n, buf, max);
    cons_consumed(&out, be_out_pvt);
    return n;
}

Test(consif, layout_is_xens_console_page)
{
    /* in, out, then in_cons, in_prod, out_cons, out_prod: Xen's offsets. */
    cr_assert_eq(offsetof(struct cons_page, out), 1024);
    cr_assert_eq(offsetof(struct cons_page, in_cons), 3072);
    cr_assert_eq(offsetof(struct cons_page, out_prod), 3084);
}

Test(consif, bytes_in_order_across_both_wraps)
{
    start_at(0xFFFFFFFFu - 700);               /* the indices wrap within the test */
    uint8_t msg[300], got[300];
    uint32_t next = 0, check = 0;
    for (int round = 0; round < 40; round++) { /* 12000 bytes: the ring wraps 5 times */
        for (uint32_t i = 0; i < sizeof msg; i++)
            msg[i] = (uint8_t)(next + i);
        cr_assert_eq(cons_write(&out, &fe_out_pvt, msg, sizeof msg), sizeof msg);
        next += sizeof msg;
        cons_publish(&out, fe_out_pvt);
        uint32_t n = drain(got, sizeof got);
        cr_assert_eq(n, sizeof msg);
        for (uint32_t i = 0; i < n; i++, check++)
            cr_assert_eq(got[i], (uint8_t)check, "byte %u", check);
    }
    cr_assert_lt(fe_out_pvt, 0x10000u, "the indices did wrap");
}

Test(consif, a_full_ring_takes_no_more)
{
    uint8_t big[CONS_OUT_SIZE + 100];
    memset(big, 'x', sizeof big);
    cr_assert_eq(cons_write(&out, &fe_out_pvt, big, sizeof big), CONS_OUT_SIZE);
    cr_assert_eq(cons_write(&out, &fe_out_pvt, big, 1), 0);
    cons_publish(&out, fe_out_pvt);
    uint8_t got[100];
    cr_assert_eq(drain(got, sizeof got), 100);
    cr_assert_eq(cons_write(&out, &fe_out_pvt, big, sizeof big), 100, "room for what was taken");
}

Test(consif, notified_only_when_asked)
{
    /* The back end asked for the first byte (init): the first publish
     * notifies; more bytes while it has not looked again do not. */
    cr_assert_eq(cons_write(&out, &fe_out_pvt, "ab", 2), 2);
    cr_assert_eq(cons_publish(&out, fe_out_pvt), 1);
    cr_assert_eq(cons_write(&out, &fe_out_pvt, "cd", 2), 2);
    cr_assert_eq(cons_publish(&out, fe_out_pvt), 0, "busy consumer: suppressed");
    uint8_t got[8];
    cr_assert_eq(drain(got, sizeof got), 4);
    /* About to sleep: it asks again, and the next byte notifies. */
    cr_assert_eq(cons_final_check(&out, be_out_pvt), 0);
    cr_assert_eq(cons_write(&out, &fe_out_pvt, "e", 1), 1);
    cr_assert_eq(cons_publish(&out, fe_out_pvt), 1);
}

Test(consif, final_check_sees_a_byte_that_slipped_in)
{
    cr_assert_eq(cons_write(&out, &fe_out_pvt, "a", 1), 1);
    cons_publish(&out, fe_out_pvt);
    uint8_t got[4];
    drain(got, sizeof got);
    /* A byte published after the back end's last look and before it asks. */
    cr_assert_eq(cons_write(&out, &fe_out_pvt, "b", 1), 1);
    cons_store(&page.out_prod, fe_out_pvt);
    cr_assert_eq(cons_final_check(&out, be_out_pvt), 1, "do not sleep: there is a byte");
}

Test(consif, producer_far_ahead_is_broken)
{
    uint32_t prod;
    int broken;
    cons_store(&page.out_prod, be_out_pvt + CONS_OUT_SIZE + 1);
    cr_assert_eq(cons_avail(&out, be_out_pvt, &prod, &broken), 0);
    cr_assert(broken);
    cons_store(&page.out_prod, be_out_pvt + (1u << 20));
    cr_assert_eq(cons_avail(&out, be_out_pvt, &prod, &broken), 0);
    cr_assert(broken);
    cr_assert_eq(prod, be_out_pvt + (1u << 20), "the value seen, for the message");
    /* Exactly a full ring is honest. */
    cons_store(&page.out_prod, be_out_pvt + CONS_OUT_SIZE);
    cr_assert_eq(cons_avail(&out, be_out_pvt, &prod, &broken), CONS_OUT_SIZE);
    cr_assert(!broken);
}

Test(consif, producer_behind_is_broken)
{
    uint32_t prod;
    int broken;
    start_at(5000);
    cons_store(&page.out_prod, 4999);
    cr_assert_eq(cons_avail(&out, be_out_pvt, &prod, &broken), 0);
    cr_assert(broken);
    cr_assert_eq(cons_final_check(&out, be_out_pvt), 1, "broken: the caller must look");
}

Test(consif, consumer_ahead_of_producer_is_broken)
{
    /* The back end writes `in`; a front end claims to have read bytes
     * that were never written (or rewinds far back). */
    int broken;
    cr_assert_eq(cons_free(&in, be_in_pvt, &broken), CONS_IN_SIZE);
    cr_assert(!broken);
    cons_store(&page.in_cons, be_in_pvt + 1);
    cr_assert_eq(cons_free(&in, be_in_pvt, &broken), 0);
    cr_assert(broken);
    cr_assert_eq(cons_write(&in, &be_in_pvt, "x", 1), 0, "nothing written to a broken ring");
    cons_store(&page.in_cons, be_in_pvt - CONS_IN_SIZE - 1);
    cons_free(&in, be_in_pvt, &broken);
    cr_assert(broken);
}

Test(consif, input_reaches_the_front_end)
{
    cr_assert_eq(cons_write(&in, &be_in_pvt, "hi\n", 3), 3);
    cr_assert_eq(cons_publish(&in, be_in_pvt), 1);
    uint32_t prod;
    int broken;
    uint32_t n = cons_avail(&in, fe_in_pvt, &prod, &broken);
    char got[8] = { 0 };
    cr_assert_eq(cons_read(&in, &fe_in_pvt, n, got, sizeof got), 3);
    cons_consumed(&in, fe_in_pvt);
    cr_assert_str_eq(got, "hi\n");
    cr_assert_eq(page.in_cons, 3);
}

Test(consif, no_index_reaches_outside_the_ring)
{
    /* Whatever the indices, every byte written lands inside `in` or `out`:
     * the bytes around them stay as they were. */
    start_at(0x7FFFFF00u);
    uint8_t buf[CONS_OUT_SIZE];
    memset(buf, 'z', sizeof buf);
    memset(page.in, 0, sizeof page.in);
    cr_assert_eq(cons_write(&out, &fe_out_pvt, buf, sizeof buf), CONS_OUT_SIZE);
    for (uint32_t i = 0; i < CONS_IN_SIZE; i++)
        cr_assert_eq(page.in[i], 0, "in[%u] written by an out write", i);
    cr_assert_eq(page.in_cons, 0x7FFFFF00u);
    cr_assert_eq(page.in_prod, 0x7FFFFF00u);
}
