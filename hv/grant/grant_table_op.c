/*
 * hv/grant/grant_table_op.c — hypercall 20, grant_table_op(cmd, uop,
 * count): a domain sets up its grant table, and maps, unmaps and copies
 * through other domains' grants (public/grant_table.h).
 *
 * Where this sits in the story (course: I/O; "the guest passes a page for
 * dom0 to write into"): grant_entry.c decides whether a use of a grant is
 * allowed and keeps the entry's books; this file is what the decision
 * does to the machine --
 *
 *   setup_table  gives the domain the frames its table lives in, frames
 *                the hypervisor writes too: FRAME_SHARED, like shared info;
 *   map          writes ONE page-table entry in the grantee's current
 *                address space, mapping the granter's frame, the only
 *                entry a guest ever has that maps a frame it does not own.
 *                So it is marked PTE_GRANT, and the mapping pins the page
 *                table that holds it (one total and one L1 type reference
 *                of its own): the grantee can neither change the entry
 *                (memory rule grant_mapped) nor make the table stop being
 *                a table (unpin, clear the directory entry, give it back)
 *                while the mapping lasts;
 *   unmap        clears that entry, flushes the TLB, and gives everything
 *                back;
 *   copy         copies bytes between two frames through the hypervisor's
 *                direct map, each frame held for the length of the copy.
 *
 * And at the end of a domain's life: the mappings it held are undone for
 * it, and its own frames that other domains still map stay alive (as
 * FRAME_ORPHAN) until the last of those mappings goes -- a back end never
 * finds the page under its mapping given to somebody else.
 *
 * Every operation leaves one trace record with its status and rule,
 * written once the status is final (after the result was copied back), so
 * the record says exactly what the guest finds in its status field -- and
 * in %eax, when the batch stopped there.
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "core/lib.h"
#include "grant/grant.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "trace/trace.h"
#include "x86/x86.h"

#define VIA_GRANT 4            /* mmu_update records: the entry a grant wrote */

/* ---- the frames the hypervisor hands out ------------------------------------ */

/*
 * A table frame is a hypervisor-written frame (hv/mm/page_type.h,
 * HYPERVISOR-WRITTEN FRAMES): the domain's (it goes with the domain), but
 * FRAME_SHARED, with the hypervisor's own permanent total and "writable"
 * type reference -- so it can never be made a page table, renumbered into
 * the domain's memory or given back, exactly like the shared-info page.
 * (And never granted: a grant names one of the domain's own pages.)
 */
static int setup_table(struct domain *d, uint32_t nr)
{
    struct grant_domain *g = &d->grant;
    if (nr == 0 || nr > GNTTAB_MAX_FRAMES)
        return GNTRULE_BAD_ARG;
    while (g->nr_frames < nr) {
        if (frames_free_count() < 2)
            return GNTRULE_NO_MEMORY;
        uint32_t mfn = frame_alloc(d->id);           /* the domain's entries */
        uint32_t act = frame_alloc(DOMID_HV);        /* the hypervisor's record of them */
        frame_make_shared(mfn);
        uint32_t i = g->nr_frames;
        g->frame[i] = mfn;
        g->shared[i] = mfn_to_virt(mfn);
        g->active[i] = mfn_to_virt(act);
        g->nr_frames = i + 1;
    }
    return GNTRULE_OK;
}

/* Free the active pages of a dead domain whose entries nobody uses now. */
static void free_active(struct grant_domain *g)
{
    for (uint32_t i = 0; i < g->nr_frames; i++) {
        if (g->active[i])
            frame_free(virt_to_maddr(g->active[i]) >> HV_PAGE_SHIFT);
        g->active[i] = 0;
    }
    g->nr_frames = 0;
}

/* ---- mappings ----------------------------------------------------------------- */

