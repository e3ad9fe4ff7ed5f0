/*
 * tests/unit/test_io_ring.c — the I/O ring's index arithmetic
 * (hv/include/public/io_ring.h) on the host: a ring in a plain array, a
 * front end and a back end driving it, and everything a hostile side can
 * publish.
 *
 * What must hold: requests and responses go through in any order and
 * across the 2^32 wrap of the free-running indices; a side is notified
 * exactly when it asked (its event index falls in the batch just
 * published), and not while it is busy; a full ring refuses a request; and
 * a producer index that claims more than the ring can hold, or went
 * backwards, gives the consumer nothing to take and says so -- the
 * consumer never reads a slot outside the ring, whatever the index.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "public/io_ring.h"
#include "public/device.h"

static struct io_sring ring;
static struct io_front front;
static struct io_back back;

static void start_at(uint32_t start)
{
    memset(&ring, 0xA5, sizeof ring);          /* the page was not zeroed */
    io_front_init(&front, &ring, start);
    io_back_init(&back, &ring);
}

static void setup(void)
{
    start_at(0);
}

TestSuite(io_ring, .init = setup);

/* One request from the front end, one response from the back end. */
static int send(uint32_t id)
{
    struct echo_request r = { .id = id, .op = ECHO_OP_REVERSE, .gref = 7, .offset = 0, .len = 10 };
    return io_front_put_request(&front, &r, sizeof r);
}

static void answer(uint32_t id, int32_t status)
{
    struct echo_response r = { .id = id, .status = status };
    cr_assert_eq(io_back_put_response(&back, &r, sizeof r), 0);
}

Test(io_ring, empty_at_first)
{
    int broken = 1;
    cr_assert_eq(io_front_free(&front), IO_RING_SLOTS);
    cr_assert_eq(io_back_requests(&back, &broken), 0);
    cr_assert_eq(broken, 0);
    cr_assert_eq(io_front_responses(&front, &broken), 0);
    cr_assert_eq(broken, 0);
}

Test(io_ring, a_request_and_its_response)
{
    int broken;
    cr_assert_eq(send(42), 0);
    cr_assert_eq(io_back_requests(&back, &broken), 0, "not visible before the push");
    cr_assert_eq(io_front_push_requests(&front), 1, "the back end asked for the first one");
    cr_assert_eq(io_back_requests(&back, &broken), 1);
    struct echo_request q;
    io_back_get_request(&back, &q, sizeof q);
    cr_assert_eq(q.id, 42);
    cr_assert_eq(q.len, 10);
    answer(q.id, 10);
    cr_assert_eq(io_front_responses(&front, &broken), 0, "not visible before the push");
    cr_assert_eq(io_back_push_responses(&back), 1, "the front end asked for the first one");
    cr_assert_eq(io_front_responses(&front, &broken), 1);
    struct echo_response p;
    io_front_get_response(&front, &p, sizeof p);
    cr_assert_eq(p.id, 42);
    cr_assert_eq(p.status, 10);
    cr_assert_eq(io_front_free(&front), IO_RING_SLOTS);
}

/* The notification rule itself: the event index in (old, new]. */
Test(io_ring, notify_iff_the_event_index_is_in_the_batch)
{
    cr_assert_eq(io_ring_need_notify(5, 10, 3), 0, "asked for 3: already passed before");
    cr_assert_eq(io_ring_need_notify(5, 10, 5), 0, "5 was there before this batch");
    cr_assert_eq(io_ring_need_notify(5, 10, 6), 1);
    cr_assert_eq(io_ring_need_notify(5, 10, 10), 1);
    cr_assert_eq(io_ring_need_notify(5, 10, 11), 0, "asked for one not published yet");
    cr_assert_eq(io_ring_need_notify(5, 5, 6), 0, "an empty batch never notifies");
    /* Across the wrap. */
    cr_assert_eq(io_ring_need_notify(0xFFFFFFFEu, 2, 0xFFFFFFFFu), 1);
    cr_assert_eq(io_ring_need_notify(0xFFFFFFFEu, 2, 1), 1);
    cr_assert_eq(io_ring_need_notify(0xFFFFFFFEu, 2, 3), 0);
    cr_assert_eq(io_ring_need_notify(0xFFFFFFFEu, 2, 0xFFFFFFFEu), 0);
}

/* A busy back end (it has not gone back to sleep: no final check) is not
 * notified again; once it checks before sleeping, the next push is. */
Test(io_ring, suppressed_while_the_consumer_is_busy)
{
    int broken;
    send(1);
    cr_assert_eq(io_front_push_requests(&front), 1);
    send(2);
    cr_assert_eq(io_front_push_requests(&front), 0, "the back end is awake: suppressed");
    send(3);
    send(4);
    cr_assert_eq(io_front_push_requests(&front), 0);
    cr_assert_eq(io_back_requests(&back, &broken), 4);
    struct echo_request q;
    for (int i = 0; i < 4; i++)
        io_back_get_request(&back, &q, sizeof q);
    cr_assert_eq(io_back_final_check(&back), 0, "nothing left: it may sleep");
    cr_assert_eq(ring.req_event, back.req_cons + 1);
    send(5);
    cr_assert_eq(io_front_push_requests(&front), 1, "it asked: notified");
}

