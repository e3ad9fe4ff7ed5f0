/*
 * hv/mm/isolation.h — keeping guest kernels out of the hypervisor's 64 MiB:
 * which page directory the CPU uses, and when.
 *
 * THE MEMORY SPLIT, TWO WAYS (course: "Xen reserves the top 64 MiB of every
 * address space"; docs/address-space.md tells the whole story).
 *
 *   isolation=classic   what the course teaches and 32-bit Xen did: the
 *                       hypervisor is mapped in every address space, and
 *                       the guest segments' limit (0xFBFFFFFF,
 *                       hv/x86/segments.c) is the barrier.  A hypercall needs
 *                       no CR3 load.  Real hardware (and KVM) checks that
 *                       limit on every access; QEMU's TCG, the kit's only
 *                       platform, does not check it for data accesses, so
 *                       there a plain `mov` from ring 1 reads and writes
 *                       the hypervisor (tests/scenarios/isolation-hole-classic.scn).
 *
 *   isolation=paging    the default: paging enforces the split, whatever
 *                       the segments do.  While a guest runs, its page
 *                       directory maps of the hypervisor only the ENTRY
 *                       TRAMPOLINE (the entry code, the IDT/GDT/TSS page,
 *                       read-only under CR0.WP, and the entry stack; see
 *                       hv/x86/hv.ld); every entry loads the hypervisor's
 *                       own directory first, every exit the guest's last
 *                       (hv/x86/entry.S).  What Linux's KPTI and Xen's XPTI
 *                       did against Meltdown, for the same reason: a
 *                       barrier the CPU does not enforce is no barrier.
 *
 * The segment limits stay in both modes: on hardware they are still the
 * first barrier, and the one a 32-bit x86 gives for free.
 *
 * The hypervisor's directory (paging) is boot_pgdir: its slots 1008..1023
 * map all of the hypervisor (no global pages: they would survive the switch
 * to the guest's directory), slot 1007 the read-only M2P, and slots
 * 0..1006 MIRROR the guest half of the current domain's directory, so that
 * copy_from_guest/copy_to_guest see exactly what the guest sees.  One such
 * directory per CPU (hvkit has one CPU), whatever the number of domains.
 */
#ifndef HV_ISOLATION_H
#define HV_ISOLATION_H

#include <stdint.h>

#define ISOLATION_CLASSIC 0
#define ISOLATION_PAGING  1

/* Set once at boot (isolation_init); read by the entry code (entry.S). */
extern uint32_t isolation_paging;
/* Every CR3 load the hypervisor makes (entry.S and write_cr3), for the
 * benchmarks (xen_version(XENVER_hvkit_stats)). */
extern uint32_t cr3_loads;

/* Build the trampoline and the hypervisor's directory for `mode`; before
 * the first domain is built (its directory gets pt_hv_slot_entry). */
void isolation_init(int mode);
const char *isolation_name(void);

/* What a guest directory holds in hypervisor slot 1008..1023: the whole
 * hypervisor (classic), or the trampoline's one page table (paging). */
uint32_t isolation_hv_slot_entry(uint32_t slot);

/* The current domain's directory is now cr3 (a domain switch, or the
 * guest's new_baseptr): classic loads it; paging mirrors its guest half
 * into the hypervisor's directory and makes it the one the exit loads. */
void address_space_load(uint32_t cr3);
/* No domain runs (idle, or a dead one's frames are about to be freed):
 * the hypervisor's directory with an empty guest half. */
void address_space_idle(void);
/* Entry idx of directory l2_mfn changed from old to val (mmu_update or a
 * trapped store): if it is the directory being mirrored, so is the entry. */
void address_space_l2_changed(uint32_t l2_mfn, uint32_t idx, uint32_t old, uint32_t val);

/* The hypervisor's own code and read-only data, checksummed at boot
 * (isolation_init) and again when the run ends: a guest that wrote into
 * them is caught, and said so on the console. */
void isolation_check_image(void);

#endif
