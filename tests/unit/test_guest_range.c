/*
 * tests/unit/test_guest_range.c — the first check on every guest pointer
 * (hv/core/guest_range.c): nothing may reach the hypervisor hole, nothing may
 * wrap around.
 */
#include <criterion/criterion.h>
#include "core/guest_access.h"
#include "public/hvkit.h"

Test(guest_range, ordinary_ranges)
{
    cr_assert(guest_range_ok(0xC0100000, 4096));
    cr_assert(guest_range_ok(0, 0));
    cr_assert(guest_range_ok(0x1000, 1));
    cr_assert(guest_range_ok(HYPERVISOR_VIRT_START - 1, 1));         /* last guest byte */
    cr_assert(guest_range_ok(HYPERVISOR_VIRT_START - 16, 16));
}

Test(guest_range, into_or_across_the_hole)
{
    cr_assert_not(guest_range_ok(HYPERVISOR_VIRT_START, 0));
    cr_assert_not(guest_range_ok(HYPERVISOR_VIRT_START, 1));
    cr_assert_not(guest_range_ok(HYPERVISOR_VIRT_START - 16, 17));    /* ends one byte in */
    cr_assert_not(guest_range_ok(0xFBFFFFF0, 0x100));
    cr_assert_not(guest_range_ok(0xFFFFFFFF, 1));
}

Test(guest_range, wrap_around)
{
    cr_assert_not(guest_range_ok(0x1000, 0xFFFFF000));                /* 0x1000 + len wraps to 0 */
    cr_assert_not(guest_range_ok(0x10, 0xFFFFFFFF));
    cr_assert_not(guest_range_ok(0, HYPERVISOR_VIRT_START + 1));
    cr_assert(guest_range_ok(0, HYPERVISOR_VIRT_START));
}
