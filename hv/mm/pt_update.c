/*
 * hv/mm/pt_update.c — the operations of direct paging, built on the rules of
 * lab 2 (labs/lab2/page_type.c): change one entry, pin, unpin, switch
 * page directory, update the M2P (giving a frame back is lab 6's:
 * hv/mm/reservation.h).  Also the
 * two table walks the rules use, which are most of what direct paging
 * costs: pt_next_present and pt_next_used (the used map).  Read
 * hv/mm/page_type.h for the theory.
 *
 * Pure logic, like the rules: the hypercalls (hv/mm/mm_hypercalls.c) copy the
 * guest's requests in, call these, and trace the result; the host tests
 * (tests/unit/test_mm*.c) call them directly.
 *
 * The order of work in pt_update() is the classic one: take the references
 * of the NEW entry first, write it, then drop those of the OLD entry.  The
 * other order could drop the last reference of a frame the new entry still
 * needs (e.g. rewriting an entry with the same frame and fewer rights).
 * Every present entry written is also marked in the table's used map, so
 * that devalidation finds it again.
 */
#include "mm/page_type.h"
#include "trace/trace.h"
#include "public/grant_table.h"

struct frame_info frame_table[MAX_FRAMES];
/* Page-aligned: the hypervisor maps these frames read-only into every
 * guest (docs/address-space.md, "the M2P table"). */
uint32_t m2p[MAX_FRAMES] __attribute__((aligned(4096)));
int pt_flush_needed;

/* The error code a guest sees for a refused request, from the list
 * (public/mm-rules.def), by kind of mistake: -EPERM "that frame (or slot)
 * is not yours to use", -EBUSY "it is in use now" (the same request may
 * succeed once references are dropped), -EFAULT "your argument could not
 * be read", -ENOSYS "no such command", and -EINVAL for every value the
 * rules of direct paging forbid.  The trace record names the exact rule;
 * the errno is only its family.  One case per line of the list; a number
 * that is no rule (which no code returns) is refused as a bad argument. */
int mmrule_errno(int rule)
{
    switch (rule) {
#define MM_RULE(sym, number, err, name, what) case MMRULE_##sym: return -(err);
#include "public/mm-rules.def"
#undef MM_RULE
    }
    return -HV_EINVAL;
}

void frame_make_shared(uint32_t mfn)
{
    struct frame_info *f = &frame_table[mfn];
    f->use = FRAME_SHARED;
    f->type = PGT_WRITABLE;      /* the hypervisor writes it: it is writable, */
    f->type_count = 1;           /* for good, so its type can never change */
    f->count = 1;
}

/* The OR of sixteen entries: its P bit is set iff one of them is present.
 * (P is tested in the OR, not "is it zero": an absent entry may hold other
 * bits, which a guest may use to remember things about a page it has not
 * mapped; the CPU and the rules ignore them.)  Plain ORs, one per entry,
 * with no branch between them. */
static inline uint32_t or16(const uint32_t *e)
{
    return e[0] | e[1] | e[2] | e[3] | e[4] | e[5] | e[6] | e[7] |
           e[8] | e[9] | e[10] | e[11] | e[12] | e[13] | e[14] | e[15];
}

/*
 * Optimization: the plain version is
 *     while (i < n && !(t[i] & PTE_P)) i++;
 * which costs a load, a test and a branch per entry, ~2.4 instructions
 * under -icount.  Validation must walk all 1024 entries of a new table
 * (the guest filled it as ordinary memory, and nothing says which entries
 * it wrote), so that walk was made cheaper: ~1.25 instructions per absent
 * entry, and pinning a new directory went from 3,160 to 2,250
 * instructions (docs/performance.md).  Every present entry is still found
 * and checked; only the skipping of absent ones is faster.
 */
uint32_t pt_next_present(const uint32_t *t, uint32_t i, uint32_t n)
{
    /* A dense table (a kernel's linear map) finds one at once. */
    if (i < n && (t[i] & PTE_P))
        return i;
    /* Thirty-two entries per step while they are all absent: about one
     * instruction per entry, where a test and a branch per entry cost
     * five.  Validating a table walks all of it, so this is most of the
     * cost of a pin (docs/performance.md). */
    while (i + 32 <= n && !((or16(t + i) | or16(t + i + 16)) & PTE_P))
        i += 32;
    /* Then four at a time, then one: the present entry is near. */
    while (i + 4 <= n && !((t[i] | t[i + 1] | t[i + 2] | t[i + 3]) & PTE_P))
        i += 4;
    while (i < n && !(t[i] & PTE_P))
        i++;
    return i;
}

