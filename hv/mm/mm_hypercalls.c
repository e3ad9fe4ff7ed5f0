/*
 * hv/mm/mm_hypercalls.c — the memory hypercalls: mmu_update, update_va_mapping
 * and mmuext_op (public/mmu.h).  The guest's side of direct paging: it never
 * writes its page tables, it asks, and each request is checked by the rules
 * of lab 2 (hv/mm/page_type.h, labs/lab2/page_type.c) through the
 * operations of hv/mm/pt_update.c.
 *
 * Batches (course: "batching amortizes the trap"): one int $0x82 carries
 * many requests.  Like Xen, a batch stops at the first refused request and
 * reports how many were done (*done), so the guest knows exactly which
 * updates happened.  Every request is traced, with the rule that refused it
 * if it was refused, and with the very result the guest gets (see THE
 * ANSWER TO A REQUEST below).  A batch may also travel inside a multicall.
 * A long batch is done in pieces, and so is the pin, unpin or new base
 * pointer of a directory naming many tables (hv/mm/pt_steps.h): no call
 * holds the CPU for long while another domain is due
 * (hv/core/continuation.h).
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/continuation.h"
#include "core/guest_access.h"
#include "core/lib.h"
#include "mm/isolation.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "mm/ptwr.h"
#include "trace/trace.h"
#include "x86/x86.h"
#include "public/mmu.h"

/* Which door an entry update came through, for the trace ("mmvia" in
 * trace-events.def; ptwr.c has the third, VIA_PTWR).  The rules are the
 * same whichever it was: that is the point of routing all three through
 * one function. */
#define VIA_MMU_UPDATE 1
#define VIA_UVA        2

