/*
 * hv/core/domain_build.h — the domain builder, step by step.
 *
 * Building a paravirtualized domain is what a boot loader and a BIOS do for
 * a native kernel, done by the hypervisor for a guest that cannot do it
 * itself: give it memory, put its kernel in that memory, give it page tables
 * that already map the kernel, tell it what it got (the start-info page) and
 * start it with the registers its entry code expects (public/start_info.h).
 *
 * The work is cut into steps, each a function with a contract, in the order
 * a caller runs them:
 *
 *   1. dombuild_layout       decide where everything goes (pure arithmetic);
 *   2. domain_alloc          a slot in the domain table (core/domain.h);
 *   3. dombuild_allocate     the machine frames, the P2M and M2P entries;
 *   4. dombuild_load_image   the ELF segments, into those frames;
 *   5. dombuild_page_tables  the initial page tables, validated and pinned
 *                            by lab 2's rules like any guest's;
 *   6. dombuild_start_info   the start-info page;
 *   7. dombuild_registers    the first registers (and the virtual IF off);
 *   and then the domain is made runnable.
 *
 * At boot, domain_build() runs them all for each Multiboot module.  Dom0's
 * toolstack will run the same steps one control operation at a time
 * (create, give memory, load, set registers, unpause), which is why each
 * step leaves its result in `struct domain` rather than in locals.  After a
 * failed step the caller gives up with dombuild_abandon().
 *
 * Xen's equivalent is libxc's xc_dom_* builder (xc_dom_parse_image,
 * xc_dom_mem_init, xc_dom_build_image, xc_dom_boot_image); hvkit's is one
 * file because it runs in the hypervisor, with direct access to the frames.
 */
#ifndef HV_DOMAIN_BUILD_H
#define HV_DOMAIN_BUILD_H

#include <stdint.h>
#include "public/hvkit.h"

struct domain;
struct elf_info;

/* The boot stack the builder maps for the guest's first instructions. */
#define BOOT_STACK_PAGES 4

/*
 * Where the builder puts things in the guest's pseudo-physical memory, in
 * pages (pfn = pseudo-physical frame number).  Pseudo-physical page pfn is
 * mapped at virtual GUEST_KERNEL_BASE + pfn * 4096 (dombuild_va), so this is
 * also the guest's initial virtual layout:
 *
 *   0                 image_pages  [the kernel image, .bss included]
 *   start_info_pfn                 [start-info page]
 *   p2m_pfn         + p2m_pages    [P2M list: one 32-bit mfn per pfn]
 *   pd_pfn                         [page directory]
 *   l1_pfn          + nr_l1        [page tables]
 *   stack_pfn       + BOOT_STACK_PAGES  [boot stack, grows down]
 *   first_free_pfn .. nr_pages-1   [free: the guest's own allocator]
 *   and one virtual page more, at shared_info_va: the shared-info page,
 *   which is not part of the domain's pseudo-physical memory (the domain
 *   owns the frame, so it goes with the domain, but no pfn names it).
 */
struct domain_layout {
    uint32_t nr_pages;          /* the domain's memory */
    uint32_t image_pages;       /* pfns 0 .. image_pages-1 hold the image */
    uint32_t start_info_pfn;
    uint32_t p2m_pfn, p2m_pages;
    uint32_t pd_pfn;
    uint32_t l1_pfn, nr_l1;     /* enough L1s for nr_pages + the shared page */
    uint32_t stack_pfn;
    uint32_t first_free_pfn;    /* also the top of the boot stack */
    uint32_t shared_info_va;    /* the virtual page just after the memory */
};

/* The virtual address at which the initial page tables map pfn. */
static inline uint32_t dombuild_va(uint32_t pfn)
{
    return GUEST_KERNEL_BASE + (pfn << HV_PAGE_SHIFT);
}

/*
 * Step 1 (hv/core/domain_layout.c).  Lay out a domain of nr_pages pages
 * whose image ends at virtual address image_vend (exclusive).  Touches no
 * memory: it only decides.  Returns 0 and fills *lay, or ELF_ERR_TOO_BIG
 * when the image and the builder's pages do not fit in nr_pages, or the
 * mapping would reach the hypervisor's hole; ELF_ERR_IN_HOLE when
 * image_vend is not in GUEST_KERNEL_BASE..HYPERVISOR_VIRT_START.
 */
int dombuild_layout(uint32_t image_vend, uint32_t nr_pages, struct domain_layout *lay);

/*
 * Step 3.  Give d (fresh from domain_alloc) lay->nr_pages machine frames,
 * zeroed and owned by it, in any order: d->p2m[pfn] says which frame backs
 * pfn, m2p[mfn] the way back.  Also the shared-info frame (d->shared_mfn,
 * d->shared) and the guest's copy of the P2M list at lay->p2m_pfn.
 * Returns 0, or ELF_ERR_NO_MEMORY (checked before anything is allocated;
 * should a frame still run out half-way, the ones taken stay d's until
 * dombuild_abandon).
 */
