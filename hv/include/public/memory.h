/*
 * hv/include/public/memory.h — the memory_op hypercall: a domain gives memory back to the
 * hypervisor (XENMEM_decrease_reservation) and asks for it again
 * (XENMEM_populate_physmap).
 *
 * Where this sits in the story (course: "the guest may receive physically
 * non-contiguous memory"; ballooning in the Xen paper, section 3.3): a
 * domain's memory is a set of machine frames it owns, seen by it as
 * pseudo-physical pages 0..nr_pages-1 through its P2M list.  Nothing forces
 * that set to stay fixed.  A guest that does not need some of its pages can
 * hand them back, and the hypervisor puts their frames on its free list for
 * anyone.  The pseudo-physical page becomes a hole: its P2M entry is
 * invalid (0xFFFFFFFF) and so is the frame's M2P entry.
 * The balloon driver is built on exactly this call (course: the balloon
 * process, which "inflates" inside a guest to hand pages back to the VMM).
 *
 * The one rule that makes it safe: a frame may be given back only if
 * NOTHING refers to it any more -- no page-table entry maps it, it is no
 * page table (type count 0), it is not pinned, it is not a CR3 (total count
 * 0).  Otherwise the guest could keep a mapping of a frame that the
 * hypervisor then gives to another domain.  The counts of direct paging
 * (hv/mm/page_type.h) already say that: the check is mem_release() of
 * hv/mm/reservation.h (lab 6).
 *
 *   memory_op(XENMEM_decrease_reservation, struct xen_memory_reservation *r)
 *       r->extent_start: guest array of r->nr_extents pseudo-physical frame
 *       numbers (pfns) to give back.  extent_order must be 0 (one page per
 *       extent: hvkit has no larger extents), domid DOMID_SELF or our own.
 *       The extents are done in order and the call stops at the first one
 *       that may not be given back.  Returns the number of extents given
 *       back, as Xen does -- except when the very FIRST one is refused,
 *       where it returns that extent's error (Xen returns 0 there; we say
 *       why, so a guest without a trace can tell):
 *           -HV_EBUSY   the frame is still referenced (mapped, a page
 *                       table, pinned, a CR3)
 *           -HV_EINVAL  pfn >= nr_pages, or already given back
 *           -HV_EFAULT  extent_start could not be read
 *       Arguments that are wrong as a whole fail before anything is done:
 *       -HV_EFAULT (r unreadable), -HV_EINVAL (extent_order != 0, or more
 *       than XENMEM_MAX_EXTENTS extents), -HV_EPERM (another domain),
 *       -HV_ENOSYS (another XENMEM_ command).
 *       Every extent, given back or refused, is one mem_release trace record
 *       (pfn, mfn, result, the rule, and the free-frame count after it).
 *
 * The guest's own P2M list (start_info.mfn_list) is the guest's memory: on
 * success the guest marks those pfns invalid there itself, as Linux's
 * balloon driver does.  The hypervisor keeps its own copy and the M2P table
 * consistent.
 *
 * Differences from Xen, on purpose: Xen's PV guests name the frames by
 * machine frame (gmfn == mfn for them); hvkit takes pfns, which the
 * hypervisor translates with its own P2M copy, so a guest can only name
 * its own pages (and never the shared-info frame, which has no pfn).
 *
 *   memory_op(XENMEM_populate_physmap, struct xen_memory_reservation *r)
 *       The balloon's other half: each extent is a pfn the domain gave back
 *       (a hole); it gets a fresh, zeroed frame, and the frame's number is
 *       written back into the list in place of the pfn (as Xen returns
 *       frames), for the guest to put in its P2M list and its page tables.
 *       Same batch rules and result; per extent:
 *           -HV_EINVAL  pfn >= nr_pages, or not a hole (rule bad_pfn)
 *           -HV_ENOMEM  the domain holds max_pages already (over_max: dom0
 *                       sets the maximum, DOMCTL_max_mem), or no free frame
 *                       is left (pool_empty)
 *           -HV_EFAULT  the list could not be read or written
 *       Every extent is one mem_populate trace record (pfn, mfn, result,
 *       rule, frames the domain holds after it, free frames after it).
 *   memory_op(XENMEM_increase_reservation, r) is the same call here: every
 *       frame a domain holds backs one of its pfns in hvkit (no frame
 *       without a pfn, unlike Xen's PV guests, which place the frames
 *       themselves with MMU_MACHPHYS_UPDATE), so both take hole pfns.
 */
#ifndef HVKIT_PUBLIC_MEMORY_H
#define HVKIT_PUBLIC_MEMORY_H

#include <stdint.h>

/* The most extents one call may carry.  A long call is done in pieces:
 * the hypervisor continues it by having the guest re-execute it with the
 * progress in the command's bits above MEMOP_EXTENT_SHIFT (Xen's
 * convention; a guest passes 0 there), and the result counts every extent
 * of the whole call. */
#define XENMEM_MAX_EXTENTS  1024
#define MEMOP_EXTENT_SHIFT  6
#define MEMOP_CMD_MASK      ((1u << MEMOP_EXTENT_SHIFT) - 1)

/*
 * The three reservation commands (Xen's numbers) share one argument
 * structure, Xen's, in its x86-32 layout (20 bytes).
 */
#define XENMEM_increase_reservation  0   /* = populate_physmap in hvkit (above) */
#define XENMEM_decrease_reservation  1
#define XENMEM_populate_physmap      6
struct xen_memory_reservation {
    uint32_t extent_start;   /* guest virtual address of uint32_t pfns[nr_extents] */
    uint32_t nr_extents;
    uint32_t extent_order;   /* log2 of pages per extent: only 0 */
    uint32_t mem_flags;      /* Xen's address_bits / memflags: ignored here, as Xen
                                ignores it for decrease_reservation */
    uint16_t domid;          /* DOMID_SELF */
    uint16_t pad;
};
_Static_assert(sizeof(struct xen_memory_reservation) == 20, "xen_memory_reservation: 20 bytes");

#endif