/* Drop the TLB entry of one page (not privileged for us: we are ring 0). */
static inline void invlpg(uint32_t va)
{
    invlpgs++;
    __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

/* After a page table was (re)validated the TLB may still hold a writable
 * mapping of the frame: flush it before the guest can use that.  The type
 * rules stop a NEW writable mapping of a page table, but the TLB is a
 * cache of OLD translations that the rules cannot see; until it is
 * flushed, a stale writable entry would let the guest write a validated
 * table unchecked.  One flush per batch, not per entry. */
static void flush_if_needed(void)
{
    if (pt_flush_needed) {
        pt_flush_needed = 0;
        write_cr3(read_cr3());
    }
}

/*
 * THE ANSWER TO A REQUEST.  Each request ends in one of the three functions
 * below, given the rule that decided it (MMRULE_OK if it was done).  Each
 * computes the guest's result once, mmrule_errno(rule), writes it in the
 * request's trace record and returns it: so the result a trace record says
 * is, by construction, the result the guest gets (a handler returns what
 * they return).  Never trace a result computed anywhere else.
 */
static inline int32_t answer(struct domain *d, int rule)
{
    if (rule == MMRULE_OK)
        return 0;       /* mmrule_errno(MMRULE_OK), without the call: the hot path */
    d->mm.nr_refused++;
    return mmrule_errno(rule);
}

/* A page-table entry: an mmu_update record (level 0: no table found).
 *
 * Optimization: answer_entry and answer_ext are forced inline (the plain
 * version is an ordinary static function).  Out of line, gcc passed the
 * seven arguments on the stack on every request: +25 instructions per page
 * fault (make bench, page_fault), on the hottest path of direct paging. */
static inline __attribute__((always_inline))
int32_t answer_entry(struct domain *d, uint32_t ptr, uint32_t old, uint32_t val,
                     uint32_t level, uint32_t via, int rule)
{
    int32_t ret = answer(d, rule);
    if (!rule)
        d->mm.nr_updates++;
    trace7(TRC_MMU_UPDATE, d->id, ptr, old, val, level, via, (uint32_t)ret, (uint32_t)rule);
    return ret;
}

/* An M2P entry: an m2p_update record. */
static int32_t answer_m2p(struct domain *d, uint32_t mfn, uint32_t pfn, int rule)
{
    int32_t ret = answer(d, rule);
    trace3(TRC_M2P_UPDATE, d->id, mfn, pfn, (uint32_t)ret);
    return ret;
}

/* An mmuext operation: an mmuext record (op 0xFFFFFFFF: not copied in). */
static inline __attribute__((always_inline))
int32_t answer_ext(struct domain *d, uint32_t op, uint32_t mfn, int rule)
{
    int32_t ret = answer(d, rule);
    trace4(TRC_MMUEXT, d->id, op, mfn, (uint32_t)ret, (uint32_t)rule);
    return ret;
}

/* Report progress to the guest, if it asked (done_out not NULL). */
static int put_done(guest_ptr done_out, uint32_t done)
{
    if (guest_ptr_is_null(done_out))
        return 0;
    return copy_to_guest(done_out, &done, sizeof done);
}

/* One entry change, traced.  Shared with the writable-PT path (ptwr.c):
 * the one place a guest's page-table entry is checked, changed and
 * recorded, whichever way the guest asked. */
int32_t mm_update_entry(struct domain *d, uint32_t ptr, uint32_t val, uint32_t via)
{
    struct pt_result res;
    int rule = pt_update(d->id, ptr, val, &res);
    /* A directory entry of the running address space: the hypervisor's
     * mirror of it follows (isolation=paging). */
    if (!rule && res.level == 2)
        address_space_l2_changed(ptr >> HV_PAGE_SHIFT, (ptr & 0xFFF) >> 2, res.old, val);
    return answer_entry(d, ptr, res.old, val, res.level, via, rule);
}

/* What mmu_update and mmuext_op check before the first request. */
static int32_t batch_allowed(const struct domain *d, uint32_t dom, uint32_t count)
{
    if (dom != DOMID_SELF && dom != d->id)
        return -HV_EPERM;       /* acting on another domain: dom0's tools, later */
    if (count > MMU_BATCH_MAX)
        return -HV_EINVAL;      /* one call's work stays bounded, in pieces or not */
    return 0;
}

/*
 * A batch in pieces (hv/core/continuation.h).  Between two requests, if the
 * timer is due, the batch stops and is continued: the guest re-executes
 * the call with the batch pointer past what was done, the count of what is
 * left with MMU_UPDATE_PREEMPTED set, and the same done pointer, into which
 * each piece adds what it did (Xen's convention).  So the guest sees one
 * call, its result and its done count, as if it had run in one go.
 */
static uint32_t done_before(uint32_t *count, guest_ptr done_out)
{
    uint32_t done = 0;
    if (*count & MMU_UPDATE_PREEMPTED) {
        *count &= ~MMU_UPDATE_PREEMPTED;
        if (!guest_ptr_is_null(done_out) && copy_from_guest(&done, done_out, sizeof done))
            done = 0;
    }
    return done;
}

int32_t do_mmu_update(guest_ptr reqs, uint32_t count, guest_ptr done_out, uint32_t dom)
{
    struct domain *d = current;
    uint32_t done = done_before(&count, done_out);
    int32_t bad = batch_allowed(d, dom, count);
    if (bad)
        return bad;
    uint32_t i;
    int32_t ret = 0;
    int preempted = 0;
    for (i = 0; i < count; i++) {
        if (i > 0 && hypercall_preempt_check()) {
            preempted = 1;
            break;
        }
        struct mmu_update u;
        guest_ptr req = guest_ptr_add(reqs, i * sizeof u);
        if (copy_from_guest(&u, req, sizeof u)) {
            ret = answer_entry(d, req.va, 0, 0, 0, VIA_MMU_UPDATE, MMRULE_BAD_POINTER);
            break;
        }
        uint32_t ptr = (uint32_t)u.ptr, val = (uint32_t)u.val;
        if ((u.ptr >> 32) || (u.val >> 32)) {
            /* No PAE: nothing above 4 GiB exists. */
            ret = answer_entry(d, ptr, 0, val, 0, VIA_MMU_UPDATE, MMRULE_BAD_FRAME);
            break;
        }
        if ((ptr & MMU_CMD_MASK) == MMU_NORMAL_PT_UPDATE)
            ret = mm_update_entry(d, ptr, val, VIA_MMU_UPDATE);
        else if ((ptr & MMU_CMD_MASK) == MMU_MACHPHYS_UPDATE)
            ret = answer_m2p(d, ptr >> 12, val,
                             m2p_update(d->id, ptr >> 12, val, d->p2m, d->nr_pages));
        else
            ret = answer_entry(d, ptr, 0, val, 0, VIA_MMU_UPDATE, MMRULE_BAD_OP);
        if (ret)
            break;
    }
    flush_if_needed();
    if (put_done(done_out, done + i))
        return -HV_EFAULT;
    if (preempted)
        return hypercall_continue(__HYPERVISOR_mmu_update,
                                  guest_ptr_add(reqs, i * sizeof(struct mmu_update)).va,
                                  (count - i) | MMU_UPDATE_PREEMPTED, done_out.va, dom, 0);
    return ret;
}

/*
 * update_va_mapping: the L1 entry that maps va in the CURRENT address space.
 * The common page fault's one update, so it takes a short cut: the table
 * found by walking our own CR3 is not checked again (owner, type), because
 * it cannot be anything but a validated L1 of this domain:
 *   - d->cr3 is the domain's base pointer, which holds an L2 type reference
 *     (pt_new_base, or the builder's pin): a validated directory of d;
 *   - va is below the M2P slot, so its directory index is a guest slot
 *     (< GUEST_NR_SLOTS), and a present guest-slot entry of a validated
 *     directory passed get_l2e: no 4 MiB page, and its frame is d's and has
 *     type L1;
 *   - that entry still holds a total and an L1 type reference, so the
 *     frame can neither change type (type count > 0) nor be freed or given
 *     to another domain (memory_op refuses a frame with any count > 0).
 * The NEW value is checked like any other (get_l1e), and so traced.
 *
 * Optimization: the plain version is mm_update_entry() on the entry's
 * machine address, which checks the table's owner and type again before
 * the value; with the proof above that check can never fail here.
 * Measured with not calling put_l1e for an absent old entry: a demand-zero
 * page fault went from 1,877 to 1,782 instructions (docs/performance.md).
 */
int32_t do_update_va_mapping(uint32_t va, uint32_t val_lo, uint32_t val_hi, uint32_t flags)
{
    struct domain *d = current;
    if (va >= HV_M2P_VIRT_START)                     /* the M2P slot and the hypervisor's */
        return answer_entry(d, va, 0, val_lo, 2, VIA_UVA, MMRULE_HV_SLOT);
    if (val_hi)                                      /* no PAE: nothing above 4 GiB */
        return answer_entry(d, va, 0, val_lo, 1, VIA_UVA, MMRULE_BAD_FRAME);
    const uint32_t *pd = mfn_to_virt(d->cr3 >> HV_PAGE_SHIFT);
    uint32_t pde = pd[PDE_INDEX(va)];
    if (!(pde & PTE_P) || (pde & PTE_PS))
        return answer_entry(d, va, 0, val_lo, 2, VIA_UVA, MMRULE_NOT_A_PAGE_TABLE);
    uint32_t l1_mfn = pde >> HV_PAGE_SHIFT, idx = PTE_INDEX(va), old;
    int rule = pt_update_l1e(d->id, l1_mfn, idx, val_lo, &old);
    int32_t ret = answer_entry(d, (l1_mfn << HV_PAGE_SHIFT) | (idx << 2), old, val_lo, 1,
                               VIA_UVA, rule);
    if (ret)
        return ret;
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        invlpg(va);
    else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH)
        pt_flush_needed = 1;
    flush_if_needed();
    return 0;
}

