/*
 * solutions/lab6/reservation.c — lab 6, reference: the rules of a domain's
 * memory reservation -- may it give this page back, may this hole be
 * backed again -- and the P2M/M2P updates of both (the stub students edit
 * is labs/lab6/reservation.c; the contract is hv/mm/reservation.h).
 *
 * Where this sits in the story (course: ballooning, the P2M and M2P
 * tables): the balloon driver in a guest gives pages back and asks for them
 * again (minios-guest's balloon, solutions/lab6/balloon.c); the hypercall
 * (solutions/lab6/memory_op.c) copies each pfn in, asks these rules, and
 * moves frames between the domain and the free list.  The rules are the
 * safety of it: a frame given back must be unreachable from the guest (the
 * reference counts of direct paging say so, lab 2), and a domain may grow
 * back only into its own holes and only up to its maximum.
 *
 * Pure logic on the frame table and the M2P (hv/mm/page_type.h), so
 * tests/unit/test_reservation.c runs it on the host.
 */
#include "mm/reservation.h"

/* Is mfn a frame of RAM that d owns and may do as it likes with? */
static int own_frame(uint32_t mfn, domid_t d)
{
    if (mfn >= MAX_FRAMES)
        return MMRULE_BAD_FRAME;
    const struct frame_info *f = &frame_table[mfn];
    if (f->use == FRAME_HV)
        return MMRULE_HV_FRAME;
    /* Shared info and start info: the hypervisor writes them for as long
     * as the domain lives.  The domain's own, but never its to give back. */
    if (f->use == FRAME_SHARED)
        return f->owner == d ? MMRULE_HV_SHARED : MMRULE_NOT_OWNER;
    if (f->use != FRAME_GUEST)
        return MMRULE_BAD_FRAME;
    return f->owner == d ? MMRULE_OK : MMRULE_NOT_OWNER;
}

int mem_release(domid_t d, uint32_t pfn, uint32_t *p2m, uint32_t nr_pages, uint32_t *mfn)
{
    *mfn = INVALID_PFN;
    if (pfn >= nr_pages || p2m[pfn] == INVALID_PFN)
        return MMRULE_BAD_PFN;           /* no such page, or a hole already */
    *mfn = p2m[pfn];
    int r = own_frame(*mfn, d);
    if (r != MMRULE_OK)
        return r;                        /* (a consistent P2M never gets here) */
    /* The rule of the whole call: nothing may still refer to the frame.
     * Every mapping (the guest's own page-table entries, another domain's
     * grant mapping), type reference, pin and CR3 is counted in `count` (a
     * type reference always comes with a total one), but say all three
     * anyway: this check is what keeps a freed frame from staying mapped --
     * a window into whatever the next owner keeps there. */
    const struct frame_info *f = &frame_table[*mfn];
    if (f->count > 0 || f->type_count > 0 || f->pinned)
        return MMRULE_IN_USE;
    /* The page becomes a hole, and the frame belongs to no pfn. */
    p2m[pfn] = INVALID_PFN;
    m2p[*mfn] = INVALID_PFN;
    return MMRULE_OK;
}

int mem_populate_rule(uint32_t pfn, const uint32_t *p2m, uint32_t nr_pages,
                      uint32_t tot_pages, uint32_t max_pages, uint32_t pool_free)
{
    /* Only a hole: a pfn the domain has and gave back.  Backing a page that
     * is backed already would orphan its frame (and leave the M2P naming
     * two pfns' worth of one page); a pfn past nr_pages would grow the
     * domain's pseudo-physical size, which never changes. */
    if (pfn >= nr_pages || p2m[pfn] != INVALID_PFN)
        return MMRULE_BAD_PFN;
    /* The toolstack's bound (DOMCTL_max_mem).  The target is the balloon's
     * business; the maximum is the hypervisor's. */
    if (tot_pages >= max_pages)
        return MMRULE_OVER_MAX;
    if (!pool_free)
        return MMRULE_POOL_EMPTY;
    return MMRULE_OK;
}

void mem_populate_enter(uint32_t pfn, uint32_t mfn, uint32_t *p2m)
{
    /* Both directions, always together: the P2M says which frame backs the
     * page, the M2P (which every guest may read) which page a frame is. */
    p2m[pfn] = mfn;
    m2p[mfn] = pfn;
}
