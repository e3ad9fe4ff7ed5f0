/*
 * hv/mm/page_type.h — per-frame bookkeeping for direct paging: owner, type,
 * type count, total count.  The pure part of the memory subsystem: no
 * hardware, so it also compiles on the host and is unit-tested there.
 *
 * THE THEORY (course: "direct paging", "validated page-table updates";
 * Xen paper section 3.3).  A paravirtualized guest keeps ordinary x86 page
 * tables, and the CPU walks them directly: no shadow copy.  That is only
 * safe if the hypervisor knows, at every moment, that every entry of every
 * table the CPU might walk maps a frame the guest may use, and that the
 * guest cannot change a table behind its back.  Three ideas give that:
 *
 *  1. Every machine frame has an OWNER (a domain, or the hypervisor) and a
 *     TOTAL COUNT: how many references exist to it (mappings by page-table
 *     entries, pins, CR3).  A guest may reference only frames it owns.
 *
 *  2. Every frame has a TYPE: none, writable (some entry maps it with the
 *     RW bit), L1 (a page table) or L2 (a page directory), and a TYPE COUNT:
 *     how many references need it to keep that type.  The type can change
 *     only when the type count is 0.  So a frame can never be a page table
 *     and mapped writable at the same time: mapping a page table writable
 *     needs type "writable", and it is busy being "L1".  That single rule is
 *     why the guest can read its page tables but never write them.
 *
 *  3. Making a frame a page table VALIDATES it: each of its entries is
 *     checked (and takes its own references) before the type is granted.
 *     An L2 entry must point to a valid L1 (it takes an L1 type reference:
 *     l2_needs_l1); an L1 entry must map a frame of the domain (not_owner,
 *     hv_frame), map page tables only read-only (pt_writable), and never be
 *     global (global_page): a global entry stays in the TLB when CR3 is
 *     loaded, so it would still map this domain's frame after the switch
 *     to another domain's address space.  The
 *     directory slots of the hypervisor (1008..1023, and 1007 for the
 *     read-only M2P: HV_FIRST_SLOT, HV_M2P_SLOT in public/address_space.h)
 *     are the hypervisor's: filled in by it, never by the guest (hv_slot).
 *     4 MiB pages are refused (large_page): one PDE would map 1024 frames
 *     with no L1 for the rules to look at.  When a type count drops back
 *     to 0 the table is DEVALIDATED: every entry gives its references back.
 *
 * THE USED MAP.  Devalidating a table must find its present entries, and
 * most of a table is empty: walking all 1024 entries to find the 16 a
 * process used was most of the cost of its exit.  So every table keeps a
 * 32-bit map, one bit per group of 32 entries: bit g set means "entries
 * 32g..32g+31 may hold a present entry".  Validation sets the bit of each
 * present entry it checks, and so does every later update that writes a
 * present entry (hv/mm/pt_update.c); bits are never cleared while the frame
 * stays a table.  So the map can only say too much, never too little, and
 * devalidation (pt_next_used) visits just the groups marked.  A map that
 * said too little would leave references behind: frames that could never
 * be retyped or freed -- a leak, never a way in.  The hypervisor's mirror
 * of the running directory (isolation=paging, hv/mm/isolation.c) also
 * copies only the groups a directory's map marks: there a map that said
 * too little would hide some of the guest's memory from copy_from_guest
 * (-EFAULT), again never a way in.
 *
 * HYPERVISOR-WRITTEN FRAMES.  Some frames belong to a domain but are
 * written by the hypervisor behind its back: the shared-info page (event
 * bits, the time, the cr2 of every bounced page fault), the start-info
 * page, and later grant tables, rings and device pages.  Were one of them
 * a page table, each of the hypervisor's writes would be an unvalidated
 * entry (a cr2 of (mfn << 12) | 3 maps any frame writable); were it
 * renumbered into the P2M and given back, the hypervisor would go on
 * writing a freed frame.  So they are FRAME_SHARED: their domain may map
 * them like its own (get_page), but the hypervisor holds a permanent total
 * and "writable" type reference on each (frame_make_shared), so their type
 * can never become L1 or L2 (type_conflict, or l2_needs_l1 for a directory
 * entry), and the operations on whole frames -- pin, unpin, M2P update,
 * memory_op -- refuse them outright (hv_shared).
 *
 * PINNING holds one type reference (and one total reference) so that a table
 * stays validated while nothing else uses it: the guest builds a page
 * directory, pins it, and from then on updates are checked one entry at a
 * time instead of revalidating the whole table on every CR3 load.
 *
 * The frame_info array is indexed by machine frame number.  The rules
 * return an MMRULE_* value (0 = allowed), from the list of rules
 * (hv/include/public/mm-rules.def), which also gives the name the trace
 * prints for it and the error code the guest gets: mmrule_errno().
 */