/* A directory operation in steps (hv/mm/pt_steps.h), with the two pages of
 * temporary references it may need: taken from the pool while one is in
 * progress, given back when it is done. */
static int dir_op(struct domain *d, uint32_t op, uint32_t mfn, int resume)
{
    struct pt_steps *s = &d->mm.steps;
    int stepped = pt_dir_op_plan(d->id, s, op, mfn, d->mm.base_mfn);
    for (int k = 0; k < 2 && stepped; k++)
        if (!s->held[k]) {
            uint32_t page = frame_alloc(DOMID_HV);       /* zeroed */
            if (!page)
                return MMRULE_NO_MEMORY;
            s->held[k] = mfn_to_virt(page);
        }
    int rule = pt_dir_op(d->id, s, op, mfn, &d->mm.base_mfn, stepped, resume,
                         hypercall_preempt_check);
    if (rule != PT_STEPPED)
        pt_steps_free(s);
    return rule;
}

/* One mmuext operation: the rule (0 = done), or PT_STEPPED if it stopped
 * part-way (a directory's pin, unpin or new base pointer: hv/mm/pt_steps.h;
 * resume says this call continues the one left in d->mm.steps).  Pins and
 * the base pointer are where validation happens (a whole table at once);
 * the flushes are the guest's own TLB management, which the hypervisor
 * does for it because invlpg and a CR3 reload are privileged in ring 1. */
