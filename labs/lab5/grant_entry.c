/*
 * labs/lab5/grant_entry.c — lab 5: the life of one grant entry (your code
 * goes here): the checks before a domain may use another's frame, the
 * references a use holds, and the flags written back into the granter's
 * table.
 *
 * Where this sits in the story (course: split drivers, "the guest passes a
 * page for dom0 to write into"): domains share nothing by default -- direct
 * paging (lab 2) refuses any mapping of a frame the domain does not own.  A
 * grant is the one controlled exception: domain A writes an entry of its own
 * grant table, "domain B may use my frame F (read-only or writable)", and B
 * asks the hypervisor to map it, unmap it or copy to or from it.  The
 * hypercall (hv/grant/grant_table_op.c) does the page-table entries and the
 * TLB; it calls these functions for every use, and the contract is in
 * hv/grant/grant.h.  They are pure logic on the frame table
 * (hv/mm/page_type.h: get_page, get_page_type, put_page_type, put_page,
 * frame_table[], m2p[]) and the tables they are given, so
 * tests/unit/test_grant.c drives them on the host.
 *
 * The three things to get right:
 *   - THE SHARED ENTRY IS HOSTILE.  The granter may rewrite it at any
 *     moment, even while you look at it: read flags, domid and frame ONCE
 *     into locals and decide on that snapshot (reading it twice is a
 *     time-of-check-to-time-of-use hole).  Believe it only on a FIRST use;
 *     while the active entry holds pins, the active entry is the truth and
 *     a shared entry that disagrees gets new uses refused (changed).
 *   - EVERY RULE OF DIRECT PAGING STILL HOLDS.  A granted frame keeps its
 *     owner (A) and its type; a use is one more total reference (get_page),
 *     and a writable use one more PGT_WRITABLE type reference -- which a page
 *     table cannot give, so a page table is shared read-only at most, and a
 *     frame in use can be neither given back nor made a page table.  Every
 *     reference taken on acquire must be dropped on release, or the frame
 *     can never be freed.
 *   - THE GRANTER MUST SEE THE USE.  GTF_reading (and GTF_writing for a
 *     writable use) in the shared entry while it is in use: the granter's
 *     revoke is a compare-and-exchange of the flags with 0 that expects
 *     those bits clear, so an entry in use cannot be revoked.
 *
 * Test with:  make LAB=5 unit-tests && build/lab5/tests/unit-tests   (the grant suite)
 */
#include "grant/grant.h"
#include "mm/page_type.h"

/* ---- given: the rules' errno, the two tables' entries, the handles ------- */

int gntrule_errno(int rule)
{
    switch (rule) {
#define GNT_RULE(sym, number, err, name, what) case GNTRULE_##sym: return -(err);
#include "public/grant-rules.def"
#undef GNT_RULE
    }
    return -HV_EINVAL;
}

/* Entry ref of the granter's shared table (check ref and its page first:
 * see gnt_active_frame). */
static inline volatile struct grant_entry_v1 *shared_entry(const struct grant_domain *g,
                                                           grant_ref_t ref)
{
    return &g->shared[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

/* The hypervisor's own active entry for ref. */
static inline struct grant_active *active_entry(const struct grant_domain *g, grant_ref_t ref)
{
    return &g->active[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
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

/* ---- yours ----------------------------------------------------------------- */

int gnt_acquire(const struct gnt_granter *gr, grant_ref_t ref, domid_t user, int rw,
                uint32_t *frame)
{
    /* TODO (lab 5): one use of entry ref of the granter gr, for domain
     * `user`, writable iff rw.  In this order, each refusal changing
     * nothing:
     *   1. ref inside the table (gnt_nr_entries) and its page there
     *      (g->shared[page] != 0), else GNTRULE_BAD_REF;
     *   2. ONE snapshot of the shared entry (flags, domid, frame), then:
     *      GTF_permit_access (GTF_type_mask) else NOT_GRANTED; domid ==
     *      user else NOT_FOR_YOU (a grant names its grantee: nobody else
     *      may use it); a writable use of a GTF_readonly entry: READ_ONLY;
     *   3. the first use (no pins): the frame must be one of the granter's
     *      own pseudo-physical pages -- FRAME_GUEST, owned by gr->id, its
     *      m2p[] a pfn below gr->nr_pages whose gr->p2m[] is the frame, and
     *      not one of the granter's grant-table frames (g->frame[]) -- else
     *      BAD_FRAME.  A later use: the snapshot must agree with the active
     *      entry (domid, frame), else CHANGED;
     *   4. at most GNT_MAX_PINS pins of a kind, else NO_SPACE;
     *   5. the references: get_page (else BAD_FRAME), and for rw
     *      get_page_type(PGT_WRITABLE) (else give the first back: FRAME_TYPE);
     *   6. record: a first use sets the active entry's frame and domid and
     *      counts g->nr_pinned; one more ro_pins or rw_pins; the shared
     *      flags |= GTF_reading (| GTF_writing for rw) -- written from
     *      your snapshot, so the granter sees the entry is in use.
     * *frame = the frame; GNTRULE_OK. */
    (void)gr; (void)ref; (void)user; (void)rw; (void)frame;
    return GNTRULE_NOT_GRANTED;
}

int gnt_release(struct grant_domain *g, grant_ref_t ref, int rw, uint32_t *frame)
{
    /* TODO (lab 5): give back one use gnt_acquire gave (the caller only
     * calls it for a use it holds): one pin of its kind less; the
     * references that use took (put_page_type for rw, put_page); the last
     * use (no pins left) uncounts g->nr_pinned; then, unless the granter's
     * table is gone (g->shared[page] == 0: it died while others still
     * mapped it), clear GTF_writing once no writable use is left and
     * GTF_reading once no use at all is left -- so the granter may revoke.
     * *frame = the active entry's frame; return 1 iff it was the last use. */
    (void)g; (void)ref; (void)rw;
    *frame = 0;
    return 0;
}

int gnt_get_own(domid_t d, const uint32_t *p2m, uint32_t nr_pages,
                const struct grant_domain *g, uint32_t mfn, int rw)
{
    /* TODO (lab 5): the other side of a copy is the caller's own frame:
     * the same "one of d's own pages" check as a first use (BAD_FRAME),
     * then the same references as a use (rw: a page table may not be
     * copied into: FRAME_TYPE).  Write that check and those references
     * once, as helpers, and use them in gnt_acquire too. */
    (void)d; (void)p2m; (void)nr_pages; (void)g; (void)mfn; (void)rw;
    return GNTRULE_BAD_FRAME;
}

void gnt_put_own(uint32_t mfn, int rw)
{
    /* TODO (lab 5): give back what gnt_get_own took. */
    (void)mfn; (void)rw;
}
