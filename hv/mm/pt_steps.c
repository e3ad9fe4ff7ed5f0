/*
 * hv/mm/pt_steps.c — pin, unpin and new base pointer of a page directory,
 * in steps (the story is in pt_steps.h).  Pure logic on top of lab 2's
 * rules, like pt_update.c: built into the hypervisor and, for the unit
 * tests, on the host.
 */
#include "mm/pt_steps.h"
#include "mm/page_type.h"

#define PHASE_COVER    0   /* taking the temporary references */
#define PHASE_DO       1   /* the operation itself */
#define PHASE_RELEASE  2   /* dropping them */

/* Drop the temporary reference on table m; 1 if that devalidated it (a
 * step of real work). */
static int drop(struct pt_steps *s, uint32_t m)
{
    s->nr_held--;
    int last = frame_table[m].type_count == 1;
    put_page_type(m);
    put_page(m);
    return last;
}

/* Make held[] match the tables directory mfn names now, entry by entry.
 * Returns 1 if stopped, 0 when done -- done also when an entry's table
 * cannot be held: the operation will be refused at that entry, having
 * found every entry before it already validated. */
static int cover(domid_t d, struct pt_steps *s, uint32_t mfn, uint32_t *held,
                 int (*stop)(void))
{
    const uint32_t *t = pt_frame(mfn);
    for (uint32_t i = 0; i < GUEST_NR_SLOTS; i++) {
        uint32_t e = t[i];
        uint32_t want = (e & PTE_P) && !(e & PTE_PS) ? e >> 12 : 0;
        if (held[i] == want)
            continue;
        if (held[i]) {                       /* the entry changed meanwhile */
            uint32_t old = held[i];
            held[i] = 0;
            if (drop(s, old) && stop())
                return 1;
        }
        if (!want)
            continue;
        if (get_page(want, d) != MMRULE_OK)
            return 0;
        uint32_t was = frame_table[want].type_count;
        if (get_page_type(want, d, PGT_L1) != MMRULE_OK) {
            put_page(want);
            return 0;
        }
        held[i] = want;
        s->nr_held++;
        if (!was && stop())                  /* validated just now: one step */
            return 1;
    }
    return 0;
}

static int release(struct pt_steps *s, int (*stop)(void))
{
    for (int k = 0; k < 2 && s->nr_held; k++)
        for (uint32_t i = 0; i < GUEST_NR_SLOTS && s->nr_held; i++) {
            uint32_t m = s->held[k][i];
            if (!m)
                continue;
            s->held[k][i] = 0;
            if (drop(s, m) && stop())
                return 1;
        }
    return 0;
}

/* Is mfn an untyped frame of d (a directory still to be validated)? */
static int untyped_own(uint32_t mfn, domid_t d)
{
    return mfn < MAX_FRAMES && frame_table[mfn].use == FRAME_GUEST &&
           frame_table[mfn].owner == d && frame_table[mfn].type_count == 0;
}

/* Would dropping one L2 reference devalidate directory mfn of d? */
static int last_l2_ref(uint32_t mfn, domid_t d)
{
    return mfn < MAX_FRAMES && frame_table[mfn].use == FRAME_GUEST &&
           frame_table[mfn].owner == d && frame_table[mfn].type == PGT_L2 &&
           frame_table[mfn].type_count == 1;
}

/* Which directories the operation must cover: bit 0 the one operated on
 * (held[0]), bit 1 the old base pointer (held[1]). */
static int to_cover(domid_t d, uint32_t op, uint32_t mfn, uint32_t base)
{
    switch (op) {
    case PT_OP_PIN_L2:
        return untyped_own(mfn, d);
    case PT_OP_UNPIN:
        return last_l2_ref(mfn, d) && frame_table[mfn].pinned;
    case PT_OP_NEW_BASE:
        return untyped_own(mfn, d) | ((base && base != mfn && last_l2_ref(base, d)) << 1);
    }
    return 0;
}

/* How many entries of tables validating directory mfn may validate: 1024
 * for each entry naming a table not validated yet (an upper bound). */
static uint32_t validation_cost(uint32_t mfn)
{
    const uint32_t *t = pt_frame(mfn);
    uint32_t cost = 0;
    for (uint32_t i = pt_next_present(t, 0, GUEST_NR_SLOTS); i < GUEST_NR_SLOTS;
         i = pt_next_present(t, i + 1, GUEST_NR_SLOTS)) {
        uint32_t x = t[i] >> 12;
        if (x < MAX_FRAMES && frame_table[x].type_count == 0)
            cost += 1024;
    }
    return cost;
}