static int mmuext_one(struct domain *d, const struct mmuext_op *op, int resume)
{
    int rule;
    struct pt_steps *s = &d->mm.steps;
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
        if (op->cmd == MMUEXT_PIN_L1_TABLE)
            rule = pt_pin(d->id, op->arg1.mfn, PGT_L1);
        else
            rule = dir_op(d, PT_OP_PIN_L2, op->arg1.mfn, resume);
        if (!rule) {
            d->mm.nr_pinned++;
            pt_trace_runs(d->id, op->arg1.mfn, op->cmd == MMUEXT_PIN_L1_TABLE ? 1 : 2);
        }
        return rule;
    case MMUEXT_UNPIN_TABLE:
        rule = dir_op(d, PT_OP_UNPIN, op->arg1.mfn, resume);
        if (!rule)
            d->mm.nr_pinned--;
        return rule;
    case MMUEXT_NEW_BASEPTR:
        rule = dir_op(d, PT_OP_NEW_BASE, op->arg1.mfn, resume);
        if (s->base_changed) {
            /* In the same piece as the base pointer changed, even if the
             * old directory's tables are still being let go. */
            s->base_changed = 0;
            d->cr3 = d->mm.base_mfn << HV_PAGE_SHIFT;
            address_space_load(d->cr3);
            pt_flush_needed = 0;         /* the CR3 load flushed */
        }
        return rule;
    case MMUEXT_TLB_FLUSH_LOCAL:
        pt_flush_needed = 1;
        return MMRULE_OK;
    case MMUEXT_INVLPG_LOCAL:
        if (op->arg1.linear_addr >= HYPERVISOR_VIRT_START)
            return MMRULE_HV_SLOT;
        invlpg(op->arg1.linear_addr);
        return MMRULE_OK;
    }
    return MMRULE_BAD_OP;
}

int32_t do_mmuext_op(guest_ptr ops, uint32_t count, guest_ptr done_out, uint32_t dom)
{
    struct domain *d = current;
    int continued = (count & MMU_UPDATE_PREEMPTED) != 0;
    uint32_t done = done_before(&count, done_out);
    int32_t bad = batch_allowed(d, dom, count);
    if (bad)
        return bad;
    uint32_t i;
    int32_t ret = 0;
    int preempted = 0;
    for (i = 0; i < count; i++) {
        if (i > 0 && hypercall_preempt_check()) {
            preempted = 1;
            break;
        }
        struct mmuext_op op;
        guest_ptr req = guest_ptr_add(ops, i * sizeof op);
        if (copy_from_guest(&op, req, sizeof op)) {
            ret = answer_ext(d, 0xFFFFFFFFu, req.va, MMRULE_BAD_POINTER);
            break;
        }
        /* Only the first operation of a continued piece can be one that
         * stopped part-way last time. */
        int rule = mmuext_one(d, &op, continued && i == 0);
        if (rule == PT_STEPPED) {
            preempted = 1;               /* this one again, next piece */
            break;
        }
        ret = answer_ext(d, op.cmd, op.arg1.mfn, rule);
        if (ret)
            break;
    }
    flush_if_needed();
    if (put_done(done_out, done + i))
        return -HV_EFAULT;
    if (preempted)
        return hypercall_continue(__HYPERVISOR_mmuext_op,
                                  guest_ptr_add(ops, i * sizeof(struct mmuext_op)).va,
                                  (count - i) | MMU_UPDATE_PREEMPTED, done_out.va, dom, 0);
    return ret;
}
