/*
 * hv/mm/mm_hypercalls.c — the memory hypercalls: mmu_update, update_va_mapping
 * and mmuext_op (public/mmu.h).  The guest's side of direct paging: it never
 * writes its page tables, it asks, and each request is checked by the rules
 * of lab 2 (hv/mm/page_type.h, solutions/lab2/page_type.c) through the
 * operations of hv/mm/pt_update.c.
 *
 * Batches (course: "batching amortizes the trap"): one int $0x82 carries
 * many requests.  Like Xen, a batch stops at the first refused request and
 * reports how many were done (*done_out), so the guest knows exactly which
 * updates happened.  Every request is traced, with the rule that refused it
 * if it was refused.  A batch may also travel inside a multicall.
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "core/lib.h"
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

/* A refusal is counted (the domain's summary at shutdown) and turned into
 * the errno the guest sees; the caller traces it with the rule. */
static int32_t refused(struct domain *d, int rule)
{
    d->mm.nr_refused++;
    return mmrule_errno(rule);
}

/* Report progress to the guest, if it asked (done_out != 0). */
static int put_done(uint32_t done_out, uint32_t done)
{
    if (!done_out)
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
    int32_t ret = rule ? refused(d, rule) : 0;
    if (!rule)
        d->mm.nr_updates++;
    trace7(TRC_MMU_UPDATE, d->id, ptr, res.old, val, res.level, via,
           (uint32_t)ret, (uint32_t)rule);
    return ret;
}

/* What mmu_update and mmuext_op check before the first request. */
static int32_t batch_allowed(const struct domain *d, uint32_t domid, uint32_t count)
{
    if (domid != DOMID_SELF && domid != d->id)
        return -HV_EPERM;       /* acting on another domain: dom0's tools, later */
    if (count > MMU_BATCH_MAX)
        return -HV_EINVAL;      /* we cannot be preempted: keep batches bounded */
    return 0;
}

int32_t do_mmu_update(uint32_t reqs, uint32_t count, uint32_t done_out,
                      uint32_t domid, uint32_t a5)
{
    (void)a5;
    struct domain *d = current;
    int32_t bad = batch_allowed(d, domid, count);
    if (bad)
        return bad;
    uint32_t i;
    int32_t ret = 0;
    for (i = 0; i < count; i++) {
        struct mmu_update u;
        if (copy_from_guest(&u, reqs + i * sizeof u, sizeof u)) {
            trace7(TRC_MMU_UPDATE, d->id, reqs + i * sizeof u, 0, 0, 0,
                   VIA_MMU_UPDATE, (uint32_t)-HV_EFAULT, MMRULE_BAD_POINTER);
            ret = refused(d, MMRULE_BAD_POINTER);
            break;
        }
        uint32_t ptr = (uint32_t)u.ptr, val = (uint32_t)u.val;
        if ((u.ptr >> 32) || (u.val >> 32)) {
            /* No PAE: nothing above 4 GiB exists. */
            trace7(TRC_MMU_UPDATE, d->id, ptr, 0, val, 0, VIA_MMU_UPDATE,
                   (uint32_t)-HV_EINVAL, MMRULE_BAD_FRAME);
            ret = refused(d, MMRULE_BAD_FRAME);
            break;
        }
        if ((ptr & MMU_CMD_MASK) == MMU_NORMAL_PT_UPDATE) {
            ret = mm_update_entry(d, ptr, val, VIA_MMU_UPDATE);
        } else if ((ptr & MMU_CMD_MASK) == MMU_MACHPHYS_UPDATE) {
            int rule = m2p_update(d->id, ptr >> 12, val, d->p2m, d->nr_pages);
            ret = rule ? refused(d, rule) : 0;
            trace3(TRC_M2P_UPDATE, d->id, ptr >> 12, val, (uint32_t)ret);
        } else {
            trace7(TRC_MMU_UPDATE, d->id, ptr, 0, val, 0, VIA_MMU_UPDATE,
                   (uint32_t)-HV_ENOSYS, MMRULE_BAD_OP);
            ret = refused(d, MMRULE_BAD_OP);
        }
        if (ret)
            break;
    }
    flush_if_needed();
    if (put_done(done_out, i))
        return -HV_EFAULT;
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
int32_t do_update_va_mapping(uint32_t va, uint32_t val_lo, uint32_t val_hi,
                             uint32_t flags, uint32_t a5)
{
    (void)a5;
    struct domain *d = current;
    if (va >= HV_M2P_VIRT_START) {               /* the M2P slot and the hypervisor's */
        trace7(TRC_MMU_UPDATE, d->id, va, 0, val_lo, 2, VIA_UVA,
               (uint32_t)-HV_EPERM, MMRULE_HV_SLOT);
        return refused(d, MMRULE_HV_SLOT);
    }
    if (val_hi) {
        trace7(TRC_MMU_UPDATE, d->id, va, 0, val_lo, 1, VIA_UVA,
               (uint32_t)-HV_EINVAL, MMRULE_BAD_FRAME);
        return refused(d, MMRULE_BAD_FRAME);
    }
    const uint32_t *pd = mfn_to_virt(d->cr3 >> HV_PAGE_SHIFT);
    uint32_t pde = pd[PDE_INDEX(va)];
    if (!(pde & PTE_P) || (pde & PTE_PS)) {
        trace7(TRC_MMU_UPDATE, d->id, va, 0, val_lo, 2, VIA_UVA,
               (uint32_t)-HV_EINVAL, MMRULE_NOT_A_PAGE_TABLE);
        return refused(d, MMRULE_NOT_A_PAGE_TABLE);
    }
    uint32_t l1_mfn = pde >> HV_PAGE_SHIFT, idx = PTE_INDEX(va), old;
    int rule = pt_update_l1e(d->id, l1_mfn, idx, val_lo, &old);
    int32_t ret = rule ? refused(d, rule) : 0;
    trace7(TRC_MMU_UPDATE, d->id, (l1_mfn << HV_PAGE_SHIFT) | (idx << 2), old, val_lo, 1,
           VIA_UVA, (uint32_t)ret, (uint32_t)rule);
    if (ret)
        return ret;
    d->mm.nr_updates++;
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        invlpg(va);
    else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH)
        pt_flush_needed = 1;
    flush_if_needed();
    return 0;
}

