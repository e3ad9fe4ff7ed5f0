/*
 * hv/mm/page.h — x86 32-bit (non-PAE) page-table entries.
 *
 * Two levels: a page directory (L2) of 1024 entries, each covering 4 MiB,
 * pointing to page tables (L1) of 1024 entries, each mapping one 4 KiB page.
 * The top 16 directory slots (0xFC000000 up) are the hypervisor's: the same
 * in every address space.
 *
 * Under direct paging these are the real tables the CPU walks, built by
 * the guest but holding MACHINE frame numbers: the hypervisor does not
 * translate them, it validates them (hv/mm/page_type.h).
 */
#ifndef HV_PAGE_H
#define HV_PAGE_H

#include "public/hvkit.h"

#define PTE_P    0x001   /* present */
#define PTE_RW   0x002   /* writable */
#define PTE_US   0x004   /* user: ring 3 may use it (rings 0-2 always may) */
#define PTE_A    0x020   /* accessed: the CPU sets it as it walks */
#define PTE_D    0x040   /* dirty: the CPU sets it on a write */
#define PTE_PS   0x080   /* in a directory entry: a 4 MiB page */
#define PTE_G    0x100   /* global: kept in the TLB across CR3 loads */

#define PDE_INDEX(va)   ((uint32_t)(va) >> 22)
#define PTE_INDEX(va)   (((uint32_t)(va) >> 12) & 0x3FF)
#define HV_FIRST_SLOT   PDE_INDEX(HYPERVISOR_VIRT_START)      /* 1008 */
#define HV_NR_SLOTS     (1024 - HV_FIRST_SLOT)                 /* 16 */

/* The boot page directory (boot.S): the hypervisor's slots are copied from
 * it into every guest's page directory. */
extern uint32_t boot_pgdir[1024];

#endif