static void trace_entry(struct domain *d, uint32_t l1_mfn, uint32_t idx, uint32_t old, uint32_t val)
{
    trace7(TRC_MMU_UPDATE, d->id, (l1_mfn << HV_PAGE_SHIFT) | (idx << 2), old, val, 1,
           VIA_GRANT, 0, MMRULE_OK);
}

static struct domain *granting_domain(struct domain *d, domid_t id)
{
    return id == DOMID_SELF ? d : domain_lookup(id);
}

static int map_one(struct domain *d, struct gnttab_map_grant_ref *op)
{
    uint32_t flags = op->flags;
    if ((flags & ~(GNTMAP_host_map | GNTMAP_readonly | GNTMAP_application_map)) ||
        !(flags & GNTMAP_host_map))
        return GNTRULE_BAD_ARG;
    int rw = !(flags & GNTMAP_readonly);
    uint32_t va = op->host_addr;
    if ((va & (HV_PAGE_SIZE - 1)) || va >= HV_M2P_VIRT_START)
        return GNTRULE_BAD_ADDR;
    struct domain *gd = granting_domain(d, op->dom);
    if (!gd)
        return GNTRULE_BAD_DOMAIN;

    /* The page table under va.  It can only be a validated L1 of d: d's
     * base pointer is a validated directory of d (it holds an L2 type
     * reference), va is in a guest slot, and a present guest-slot entry of
     * a validated directory points to a validated L1 of d (get_l2e) --
     * the proof update_va_mapping relies on (hv/mm/mm_hypercalls.c). */
    const uint32_t *pd = mfn_to_virt(d->cr3 >> HV_PAGE_SHIFT);
    uint32_t pde = pd[PDE_INDEX(va)];
    if (!(pde & PTE_P) || (pde & PTE_PS))
        return GNTRULE_BAD_ADDR;
    uint32_t l1_mfn = pde >> HV_PAGE_SHIFT, idx = PTE_INDEX(va);
    uint32_t *l1 = mfn_to_virt(l1_mfn);
    if (l1[idx] & PTE_P)
        return GNTRULE_ADDR_IN_USE;

    struct grant_domain *g = &d->grant;
    if (!g->maptrack) {
        uint32_t m = frame_alloc(DOMID_HV);
        if (!m)
            return GNTRULE_NO_MEMORY;
        g->maptrack = mfn_to_virt(m);
    }
    uint32_t h = gnt_handle_alloc(g);
    if (h >= GNTTAB_MAX_HANDLES)
        return GNTRULE_NO_SPACE;

    struct gnt_granter gr = { gd->id, &gd->grant, gd->p2m, gd->nr_pages };
    uint32_t frame;
    int r = gnt_acquire(&gr, op->ref, d->id, rw, &frame);
    if (r != GNTRULE_OK)
        return r;
    /* The mapping's own hold on its page table (see the top of the file).
     * Both succeed for a validated L1 of d; checked all the same. */
    if (get_page(l1_mfn, d->id) != MMRULE_OK) {
        gnt_release(&gd->grant, op->ref, rw, &frame);
        return GNTRULE_BAD_ADDR;
    }
    if (get_page_type(l1_mfn, d->id, PGT_L1) != MMRULE_OK) {
        put_page(l1_mfn);
        gnt_release(&gd->grant, op->ref, rw, &frame);
        return GNTRULE_BAD_ADDR;
    }
    uint32_t val = (frame << HV_PAGE_SHIFT) | PTE_P | PTE_GRANT | (rw ? PTE_RW : 0) |
                   ((flags & GNTMAP_application_map) ? PTE_US : 0);
    l1[idx] = val;
    frame_table[l1_mfn].used |= PT_USED_BIT(idx);
    trace_entry(d, l1_mfn, idx, 0, val);

    g->maptrack[h] = (struct grant_map){
        .granter = gd->id, .flags = (uint16_t)(GNT_MAP_IN_USE | (rw ? GNT_MAP_RW : 0)),
        .ref = op->ref, .l1_mfn = l1_mfn, .va = va,
    };
    g->nr_maps++;
    op->handle = h;
    op->frame = frame;
    return GNTRULE_OK;
}