/*
 * Optimization: the plain version is pt_next_present(pt_frame(mfn), i, n),
 * a walk of the whole table.  Devalidation (unpin, the last reference
 * gone) must find the present entries to give their references back, and
 * at a process's exit that meant walking 1,007 + 1,024 entries to find the
 * 21 present ones.  The used map (page_type.h, THE USED MAP) lets it jump
 * from one marked group of 32 to the next: unpinning went from ~7,000 to
 * ~3,200 instructions, a process exit from 20,081 to 16,165.  Safe because
 * the map may only say too much: a marked group is searched entry by
 * entry, an unmarked one is known to be empty.
 */
uint32_t pt_next_used(uint32_t mfn, uint32_t i, uint32_t n)
{
    const uint32_t *t = pt_frame(mfn);
    uint32_t used = frame_table[mfn].used;
    while (i < n) {
        uint32_t g = i >> 5;              /* i < n <= 1024: g <= 31 */
        uint32_t ahead = used >> g;       /* bit 0 = this group */
        if (!ahead)
            return n;                     /* no marked group left */
        if (!(ahead & 1)) {
            i = (g + (uint32_t)__builtin_ctz(ahead)) << 5;   /* the next marked one */
            continue;
        }
        uint32_t end = (g + 1) << 5;
        if (end > n)
            end = n;
        i = pt_next_present(t, i, end);
        if (i < end)
            return i;
    }
    return n;
}

/* Is mfn a frame of d that d may use as a whole -- pin, unpin, renumber,
 * give back, update as a table?  (No reference is taken.)  A frame the
 * hypervisor writes is d's to map, never to do these with.  The first
 * question of every operation: a guest names frames by machine number, so
 * it can name any frame in the machine, and isolation rests on this check. */
static int owned_by(uint32_t mfn, domid_t d)
{
    if (mfn >= MAX_FRAMES)
        return MMRULE_BAD_FRAME;
    if (frame_table[mfn].use == FRAME_HV)
        return MMRULE_HV_FRAME;
    if (frame_table[mfn].use == FRAME_SHARED)
        return frame_table[mfn].owner == d ? MMRULE_HV_SHARED : MMRULE_NOT_OWNER;
    if (frame_table[mfn].use != FRAME_GUEST)
        return MMRULE_BAD_FRAME;
    if (frame_table[mfn].owner != d)
        return MMRULE_NOT_OWNER;
    return MMRULE_OK;
}

/* The bits whose change needs no new check: everything but the frame, P,
 * RW and (in a directory) PS, (in a table) G.  Accessed/dirty/user/cache
 * bits.  (G matters only in a table entry; a directory entry's bit 8 is
 * ignored without PS.)  None of them can give the guest access to a
 * frame it does not already have: U/S only lets ring 3 in where ring 1
 * already is, and the cache bits change speed, not rights. */
static int only_harmless_bits(uint32_t old, uint32_t val, uint32_t level)
{
    uint32_t keep = PTE_ADDR | PTE_P | PTE_RW | (level == 2 ? PTE_PS : PTE_G);
    return (old & keep) == (val & keep);
}

/* The last step of every change: the new entry's references are taken,
 * write it, give back the old one's, and mark its group in the used map. */
