/*
 * hv/mm/page.h — x86 32-bit (non-PAE) page tables, as the hypervisor walks them.
 *
 * Two levels: a page directory (L2) of 1024 entries, each covering 4 MiB,
 * pointing to page tables (L1) of 1024 entries, each mapping one 4 KiB page.
 * The entry bits (PTE_P, PTE_RW, ...) and the directory slots the hypervisor
 * keeps for itself (HV_M2P_SLOT, HV_FIRST_SLOT ..) are part of the public
 * ABI: public/address_space.h defines them, with the picture of the split.
 *
 * Under direct paging these are the real tables the CPU walks, built by
 * the guest but holding MACHINE frame numbers: the hypervisor does not
 * translate them, it validates them (hv/mm/page_type.h).
 */
#ifndef HV_PAGE_H
#define HV_PAGE_H

#include "public/hvkit.h"

/* Which directory slot, and which entry of that slot's page table, map va. */
#define PDE_INDEX(va)   ((uint32_t)(va) >> 22)
#define PTE_INDEX(va)   (((uint32_t)(va) >> 12) & 0x3FF)

/* The boot page directory (boot.S): the hypervisor's slots are copied from
 * it into every guest's page directory. */
extern uint32_t boot_pgdir[1024];

#endif