/*
 * Undo mapping h of d.  For a live d: clear its page-table entry (the TLB
 * is flushed before the hypercall returns: pt_flush_needed) and drop the
 * hold on the table.  For a dying d, whose frames are all about to be
 * reset, only the granter's side matters.  Then the granter's entry gets
 * its use back; a dead granter's frame is freed with its last mapping.
 * Returns 1 if the frame was an orphan.
 */
static int undo_mapping(struct domain *d, uint32_t h, int dying)
{
    struct grant_map *m = &d->grant.maptrack[h];
    int rw = (m->flags & GNT_MAP_RW) != 0;
    if (!dying) {
        uint32_t *l1 = mfn_to_virt(m->l1_mfn), idx = PTE_INDEX(m->va);
        uint32_t old = l1[idx];
        l1[idx] = 0;                   /* first: the table may be devalidated next */
        pt_flush_needed = 1;
        trace_entry(d, m->l1_mfn, idx, old, 0);
        put_page_type(m->l1_mfn);
        put_page(m->l1_mfn);
    }
    struct grant_domain *gg = &domains[m->granter].grant;
    uint32_t frame;
    gnt_release(gg, m->ref, rw, &frame);
    int orphan = frame_table[frame].use == FRAME_ORPHAN;
    if (orphan && frame_table[frame].count == 0) {
        frame_free(frame);
        trace4(TRC_GNT_ORPHAN, m->granter, m->ref, frame, 0, frames_free_count());
    }
    if (gg->dead && gg->nr_pinned == 0)
        free_active(gg);
    m->flags = 0;
    d->grant.nr_maps--;
    return orphan;
}

static int unmap_one(struct domain *d, const struct gnttab_unmap_grant_ref *op,
                     domid_t *granter, grant_ref_t *ref)
{
    struct grant_domain *g = &d->grant;
    if (!g->maptrack || op->handle >= GNTTAB_MAX_HANDLES ||
        !(g->maptrack[op->handle].flags & GNT_MAP_IN_USE))
        return GNTRULE_BAD_HANDLE;
    const struct grant_map *m = &g->maptrack[op->handle];
    *granter = m->granter;
    *ref = m->ref;
    if (m->va != op->host_addr)
        return GNTRULE_BAD_HANDLE;
    undo_mapping(d, op->handle, 0);
    return GNTRULE_OK;
}

/* ---- copy ----------------------------------------------------------------------- */

struct copy_side {
    struct domain *gd;         /* the granter, or 0: the caller's own frame */
    grant_ref_t ref;
    uint32_t mfn;
};

static int copy_side_get(struct domain *d, const struct gnttab_copy_ptr *p, int gref, int rw,
                         struct copy_side *s)
{
    s->gd = 0;
    if (gref) {
        struct domain *gd = granting_domain(d, p->domid);
        if (!gd)
            return GNTRULE_BAD_DOMAIN;
        struct gnt_granter gr = { gd->id, &gd->grant, gd->p2m, gd->nr_pages };
        s->ref = p->u.ref;
        int r = gnt_acquire(&gr, s->ref, d->id, rw, &s->mfn);
        if (r == GNTRULE_OK)
            s->gd = gd;
        return r;
    }
    if (p->domid != DOMID_SELF && p->domid != d->id)
        return GNTRULE_NOT_PERMITTED;  /* another's page, named by frame */
    s->mfn = p->u.gmfn;
    return gnt_get_own(d->id, d->p2m, d->nr_pages, &d->grant, s->mfn, rw);
}

static void copy_side_put(const struct copy_side *s, int rw)
{
    uint32_t frame;
    if (s->gd)
        gnt_release(&s->gd->grant, s->ref, rw, &frame);
    else
        gnt_put_own(s->mfn, rw);
}

