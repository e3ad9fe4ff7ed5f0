/*
 * tests/unit/test_reservation.c — lab 6's rules of a memory reservation
 * (labs/lab6/reservation.c; the contract is hv/mm/reservation.h), on the
 * host: giving a page back is refused while anything refers to its frame
 * (a mapping, a type, a pin, a base pointer; a grant mapping is tested in
 * test_grant.c, in this suite too), and never for a frame not the
 * domain's own; it leaves a hole in the P2M and the M2P; populating backs
 * only a hole, never past the maximum or from an empty pool, and makes the
 * two tables name each other again.
 *
 * The machine is test_mm.c's (mm_machine.h, and test_mm.c's pt_frame):
 * domain 1 owns frames 100..163, domain 2 owns 200..209, frame 300 is the
 * hypervisor's, 400 is free.  The setup pins B, an L2 whose entry 0 maps A, an L1, so entries of
 * A can be written with pt_update (lab 2's operations: this suite runs on
 * them, labs/lab6/lab.mk says so).
 */
#include <criterion/criterion.h>
#include <string.h>
#include "mm/reservation.h"
#include "mm_machine.h"

#define SH 150u      /* a frame the hypervisor writes into domain 1 */

static void setup(void)
{
    mm_machine_reset();
    /* test_mm.c's pages: clear A and B, and make B's entry 0 map A. */
    memset(pt_frame(A), 0, 4096);
    memset(pt_frame(B), 0, 4096);
    pt_frame(B)[0] = pte(A, PTE_P | PTE_RW | PTE_US);
    pt_pin(D1, B, PGT_L2);
    pt_flush_needed = 0;
}

TestSuite(reservation, .init = setup);

/* ---- giving frames back (decrease_reservation) --------------------------- */
Test(reservation, release_refuses_any_frame_still_referenced)
{
    /* pfn i of domain 1 is frame 120 + i. */
    uint32_t p2m[8], mfn;
    for (uint32_t i = 0; i < 8; i++) {
        p2m[i] = 120 + i;
        m2p[120 + i] = i;
    }
    struct pt_result res;
    uint32_t base = 0;
    /* pfn 0: mapped read-only; 1: mapped writable; 2: a pinned L1;
     * 3: an L1 a directory entry uses (unpinned); 4: a base pointer. */
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(120, PTE_P), &res), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), pte(121, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(pt_pin(D1, 122, PGT_L1), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(B, 2), pte(123, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(pt_new_base(D1, 124, &base), MMRULE_OK);
    for (uint32_t pfn = 0; pfn < 5; pfn++) {
        cr_assert_eq(mem_release(D1, pfn, p2m, 8, &mfn), MMRULE_IN_USE, "pfn %u", pfn);
        cr_assert_eq(mfn, 120 + pfn);
        cr_assert_eq(p2m[pfn], 120 + pfn, "a refused release changed the P2M");
        cr_assert_eq(m2p[120 + pfn], pfn, "a refused release changed the M2P");
    }
    /* Once unpinned (the pin was its only reference) it may go. */
    cr_assert_eq(pt_unpin(D1, 122), MMRULE_OK);
    cr_assert_eq(mem_release(D1, 2, p2m, 8, &mfn), MMRULE_OK, "unpinned and unmapped: free");
    /* The same frames, once nothing refers to them any more. */
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), 0, &res), MMRULE_OK);
    cr_assert_eq(mem_release(D1, 0, p2m, 8, &mfn), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), pte(121, PTE_P), &res), MMRULE_OK);
    cr_assert_eq(mem_release(D1, 1, p2m, 8, &mfn), MMRULE_IN_USE, "read-only is still mapped");
}

Test(reservation, release_makes_a_hole_in_p2m_and_m2p)
{
    uint32_t p2m[4] = { 130, 131, 132, 133 }, mfn;
    for (uint32_t i = 0; i < 4; i++)
        m2p[p2m[i]] = i;
    cr_assert_eq(mem_release(D1, 2, p2m, 4, &mfn), MMRULE_OK);
    cr_assert_eq(mfn, 132);
    cr_assert_eq(p2m[2], INVALID_PFN);
    cr_assert_eq(m2p[132], INVALID_PFN);
    check_inverse(p2m, 4);
    /* A hole cannot be given back twice, nor can a page beyond memory. */
    cr_assert_eq(mem_release(D1, 2, p2m, 4, &mfn), MMRULE_BAD_PFN);
    cr_assert_eq(mfn, INVALID_PFN);
    cr_assert_eq(mem_release(D1, 4, p2m, 4, &mfn), MMRULE_BAD_PFN);
    cr_assert_eq(mem_release(D1, 0xFFFFFFFFu, p2m, 4, &mfn), MMRULE_BAD_PFN);
    /* A P2M naming someone else's frame (it cannot happen, but the owner
     * rules still stand between a domain and another's memory). */
    p2m[3] = 200;
    cr_assert_eq(mem_release(D1, 3, p2m, 4, &mfn), MMRULE_NOT_OWNER);
    p2m[3] = HVF;
    cr_assert_eq(mem_release(D1, 3, p2m, 4, &mfn), MMRULE_HV_FRAME);
    cr_assert_eq(mmrule_errno(MMRULE_IN_USE), -HV_EBUSY);
    cr_assert_eq(mmrule_errno(MMRULE_BAD_PFN), -HV_EINVAL);
}


