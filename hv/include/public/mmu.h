/*
 * hv/include/public/mmu.h — the memory hypercalls: mmu_update, update_va_mapping, mmuext_op.
 *
 * Where this sits in the story (course: direct paging, "the guest's page
 * tables are read-only to it; every update is a request"): a PV guest keeps
 * ordinary x86 page tables, but they live in frames the hypervisor has typed
 * as page tables, and the guest maps them read-only.  To change an entry it
 * asks, with one of these calls, and the hypervisor validates the new value
 * first (hv/mm/page_type.h states the rules, lab 2's page_type.c applies
 * them, hv/mm/pt_update.c holds the operations).  Numbers and meanings
 * follow Xen's public xen.h, so Linux's arch/x86/xen reads the same way.
 *
 *   mmu_update(reqs, count, done_out, DOMID_SELF)
 *       reqs: array of struct mmu_update.  The low 2 bits of ptr say what
 *       to do: MMU_NORMAL_PT_UPDATE (ptr = MACHINE address of one entry of a
 *       page table or page directory; val = the new entry) or
 *       MMU_MACHPHYS_UPDATE (ptr = machine address of a frame we own; val =
 *       its pseudo-physical frame number: an M2P update).
 *       Stops at the first refused entry; *done_out (if not 0) = how many
 *       were done.  Returns 0, or the refused entry's -HV_Exxx.
 *
 *   update_va_mapping(va, val, 0, flags)
 *       the L1 entry that maps virtual address va in the CURRENT address
 *       space becomes val (validated the same way).  flags: UVMF_*.
 *
 *   mmuext_op(ops, count, done_out, DOMID_SELF)
 *       ops: array of struct mmuext_op: pin/unpin a table, switch page
 *       directory, flush the TLB.  Same batch rules as mmu_update.
 *
 * Machine addresses, not pseudo-physical ones: the guest translates with its
 * P2M list (start_info.mfn_list).  x86-32 without PAE: an entry is 32 bits,
 * the val fields are 64 bits only to match Xen's layout.
 *
 * Errors: -HV_EFAULT bad guest pointer; -HV_EPERM a frame not ours or the
 * hypervisor's; -HV_EINVAL a value the rules forbid; -HV_EBUSY a table in
 * use; -HV_ENOSYS an unknown command.  Each refusal is also a trace record
 * (mmu_update or mmuext, with the rule that failed).
 */
#ifndef HVKIT_PUBLIC_MMU_H
#define HVKIT_PUBLIC_MMU_H

#include <stdint.h>
#include "address_space.h"

/* mmu_update: the command is in the low bits of ptr. */
#define MMU_NORMAL_PT_UPDATE   0   /* checked update of a page-table entry */
#define MMU_MACHPHYS_UPDATE    1   /* M2P: machine frame ptr>>12 is pfn val */
#define MMU_CMD_MASK           3u

struct mmu_update {
    uint64_t ptr;    /* machine address of the entry, | MMU_* command */
    uint64_t val;    /* the new entry (or, for MACHPHYS, the pfn) */
};
/* 16 bytes on i386 and x86_64 alike (only the alignment of the whole
 * differs: 4 and 8), so an array of them has one layout. */
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update: 16 bytes");

/* The most requests one mmu_update or mmuext_op call may carry (more:
 * -HV_EINVAL).  The hypervisor is not preemptible, so a batch must be
 * bounded; Xen instead splits long batches with "continuations". */
#define MMU_BATCH_MAX         1024
/* Set by the hypervisor in the count of a batch it continues (a long batch
 * is done in pieces; the guest re-executes the call with the rest of it,
 * and *done_out adds up over the pieces).  A guest does not set it. */
#define MMU_UPDATE_PREEMPTED  0x80000000u

/* mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE     0   /* arg1.mfn: make it an L1 table and hold it */
#define MMUEXT_PIN_L2_TABLE     1   /* arg1.mfn: the same for a page directory */
#define MMUEXT_UNPIN_TABLE      4   /* arg1.mfn: release the pin */
#define MMUEXT_NEW_BASEPTR      5   /* arg1.mfn: load this directory into CR3 (it is
                                       validated now unless it already is one) */
#define MMUEXT_TLB_FLUSH_LOCAL  6   /* no argument */
#define MMUEXT_INVLPG_LOCAL     7   /* arg1.linear_addr: flush one page */

struct mmuext_op {
    uint32_t cmd;
    union {
        uint32_t mfn;            /* machine frame number */
        uint32_t linear_addr;    /* virtual address (INVLPG) */
    } arg1;
    union {
        uint32_t nr_ents;        /* unused on x86-32 hvkit */
        uint32_t vcpumask;
    } arg2;
};
_Static_assert(sizeof(struct mmuext_op) == 12, "mmuext_op: 12 bytes");

/* update_va_mapping flags: what to flush after the update. */
#define UVMF_NONE         0u
#define UVMF_TLB_FLUSH    1u   /* flush the whole TLB */
#define UVMF_INVLPG       2u   /* flush the one page */
#define UVMF_FLUSHTYPE_MASK 3u
#define UVMF_LOCAL        0u   /* this CPU (the only one) */

/* Guests find the M2P table (m2p[mfn] = pfn, or 0xFFFFFFFF), read-only, at
 * HV_M2P_VIRT_START: directory slot HV_M2P_SLOT, just below the hole
 * (address_space.h draws it). */

#endif