/* One mmuext operation: the rule (0 = done).  Pins and the base pointer
 * are where validation happens (a whole table at once); the flushes are
 * the guest's own TLB management, which the hypervisor does for it because
 * invlpg and a CR3 reload are privileged in ring 1. */
static int mmuext_one(struct domain *d, const struct mmuext_op *op)
{
    int rule;
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
        rule = pt_pin(d->id, op->arg1.mfn,
                      op->cmd == MMUEXT_PIN_L1_TABLE ? PGT_L1 : PGT_L2);
        if (!rule) {
            d->mm.nr_pinned++;
            pt_trace_runs(d->id, op->arg1.mfn, op->cmd == MMUEXT_PIN_L1_TABLE ? 1 : 2);
        }
        return rule;
    case MMUEXT_UNPIN_TABLE:
        rule = pt_unpin(d->id, op->arg1.mfn);
        if (!rule)
            d->mm.nr_pinned--;
        return rule;
    case MMUEXT_NEW_BASEPTR:
        rule = pt_new_base(d->id, op->arg1.mfn, &d->mm.base_mfn);
        if (!rule) {
            d->cr3 = op->arg1.mfn << HV_PAGE_SHIFT;
            write_cr3(d->cr3);
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

int32_t do_mmuext_op(uint32_t ops, uint32_t count, uint32_t done_out,
                     uint32_t domid, uint32_t a5)
{
    (void)a5;
    struct domain *d = current;
    int32_t bad = batch_allowed(d, domid, count);
    if (bad)
        return bad;
    uint32_t i;
    int32_t ret = 0;
    for (i = 0; i < count; i++) {
        struct mmuext_op op;
        if (copy_from_guest(&op, ops + i * sizeof op, sizeof op)) {
            trace4(TRC_MMUEXT, d->id, 0xFFFFFFFFu, ops + i * sizeof op,
                   (uint32_t)-HV_EFAULT, MMRULE_BAD_POINTER);
            ret = refused(d, MMRULE_BAD_POINTER);
            break;
        }
        int rule = mmuext_one(d, &op);
        ret = rule ? refused(d, rule) : 0;
        trace4(TRC_MMUEXT, d->id, op.cmd, op.arg1.mfn, (uint32_t)ret, (uint32_t)rule);
        if (ret)
            break;
    }
    flush_if_needed();
    if (put_done(done_out, i))
        return -HV_EFAULT;
    return ret;
}
