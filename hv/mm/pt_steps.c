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
static int drop(uint32_t m)
{
    int last = frame_table[m].type_count == 1;
    put_page_type(m);
    put_page(m);
    return last;
}

/* Make held[] match the tables directory mfn names now, entry by entry.
 * Returns 1 if stopped, 0 when done -- done also when an entry's table
 * cannot be held: the operation will be refused at that entry, having
 * found every entry before it already validated. */
static int cover(domid_t d, uint32_t mfn, uint32_t *held, int (*stop)(void))
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
            if (drop(old) && stop())
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
        if (!was && stop())                  /* validated just now: one step */
            return 1;
    }
    return 0;
}

static int release(struct pt_steps *s, int (*stop)(void))
{
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < GUEST_NR_SLOTS; i++) {
            uint32_t m = s->held[k][i];
            if (!m)
                continue;
            s->held[k][i] = 0;
            if (drop(m) && stop())
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

/* The references the operation needs held before it runs. */
static int cover_for(domid_t d, struct pt_steps *s, uint32_t *base, int (*stop)(void))
{
    uint32_t mfn = s->mfn;
    switch (s->op) {
    case PT_OP_PIN_L2:
        return untyped_own(mfn, d) ? cover(d, mfn, s->held[0], stop) : 0;
    case PT_OP_UNPIN:
        return last_l2_ref(mfn, d) && frame_table[mfn].pinned ? cover(d, mfn, s->held[0], stop) : 0;
    case PT_OP_NEW_BASE:
        if (untyped_own(mfn, d) && cover(d, mfn, s->held[0], stop))
            return 1;
        if (*base && *base != mfn && last_l2_ref(*base, d))
            return cover(d, *base, s->held[1], stop);
        return 0;
    }
    return 0;
}

int pt_dir_op(domid_t d, struct pt_steps *s, uint32_t op, uint32_t mfn, uint32_t *base,
              int resume, int (*stop)(void))
{
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
        if (op == PT_OP_PIN_L2)
            s->result = pt_pin(d, mfn, PGT_L2);
        else if (op == PT_OP_UNPIN)
            s->result = pt_unpin(d, mfn);
        else
            s->result = pt_new_base(d, mfn, base);
        /* The caller loads CR3 now, in this call, not when the last
         * reference has been dropped: the old directory may already be
         * devalidated, and the CPU must not walk it one more instruction. */
        s->base_changed = op == PT_OP_NEW_BASE && s->result == MMRULE_OK;
        s->phase = PHASE_RELEASE;
    }
    if (release(s, stop))
        return PT_STEPPED;
    s->op = 0;
    return s->result;
}
