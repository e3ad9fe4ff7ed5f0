/*
 * solutions/lab6/memory_op.c — lab 6, reference: the memory_op hypercall
 * (public/memory.h): a domain gives pages back to the hypervisor
 * (XENMEM_decrease_reservation) and asks for them again
 * (XENMEM_populate_physmap, XENMEM_increase_reservation): the balloon's
 * hypervisor half, the part that moves frames (the stub students edit is
 * labs/lab6/memory_op.c; the rules it asks are lab 6's reservation.c).
 *
 * Where this sits in the story (course: pseudo-physical memory, the P2M
 * and M2P tables; ballooning): the frames a domain owns are not fixed for
 * its life.  Giving one back means three things: the domain's pseudo-
 * physical page becomes a hole (P2M entry invalid), the frame belongs to no
 * page (M2P entry invalid), and the frame goes back on the free list
 * (hv/mm/mm.c) for any domain to get later.  The danger is a frame given back
 * while the guest can still reach it -- through a page-table entry, a grant
 * mapping, or as a page table itself -- so the check, mem_release()
 * (hv/mm/reservation.h), asks the reference counts of direct paging
 * (hv/mm/page_type.h) and refuses any frame with a count above zero.
 *
 * Nothing may map a frame given back, and that includes the TLB: it is
 * flushed before the first frame of a call goes back to the pool.
 *
 * Asking again is the other direction, bounded twice: by the domain's
 * maximum (max_pages, which dom0's toolstack sets: DOMCTL_max_mem) and by
 * the free frames.  Only a hole can be populated -- a pfn the domain gave
 * back -- so its pseudo-physical size never changes, only how much of it
 * is backed.
 *
 * Like mmu_update, a batch is done in order and stops at the first refusal;
 * each extent is one mem_release trace record, with the rule that refused
 * it and how many frames the hypervisor has free afterwards (so the trace
 * shows a given-back frame really arriving in the pool).
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

/* Give back the pages r lists, in order, from extent `start` (earlier
 * pieces of a continued call did those before it); see public/memory.h.
 * Each pfn is copied from the guest's list once, just before it is used,
 * and only the copy is checked and used (the rule of core/guest_access.h). */
static int32_t decrease_reservation(struct domain *d, const struct xen_memory_reservation *r,
                                    uint32_t start, guest_ptr arg)
{
    uint32_t done;
    int flushed = 0;
    for (done = start; done < r->nr_extents; done++) {
        /* In pieces (hv/core/continuation.h): the progress travels in
         * the command's upper bits, as in Xen. */
        if (done > start && hypercall_preempt_check())
            return hypercall_continue(__HYPERVISOR_memory_op,
                                      XENMEM_decrease_reservation | (done << MEMOP_EXTENT_SHIFT),
                                      arg.va, 0, 0, 0);
        uint32_t pfn = INVALID_PFN, mfn = INVALID_PFN;
        int rule;
        guest_ptr extent = guest_ptr_add(guest_ptr_at(r->extent_start), done * sizeof pfn);
        if (copy_from_guest(&pfn, extent, sizeof pfn))
            rule = MMRULE_BAD_POINTER;
        else
            rule = mem_release(d->id, pfn, d->p2m, d->nr_pages, &mfn);
        if (rule == MMRULE_OK) {
            /* Nothing maps the frame any more -- but the TLB may still
             * hold a translation the guest made while something did (an
             * update_va_mapping with UVMF_NONE is the guest's right), and
             * a stale TLB entry writes as well as a page-table entry.  So
             * flush before the first frame of this call leaves: from then
             * on the guest does not run until we return, and nothing can
             * load a new translation of a frame nothing maps. */
            if (!flushed) {
                write_cr3(read_cr3());
                flushed = 1;
            }
            /* Back in the pool: anyone's now.  Its contents are still the
             * guest's old data; frame_alloc zeroes a frame before it hands
             * it to anyone, so nothing leaks to the next owner. */
            frame_free(mfn);
            d->tot_pages--;
        }
        int32_t ret = mmrule_errno(rule);
        trace5(TRC_MEM_RELEASE, d->id, pfn, mfn, (uint32_t)ret, (uint32_t)rule,
               frames_free_count());
        if (rule != MMRULE_OK) {
            d->mm.nr_refused++;
            /* Xen's result is the count done; when that is 0 we return
             * the reason instead (public/memory.h). */
            return done ? (int32_t)done : ret;
        }
    }
    return (int32_t)done;
}

/* The other way: each extent names a hole pfn; it gets a fresh frame
 * (zeroed by frame_alloc: nothing of its last owner), the P2M and M2P
 * entries name each other again, and the frame number is written back
 * into the guest's list in place of the pfn (Xen's populate_physmap
 * returns frames the same way), for the guest's own P2M list and its
 * mapping of the page. */
static int32_t populate_physmap(struct domain *d, uint32_t cmd, const struct xen_memory_reservation *r,
                                uint32_t start, guest_ptr arg)
{
    uint32_t done;
    for (done = start; done < r->nr_extents; done++) {
        if (done > start && hypercall_preempt_check())
            return hypercall_continue(__HYPERVISOR_memory_op, cmd | (done << MEMOP_EXTENT_SHIFT),
                                      arg.va, 0, 0, 0);
        uint32_t pfn = INVALID_PFN, mfn = INVALID_PFN;
        int rule = MMRULE_OK;
        guest_ptr extent = guest_ptr_add(guest_ptr_at(r->extent_start), done * sizeof pfn);
        if (copy_from_guest(&pfn, extent, sizeof pfn))
            rule = MMRULE_BAD_POINTER;
        else
            rule = mem_populate_rule(pfn, d->p2m, d->nr_pages, d->tot_pages, d->max_pages,
                                     frames_free_count());
        if (rule == MMRULE_OK && !(mfn = frame_alloc(d->id)))
            rule = MMRULE_POOL_EMPTY;
        if (rule == MMRULE_OK) {
            mem_populate_enter(pfn, mfn, d->p2m);
            d->tot_pages++;
            if (copy_to_guest(extent, &mfn, sizeof mfn)) {
                /* It cannot learn its frame: take it back, all of it (the
                 * fresh frame has no reference: mem_release makes the
                 * hole again). */
                uint32_t back;
                mem_release(d->id, pfn, d->p2m, d->nr_pages, &back);
                frame_free(mfn);
                d->tot_pages--;
                rule = MMRULE_BAD_POINTER;
            }
        } else if (mfn == 0) {
            mfn = INVALID_PFN;
        }
        int32_t ret = mmrule_errno(rule);
        trace6(TRC_MEM_POPULATE, d->id, pfn, rule == MMRULE_OK ? mfn : INVALID_PFN,
               (uint32_t)ret, (uint32_t)rule, d->tot_pages, frames_free_count());
        if (rule != MMRULE_OK) {
            d->mm.nr_refused++;
            return done ? (int32_t)done : ret;
        }
    }
    return (int32_t)done;
}

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
