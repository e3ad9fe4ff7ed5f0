/*
 * hv/mm/mm.h — machine memory: what RAM there is, who owns each frame, and how
 * the hypervisor reaches it.
 *
 * Three kinds of address (course: virtual, pseudo-physical, machine):
 *   machine address   a real RAM address; a "machine frame number" (mfn) is
 *                     it divided by 4096.  Only the hypervisor deals in them.
 *   pseudo-physical   what a guest believes is its physical memory: pages
 *                     0..nr_pages-1 (pfn), contiguous and starting at 0.
 *   virtual           what the guest's page tables map.
 * The P2M list (per domain, given to the guest) says which mfn backs each
 * pfn; the M2P table here says, for each mfn, which pfn of its owner it is.
 *
 * The hypervisor maps the first 60 MiB of machine memory at
 * HYPERVISOR_VIRT_START, 0xFC000000 (the "direct map", built in boot.S; the
 * split is drawn in public/address_space.h), so it can reach any frame it
 * hands out with a plain pointer: mfn_to_virt().  Frames above 60 MiB are
 * not used.
 *
 * Why a direct map at all: the hypervisor must write frames no one has
 * mapped (a new domain's memory, a page table it is validating, the shared
 * page), from inside whichever guest's hypercall it is serving.  Mapping
 * all of machine memory once, in the hypervisor's own slots (present in
 * every address space under isolation=classic, in the hypervisor's
 * directory under isolation=paging), means it never has to make a mapping
 * to reach a frame.  The price is that machine memory the direct map does
 * not cover cannot be used: fifteen of the sixteen hypervisor slots hold
 * it, and the last (0xFFC00000) is kept free.
 *
 * Why the M2P exists: a guest's page-table entries hold machine frame
 * numbers (direct paging: the CPU walks them as they are), so a guest that
 * reads an entry back gets an mfn and needs to know which of its own pages
 * that is.  The P2M answers "which frame backs my page", the M2P "which of
 * my pages is this frame"; the hypervisor maps the M2P read-only into
 * every guest so the lookup costs no hypercall.
 */
#ifndef HV_MM_H
#define HV_MM_H

#include <stdint.h>
#include "public/hvkit.h"

/* The frame table (owner, use, type, counts), MAX_FRAMES and FRAME_*: the
 * pure half of memory bookkeeping, shared with the host tests. */
#include "mm/page_type.h"

/* Only for frames below MAX_FRAMES: beyond the direct map this would point
 * into the hypervisor's other slots.  Every frame number that comes from a
 * guest is checked against MAX_FRAMES (or found through the frame table)
 * before it gets here. */
static inline void *mfn_to_virt(uint32_t mfn)
{
    return (void *)(HYPERVISOR_VIRT_START + (mfn << HV_PAGE_SHIFT));
}

static inline void *maddr_to_virt(uint32_t maddr)
{
    return (void *)(HYPERVISOR_VIRT_START + maddr);
}

/* The inverse, for pointers into the direct map or the hypervisor image
 * (which is linked at HYPERVISOR_VIRT_START + its load address). */
static inline uint32_t virt_to_maddr(const void *v)
{
    return (uint32_t)v - HYPERVISOR_VIRT_START;
}

struct multiboot_info;

/* Build the frame table and free list from the Multiboot memory map; carve
 * `reserve_bytes` of contiguous memory (the trace ring) off the top and
 * return its machine address in *reserved. */
void mm_init(const struct multiboot_info *mbi, uint32_t reserve_bytes, uint32_t *reserved);

/* One frame for domain `owner` (or DOMID_HV), zeroed.  0 if none left
 * (frame 0 is never handed out: it is below 1 MiB). */
uint32_t frame_alloc(domid_t owner);
void frame_free(uint32_t mfn);

/* Give back the pages of temporary references a directory operation in
 * steps used (hv/mm/pt_steps.h), if any: when it is done, and when its
 * domain goes. */
struct pt_steps;
void pt_steps_free(struct pt_steps *s);
uint32_t frames_free_count(void);

/* Modules are only needed until the domains are built. */
void mm_release_modules(void);

/* The read-only view of the M2P table every guest gets at HV_M2P_VIRT_START
 * (directory slot 1007): the L1 that maps it, made by mm_init. */
extern uint32_t m2p_l1_mfn;

#endif
