/*
 * hv/include/public/start_info.h — what a domain finds when it starts: the start-info page.
 *
 * The domain builder (hv/core/domain_build.c) creates every guest from an ELF
 * image.  It allocates machine frames for the guest's memory (not contiguous:
 * the guest sees them as pseudo-physical pages 0..nr_pages-1, and the P2M
 * list says which machine frame backs each), loads the image, builds the
 * initial page tables, and fills in one page of this structure.  Then it
 * enters the guest kernel in ring 1 with:
 *
 *   %cs = FLAT_RING1_CS, %ds = %es = %ss = FLAT_RING1_DS, %fs = %gs = 0
 *   %eip = entry point (the image's HVKIT PV-entry ELF note, else e_entry)
 *   %esp = top of a boot stack (a few pages, already mapped)
 *   %esi = virtual address of this start_info page
 *   EFLAGS.IF = 1 (the real flag; the virtual one, the upcall mask, is set)
 *
 * Initial virtual memory (the guest may rely on it):
 *   GUEST_KERNEL_BASE + pfn * 4096  ->  pseudo-physical page pfn, for every
 *   pfn < nr_pages, read-write, user-accessible (what ring 3 may reach is
 *   the guest kernel's decision, made with its own page-table updates);
 *   except the page-table pages themselves, which are mapped read-only:
 *   a guest may read its page tables, never write them directly.
 *   shared_info_va -> the shared-info page, read-write.
 *
 * Pseudo-physical layout chosen by the builder, in order after the image:
 *   [image][start_info][P2M list][page directory][page tables][boot stack][free...]
 */
#ifndef HVKIT_PUBLIC_START_INFO_H
#define HVKIT_PUBLIC_START_INFO_H

#include <stddef.h>
#include <stdint.h>

#define START_INFO_MAGIC     "hvkit-0.1-x86_32"   /* 16 chars + NUL */
#define MAX_GUEST_CMDLINE    1024

struct start_info {
    char     magic[32];       /* START_INFO_MAGIC: check it first */
    uint32_t nr_pages;        /* total pages of pseudo-physical memory */
    uint32_t shared_info;     /* MACHINE address of the shared-info page */
    uint32_t flags;           /* SIF_* below */
    uint32_t domid;           /* this domain's id (hvkit extension) */
    uint32_t pt_base;         /* VIRTUAL address of the initial page directory */
    uint32_t nr_pt_frames;    /* page directory + page tables, contiguous from pt_base */
    uint32_t mfn_list;        /* VIRTUAL address of the P2M list: mfn_list[pfn] = machine frame */
    uint32_t shared_info_va;  /* VIRTUAL address where shared info is mapped (hvkit extension) */
    uint32_t first_free_pfn;  /* first pseudo-physical page the builder did not use */
    uint32_t tsc_khz;         /* calibrated TSC frequency (hvkit extension) */
    uint32_t dom0_evtchn;     /* domU: this domain's port of a channel the builder
                                 connected to dom0 (0 in dom0; dom0 finds its
                                 ends with EVTCHNOP_status) (hvkit extension) */
    uint32_t mem_target;      /* pages the toolstack wants this domain to hold (0: no
                                 wish); the hypervisor rewrites it at every
                                 DOMCTL_set_target and raises VIRQ_BALLOON: the
                                 balloon driver's instruction (hvkit extension;
                                 Xen keeps it in the store, memory/target) */
    uint32_t reserved[4];
    char     cmd_line[MAX_GUEST_CMDLINE]; /* the module's arguments, NUL-terminated */
};
_Static_assert(offsetof(struct start_info, cmd_line) == 96, "start_info: cmd_line at 96");
_Static_assert(sizeof(struct start_info) == 96 + MAX_GUEST_CMDLINE, "start_info: 1120 bytes");

#define SIF_PRIVILEGED   (1u << 0)  /* may use the control interface (dom0) */
#define SIF_INITDOMAIN   (1u << 1)  /* the initial domain: owns the hardware (dom0) */

/*
 * The HVKIT ELF note.  A teaching-OS image carries two entry points: the
 * Multiboot/native one in e_entry (a physical address, for QEMU -kernel), and
 * the paravirtualized one in a PT_NOTE segment: name "HVKIT", type
 * HVKIT_ELFNOTE_PV_ENTRY, descriptor = 32-bit virtual entry address.  (Xen
 * does the same with its XEN_ELFNOTE_ENTRY.)  Without the note the builder
 * uses e_entry.
 */
#define HVKIT_ELFNOTE_NAME      "HVKIT"
#define HVKIT_ELFNOTE_PV_ENTRY  1

#endif