/* The race the final check closes: the back end took its last request
 * and is about to sleep when the front end publishes another.  The push
 * does not notify (the back end has not asked yet), but the back end's
 * final check -- ask, then look once more -- finds it. */
Test(io_ring, final_check_finds_a_request_that_slipped_in)
{
    int broken;
    send(1);
    cr_assert_eq(io_front_push_requests(&front), 1);
    struct echo_request q;
    cr_assert_eq(io_back_requests(&back, &broken), 1);
    io_back_get_request(&back, &q, sizeof q);
    cr_assert_eq(io_back_requests(&back, &broken), 0);      /* the last look: nothing */
    send(2);
    cr_assert_eq(io_front_push_requests(&front), 0, "not asked yet: no event");
    cr_assert_eq(io_back_final_check(&back), 1, "found anyway: the back end does not sleep");
    cr_assert_eq(io_back_requests(&back, &broken), 1);
}

Test(io_ring, a_full_ring_refuses_a_request)
{
    for (uint32_t i = 0; i < IO_RING_SLOTS; i++)
        cr_assert_eq(send(i), 0, "request %u", i);
    cr_assert_eq(io_front_free(&front), 0);
    cr_assert_eq(send(99), -1);
    io_front_push_requests(&front);
    int broken;
    cr_assert_eq(io_back_requests(&back, &broken), IO_RING_SLOTS);
    cr_assert_eq(broken, 0, "a full ring is not a broken one");
}

Test(io_ring, too_big_a_request_or_response_is_refused)
{
    uint8_t big[IO_RING_SLOT_BYTES + 1] = { 0 };
    cr_assert_eq(io_front_put_request(&front, big, sizeof big), -1);
    cr_assert_eq(io_front_put_request(&front, big, IO_RING_SLOT_BYTES), 0);
    io_front_push_requests(&front);
    struct echo_request q;
    io_back_get_request(&back, &q, sizeof q);
    cr_assert_eq(io_back_put_response(&back, big, sizeof big), -1);
}

Test(io_ring, no_more_responses_than_requests_taken)
{
    struct echo_response r = { 0 };
    cr_assert_eq(io_back_put_response(&back, &r, sizeof r), -1, "nothing taken yet");
    send(1);
    io_front_push_requests(&front);
    struct echo_request q;
    io_back_get_request(&back, &q, sizeof q);
    cr_assert_eq(io_back_put_response(&back, &r, sizeof r), 0);
    cr_assert_eq(io_back_put_response(&back, &r, sizeof r), -1, "one request, one response");
}

/* Responses in another order than the requests: matched by id. */
Test(io_ring, responses_out_of_order_are_matched_by_id)
{
    int broken;
    for (uint32_t id = 1; id <= 5; id++)
        send(100 + id);
    io_front_push_requests(&front);
    uint32_t ids[5];
    uint32_t n = io_back_requests(&back, &broken);
    cr_assert_eq(n, 5);
    for (uint32_t i = 0; i < n; i++) {
        struct echo_request q;
        io_back_get_request(&back, &q, sizeof q);
        ids[i] = q.id;
    }
    for (uint32_t i = n; i-- > 0;)            /* the last first */
        answer(ids[i], (int32_t)ids[i] * 2);
    io_back_push_responses(&back);
    int seen[6] = { 0 };
    uint32_t order[5];
    cr_assert_eq(io_front_responses(&front, &broken), 5);
    for (int i = 0; i < 5; i++) {
        struct echo_response p;
        io_front_get_response(&front, &p, sizeof p);
        cr_assert(p.id >= 101 && p.id <= 105);
        cr_assert_eq(p.status, (int32_t)p.id * 2, "response %u carries its own result", p.id);
        seen[p.id - 100]++;
        order[i] = p.id;
    }
    for (int id = 1; id <= 5; id++)
        cr_assert_eq(seen[id], 1, "request %d answered once", id);
    cr_assert_eq(order[0], 105);
    cr_assert_eq(order[4], 101);
}

/* Free-running indices through 2^32: start just below, run 1000 requests
 * through in batches of up to 7, with the slot always index & 31. */
Test(io_ring, wrap_around_of_the_free_running_indices)
{
    start_at(0xFFFFFFF0u);
    int broken;
    uint32_t sent = 0, got = 0;
    while (got < 1000) {
        for (int k = 0; k < 7 && sent < 1000 && io_front_free(&front) > 0; k++)
            cr_assert_eq(send(sent++), 0);
        io_front_push_requests(&front);
        uint32_t n = io_back_requests(&back, &broken);
        cr_assert_eq(broken, 0, "at sent=%u", sent);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t idx = back.req_cons;
            struct echo_request q;
            io_back_get_request(&back, &q, sizeof q);
            cr_assert_eq((void *)io_ring_slot(&ring, idx), (void *)&ring.ring[idx % IO_RING_SLOTS]);
            answer(q.id, 0);
        }
        io_back_push_responses(&back);
        n = io_front_responses(&front, &broken);
        cr_assert_eq(broken, 0);
        for (uint32_t i = 0; i < n; i++) {
            struct echo_response p;
            io_front_get_response(&front, &p, sizeof p);
            cr_assert_eq(p.id, got, "in order here (the back end answers in order)");
            got++;
        }
    }
    cr_assert(ring.req_prod < 0x1000u, "the indices wrapped (req_prod = %u)", ring.req_prod);
    cr_assert_eq(ring.req_prod, 0xFFFFFFF0u + 1000u);
}

