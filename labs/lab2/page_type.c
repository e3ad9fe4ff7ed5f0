/*
 * labs/lab2/page_type.c — LAB 2: the rules of direct paging.  Reference
 * counts, frame types, and the check of one page-table entry.
 *
 * Read the theory at the top of hv/mm/page_type.h first: owner, total count,
 * type, type count, validation, devalidation, pinning.  The contract of
 * each function is next to its declaration there.  The operations built on
 * these (hv/mm/pt_update.c: change one entry, pin, unpin, new base pointer)
 * and the hypercalls (hv/mm/mm_hypercalls.c) are given; they only call you.
 *
 * These stubs build, but refuse everything (rule bad_op, "not
 * implemented"): even the domain builder's own page tables fail to
 * validate, so no domain starts.  The unit tests (tests/unit/test_mm.c)
 * and the scenarios in tests.txt fail until you fill them in.
 */
#include "mm/page_type.h"

/* TODO(lab2): a total reference on mfn for domain d.  Refuse a frame that
 * is beyond RAM or not in use (bad_frame), the hypervisor's (hv_frame), or
 * another domain's (not_owner).  A frame the hypervisor writes for d
 * (FRAME_SHARED: its shared-info and start-info pages) is d's to map like
 * its own; the permanent type the hypervisor holds on it keeps it from
 * ever becoming a table (page_type.h, HYPERVISOR-WRITTEN FRAMES). */
int get_page(uint32_t mfn, domid_t d)
{
    (void)mfn; (void)d;
    return MMRULE_BAD_OP;
}

/* TODO(lab2): drop a total reference. */
void put_page(uint32_t mfn)
{
    (void)mfn;
}

/* TODO(lab2): a type reference.  Same type and type count > 0: just count
 * it.  Another type in use: refuse (pt_writable when asked for writable,
 * type_conflict otherwise).  Type count 0: the type may change; an L1 or
 * L2 is validated first -- every entry through get_l1e/get_l2e, giving
 * back what was taken if one fails -- and the hypervisor's slots of a
 * directory (GUEST_NR_SLOTS..1023) are filled with pt_hv_slot_entry().
 * Mind a table that points at itself.  Set pt_flush_needed when a frame
 * became a table.  Visit only the present entries (pt_next_present), and
 * mark the group of each one you check in the frame's used map
 * (f->used |= PT_USED_BIT(i), after clearing it first): devalidation
 * relies on it. */
int get_page_type(uint32_t mfn, domid_t d, uint32_t type)
{
    (void)mfn; (void)d; (void)type;
    return MMRULE_BAD_OP;
}

/* TODO(lab2): drop a type reference; the last one of an L1/L2 devalidates
 * it (its entries give their references back: find them with
 * pt_next_used, which looks only at the groups the used map marks). */
void put_page_type(uint32_t mfn)
{
    (void)mfn;
}

/* TODO(lab2): check one L1 entry and take its references: a present entry
 * needs a total reference on its frame, and a writable one also a
 * "writable" type reference (which a page table cannot give).  A present
 * entry may not be global (PTE_G, rule global_page): the TLB keeps global
 * entries across CR3 loads, so the next domain would inherit it. */
int get_l1e(uint32_t val, domid_t d)
{
    (void)val; (void)d;
    return MMRULE_BAD_OP;
}

void put_l1e(uint32_t val)
{
    (void)val;
}

/* TODO(lab2): check one L2 entry at index idx: not a hypervisor slot
 * (hv_slot), no 4 MiB page (large_page), and a present entry needs a total
 * and an L1 type reference on its frame (l2_needs_l1 if it is busy being
 * something else). */
int get_l2e(uint32_t idx, uint32_t val, domid_t d)
{
    (void)idx; (void)val; (void)d;
    return MMRULE_BAD_OP;
}

void put_l2e(uint32_t idx, uint32_t val)
{
    (void)idx; (void)val;
}