Test(reservation, the_pin_of_the_setup_holds)
{
    cr_assert_eq(frame_table[B].pinned, 1, "the setup's pin of B (lab 2's pt_pin)");
    uint32_t p2m[2] = { A, B }, mfn;
    m2p[A] = 0;
    m2p[B] = 1;
    cr_assert_eq(mem_release(D1, 0, p2m, 2, &mfn), MMRULE_IN_USE, "A: an L1 B's entry uses");
    cr_assert_eq(mem_release(D1, 1, p2m, 2, &mfn), MMRULE_IN_USE, "B: a pinned directory");
    check_inverse(p2m, 2);
}

Test(reservation, a_shared_frame_is_never_given_back)
{
    static uint32_t p2m[64];
    for (uint32_t i = 0; i < 64; i++) {
        p2m[i] = 100 + i;
        m2p[100 + i] = i;
    }
    frame_make_shared(SH);
    uint32_t mfn;
    cr_assert_eq(mem_release(D1, SH - 100, p2m, 64, &mfn), MMRULE_HV_SHARED);
    cr_assert_eq(mfn, SH);
    cr_assert_eq(p2m[SH - 100], SH, "still backs its page");
    cr_assert_eq(m2p[SH], SH - 100, "and is still that page");
    /* Another domain's shared frame is simply not its own. */
    frame_table[SH].owner = D2;
    cr_assert_eq(mem_release(D1, SH - 100, p2m, 64, &mfn), MMRULE_NOT_OWNER);
}

Test(reservation, only_frames_of_ram)
{
    uint32_t p2m[3] = { FREEF, MAX_FRAMES, 0xFFFFFF00u }, mfn;
    cr_assert_eq(mem_release(D1, 0, p2m, 3, &mfn), MMRULE_BAD_FRAME, "a free frame");
    cr_assert_eq(mfn, FREEF);
    cr_assert_eq(frame_table[FREEF].use, FRAME_FREE, "untouched");
    cr_assert_eq(mem_release(D1, 1, p2m, 3, &mfn), MMRULE_BAD_FRAME, "past the frame table");
    cr_assert_eq(mem_release(D1, 2, p2m, 3, &mfn), MMRULE_BAD_FRAME, "far past it");
    cr_assert_eq(p2m[1], MAX_FRAMES, "a refusal changes nothing");
}

Test(reservation, the_rules_in_their_order)
{
    /* pfn 0 is backed by another domain's frame: not_owner; pfn 1 by a
     * mapped frame of ours: in_use, or bad_pfn when it is past nr_pages
     * (the pfn is checked before its frame). */
    struct pt_result res;
    uint32_t p2m[2] = { 200, 120 }, mfn;
    m2p[120] = 1;
    cr_assert_eq(mem_release(D1, 0, p2m, 2, &mfn), MMRULE_NOT_OWNER);
    cr_assert_eq(pt_update(D1, l1ptr(A, 9), pte(120, PTE_P), &res), MMRULE_OK);
    cr_assert_eq(mem_release(D1, 1, p2m, 1, &mfn), MMRULE_BAD_PFN, "pfn 1 is past nr_pages 1");
    cr_assert_eq(mfn, INVALID_PFN);
    cr_assert_eq(mem_release(D1, 1, p2m, 2, &mfn), MMRULE_IN_USE);
    cr_assert_eq(mfn, 120u, "the frame tried");
    cr_assert_eq(mem_release(D2, 1, p2m, 2, &mfn), MMRULE_NOT_OWNER, "the frame is domain 1's");
}

Test(reservation, a_type_without_a_mapping_is_still_in_use)
{
    /* A frame holding a type reference only (a page table nothing maps:
     * here a pinned L1, then typed by hand as a cheat would leave it). */
    uint32_t p2m[1] = { 140 }, mfn;
    m2p[140] = 0;
    frame_table[140].type = PGT_L1;
    frame_table[140].type_count = 1;
    cr_assert_eq(mem_release(D1, 0, p2m, 1, &mfn), MMRULE_IN_USE, "type_count > 0");
    frame_table[140].type_count = 0;
    frame_table[140].pinned = 1;
    cr_assert_eq(mem_release(D1, 0, p2m, 1, &mfn), MMRULE_IN_USE, "pinned");
    frame_table[140].pinned = 0;
    frame_table[140].count = 1;
    cr_assert_eq(mem_release(D1, 0, p2m, 1, &mfn), MMRULE_IN_USE, "count > 0");
    frame_table[140].count = 0;
    cr_assert_eq(mem_release(D1, 0, p2m, 1, &mfn), MMRULE_OK);
    cr_assert_eq(p2m[0], INVALID_PFN);
    cr_assert_eq(m2p[140], INVALID_PFN);
}

