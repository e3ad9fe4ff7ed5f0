/*
 * tests/unit/test_device.c — the device store and the connection states
 * (hv/grant/device_store.c, public/device.h) on the host: creating and
 * finding devices, and every step of the diagram, allowed and refused.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "grant/device.h"

static void setup(void)
{
    memset(dev_table, 0, sizeof dev_table);
}

TestSuite(device, .init = setup);

Test(device, create_and_find)
{
    uint32_t a, b;
    cr_assert_eq(dev_create(DEV_TYPE_ECHO, 1, 0, &a), 0);
    cr_assert_eq(dev_create(DEV_TYPE_ECHO, 2, 0, &b), 0);
    cr_assert_eq(a, 1);
    cr_assert_eq(b, 2);
    struct hv_device *d = dev_find(b);
    cr_assert_not_null(d);
    cr_assert_eq(d->end[DEV_END_FRONT].dom, 2);
    cr_assert_eq(d->end[DEV_END_BACK].dom, 0);
    cr_assert_eq(d->end[DEV_END_FRONT].state, DEV_STATE_INITIALISING);
    cr_assert_eq(d->end[DEV_END_BACK].state, DEV_STATE_INITIALISING);
    cr_assert_eq(dev_end_of(d, 2), DEV_END_FRONT);
    cr_assert_eq(dev_end_of(d, 0), DEV_END_BACK);
    cr_assert_eq(dev_end_of(d, 1), -1, "d1 is no end of d2's device");
    cr_assert_null(dev_find(0));
    cr_assert_null(dev_find(3));
    cr_assert_null(dev_find(DEV_MAX + 1));
    cr_assert_null(dev_find(0xFFFFFFFFu));
}

Test(device, nth_device_of_a_domain)
{
    uint32_t id;
    dev_create(DEV_TYPE_ECHO, 1, 0, &id);
    dev_create(DEV_TYPE_ECHO, 2, 0, &id);
    dev_create(DEV_TYPE_BLOCK, 1, 0, &id);
    cr_assert_eq(dev_nth(1, 0, 0)->id, 1);
    cr_assert_eq(dev_nth(1, 0, 1)->id, 3);
    cr_assert_null(dev_nth(1, 0, 2));
    cr_assert_eq(dev_nth(2, 0, 0)->id, 2);
    cr_assert_null(dev_nth(3, 0, 0), "d3 has none");
    cr_assert_eq(dev_nth(3, 1, 2)->id, 3, "all: every device");
    cr_assert_eq(dev_nth(0, 0, 2)->id, 3, "the back end of all three");
}

Test(device, create_refuses_nonsense_and_a_full_store)
{
    uint32_t id = 77;
    cr_assert_eq(dev_create(0, 1, 0, &id), -HV_EINVAL);
    cr_assert_eq(dev_create(DEV_TYPE_NET + 1, 1, 0, &id), -HV_EINVAL);
    cr_assert_eq(dev_create(DEV_TYPE_ECHO, 1, 1, &id), -HV_EINVAL, "its own back end");
    cr_assert_eq(id, 77);
    for (uint32_t i = 0; i < DEV_MAX; i++)
        cr_assert_eq(dev_create(DEV_TYPE_ECHO, 1, 0, &id), 0);
    cr_assert_eq(dev_create(DEV_TYPE_ECHO, 1, 0, &id), -HV_ENOSPC);
}

/* The whole handshake, in the order the drivers do it. */
Test(device, the_connection_in_order)
{
    uint32_t id;
    dev_create(DEV_TYPE_ECHO, 1, 0, &id);
    struct hv_device *d = dev_find(id);
    uint32_t info[4] = { 1, 2, 3, 4 };
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_INITWAIT), 0);
    cr_assert_eq(dev_publish(d, DEV_END_BACK, 0, 0, info), 0, "the back end's details");
    cr_assert_eq(dev_publish(d, DEV_END_FRONT, 8, 5, info), 0);
    cr_assert_eq(d->end[DEV_END_FRONT].ring_ref, 8);
    cr_assert_eq(d->end[DEV_END_FRONT].evtchn, 5);
    cr_assert_eq(d->end[DEV_END_BACK].info[3], 4);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITIALISED), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_CONNECTED), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_CONNECTED), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_CLOSING), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_CLOSING), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_CLOSED), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_CLOSED), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITIALISING), 0, "again");
}

