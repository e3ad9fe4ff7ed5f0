/*
 * labs/lab6/reservation.c — lab 6: the rules of a domain's memory
 * reservation (your code goes here): may it give this page back, may this
 * hole be backed again, and the P2M/M2P updates of both.
 *
 * Where this sits in the story (course: ballooning; pseudo-physical memory,
 * the P2M and M2P tables; "separation of mechanism and policy"): dom0's
 * toolstack sets a domain's TARGET (`xl mem-set`: DOMCTL_set_target, a
 * request) and its MAXIMUM (DOMCTL_max_mem, a bound).  The guest's BALLOON
 * driver meets the target by giving pages back (memory_op
 * decrease_reservation: inflating) or asking for them again (memory_op
 * populate_physmap / increase_reservation: deflating).  The hypervisor
 * cannot take memory from a guest -- it does not know which pages the guest
 * still needs -- but it must make sure that what the guest does is safe:
 * that is this file.  The hypercall (labs/lab6/memory_op.c) copies each pfn
 * in and calls these rules; the contract, with every rule and its order, is
 * hv/mm/reservation.h (read it first).
 *
 * The things to get right:
 *   - A FRAME GIVEN BACK MUST BE UNREACHABLE.  It goes on the free list,
 *     and the next domain to get it keeps its secrets there.  If a
 *     page-table entry still maps it (even read-only), if another domain
 *     has it mapped through a grant, if it is a page table or pinned or a
 *     CR3, the guest (or the grantee) could still read or write it: refuse
 *     it (in_use).  The frame table's counts (hv/mm/page_type.h: count,
 *     type_count, pinned -- lab 2's bookkeeping) already know all of that.
 *   - ONLY YOUR OWN FRAMES.  The frame behind the pfn must be RAM (not past
 *     MAX_FRAMES), a guest frame (use FRAME_GUEST), and the domain's own;
 *     the frames the hypervisor writes into the domain (shared info, start
 *     info: FRAME_SHARED, owner d) are the domain's but never its to give
 *     back (hv_shared); the hypervisor's (FRAME_HV) never.
 *   - THE P2M AND THE M2P ARE INVERSE, ALWAYS.  Giving back makes pfn a HOLE
 *     (p2m[pfn] = INVALID_PFN) and the frame nobody's page (m2p[mfn] =
 *     INVALID_PFN); populating makes them name each other again.  A
 *     refusal changes nothing at all.
 *   - THE MAXIMUM IS THE HYPERVISOR'S, THE TARGET THE GUEST'S.  Populate
 *     only a hole (never a page that is backed, never past nr_pages: the
 *     pseudo-physical size is fixed), never past max_pages, never from an
 *     empty pool.
 *
 * Test with:  make LAB=6 unit-tests && build/lab6/tests/unit-tests   (the reservation suite)
 */
#include "mm/reservation.h"

int mem_release(domid_t d, uint32_t pfn, uint32_t *p2m, uint32_t nr_pages, uint32_t *mfn)
{
    (void)d; (void)pfn; (void)p2m; (void)nr_pages;
    *mfn = INVALID_PFN;
    /* TODO (lab 6): the rules of hv/mm/reservation.h, in their order --
     * bad_pfn (no such page, or a hole already), then the frame's owner
     * (bad_frame, hv_frame, hv_shared, not_owner: frame_table[mfn].use and
     * .owner), then in_use (count, type_count, pinned).  Only on MMRULE_OK:
     * the hole in the P2M and the M2P.  Until then every page is refused,
     * and no balloon can give anything back. */
    return MMRULE_BAD_OP;
}

int mem_populate_rule(uint32_t pfn, const uint32_t *p2m, uint32_t nr_pages,
                      uint32_t tot_pages, uint32_t max_pages, uint32_t pool_free)
{
    (void)pfn; (void)p2m; (void)nr_pages; (void)tot_pages; (void)max_pages; (void)pool_free;
    /* TODO (lab 6): bad_pfn (past nr_pages, or not a hole), over_max
     * (tot_pages already at max_pages), pool_empty; else MMRULE_OK. */
    return MMRULE_BAD_OP;
}

void mem_populate_enter(uint32_t pfn, uint32_t mfn, uint32_t *p2m)
{
    (void)pfn; (void)mfn; (void)p2m;
    /* TODO (lab 6): the P2M and the M2P name each other again. */
}