/* memmove: the two sides may be one frame. */
static void move_bytes(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    if (dst <= src || dst >= src + n) {
        memcpy(dst, src, n);
        return;
    }
    while (n--)
        dst[n] = src[n];
}

static int copy_one(struct domain *d, const struct gnttab_copy *op)
{
    if (op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref))
        return GNTRULE_BAD_ARG;
    if ((uint32_t)op->source.offset + op->len > HV_PAGE_SIZE ||
        (uint32_t)op->dest.offset + op->len > HV_PAGE_SIZE)
        return GNTRULE_BAD_COPY;
    struct copy_side src, dst;
    int r = copy_side_get(d, &op->source, op->flags & GNTCOPY_source_gref, 0, &src);
    if (r != GNTRULE_OK)
        return r;
    r = copy_side_get(d, &op->dest, op->flags & GNTCOPY_dest_gref, 1, &dst);
    if (r != GNTRULE_OK) {
        copy_side_put(&src, 0);
        return r;
    }
    move_bytes((uint8_t *)mfn_to_virt(dst.mfn) + op->dest.offset,
               (const uint8_t *)mfn_to_virt(src.mfn) + op->source.offset, op->len);
    copy_side_put(&dst, 1);
    copy_side_put(&src, 0);
    return GNTRULE_OK;
}

/* ---- the hypercall -------------------------------------------------------------- */

static domid_t self_id(struct domain *d, domid_t id)
{
    return id == DOMID_SELF ? d->id : id;
}

static void trace_op(struct domain *d, uint32_t op, domid_t dom, uint32_t arg, int32_t ret, int rule)
{
    trace5(TRC_GNT_OP, d->id, op, dom, arg, (uint32_t)ret, (uint32_t)rule);
}

/* Copy one operation's structure back (status included); if that fails
 * the caller cannot learn the result: *rule becomes bad_pointer.  The
 * status is set from the rule first. */
static int32_t give_back(guest_ptr p, void *op, int32_t *status, uint32_t size, int *rule)
{
    *status = gntrule_errno(*rule);
    if (copy_to_guest(p, op, size)) {
        *rule = GNTRULE_BAD_POINTER;
        *status = gntrule_errno(*rule);
    }
    return *status;
}

static int32_t op_map(struct domain *d, guest_ptr p)
{
    struct gnttab_map_grant_ref op;
    if (copy_from_guest(&op, p, sizeof op)) {
        trace7(TRC_GNT_MAP, d->id, DOMID_HV, 0, 0, p.va, 0,
               (uint32_t)gntrule_errno(GNTRULE_BAD_POINTER), GNTRULE_BAD_POINTER);
        return gntrule_errno(GNTRULE_BAD_POINTER);
    }
    op.handle = 0;
    op.frame = 0;
    int rule = map_one(d, &op);
    int mapped = rule == GNTRULE_OK;
    int32_t ret = give_back(p, &op, &op.status, sizeof op, &rule);
    if (mapped && rule != GNTRULE_OK)
        undo_mapping(d, op.handle, 0);   /* mapped, but the guest cannot know its handle */
    trace7(TRC_GNT_MAP, d->id, self_id(d, op.dom), op.ref, !(op.flags & GNTMAP_readonly),
           op.host_addr, rule == GNTRULE_OK ? op.handle : 0, (uint32_t)ret, (uint32_t)rule);
    return ret;
}

static int32_t op_unmap(struct domain *d, guest_ptr p)
{
    struct gnttab_unmap_grant_ref op;
    if (copy_from_guest(&op, p, sizeof op)) {
        trace6(TRC_GNT_UNMAP, d->id, 0, p.va, DOMID_HV, 0,
               (uint32_t)gntrule_errno(GNTRULE_BAD_POINTER), GNTRULE_BAD_POINTER);
        return gntrule_errno(GNTRULE_BAD_POINTER);
    }
    domid_t granter = DOMID_HV;
    grant_ref_t ref = 0;
    int rule = unmap_one(d, &op, &granter, &ref);
    int32_t ret = give_back(p, &op, &op.status, sizeof op, &rule);
    trace6(TRC_GNT_UNMAP, d->id, op.handle, op.host_addr, granter, ref, (uint32_t)ret,
           (uint32_t)rule);
    return ret;
}