static int change_entry(domid_t d, uint32_t mfn, uint32_t *t, uint32_t idx, uint32_t level,
                        uint32_t old, uint32_t val)
{
    /* A grant mapping's entry (hv/grant/grant_table_op.c) maps a frame of
     * another domain, held by the grant, not by this entry: only
     * unmap_grant_ref may change it, and no request may write one. */
    if (level == 1 && (((old & PTE_P) && (old & PTE_GRANT)) || ((val & PTE_P) && (val & PTE_GRANT))))
        return MMRULE_GRANT_MAPPED;
    /* Optimization: the plain version always takes the new entry's
     * references and drops the old one's, which for the same frame with
     * the same rights is a net change of nothing (a guest clearing the
     * accessed or dirty bit, say). */
    if ((old & PTE_P) && (val & PTE_P) && only_harmless_bits(old, val, level)) {
        t[idx] = val;                    /* same frame, same rights */
        return MMRULE_OK;                /* (and its group is marked already) */
    }
    int r = level == 1 ? get_l1e(val, d) : get_l2e(idx, val, d);
    if (r != MMRULE_OK)
        return r;
    t[idx] = val;
    if (val & PTE_P)
        frame_table[mfn].used |= PT_USED_BIT(idx);
    if (!(old & PTE_P))
        return MMRULE_OK;                /* an absent entry held nothing */
    if (level == 1)
        put_l1e(old);
    else
        put_l2e(idx, old);
    return MMRULE_OK;
}

/* The one entry at machine address ptr, in whichever table of d it is.
 * Checks the TABLE first (d's, and a validated L1 or L2: an entry of any
 * other frame is just memory, which the guest should write itself), then
 * the new VALUE (change_entry, by the rules of lab 2). */
int pt_update(domid_t d, uint32_t ptr, uint32_t val, struct pt_result *res)
{
    uint32_t mfn = ptr >> 12, idx = (ptr & 0xFFF) >> 2;
    res->old = 0;
    res->level = 0;
    int r = owned_by(mfn, d);
    if (r != MMRULE_OK)
        return r;
    struct frame_info *f = &frame_table[mfn];
    if (f->type_count == 0 || (f->type != PGT_L1 && f->type != PGT_L2))
        return MMRULE_NOT_A_PAGE_TABLE;
    uint32_t level = f->type == PGT_L1 ? 1 : 2;
    uint32_t *t = pt_frame(mfn);
    uint32_t old = t[idx];
    res->old = old;
    res->level = level;

    /* Slots 1007..1023 hold the M2P view and the hypervisor: a guest that
     * could write one could change what the hypervisor itself finds at its
     * own addresses while this directory is loaded (all of the hypervisor
     * under isolation=classic, its entry trampoline under isolation=paging),
     * or replace the M2P view that every guest relies on. */
    if (level == 2 && idx >= GUEST_NR_SLOTS)
        return MMRULE_HV_SLOT;
    return change_entry(d, mfn, t, idx, level, old, val);
}

/* Optimization: the plain version is pt_update() on the entry's machine
 * address, which first checks that l1_mfn is d's and a validated L1.
 * update_va_mapping knows that already (its proof is above
 * do_update_va_mapping in hv/mm/mm_hypercalls.c), so it comes here and
 * only the new value is checked.  Part of taking a demand-zero page fault
 * from 1,877 to 1,782 instructions (docs/performance.md). */
int pt_update_l1e(domid_t d, uint32_t l1_mfn, uint32_t idx, uint32_t val, uint32_t *old)
{
    uint32_t *t = pt_frame(l1_mfn);
    *old = t[idx];
    return change_entry(d, l1_mfn, t, idx, 1, *old, val);
}

/* Pin: one total and one type reference that the guest holds on purpose,
 * so the table stays validated while no directory entry or CR3 uses it
 * (page_type.h, PINNING).  The type reference is where validation happens:
 * for an L2 it validates the directory and, through get_l2e, every L1 its
 * entries point to.  A refusal gives back what was taken, so a failed pin
 * leaves the counts as they were. */
int pt_pin(domid_t d, uint32_t mfn, uint32_t type)
{
    int r = owned_by(mfn, d);
    if (r != MMRULE_OK)
        return r;
    if (frame_table[mfn].pinned)
        return MMRULE_ALREADY_PINNED;
    r = get_page(mfn, d);
    if (r != MMRULE_OK)
        return r;
    r = get_page_type(mfn, d, type);
    if (r != MMRULE_OK) {
        put_page(mfn);
        return r;
    }
    frame_table[mfn].pinned = 1;
    return MMRULE_OK;
}