int dombuild_allocate(struct domain *d, const struct domain_layout *lay);

/*
 * Step 4.  Copy the image's loadable segments (elf from elf_inspect of
 * image: in one piece or in pages, core/elf.h) to their pseudo-physical
 * addresses.  What a segment has in memory
 * beyond its file bytes (.bss) is already zero: frame_alloc zeroes.
 */
struct elf_image;
void dombuild_load_image(struct domain *d, const struct elf_info *elf, const struct elf_image *image);

/*
 * Step 5.  Write the initial page directory and page tables: every pfn at
 * dombuild_va(pfn), the shared-info page at lay->shared_info_va, the
 * hypervisor's slots (the top 16 directory entries, the same in every
 * address space); the page-table pages themselves read-only (direct paging:
 * the guest may read its tables, never write them).  Then type them the way
 * a guest would have to: pin the directory (which validates it and every L1
 * by lab 2's rules: no exemption for the builder) and make it the base
 * pointer (d->cr3, d->mm.base_mfn), with trace records saying so and a
 * snapshot of every table (pt_run records: a trace reader rebuilds the
 * page-table graph from them).  Returns MMRULE_OK, or the rule that refused
 * (traced as a refused pin): only a broken lab 2 refuses the builder.
 */
int dombuild_page_tables(struct domain *d, const struct domain_layout *lay);

/*
 * Step 6.  Fill the start-info page at lay->start_info_pfn (what the guest
 * got: memory, page tables, P2M list, shared info, flags, command line) and
 * remember its frame in d->start_info_mfn, for whoever must update it later
 * (the dom0 event channel, save and restore).  d->flags must be set.
 */
void dombuild_start_info(struct domain *d, const struct domain_layout *lay, const char *cmdline);

/*
 * Step 7.  The registers the guest starts with (public/start_info.h): ring 1
 * segments, %eip = entry, %esp = top of the boot stack, %esi = the
 * start-info page, the real IF on; and the virtual IF (the upcall mask)
 * off, as interrupts are off on a real CPU at reset.
 */
void dombuild_registers(struct domain *d, const struct domain_layout *lay, uint32_t entry);

/* Give up on a domain a step failed for: every frame it owns goes back, and
 * its slot in the domain table is free again. */
void dombuild_abandon(struct domain *d);

/*
 * Steps 1 and 3-6 for a domain dom0 created (DOMCTL_load from a boot
 * image, DOMCTL_load_frames from dom0's own pages): lay out an
 * image of d->max_pages pages, allocate, load, page tables, start info
 * with cmdline; the layout and entry stay in d->lay, d->entry for
 * DOMCTL_setregs (step 7).  Returns 0, or the ELF_ERR_* that refused it
 * (ELF_ERR_BAD_PHDRS also for tables that do not validate: only a broken
 * lab 2); on a refusal every frame taken is back in the pool and d is
 * empty again (BUILD_EMPTY).
 */
int dombuild_load(struct domain *d, const struct elf_image *image, const char *cmdline);

/*
 * The boot images dom0 may build domains from (DOMCTL_image_info,
 * DOMCTL_load): the Multiboot modules whose arguments say `inactive`.
 * The hypervisor keeps their frames (they are never given to a domain),
 * and each load copies the image into the new domain's own memory, so one
 * image may become any number of domains.  Until dom0 has a disk, this is
 * where inactive VMs live: an image and its arguments (name=, run=, ...).
 */
#define MAX_BOOT_IMAGES 8
struct boot_image {
    const void *data;
    uint32_t len;
    uint32_t nr_loaded;
    char file[16];          /* the module file's base name */
    char name[16];          /* its name= argument */
    char args[200];         /* its arguments without `inactive`: the guest's command line */
};
extern struct boot_image boot_images[MAX_BOOT_IMAGES];
extern uint32_t nr_boot_images;
/* Keep module data/len as an image.  0, or -1 when the table is full. */
int boot_image_keep(const void *data, uint32_t len, const char *file, const char *args);

/*
 * The whole builder, as the hypervisor runs it at boot: domain `id` from
 * Multiboot module number `module` (image, len bytes), with mem_kib of
 * memory.  name and cmdline are for messages and the start-info page.  A
 * module that cannot become a domain (bad image, too big, no memory, no
 * free slot) is refused with a console line and a dom_refused trace record.
 * Returns 0 when the domain is built and runnable, -1 when refused.
 */
int domain_build(domid_t id, uint32_t module, const void *image, uint32_t len,
                 const char *name, const char *cmdline, uint32_t mem_kib);

#endif