/* Out of order: each refused, and the state unchanged. */
Test(device, steps_out_of_order_are_refused)
{
    uint32_t id;
    dev_create(DEV_TYPE_ECHO, 1, 0, &id);
    struct hv_device *d = dev_find(id);
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_CONNECTED), -HV_EINVAL,
                 "connected before waiting");
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_INITWAIT), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_CONNECTED), -HV_EINVAL,
                 "the front end has published nothing");
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITWAIT), -HV_EINVAL, "a back end's step");
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_INITIALISED), -HV_EINVAL, "a front end's step");
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITIALISED), 0);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_CONNECTED), -HV_EINVAL,
                 "the back end is not connected");
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_UNKNOWN), -HV_EINVAL);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, 7), -HV_EINVAL, "no such state");
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, 0xFFFFFFFFu), -HV_EINVAL);
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITIALISING), -HV_EINVAL,
                 "only after a close");
    cr_assert_eq(d->end[DEV_END_FRONT].state, DEV_STATE_INITIALISED);
    cr_assert_eq(d->end[DEV_END_BACK].state, DEV_STATE_INITWAIT);
}

/* Closing works from any live state; a closed end only starts again. */
Test(device, close_from_anywhere)
{
    for (uint32_t from = DEV_STATE_INITIALISING; from <= DEV_STATE_CONNECTED; from++) {
        cr_assert(dev_step_allowed(DEV_END_FRONT, from, DEV_STATE_CLOSING, 0), "from %u", from);
        cr_assert(dev_step_allowed(DEV_END_BACK, from, DEV_STATE_CLOSED, 0), "from %u", from);
    }
    cr_assert(dev_step_allowed(DEV_END_FRONT, DEV_STATE_CLOSING, DEV_STATE_CLOSED, 0));
    cr_assert(!dev_step_allowed(DEV_END_FRONT, DEV_STATE_CLOSED, DEV_STATE_CLOSED, 0));
    cr_assert(!dev_step_allowed(DEV_END_FRONT, DEV_STATE_CLOSED, DEV_STATE_CLOSING, 0));
    cr_assert(!dev_step_allowed(DEV_END_FRONT, DEV_STATE_CLOSED, DEV_STATE_CONNECTED,
                                DEV_STATE_CONNECTED));
    cr_assert(!dev_step_allowed(DEV_END_FRONT, DEV_STATE_CLOSING, DEV_STATE_CONNECTED,
                                DEV_STATE_CONNECTED), "no way back from closing");
}

Test(device, details_only_before_connecting)
{
    uint32_t id, info[4] = { 0 };
    dev_create(DEV_TYPE_ECHO, 1, 0, &id);
    struct hv_device *d = dev_find(id);
    dev_publish(d, DEV_END_FRONT, 8, 5, info);
    dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITIALISED);
    cr_assert_eq(dev_publish(d, DEV_END_FRONT, 9, 6, info), -HV_EBUSY,
                 "the back end may be mapping what was published");
    cr_assert_eq(d->end[DEV_END_FRONT].ring_ref, 8);
    dev_set_state(d, DEV_END_BACK, DEV_STATE_INITWAIT);
    cr_assert_eq(dev_publish(d, DEV_END_BACK, 0, 0, info), 0);
    dev_set_state(d, DEV_END_BACK, DEV_STATE_CONNECTED);
    cr_assert_eq(dev_publish(d, DEV_END_BACK, 0, 0, info), -HV_EBUSY);
}

/* A dead domain's end is nobody's: the next domain to get its id does not
 * see the record; once the other end closes too, the record is finished
 * (and device_op.c frees it). */
Test(device, a_dead_end_is_nobodys_and_the_record_finishes)
{
    uint32_t id;
    cr_assert_eq(dev_create(DEV_TYPE_BLOCK, 3, 0, &id), 0);
    struct hv_device *d = dev_find(id);
    dev_set_state(d, DEV_END_BACK, DEV_STATE_INITWAIT);
    cr_assert(!dev_finished(d));
    dev_end_dead(d, DEV_END_FRONT);
    cr_assert_eq(d->end[DEV_END_FRONT].state, DEV_STATE_CLOSED);
    cr_assert_eq(dev_end_of(d, 3), -1, "a new d3 is no end of the dead one's device");
    cr_assert_eq(dev_end_of(d, 0), DEV_END_BACK);
    cr_assert_null(dev_nth(3, 0, 0));
    cr_assert(!dev_finished(d), "the back end is still open");
    cr_assert_eq(dev_set_state(d, DEV_END_BACK, DEV_STATE_CLOSED), 0);
    cr_assert(dev_finished(d));
}

/* Both ends closed but both domains alive: the record stays (a front end
 * may start again from CLOSED). */
Test(device, closed_but_alive_is_not_finished)
{
    uint32_t id;
    dev_create(DEV_TYPE_NET, 1, 0, &id);
    struct hv_device *d = dev_find(id);
    dev_set_state(d, DEV_END_FRONT, DEV_STATE_CLOSED);
    dev_set_state(d, DEV_END_BACK, DEV_STATE_CLOSED);
    cr_assert(!dev_finished(d));
    cr_assert_eq(dev_set_state(d, DEV_END_FRONT, DEV_STATE_INITIALISING), 0);
}
