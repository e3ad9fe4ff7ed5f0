/*
 * labs/lab6/memory_op.c — lab 6: the memory_op hypercall's two loops (your
 * code goes here): give a guest's pages back to the pool
 * (XENMEM_decrease_reservation: the balloon inflating) and back its holes
 * with fresh frames again (XENMEM_populate_physmap and
 * XENMEM_increase_reservation, the same here: the balloon deflating).
 *
 * Where this sits in the story (course: ballooning; the P2M and M2P
 * tables; memory reservation): the rules -- may this page go, may this
 * hole be backed -- are labs/lab6/reservation.c (hv/mm/reservation.h).
 * This file is the mechanism around them: it reads the guest's list of
 * pfns, moves frames between the domain and the hypervisor's free list
 * (hv/mm/mm.h: frame_alloc, frame_free, frames_free_count), keeps the
 * domain's count of frames (d->tot_pages, what `xl list` shows as its
 * memory), and leaves one trace record per page.  The ABI is
 * hv/include/public/memory.h (read it first); do_memory_op below, which
 * checks the request as a whole, is given.
 *
 * Write decrease_reservation(d, r, start, arg): for each extent from
 * `start` to r->nr_extents, in order --
 *   1. if this is not the first extent of this piece and
 *      hypercall_preempt_check() says so, return hypercall_continue(
 *      __HYPERVISOR_memory_op, XENMEM_decrease_reservation |
 *      (done << MEMOP_EXTENT_SHIFT), arg.va, 0, 0, 0): a long batch runs
 *      in pieces (hv/core/continuation.h);
 *   2. COPY the pfn in (copy_from_guest, from guest_ptr_add(guest_ptr_at(
 *      r->extent_start), done * 4)) -- the guest's list is guest memory:
 *      read it once, use only your copy; a bad pointer is MMRULE_BAD_POINTER;
 *   3. the rule: mem_release(d->id, pfn, d->p2m, d->nr_pages, &mfn);
 *   4. if it says yes: the frame is unreachable by every page-table entry
 *      -- but the TLB may still hold a translation the guest made while one
 *      did (update_va_mapping with UVMF_NONE is its right), and a stale TLB
 *      entry writes as well as a page-table entry: flush it
 *      (write_cr3(read_cr3())) before the FIRST frame of this call leaves;
 *      then frame_free(mfn) and one frame less in d->tot_pages;
 *   5. one record per extent, refused or not:
 *        trace5(TRC_MEM_RELEASE, d->id, pfn, mfn, ret, rule, frames_free_count())
 *      with ret = mmrule_errno(rule);
 *   6. on a refusal: d->mm.nr_refused++ and stop: return how many were done
 *      (the Xen convention), or, if none, ret (the reason).
 * Return how many were done.
 *
 * Write populate_physmap(d, cmd, r, start, arg): the same loop (continued
 * with cmd, the command the guest used), and for each extent --
 *   the pfn copied in; the rule mem_populate_rule(pfn, d->p2m, d->nr_pages,
 *   d->tot_pages, d->max_pages, frames_free_count()); then a fresh frame,
 *   frame_alloc(d->id) (zeroed: nothing of its last owner leaks; 0 means
 *   none: pool_empty); mem_populate_enter (the P2M and M2P entries); one
 *   frame more in d->tot_pages; and the frame's number written back over
 *   the pfn in the guest's list (copy_to_guest) -- that is how the guest
 *   learns which frame to map and put in its own P2M list.  If that write
 *   fails, undo ALL of it (mem_release, frame_free, tot_pages) and refuse
 *   with bad_pointer: a frame the guest cannot name is a frame leaked.
 *   One record per extent:
 *     trace6(TRC_MEM_POPULATE, d->id, pfn, mfn or INVALID_PFN, ret, rule,
 *            d->tot_pages, frames_free_count())
 *   and stop at the first refusal, as above.
 *
 * Test with:  make LAB=6 scenario NAME=balloon   (and domctl-attacks)
 */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/continuation.h"
#include "core/guest_access.h"
#include "mm/mm.h"
#include "mm/reservation.h"
#include "trace/trace.h"
#include "x86/x86.h"
#include "public/memory.h"

static int32_t decrease_reservation(struct domain *d, const struct xen_memory_reservation *r,
                                    uint32_t start, guest_ptr arg)
{
    (void)d; (void)r; (void)start; (void)arg;
    /* TODO (lab 6): give the pages back.  Until then every balloon's
     * inflation is refused. */
    return -HV_ENOSYS;
}

static int32_t populate_physmap(struct domain *d, uint32_t cmd, const struct xen_memory_reservation *r,
                                uint32_t start, guest_ptr arg)
{
    (void)d; (void)cmd; (void)r; (void)start; (void)arg;
    /* TODO (lab 6): back the holes again. */
    return -HV_ENOSYS;
}

/* ---- given: the request as a whole ---------------------------------------- */

int32_t do_memory_op(uint32_t cmd, guest_ptr arg)
{
    struct domain *d = current;
    struct xen_memory_reservation r;

    uint32_t start = cmd >> MEMOP_EXTENT_SHIFT;   /* 0, unless continued */
    cmd &= MEMOP_CMD_MASK;
    if (cmd != XENMEM_decrease_reservation && cmd != XENMEM_populate_physmap &&
        cmd != XENMEM_increase_reservation)
        return -HV_ENOSYS;
    if (copy_from_guest(&r, arg, sizeof r))
        return -HV_EFAULT;
    if (r.domid != DOMID_SELF && r.domid != d->id)
        return -HV_EPERM;                /* another domain's memory: its balloon's job */
    if (r.extent_order != 0 || r.nr_extents > XENMEM_MAX_EXTENTS || start > r.nr_extents)
        return -HV_EINVAL;               /* single pages only; a bounded batch */
    if (cmd == XENMEM_decrease_reservation)
        return decrease_reservation(d, &r, start, arg);
    return populate_physmap(d, cmd, &r, start, arg);
}