#ifndef HV_PAGE_TYPE_H
#define HV_PAGE_TYPE_H

#include <stdint.h>
#include "public/hvkit.h"

#define DIRECT_MAP_MIB    60u
#define MAX_FRAMES        ((DIRECT_MAP_MIB << 20) >> HV_PAGE_SHIFT)   /* 15360 */
#define INVALID_PFN       0xFFFFFFFFu

/* Who uses a machine frame. */
#define FRAME_NONE     0   /* not RAM, or outside the direct map */
#define FRAME_FREE     1   /* on the free list */
#define FRAME_HV       2   /* the hypervisor's own (image, trace ring, tables) */
#define FRAME_GUEST    3   /* belongs to domain `owner` */
#define FRAME_MODULE   4   /* holds a boot module until the builder is done */
#define FRAME_SHARED   5   /* the hypervisor writes it, domain `owner` may map it
                              (shared info, start info; see HYPERVISOR-WRITTEN
                              FRAMES): never a page table, never given back */
#define FRAME_ORPHAN   6   /* a dead domain's frame another domain still maps through
                              a grant: kept until the last unmap (hv/grant/) */

/* Frame types. */
#define PGT_NONE       0
#define PGT_WRITABLE   1   /* mapped with RW somewhere */
#define PGT_L1         2   /* a page table */
#define PGT_L2         3   /* a page directory */

struct frame_info {
    uint16_t owner;        /* domid, for FRAME_GUEST and FRAME_SHARED */
    uint16_t use;          /* FRAME_* */
    uint16_t type;         /* PGT_*, meaningful while type_count > 0 */
    uint16_t pinned;       /* 1: a pin holds a type and a total reference */
    uint32_t type_count;   /* references that need the type */
    uint32_t count;        /* all references (mappings, pins, CR3) */
    uint32_t used;         /* a table's used map: bit g = entries 32g..32g+31
                              may hold a present entry (see THE USED MAP) */
};

/* The bit of the used map for entry i. */
#define PT_USED_BIT(i)  (1u << ((i) >> 5))

extern struct frame_info frame_table[MAX_FRAMES];
extern uint32_t m2p[MAX_FRAMES];          /* machine -> pseudo-physical */

/* The rules: MMRULE_OK, MMRULE_NOT_OWNER, ... with their numbers, errors
 * and trace names in the one list, public/mm-rules.def. */
enum mm_rule {
#define MM_RULE(sym, number, err, name, what) MMRULE_##sym = number,
#include "public/mm-rules.def"
#undef MM_RULE
};

/* The entry bits the rules look at (PTE_P, PTE_RW, PTE_US, PTE_PS, PTE_ADDR)
 * and the directory slots a guest may not write (HV_M2P_SLOT and up; the
 * guest's are 0..GUEST_NR_SLOTS-1) come from public/address_space.h, through
 * hvkit.h: the guest builds its entries from the same definitions. */

/* The 1024 entries of table frame mfn, for reading and writing.  The
 * hypervisor gives its direct map (hv/mm/mm.c); the host tests a page array. */
uint32_t *pt_frame(uint32_t mfn);
/* The hypervisor's own directory entries 1007..1023, copied into every
 * directory when it is validated (hv/mm/mm.c; the tests give fixed values). */