int pt_unpin(domid_t d, uint32_t mfn)
{
    int r = owned_by(mfn, d);
    if (r != MMRULE_OK)
        return r;
    struct frame_info *f = &frame_table[mfn];
    if (!f->pinned)
        return MMRULE_NOT_PINNED;
    /* The pin is one type reference; any other is a directory entry (for
     * an L1) or a CR3 (for an L2) still using the table. */
    if (f->type_count > 1)
        return MMRULE_IN_USE;
    f->pinned = 0;
    put_page_type(mfn);
    put_page(mfn);
    return MMRULE_OK;
}

/* The new reference is taken before the old one is dropped, for the same
 * reason as in pt_update: switching to the directory already in CR3 must
 * not devalidate it in between.  The base pointer's L2 reference is what
 * guarantees that the table the CPU walks is validated for as long as CR3
 * holds it. */
int pt_new_base(domid_t d, uint32_t mfn, uint32_t *base)
{
    int r = get_page(mfn, d);
    if (r != MMRULE_OK)
        return r;
    r = get_page_type(mfn, d, PGT_L2);
    if (r != MMRULE_OK) {
        put_page(mfn);
        return r;
    }
    if (*base) {
        put_page_type(*base);
        put_page(*base);
    }
    *base = mfn;
    return MMRULE_OK;
}

/* MMU_MACHPHYS_UPDATE: the guest says which of its pages a frame of its
 * own now is.  Both tables describe the same pairing from two sides, so
 * the hypervisor keeps them inverse; a guest can only ever pair its own
 * frames with its own pfns. */
int m2p_update(domid_t d, uint32_t mfn, uint32_t pfn, uint32_t *p2m, uint32_t nr_pages)
{
    int r = owned_by(mfn, d);
    if (r != MMRULE_OK)
        return r;
    if (pfn >= nr_pages)
        return MMRULE_BAD_PFN;
    /* Keep the two directions inverse: the frame that backed pfn until
     * now no longer does, and mfn no longer backs its old pfn. */
    uint32_t before = p2m[pfn];
    if (before < MAX_FRAMES && m2p[before] == pfn)
        m2p[before] = INVALID_PFN;
    uint32_t oldpfn = m2p[mfn];
    if (oldpfn < nr_pages && p2m[oldpfn] == mfn && oldpfn != pfn)
        p2m[oldpfn] = INVALID_PFN;
    m2p[mfn] = pfn;
    p2m[pfn] = mfn;
    return MMRULE_OK;
}

/* The same record as trace6(TRC_PT_RUN, d, ...), written out by hand
 * from before trace.h had a six-argument emitter. */
static void trace_pt_run(domid_t d, uint32_t mfn, uint32_t level, uint32_t first,
                         uint32_t count, uint32_t val, uint32_t pfn)
{
    if (!trace_enabled)
        return;
    struct trace_record *t = trace_begin(TRC_PT_RUN, d, 6);
    if (!t)
        return;
    t->args[0] = mfn; t->args[1] = level; t->args[2] = first;
    t->args[3] = count; t->args[4] = val; t->args[5] = pfn;
    trace_publish();
}

/* A run: consecutive present entries with the same flags mapping
 * consecutive pseudo-physical frames.  A table of a kernel's linear map is
 * one run, so a whole domain's tables take a few dozen records. */
void pt_trace_runs(domid_t d, uint32_t mfn, uint32_t level)
{
    /* Optimization: the plain version walks and lets each trace call test
     * trace_enabled; with tracing off that is a walk of 1024 entries for
     * nothing, on every pin. */
    if (!trace_enabled)
        return;
    uint32_t *t = pt_frame(mfn);
    uint32_t n = level == 2 ? GUEST_NR_SLOTS : 1024;
    uint32_t i = 0;
    while (i < n) {
        if (!(t[i] & PTE_P)) {
            i++;
            continue;
        }
        uint32_t first = i, flags = t[i] & 0xFFF;
        uint32_t pfn0 = (t[i] >> 12) < MAX_FRAMES ? m2p[t[i] >> 12] : INVALID_PFN;
        i++;
        while (i < n && (t[i] & PTE_P) && (t[i] & 0xFFF) == flags &&
               pfn0 != INVALID_PFN && (t[i] >> 12) < MAX_FRAMES &&
               m2p[t[i] >> 12] == pfn0 + (i - first))
            i++;
        trace_pt_run(d, mfn, level, first, i - first, t[first], pfn0);
    }
}