static int32_t op_copy(struct domain *d, guest_ptr p)
{
    struct gnttab_copy op;
    if (copy_from_guest(&op, p, sizeof op)) {
        trace7(TRC_GNT_COPY, d->id, DOMID_HV, p.va, DOMID_HV, 0, 0,
               (uint32_t)gntrule_errno(GNTRULE_BAD_POINTER), GNTRULE_BAD_POINTER);
        return gntrule_errno(GNTRULE_BAD_POINTER);
    }
    int rule = copy_one(d, &op);
    int32_t ret = give_back(p, &op, &op.status, sizeof op, &rule);
    int sg = op.flags & GNTCOPY_source_gref, dg = op.flags & GNTCOPY_dest_gref;
    trace7(TRC_GNT_COPY, d->id, sg ? self_id(d, op.source.domid) : d->id, op.source.u.ref,
           dg ? self_id(d, op.dest.domid) : d->id, op.dest.u.ref, op.len, (uint32_t)ret,
           (uint32_t)rule);
    return ret;
}

static int32_t op_setup(struct domain *d, guest_ptr p)
{
    struct gnttab_setup_table op;
    if (copy_from_guest(&op, p, sizeof op)) {
        trace_op(d, GNTTABOP_setup_table, DOMID_HV, 0, gntrule_errno(GNTRULE_BAD_POINTER),
                 GNTRULE_BAD_POINTER);
        return gntrule_errno(GNTRULE_BAD_POINTER);
    }
    int rule = op.dom != DOMID_SELF && op.dom != d->id ? GNTRULE_NOT_PERMITTED :
               setup_table(d, op.nr_frames);
    for (uint32_t i = 0; i < GNTTAB_MAX_FRAMES; i++)
        op.frame_list[i] = i < d->grant.nr_frames ? d->grant.frame[i] : 0;
    int32_t ret = give_back(p, &op, &op.status, sizeof op, &rule);
    trace_op(d, GNTTABOP_setup_table, self_id(d, op.dom), op.nr_frames, ret, rule);
    return ret;
}

static int32_t op_query(struct domain *d, guest_ptr p)
{
    struct gnttab_query_size op;
    if (copy_from_guest(&op, p, sizeof op)) {
        trace_op(d, GNTTABOP_query_size, DOMID_HV, 0, gntrule_errno(GNTRULE_BAD_POINTER),
                 GNTRULE_BAD_POINTER);
        return gntrule_errno(GNTRULE_BAD_POINTER);
    }
    int rule = op.dom != DOMID_SELF && op.dom != d->id ? GNTRULE_NOT_PERMITTED : GNTRULE_OK;
    op.nr_frames = rule == GNTRULE_OK ? d->grant.nr_frames : 0;
    op.max_nr_frames = GNTTAB_MAX_FRAMES;
    int32_t ret = give_back(p, &op, &op.status, sizeof op, &rule);
    trace_op(d, GNTTABOP_query_size, self_id(d, op.dom), op.nr_frames, ret, rule);
    return ret;
}