uint32_t pt_hv_slot_entry(uint32_t slot);

/* The first index >= i, below n, whose entry is present (n if none).  Given
 * to lab 2: validation and devalidation visit only these, and since most of
 * a table is empty, skipping fast is most of their cost (hv/mm/pt_update.c). */
uint32_t pt_next_present(const uint32_t *t, uint32_t i, uint32_t n);
/* The same for a table frame already validated: looks only at the groups
 * its used map marks (devalidation; the map must cover every present
 * entry below n, which validation and pt_update see to). */
uint32_t pt_next_used(uint32_t mfn, uint32_t i, uint32_t n);

/* ---- lab 2 (labs/lab2/page_type.c) -------------------------------------- */
/* A total reference on mfn for domain d: MMRULE_OK, or why not. */
int  get_page(uint32_t mfn, domid_t d);
void put_page(uint32_t mfn);
/* A type reference: the first one validates (L1/L2) or just sets the type;
 * later ones need the same type.  MMRULE_OK, or the rule that failed. */
int  get_page_type(uint32_t mfn, domid_t d, uint32_t type);
/* Drop a type reference; the last one devalidates an L1/L2. */
void put_page_type(uint32_t mfn);
/* Check one new entry of an L1 (resp. of an L2 at index idx) for domain d
 * and take the references it needs; put_l1e/put_l2e give them back. */
int  get_l1e(uint32_t val, domid_t d);
void put_l1e(uint32_t val);
int  get_l2e(uint32_t idx, uint32_t val, domid_t d);
void put_l2e(uint32_t idx, uint32_t val);

/* ---- the operations built on them (hv/mm/pt_update.c) ----------------------- */
/* Set to 1 whenever a frame became a page table: the TLB may still hold a
 * writable mapping of it, so the caller must flush before the guest runs. */
extern int pt_flush_needed;

/* Which table an entry's machine address falls in, and its level. */
struct pt_result {
    uint32_t old;          /* the entry before */
    uint32_t level;        /* 1 or 2, 0 if the frame is no table */
};
/* Change the entry at machine address ptr (4-byte aligned) to val. */
int pt_update(domid_t d, uint32_t ptr, uint32_t val, struct pt_result *res);
/* The same, for entry idx of l1_mfn when the CALLER KNOWS it is a validated
 * L1 of d, so the checks of the table itself are skipped (update_va_mapping:
 * a table the current directory points to; see its proof).  *old = the
 * entry before. */
int pt_update_l1e(domid_t d, uint32_t l1_mfn, uint32_t idx, uint32_t val, uint32_t *old);
int pt_pin(domid_t d, uint32_t mfn, uint32_t type);
int pt_unpin(domid_t d, uint32_t mfn);
/* Make mfn the domain's page directory: takes an L2 reference on it and
 * drops the one on *base (0 = none). */
int pt_new_base(domid_t d, uint32_t mfn, uint32_t *base);
/* M2P: machine frame mfn of d now backs pfn; p2m (nr_pages long) is the
 * hypervisor's copy of the domain's P2M, kept consistent. */
int m2p_update(domid_t d, uint32_t mfn, uint32_t pfn, uint32_t *p2m, uint32_t nr_pages);
/* Make mfn (already allocated to its domain) a hypervisor-written frame:
 * FRAME_SHARED, with the hypervisor's own permanent total and writable
 * type reference (see HYPERVISOR-WRITTEN FRAMES). */
void frame_make_shared(uint32_t mfn);
/* The error code the guest gets for a rule (mm-rules.def): 0 for
 * MMRULE_OK, -HV_Exxx otherwise.  Whatever answers a guest's request
 * returns this value and traces this same value (hv/mm/mm_hypercalls.c). */
int mmrule_errno(int rule);
/* Trace one table's runs of present entries (pt_run records). */
void pt_trace_runs(domid_t d, uint32_t mfn, uint32_t level);

#endif
