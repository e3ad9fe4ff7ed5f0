/*
 * solutions/lab2/page_type.c — LAB 2 (reference): the rules of direct
 * paging.  Reference counts, frame types, and the check of one page-table
 * entry.  The theory is at the top of hv/mm/page_type.h: read it first.
 *
 * Pure logic (no hardware): the hypervisor calls it from the memory
 * hypercalls (hv/mm/mm_hypercalls.c), the writable-page-table emulation
 * (hv/mm/ptwr.c) and the domain builder; tests/unit/test_mm.c drives it on the
 * host with a table of allowed and refused updates.
 */
#include "mm/page_type.h"

/* A frame number the rules can talk about at all. */
static int frame_ok(uint32_t mfn)
{
    return mfn < MAX_FRAMES;
}

int get_page(uint32_t mfn, domid_t d)
{
    if (!frame_ok(mfn))
        return MMRULE_BAD_FRAME;
    struct frame_info *f = &frame_table[mfn];
    if (f->use == FRAME_HV)
        return MMRULE_HV_FRAME;          /* never the hypervisor's memory */
    if (f->use != FRAME_GUEST && f->use != FRAME_SHARED)
        return MMRULE_BAD_FRAME;         /* free, module, not RAM */
    if (f->owner != d)
        return MMRULE_NOT_OWNER;         /* never another domain's */
    f->count++;
    return MMRULE_OK;
}

void put_page(uint32_t mfn)
{
    if (frame_ok(mfn) && frame_table[mfn].count > 0)
        frame_table[mfn].count--;
}

/* Give back the references of entries [0, n) of a table being devalidated
 * (or whose validation failed at entry n).  Only the groups of entries the
 * used map marks can hold a present entry: pt_next_used visits just those. */
static void put_entries(uint32_t mfn, uint32_t type, uint32_t n)
{
    uint32_t *t = pt_frame(mfn);
    for (uint32_t i = pt_next_used(mfn, 0, n); i < n; i = pt_next_used(mfn, i + 1, n)) {
        if (type == PGT_L1)
            put_l1e(t[i]);
        else
            put_l2e(i, t[i]);
    }
}

/* Check every entry of a new table.  The hypervisor's slots of a directory
 * are not the guest's to choose: they are overwritten with ours. */
static int validate(uint32_t mfn, domid_t d, uint32_t type)
{
    uint32_t *t = pt_frame(mfn);
    uint32_t n = type == PGT_L1 ? 1024 : GUEST_NR_SLOTS;
    struct frame_info *f = &frame_table[mfn];
    /* Absent entries are always allowed and hold nothing: skip them.  Each
     * present one is checked, and its group marked in the used map, so
     * that devalidation finds it again without walking the whole table. */
    f->used = 0;
    for (uint32_t i = pt_next_present(t, 0, n); i < n; i = pt_next_present(t, i + 1, n)) {
        int r = type == PGT_L1 ? get_l1e(t[i], d) : get_l2e(i, t[i], d);
        if (r != MMRULE_OK) {
            put_entries(mfn, type, i);
            return r;
        }
        f->used |= PT_USED_BIT(i);
    }
    if (type == PGT_L2)
        for (uint32_t i = GUEST_NR_SLOTS; i < 1024; i++)
            t[i] = pt_hv_slot_entry(i);
    return MMRULE_OK;
}

int get_page_type(uint32_t mfn, domid_t d, uint32_t type)
{
    if (!frame_ok(mfn))
        return MMRULE_BAD_FRAME;
    struct frame_info *f = &frame_table[mfn];
    if (f->type_count > 0) {
        if (f->type == type) {
            f->type_count++;
            return MMRULE_OK;
        }
        /* The frame is busy being something else. */
        return type == PGT_WRITABLE ? MMRULE_PT_WRITABLE : MMRULE_TYPE_CONFLICT;
    }
    /* Type count 0: the type may change.  Claim it before validating, so
     * that a table pointing at itself finds it busy (no recursion). */
    f->type = (uint16_t)type;
    f->type_count = 1;
    if (type == PGT_L1 || type == PGT_L2) {
        int r = validate(mfn, d, type);
        if (r != MMRULE_OK) {
            f->type = PGT_NONE;
            f->type_count = 0;
            return r;
        }
        pt_flush_needed = 1;   /* a stale writable TLB entry must go */
    }
    return MMRULE_OK;
}

void put_page_type(uint32_t mfn)
{
    if (!frame_ok(mfn))
        return;
    struct frame_info *f = &frame_table[mfn];
    if (f->type_count == 0)
        return;
    if (--f->type_count > 0)
        return;
    /* The last user is gone: the table's entries give back what they
     * held, and the frame is ordinary memory again. */
    uint32_t type = f->type;
    f->type = PGT_NONE;
    if (type == PGT_L1)
        put_entries(mfn, PGT_L1, 1024);
    else if (type == PGT_L2)
        put_entries(mfn, PGT_L2, GUEST_NR_SLOTS);
}

int get_l1e(uint32_t val, domid_t d)
{
    if (!(val & PTE_P))
        return MMRULE_OK;                /* not present: maps nothing */
    if (val & PTE_G)
        return MMRULE_GLOBAL_PAGE;       /* would survive the next domain's CR3 */
    uint32_t mfn = val >> 12;
    int r = get_page(mfn, d);
    if (r != MMRULE_OK)
        return r;
    if (val & PTE_RW) {
        r = get_page_type(mfn, d, PGT_WRITABLE);
        if (r != MMRULE_OK) {
            put_page(mfn);
            return r;
        }
    }
    return MMRULE_OK;
}

void put_l1e(uint32_t val)
{
    if (!(val & PTE_P))
        return;
    if (val & PTE_RW)
        put_page_type(val >> 12);
    put_page(val >> 12);
}

int get_l2e(uint32_t idx, uint32_t val, domid_t d)
{
    if (idx >= GUEST_NR_SLOTS)
        return MMRULE_HV_SLOT;
    if (!(val & PTE_P))
        return MMRULE_OK;
    if (val & PTE_PS)
        return MMRULE_LARGE_PAGE;
    uint32_t mfn = val >> 12;
    int r = get_page(mfn, d);
    if (r != MMRULE_OK)
        return r;
    r = get_page_type(mfn, d, PGT_L1);
    if (r != MMRULE_OK) {
        put_page(mfn);
        /* Busy as something else (mapped writable, a directory): say
         * which rule a directory entry broke. */
        return r == MMRULE_TYPE_CONFLICT ? MMRULE_L2_NEEDS_L1 : r;
    }
    return MMRULE_OK;
}

void put_l2e(uint32_t idx, uint32_t val)
{
    if (idx >= GUEST_NR_SLOTS || !(val & PTE_P) || (val & PTE_PS))
        return;
    put_page_type(val >> 12);
    put_page(val >> 12);
}
