/*
 * hv/core/domain_layout.c — step 1 of the domain builder: where everything goes.
 *
 * Before the builder touches a single frame it decides the new domain's
 * pseudo-physical layout (drawn in domain_build.h): the image from page 0,
 * then, in order, the pages the builder itself hands the guest — start
 * info, the P2M list, the page directory and page tables, a boot stack —
 * and the rest free for the guest's own allocator.  Putting the builder's
 * pages right after the image, in one run, is Xen's choice too: the guest
 * finds them all from start_info, and everything above first_free_pfn is
 * its own.
 *
 * Pure arithmetic, no hardware: compiled into the hypervisor and into the
 * host unit tests (tests/unit/test_domain_layout.c), which try the edges.
 */
#include "core/domain_build.h"
#include "core/elf.h"
#include "public/hvkit.h"

/* Pages needed for `bytes` bytes, rounded up. */
static uint32_t pages_for(uint32_t bytes)
{
    return (bytes + HV_PAGE_SIZE - 1) >> HV_PAGE_SHIFT;
}

int dombuild_layout(uint32_t image_vend, uint32_t nr_pages, struct domain_layout *lay)
{
    /* elf_inspect has checked this already; a layout must not depend on it. */
    if (image_vend < GUEST_KERNEL_BASE || image_vend > HYPERVISOR_VIRT_START)
        return ELF_ERR_IN_HOLE;
    /* Every pfn and the shared-info page after them are mapped from
     * GUEST_KERNEL_BASE up: that must stay below the hypervisor's hole.
     * (Compared in pages, so that nothing can overflow.) */
    if (nr_pages >= (HYPERVISOR_VIRT_START - GUEST_KERNEL_BASE) >> HV_PAGE_SHIFT)
        return ELF_ERR_TOO_BIG;

    lay->nr_pages = nr_pages;
    lay->image_pages = pages_for(image_vend - GUEST_KERNEL_BASE);
    lay->start_info_pfn = lay->image_pages;
    lay->p2m_pfn = lay->start_info_pfn + 1;
    lay->p2m_pages = pages_for(nr_pages * 4);            /* one 32-bit mfn per pfn */
    lay->pd_pfn = lay->p2m_pfn + lay->p2m_pages;
    lay->l1_pfn = lay->pd_pfn + 1;
    lay->nr_l1 = (nr_pages + 1 + 1023) / 1024;           /* +1: the shared-info page */
    lay->stack_pfn = lay->l1_pfn + lay->nr_l1;
    lay->first_free_pfn = lay->stack_pfn + BOOT_STACK_PAGES;
    lay->shared_info_va = dombuild_va(nr_pages);
    if (lay->first_free_pfn > nr_pages)
        return ELF_ERR_TOO_BIG;      /* the image and the builder's pages do not fit */
    return 0;
}
