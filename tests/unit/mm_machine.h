/*
 * tests/unit/mm_machine.h — the small machine the memory suites share
 * (test_mm.c: direct paging; test_reservation.c: lab 6's reservation):
 * a few frames with known owners, and the check that the P2M and the M2P
 * name each other.
 *
 *   domain 1 owns frames 100..163   (A = 100 an L1, B = 101 its L2)
 *   domain 2 owns frames 200..209
 *   frame 300 is the hypervisor's, frame 400 is free
 *
 * The contents of the guests' frames are test_mm.c's pages (its
 * pt_frame()); each suite's setup fills in the tables it needs.  Header
 * only, static functions: each test file that includes it gets its own
 * copy, and Criterion's asserts must be visible (include it after
 * <criterion/criterion.h>).
 */
#ifndef HVKIT_TEST_MM_MACHINE_H
#define HVKIT_TEST_MM_MACHINE_H

#include <string.h>
#include "mm/page_type.h"

#define D1 1
#define D2 2
#define A  100u      /* an L1 of domain 1 */
#define B  101u      /* its L2, pinned by the setups, entry 0 -> A */
#define HVF 300u
#define FREEF 400u

/* An entry, and the machine address of entry i of table t. */
#define pte(mfn, flags) (((uint32_t)(mfn) << 12) | (flags))
#define l1ptr(t, i)     (((uint32_t)(t) << 12) | ((uint32_t)(i) << 2))

/* Every frame's owner and use as above, no types, no M2P entries. */
static inline void mm_machine_reset(void)
{
    memset(frame_table, 0, sizeof frame_table);
    for (uint32_t f = 0; f < MAX_FRAMES; f++)
        m2p[f] = INVALID_PFN;
    for (uint32_t f = 100; f < 164; f++)
        frame_table[f] = (struct frame_info){ .owner = D1, .use = FRAME_GUEST };
    for (uint32_t f = 200; f < 210; f++)
        frame_table[f] = (struct frame_info){ .owner = D2, .use = FRAME_GUEST };
    frame_table[HVF].use = FRAME_HV;
    frame_table[FREEF].use = FRAME_FREE;
}

/* The P2M p2m[0..n-1] of domain 1 and the M2P name each other: each
 * backed pfn's frame says that pfn, and each of domain 1's frames that
 * names a pfn is that pfn's frame. */
static inline void check_inverse(const uint32_t *p2m, uint32_t n)
{
    for (uint32_t pfn = 0; pfn < n; pfn++)
        if (p2m[pfn] != INVALID_PFN)
            cr_assert_eq(m2p[p2m[pfn]], pfn, "m2p[p2m[%u]] != %u", pfn, pfn);
    for (uint32_t mfn = 100; mfn < 164; mfn++)
        if (m2p[mfn] != INVALID_PFN)
            cr_assert_eq(p2m[m2p[mfn]], mfn, "p2m[m2p[%u]] != %u", mfn, mfn);
}

#endif
