/*
 * solutions/lab5/grant_entry.c — lab 5, reference: the life of one grant
 * entry: the checks before a domain may use another's frame, the
 * references a use holds, and the flags the hypervisor writes back into
 * the granter's table (the stub students edit is labs/lab5/grant_entry.c).
 *
 * Pure logic, like the rules of direct paging it builds on (lab 2,
 * hv/mm/page_type.h): it reads and writes the frame table and the grant
 * tables it is given, and touches no hardware, so tests/unit/test_grant.c
 * drives it on the host.  grant_table_op.c calls it for every map, unmap
 * and copy.
 *
 * The state machine of one entry, as the hypervisor sees it:
 *
 *    shared entry says              active entry            shared flags
 *    ---------------------------    --------------------    ----------------
 *    nothing (revoked, or never)    free (no pins)          0
 *    permit_access for B, frame F   free                    permit [| readonly]
 *      -- B maps it -->             F, B, 1 pin             ... | reading [| writing]
 *      -- B maps it again -->       F, B, 2 pins            (same)
 *      -- B unmaps both -->         free                    permit [| readonly]
 *
 * While the active entry holds pins, IT is the truth: the frame stays
 * referenced (so its owner cannot give it back or retype it), and a new
 * use must match it.  The shared entry is only believed on a first use --
 * and then checked: the frame must be one of the granter's own pages.
 */
#include "grant/grant.h"
#include "mm/page_type.h"

int gntrule_errno(int rule)
{
    switch (rule) {
#define GNT_RULE(sym, number, err, name, what) case GNTRULE_##sym: return -(err);
#include "public/grant-rules.def"
#undef GNT_RULE
    }
    return -HV_EINVAL;
}