/* A hostile front end: req_prod far ahead of the consumer. */
Test(io_ring, producer_far_ahead_is_refused)
{
    int broken = 0;
    ring.req_prod = back.req_cons + 1000;
    cr_assert_eq(io_back_requests(&back, &broken), 0);
    cr_assert_eq(broken, 1);
    cr_assert_eq(io_back_final_check(&back), 1, "not a reason to sleep: look at broken");
    ring.req_prod = back.req_cons + 0x80000000u;
    cr_assert_eq(io_back_requests(&back, &broken), 0);
    cr_assert_eq(broken, 1);
}

/* Exactly a ring's worth is fine; one more is not -- also when some of it
 * is taken and not answered yet. */
Test(io_ring, producer_one_past_the_ring_is_refused)
{
    int broken;
    ring.req_prod = back.req_cons + IO_RING_SLOTS;
    cr_assert_eq(io_back_requests(&back, &broken), IO_RING_SLOTS);
    cr_assert_eq(broken, 0);
    struct echo_request q;
    for (int i = 0; i < 5; i++)
        io_back_get_request(&back, &q, sizeof q);
    cr_assert_eq(io_back_requests(&back, &broken), IO_RING_SLOTS - 5);
    ring.req_prod++;                           /* 33 beyond the oldest unanswered */
    cr_assert_eq(io_back_requests(&back, &broken), 0);
    cr_assert_eq(broken, 1);
    /* Answering some makes room: the same index is fine again. */
    answer(1, 0);
    io_back_push_responses(&back);
    cr_assert_eq(io_back_requests(&back, &broken), IO_RING_SLOTS - 4);
    cr_assert_eq(broken, 0);
}

/* req_prod moved backwards, behind what was already taken. */
Test(io_ring, producer_going_backwards_is_refused)
{
    int broken;
    for (int i = 0; i < 4; i++)
        send((uint32_t)i);
    io_front_push_requests(&front);
    struct echo_request q;
    io_back_get_request(&back, &q, sizeof q);
    io_back_get_request(&back, &q, sizeof q);
    ring.req_prod = back.req_cons - 1;         /* behind what we took */
    cr_assert_eq(io_back_requests(&back, &broken), 0);
    cr_assert_eq(broken, 1);
    ring.req_prod = back.rsp_prod_pvt - 1;     /* behind everything */
    cr_assert_eq(io_back_requests(&back, &broken), 0);
    cr_assert_eq(broken, 1);
}

/* A hostile back end: more responses than requests in flight, or
 * rsp_prod backwards. */
Test(io_ring, responses_beyond_the_requests_in_flight_are_refused)
{
    int broken;
    send(1);
    send(2);
    io_front_push_requests(&front);
    ring.rsp_prod = front.rsp_cons + 3;        /* two in flight */
    cr_assert_eq(io_front_responses(&front, &broken), 0);
    cr_assert_eq(broken, 1);
    ring.rsp_prod = front.rsp_cons + 2;
    cr_assert_eq(io_front_responses(&front, &broken), 2);
    cr_assert_eq(broken, 0);
    ring.rsp_prod = front.rsp_cons - 1;
    cr_assert_eq(io_front_responses(&front, &broken), 0);
    cr_assert_eq(broken, 1);
    cr_assert_eq(io_front_final_check(&front), 1, "not a reason to sleep: look at broken");
}

/* Whatever the indices say, every slot touched is inside the ring. */
Test(io_ring, any_index_is_a_slot_of_the_ring)
{
    uint32_t idx[] = { 0, 31, 32, 33, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 12345678u };
    for (unsigned i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        struct io_ring_slot *s = io_ring_slot(&ring, idx[i]);
        cr_assert(s >= &ring.ring[0] && s < &ring.ring[IO_RING_SLOTS], "index %u", idx[i]);
    }
}

/* The front end's final check, the same race from its side. */
Test(io_ring, front_final_check_asks_for_the_next_response)
{
    send(1);
    io_front_push_requests(&front);
    cr_assert_eq(io_front_final_check(&front), 0);
    cr_assert_eq(ring.rsp_event, front.rsp_cons + 1);
    int broken;
    io_back_requests(&back, &broken);
    struct echo_request q;
    io_back_get_request(&back, &q, sizeof q);
    answer(q.id, 0);
    cr_assert_eq(io_back_push_responses(&back), 1, "the front end asked");
    cr_assert_eq(io_front_final_check(&front), 1);
}