/* How many entries of tables devalidating validated directory mfn would
 * devalidate, exactly: a table goes when every one of its type references
 * is an entry of this directory.  refs[x] counts those entries (and is
 * back to zero when this returns). */
static uint16_t refs[MAX_FRAMES];

static uint32_t devalidation_cost(uint32_t mfn)
{
    const uint32_t *t = pt_frame(mfn);
    uint32_t cost = 0, i;
    for (i = pt_next_used(mfn, 0, GUEST_NR_SLOTS); i < GUEST_NR_SLOTS;
         i = pt_next_used(mfn, i + 1, GUEST_NR_SLOTS))
        if (!(t[i] & PTE_PS) && (t[i] >> 12) < MAX_FRAMES)
            refs[t[i] >> 12]++;
    for (i = pt_next_used(mfn, 0, GUEST_NR_SLOTS); i < GUEST_NR_SLOTS;
         i = pt_next_used(mfn, i + 1, GUEST_NR_SLOTS)) {
        uint32_t x = t[i] >> 12;
        if ((t[i] & PTE_PS) || x >= MAX_FRAMES || !refs[x])
            continue;
        if (frame_table[x].type == PGT_L1 && frame_table[x].type_count <= refs[x])
            cost += (uint32_t)__builtin_popcount(frame_table[x].used) * 32;
        refs[x] = 0;
    }
    return cost;
}

int pt_dir_op_plan(domid_t d, const struct pt_steps *s, uint32_t op, uint32_t mfn,
                   uint32_t base)
{
    if (s->op || s->nr_held)
        return 1;
    int which = to_cover(d, op, mfn, base);
    uint32_t cost = 0;
    if (which & 1)
        cost += op == PT_OP_UNPIN ? devalidation_cost(mfn) : validation_cost(mfn);
    if (which & 2)
        cost += devalidation_cost(base);
    return cost > PT_DIRECT_BUDGET;
}

/* The references the operation needs held before it runs. */
static int cover_for(domid_t d, struct pt_steps *s, uint32_t *base, int (*stop)(void))
{
    int which = to_cover(d, s->op, s->mfn, *base);
    if ((which & 1) && cover(d, s, s->mfn, s->held[0], stop))
        return 1;
    if ((which & 2) && cover(d, s, *base, s->held[1], stop))
        return 1;
    return 0;
}

/* The operation itself, in one go. */
static int run_op(domid_t d, struct pt_steps *s, uint32_t op, uint32_t mfn, uint32_t *base)
{
    int r;
    if (op == PT_OP_PIN_L2)
        r = pt_pin(d, mfn, PGT_L2);
    else if (op == PT_OP_UNPIN)
        r = pt_unpin(d, mfn);
    else
        r = pt_new_base(d, mfn, base);
    /* The caller loads CR3 now, in this call, not when the last temporary
     * reference has been dropped: the old directory may already be
     * devalidated, and the CPU must not walk it one more instruction. */
    s->base_changed = op == PT_OP_NEW_BASE && r == MMRULE_OK;
    return r;
}

int pt_dir_op(domid_t d, struct pt_steps *s, uint32_t op, uint32_t mfn, uint32_t *base,
              int stepped, int resume, int (*stop)(void))
{
    if (!stepped && !s->op)
        return run_op(d, s, op, mfn, base);
    if (s->op && !(resume && s->op == op && s->mfn == mfn)) {
        /* An operation the guest did not continue: its references go
         * back before anything new starts. */
        if (release(s, stop))
            return PT_STEPPED;
        s->op = 0;
    }
    if (!s->op) {
        s->op = op;
        s->mfn = mfn;
        s->phase = PHASE_COVER;
        s->base_changed = 0;
    }
    if (s->phase == PHASE_COVER) {
        if (cover_for(d, s, base, stop))
            return PT_STEPPED;
        s->phase = PHASE_DO;
    }
    if (s->phase == PHASE_DO) {
        s->result = run_op(d, s, op, mfn, base);
        s->phase = PHASE_RELEASE;
    }
    if (release(s, stop))
        return PT_STEPPED;
    s->op = 0;
    return s->result;
}
