/*
 * hv/include/public/address_space.h — the memory split, drawn once: where the
 * guest, the read-only M2P table and the hypervisor sit in every virtual
 * address space, which page-directory slots the hypervisor keeps, and the
 * bits of an x86-32 page-table entry.
 *
 * Where this sits in the story (course: the memory split, "Xen reserves the
 * top 64 MiB of every address space"; direct paging): the hypervisor owns
 * the top of every address space the CPU can be in -- every process of
 * every guest -- so that a hypercall or an interrupt always finds it at the
 * same addresses (classically, without even switching page tables).  A guest kernel builds its own page tables, with
 * real machine frame numbers in them, and asks the hypervisor to check
 * each entry; so the entry format is part of the ABI as much as the split.
 *
 * The one owner of these numbers.  hvkit.h includes this file, so every C
 * file of the hypervisor, the teaching OS and the host tools sees them.
 * The two boot files (hv/x86/boot.S and minios-guest/arch/native/
 * boot-native.S) include it too, and hand the addresses on to their linker
 * scripts as symbols.  docs/address-space.md shows the same picture, and
 * tests/unit/test_address_space.c fails if the two ever differ.  Hence:
 * nothing here but #defines, and no `u` suffixes, because the assembler
 * reads this file as well.  (In C a hexadecimal constant too big for an
 * int is an unsigned int anyway: 0xFC000000 is the same with or without.)
 */
#ifndef HVKIT_PUBLIC_ADDRESS_SPACE_H
#define HVKIT_PUBLIC_ADDRESS_SPACE_H

/* ------------------------------------------------------------------------
 * The split.  Every virtual address space (a page directory: 1024 slots of
 * 4 MiB) looks like this:
 *
 *   virtual                               slot
 *   0x00000000 +-----------------------+     0
 *              | guest programs        |        private to each process
 *              | (ring 3)              |
 *   0xC0000000 +-----------------------+   768  GUEST_KERNEL_BASE
 *              | guest kernel (ring 1) |        virt = 0xC0000000 + pseudo-
 *              | all of its memory,    |        physical: the builder maps
 *              | then shared info      |        every page of the domain
 *   0xFBC00000 +-----------------------+  1007  HV_M2P_VIRT_START
 *              | M2P table, read-only  |        m2p[mfn] = pfn
 *   0xFC000000 +-----------------------+  1008  HYPERVISOR_VIRT_START
 *              | hypervisor (ring 0):  |        the same in every page
 *              | direct map of machine |        directory: all of it, or
 *              | RAM, its own image at |        (isolation=paging) only its
 *              | 0xFC100000            |        entry trampoline
 *   0xFFC00000 | (unused)              |  1023
 *   0xFFFFFFFF +-----------------------+
 *
 * Page U/S bits cannot protect the hole: the CPU treats rings 0, 1 and 2 all
 * as "supervisor" for paging, so a ring-1 guest kernel could read and write a
 * supervisor page.  The guest's segments therefore *end* at
 * HYPERVISOR_VIRT_START: on real hardware any access at or above it by ring
 * 1 or ring 3 fails the segment limit check (#GP, or #SS for the stack)
 * before paging is even consulted.  That was the whole of the hypervisor's
 * memory protection on 32-bit x86, and the reason the split exists.  QEMU's
 * TCG, the kit's only platform, does not check segment limits on data
 * accesses, so hvkit adds a second barrier by default (isolation=paging,
 * hv/mm/isolation.h): while a guest runs, its page directory maps of the
 * hypervisor only the entry trampoline, and every entry switches to the
 * hypervisor's own directory.  The layout and the limits stay the same.
 *
 * The M2P table (machine frame -> pseudo-physical frame) is the one piece of
 * the hypervisor a guest may read: it sits just *below* the hole, where the
 * guest segments still reach, mapped present and user-readable but never
 * writable.  A guest updates it only by asking (mmu_update,
 * MMU_MACHPHYS_UPDATE in mmu.h).
 * ------------------------------------------------------------------------ */
#define GUEST_KERNEL_BASE       0xC0000000   /* where the builder maps pseudo-physical page 0 */
#define HV_M2P_VIRT_START       0xFBC00000   /* m2p[mfn] = pfn, or 0xFFFFFFFF: read-only */
#define HYPERVISOR_VIRT_START   0xFC000000   /* the hole: the guest segments end here */
#define HYPERVISOR_VIRT_END     0xFFFFFFFF   /* inclusive */

/* The page-directory slots (virtual address >> 22) of the picture.  A guest
 * writes only the slots below HV_M2P_SLOT; the hypervisor fills in the rest
 * of every page directory it validates, and refuses any change to them
 * (rule hv_slot). */
#define HV_M2P_SLOT      (HV_M2P_VIRT_START >> 22)       /* 1007 */
#define HV_FIRST_SLOT    (HYPERVISOR_VIRT_START >> 22)   /* 1008 */
#define HV_NR_SLOTS      (1024 - HV_FIRST_SLOT)          /* 16: 1008..1023 */
#define GUEST_NR_SLOTS   HV_M2P_SLOT                     /* 0..1006 are the guest's */

/* ------------------------------------------------------------------------
 * Page-table entries: x86-32 without PAE, two levels (a page directory of
 * 1024 entries, each pointing to a page table of 1024 entries, each mapping
 * one 4 KiB page), 32 bits an entry, the same bits at both levels.  The
 * address is a MACHINE address: a PV guest translates with its P2M list.
 * ------------------------------------------------------------------------ */
#define PTE_P      0x001        /* present */
#define PTE_RW     0x002        /* writable */
#define PTE_US     0x004        /* user: ring 3 may use it (rings 0-2 always may) */
#define PTE_A      0x020        /* accessed: set by the CPU */
#define PTE_D      0x040        /* dirty: set by the CPU on a write */
#define PTE_PS     0x080        /* in a directory entry: a 4 MiB page (refused to guests) */
#define PTE_G      0x100        /* global: kept in the TLB across CR3 loads */
#define PTE_ADDR   0xFFFFF000   /* the frame's machine address */

#endif