int32_t do_grant_table_op(uint32_t cmd, guest_ptr uop, uint32_t count)
{
    struct domain *d = current;
    int32_t (*one)(struct domain *, guest_ptr);
    uint32_t size;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:   one = op_map;   size = sizeof(struct gnttab_map_grant_ref); break;
    case GNTTABOP_unmap_grant_ref: one = op_unmap; size = sizeof(struct gnttab_unmap_grant_ref); break;
    case GNTTABOP_setup_table:     one = op_setup; size = sizeof(struct gnttab_setup_table); break;
    case GNTTABOP_copy:            one = op_copy;  size = sizeof(struct gnttab_copy); break;
    case GNTTABOP_query_size:      one = op_query; size = sizeof(struct gnttab_query_size); break;
    default:
        trace_op(d, 99, d->id, cmd, gntrule_errno(GNTRULE_BAD_OP), GNTRULE_BAD_OP);
        return gntrule_errno(GNTRULE_BAD_OP);
    }
    if (count > GNTTAB_BATCH_MAX) {
        trace_op(d, cmd, d->id, count, gntrule_errno(GNTRULE_BAD_ARG), GNTRULE_BAD_ARG);
        return gntrule_errno(GNTRULE_BAD_ARG);
    }
    int32_t ret = 0;
    for (uint32_t i = 0; i < count && ret == 0; i++)
        ret = one(d, guest_ptr_add(uop, i * size));
    /* An unmap's entry must be out of the TLB before the guest runs. */
    if (pt_flush_needed) {
        pt_flush_needed = 0;
        write_cr3(read_cr3());
    }
    return ret;
}

/* ---- the end of a domain ------------------------------------------------------------ */

void grant_domain_release(struct domain *d)
{
    struct grant_domain *g = &d->grant;

    /* 1. What d mapped of others (or of itself): given back for it. */
    for (uint32_t h = 0; g->maptrack && h < GNTTAB_MAX_HANDLES; h++) {
        struct grant_map *m = &g->maptrack[h];
        if (!(m->flags & GNT_MAP_IN_USE))
            continue;
        domid_t granter = m->granter;
        grant_ref_t ref = m->ref;
        uint32_t frame = domains[granter].grant.active[ref / GNTTAB_ENTRIES_PER_FRAME]
                             [ref % GNTTAB_ENTRIES_PER_FRAME].frame;
        int orphan = undo_mapping(d, h, 1);
        trace5(TRC_GNT_RELEASE, d->id, granter, ref, h, frame, (uint32_t)orphan);
    }
    if (g->maptrack)
        frame_free(virt_to_maddr(g->maptrack) >> HV_PAGE_SHIFT);
    g->maptrack = 0;

    /* 2. What others still map of d's: those frames must outlive d.  They
     * leave d's memory (FRAME_ORPHAN: domain_free_memory skips them) with
     * exactly the references the mappings hold -- d's own mappings of
     * them vanish with d's page tables, which are reset, not devalidated
     * -- and the last unmap frees them (undo_mapping). */
    if (g->nr_pinned) {
        uint32_t n = gnt_nr_entries(g);
        for (uint32_t pass = 0; pass < 2; pass++) {
            for (uint32_t ref = 0; ref < n; ref++) {
                struct grant_active *a = &g->active[ref / GNTTAB_ENTRIES_PER_FRAME]
                                                   [ref % GNTTAB_ENTRIES_PER_FRAME];
                if (!a->ro_pins && !a->rw_pins)
                    continue;
                struct frame_info *f = &frame_table[a->frame];
                if (pass == 0) {
                    f->use = FRAME_ORPHAN;
                    f->count = f->type_count = f->pinned = f->used = 0;
                    f->type = PGT_NONE;
                } else {
                    f->count += a->ro_pins + a->rw_pins;
                    f->type_count += a->rw_pins;
                    if (a->rw_pins)
                        f->type = PGT_WRITABLE;
                    trace4(TRC_GNT_ORPHAN, d->id, ref, a->frame, a->ro_pins + a->rw_pins,
                           frames_free_count());
                }
            }
        }
    }
    /* 3. Its table goes with its memory: never written again. */
    for (uint32_t i = 0; i < g->nr_frames; i++)
        g->shared[i] = 0;
    g->dead = 1;
    if (g->nr_pinned == 0)
        free_active(g);
}