/* ---- populating holes again (populate_physmap, increase_reservation) ----- */
Test(reservation, populate_only_a_hole)
{
    uint32_t p2m[4] = { 130, INVALID_PFN, 132, INVALID_PFN };
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 2, 4, 100), MMRULE_OK);
    cr_assert_eq(mem_populate_rule(3, p2m, 4, 2, 4, 100), MMRULE_OK);
    cr_assert_eq(mem_populate_rule(0, p2m, 4, 2, 4, 100), MMRULE_BAD_PFN, "backed already");
    cr_assert_eq(mem_populate_rule(2, p2m, 4, 2, 4, 100), MMRULE_BAD_PFN, "backed already");
    cr_assert_eq(mem_populate_rule(4, p2m, 4, 2, 4, 100), MMRULE_BAD_PFN, "past nr_pages");
    cr_assert_eq(mem_populate_rule(0xFFFFFFFFu, p2m, 4, 2, 4, 100), MMRULE_BAD_PFN);
    cr_assert_eq(p2m[1], INVALID_PFN, "the rule changes nothing");
}

Test(reservation, populate_never_past_the_maximum)
{
    uint32_t p2m[4] = { 130, INVALID_PFN, INVALID_PFN, INVALID_PFN };
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 1, 2, 100), MMRULE_OK, "1 of 2");
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 2, 2, 100), MMRULE_OVER_MAX, "2 of 2");
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 3, 2, 100), MMRULE_OVER_MAX,
                 "above a maximum lowered under what it holds");
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 0, 0, 100), MMRULE_OVER_MAX, "a maximum of 0");
    /* bad_pfn first: a page that is no hole is refused as such. */
    cr_assert_eq(mem_populate_rule(0, p2m, 4, 2, 2, 100), MMRULE_BAD_PFN);
}

Test(reservation, populate_needs_a_free_frame)
{
    uint32_t p2m[2] = { INVALID_PFN, INVALID_PFN };
    cr_assert_eq(mem_populate_rule(0, p2m, 2, 0, 2, 1), MMRULE_OK, "the last free frame");
    cr_assert_eq(mem_populate_rule(0, p2m, 2, 0, 2, 0), MMRULE_POOL_EMPTY);
    /* The maximum first: a domain at its maximum is told so, pool or not. */
    cr_assert_eq(mem_populate_rule(0, p2m, 2, 2, 2, 0), MMRULE_OVER_MAX);
    cr_assert_eq(mem_populate_rule(2, p2m, 2, 0, 2, 0), MMRULE_BAD_PFN);
    cr_assert_eq(mmrule_errno(MMRULE_OVER_MAX), -HV_ENOMEM);
    cr_assert_eq(mmrule_errno(MMRULE_POOL_EMPTY), -HV_ENOMEM);
}

Test(reservation, give_back_and_populate_keep_p2m_and_m2p_inverse)
{
    /* pfn i is frame 150 + i; give back 1 and 3, then back 3 with frame
     * 160 and 1 with 161 (the pool hands out any frame). */
    uint32_t p2m[4], mfn;
    for (uint32_t i = 0; i < 4; i++) {
        p2m[i] = 150 + i;
        m2p[150 + i] = i;
    }
    cr_assert_eq(mem_release(D1, 1, p2m, 4, &mfn), MMRULE_OK);
    cr_assert_eq(mfn, 151u);
    cr_assert_eq(mem_release(D1, 3, p2m, 4, &mfn), MMRULE_OK);
    check_inverse(p2m, 4);
    cr_assert_eq(mem_populate_rule(3, p2m, 4, 2, 4, 10), MMRULE_OK);
    mem_populate_enter(3, 160, p2m);
    cr_assert_eq(p2m[3], 160u);
    cr_assert_eq(m2p[160], 3u, "the M2P names the page of the new frame");
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 3, 4, 10), MMRULE_OK);
    mem_populate_enter(1, 161, p2m);
    cr_assert_eq(m2p[161], 1u);
    cr_assert_eq(m2p[151], INVALID_PFN, "the old frame is still nobody's page");
    check_inverse(p2m, 4);
    cr_assert_eq(mem_populate_rule(1, p2m, 4, 4, 4, 10), MMRULE_BAD_PFN, "no hole left");
    /* The new frames can be given back in their turn. */
    cr_assert_eq(mem_release(D1, 3, p2m, 4, &mfn), MMRULE_OK);
    cr_assert_eq(mfn, 160u);
    cr_assert_eq(m2p[160], INVALID_PFN);
    check_inverse(p2m, 4);
}