static volatile struct grant_entry_v1 *shared_entry(const struct grant_domain *g, grant_ref_t ref)
{
    return &g->shared[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

static struct grant_active *active_entry(const struct grant_domain *g, grant_ref_t ref)
{
    return &g->active[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

/*
 * Is mfn a page of domain d's own memory?  Owned by d as an ordinary
 * frame -- not the hypervisor's, not free, not a module, and not one of
 * the frames the hypervisor writes for d (FRAME_SHARED: its shared-info
 * and start-info pages, its grant table) -- AND one of its
 * pseudo-physical pages, as its P2M says.  (The grant table is also
 * refused by name: belt and braces for the one frame this file writes.)
 */
static int own_page(domid_t d, const uint32_t *p2m, uint32_t nr_pages,
                    const struct grant_domain *g, uint32_t mfn)
{
    if (mfn >= MAX_FRAMES)
        return GNTRULE_BAD_FRAME;
    const struct frame_info *f = &frame_table[mfn];
    if (f->use != FRAME_GUEST || f->owner != d)
        return GNTRULE_BAD_FRAME;
    uint32_t pfn = m2p[mfn];
    if (pfn >= nr_pages || p2m[pfn] != mfn)
        return GNTRULE_BAD_FRAME;
    for (uint32_t i = 0; i < g->nr_frames; i++)
        if (g->frame[i] == mfn)
            return GNTRULE_BAD_FRAME;
    return GNTRULE_OK;
}

/* The references one use holds, by the rules of direct paging: a total
 * reference, and for a writable use a "writable" type reference -- which a
 * page table (type L1 or L2, count > 0) cannot give. */
static int take_refs(uint32_t mfn, domid_t owner, int rw)
{
    if (get_page(mfn, owner) != MMRULE_OK)
        return GNTRULE_BAD_FRAME;
    if (rw && get_page_type(mfn, owner, PGT_WRITABLE) != MMRULE_OK) {
        put_page(mfn);
        return GNTRULE_FRAME_TYPE;
    }
    return GNTRULE_OK;
}

static void drop_refs(uint32_t mfn, int rw)
{
    if (rw)
        put_page_type(mfn);
    put_page(mfn);
}

int gnt_acquire(const struct gnt_granter *gr, grant_ref_t ref, domid_t user, int rw,
                uint32_t *frame)
{
    struct grant_domain *g = gr->g;
    if (ref >= gnt_nr_entries(g) || !g->shared[ref / GNTTAB_ENTRIES_PER_FRAME])
        return GNTRULE_BAD_REF;

    /* Read the entry once: the granter may write it at any time, and we
     * decide on this one snapshot. */
    volatile struct grant_entry_v1 *e = shared_entry(g, ref);
    uint16_t flags = e->flags;
    domid_t to = e->domid;
    uint32_t mfn = e->frame;
    if ((flags & GTF_type_mask) != GTF_permit_access)
        return GNTRULE_NOT_GRANTED;
    if (to != user)
        return GNTRULE_NOT_FOR_YOU;
    if (rw && (flags & GTF_readonly))
        return GNTRULE_READ_ONLY;

    struct grant_active *a = active_entry(g, ref);
    int first = a->ro_pins == 0 && a->rw_pins == 0;
    if (first) {
        int r = own_page(gr->id, gr->p2m, gr->nr_pages, g, mfn);
        if (r != GNTRULE_OK)
            return r;
    } else if (a->domid != user || a->frame != mfn) {
        return GNTRULE_CHANGED;        /* rewritten while in use: not believed */
    }
    if ((rw ? a->rw_pins : a->ro_pins) >= GNT_MAX_PINS)
        return GNTRULE_NO_SPACE;
    int r = take_refs(mfn, gr->id, rw);
    if (r != GNTRULE_OK)
        return r;

    if (first) {
        a->frame = mfn;
        a->domid = user;
        g->nr_pinned++;
    }
    if (rw)
        a->rw_pins++;
    else
        a->ro_pins++;
    e->flags = (uint16_t)(flags | GTF_reading | (rw ? GTF_writing : 0));
    *frame = mfn;
    return GNTRULE_OK;
}

int gnt_release(struct grant_domain *g, grant_ref_t ref, int rw, uint32_t *frame)
{
    struct grant_active *a = active_entry(g, ref);
    if (rw)
        a->rw_pins--;
    else
        a->ro_pins--;
    *frame = a->frame;
    drop_refs(a->frame, rw);
    int last = a->ro_pins == 0 && a->rw_pins == 0;
    if (last)
        g->nr_pinned--;
    /* The granter's view: what is still happening to its entry.  (Its table
     * may be gone: a granter that died while others still mapped it.) */
    if (g->shared[ref / GNTTAB_ENTRIES_PER_FRAME]) {
        volatile struct grant_entry_v1 *e = shared_entry(g, ref);
        uint16_t clear = (uint16_t)((a->rw_pins == 0 ? GTF_writing : 0) | (last ? GTF_reading : 0));
        e->flags = (uint16_t)(e->flags & ~clear);
    }
    return last;
}

int gnt_get_own(domid_t d, const uint32_t *p2m, uint32_t nr_pages,
                const struct grant_domain *g, uint32_t mfn, int rw)
{
    int r = own_page(d, p2m, nr_pages, g, mfn);
    return r != GNTRULE_OK ? r : take_refs(mfn, d, rw);
}

void gnt_put_own(uint32_t mfn, int rw)
{
    drop_refs(mfn, rw);
}

int gnt_active_frame(const struct grant_domain *g, grant_ref_t ref, uint32_t *frame)
{
    if (ref >= gnt_nr_entries(g) || !g->active[ref / GNTTAB_ENTRIES_PER_FRAME])
        return 0;
    const struct grant_active *a = active_entry(g, ref);
    if (!a->ro_pins && !a->rw_pins)
        return 0;
    *frame = a->frame;
    return 1;
}

uint32_t gnt_handle_alloc(const struct grant_domain *g)
{
    for (uint32_t h = 0; h < GNTTAB_MAX_HANDLES; h++)
        if (!(g->maptrack[h].flags & GNT_MAP_IN_USE))
            return h;
    return GNTTAB_MAX_HANDLES;
}
