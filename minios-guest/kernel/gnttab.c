/*
 * minios-guest/kernel/gnttab.c — minios's grant table and I/O window (PV
 * only; gnttab.h has the interface).
 *
 * Where this sits in the story (course: I/O between domains): this is the
 * granting domain's half of the protocol of public/grant_table.h, and the
 * grantee's wrappers of grant_table_op.
 *
 *   setup     grant_table_op(setup_table) gives one page for our table;
 *             we map it at the first page of the I/O window with
 *             update_va_mapping, as any frame of ours (it is ours, but the
 *             hypervisor writes it too, so it holds it and never lets it
 *             become a page table).
 *   grant     write domid and frame, a barrier, then the flags: whoever
 *             sees permit_access sees the right frame.
 *   revoke    one lock cmpxchg of the flags, expecting them without the
 *             hypervisor's "in use" bits: if another domain mapped the
 *             grant in between -- we may be preempted between any two
 *             instructions -- the exchange fails instead of revoking a
 *             grant in use.
 *   map       an I/O window page, and grant_table_op(map_grant_ref) at it.
 */
#include "kernel/kernel.h"
#include "kernel/gnttab.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "lib/string.h"

volatile struct grant_entry_v1 *gnttab_entries;
uint32_t gnttab_frame;
static uint8_t ref_used[GNTTAB_ENTRIES_PER_FRAME];
static uint8_t iomap_used[IOMAP_PAGES];

/* The I/O window's page table: a fresh L1 in the kernel's directory. */
static int iomap_init(void)
{
    uint32_t *pd = vm_kernel_pgdir();
    uint32_t slot = IOMAP_BASE >> 22;
    if (pd[slot] & PTE_P)
        return 0;
    uint32_t *l1 = page_alloc();
    if (!l1)
        return -ENOSPC;
    pv_ops.make_pt(l1, 1);
    pv_ops.set_pte(pd, slot, (pv_ops.pt_mfn(l1) << 12) | PTE_P | PTE_RW | PTE_US);
    pv_ops.pt_flush();
    return 0;
}

void *iomap_alloc(void)
{
    for (uint32_t i = 0; i < IOMAP_PAGES; i++)
        if (!iomap_used[i]) {
            iomap_used[i] = 1;
            return (void *)(IOMAP_BASE + i * 4096u);
        }
    return 0;
}

void iomap_free(void *va)
{
    uint32_t i = ((uint32_t)va - IOMAP_BASE) / 4096u;
    if (i < IOMAP_PAGES)
        iomap_used[i] = 0;
}

int gnttab_init(void)
{
    if (gnttab_entries)
        return 0;
    int r = iomap_init();
    if (r < 0)
        return r;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    r = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (r < 0)
        return r;
    void *va = iomap_alloc();
    r = HYPERVISOR_update_va_mapping((uint32_t)va, (st.frame_list[0] << 12) | PTE_P | PTE_RW,
                                     0, UVMF_INVLPG);
    if (r < 0)
        return r;
    gnttab_frame = st.frame_list[0];
    gnttab_entries = va;
    ref_used[0] = 1;                       /* reference 0 is never handed out */
    return 0;
}

int gnttab_grant(domid_t to, uint32_t mfn, int readonly)
{
    for (uint32_t ref = 1; ref < GNTTAB_ENTRIES_PER_FRAME; ref++) {
        if (ref_used[ref])
            continue;
        ref_used[ref] = 1;
        volatile struct grant_entry_v1 *e = &gnttab_entries[ref];
        e->domid = to;
        e->frame = mfn;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);      /* frame and domid first */
        e->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
        return (int)ref;
    }
    return -HV_ENOSPC;
}

int gnttab_end(grant_ref_t ref)
{
    if (ref == 0 || ref >= GNTTAB_ENTRIES_PER_FRAME || !ref_used[ref])
        return -HV_EINVAL;
    volatile struct grant_entry_v1 *e = &gnttab_entries[ref];
    uint16_t flags = e->flags;
    if (flags & (GTF_reading | GTF_writing))
        return -HV_EBUSY;
    /* Between the read above and this, the grantee may have mapped it:
     * the exchange then sees the new bits and fails. */
    if (!__atomic_compare_exchange_n(&e->flags, &flags, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return -HV_EBUSY;
    ref_used[ref] = 0;
    return 0;
}

int gnttab_map_at(uint32_t va, domid_t dom, grant_ref_t ref, uint32_t flags,
                  grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = va, .flags = flags, .ref = ref, .dom = dom,
    };
    int r = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (r == 0)
        *handle = op.handle;
    return r;
}

int gnttab_map(domid_t dom, grant_ref_t ref, int readonly, void **va, grant_handle_t *handle)
{
    void *page = iomap_alloc();
    if (!page)
        return -HV_ENOSPC;
    int r = gnttab_map_at((uint32_t)page, dom, ref,
                          GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0), handle);
    if (r < 0) {
        iomap_free(page);
        return r;
    }
    *va = page;
    return 0;
}

int gnttab_unmap_at(uint32_t va, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = va, .handle = handle };
    return HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
}

int gnttab_unmap(void *va, grant_handle_t handle)
{
    int r = gnttab_unmap_at((uint32_t)va, handle);
    if (r == 0)
        iomap_free(va);
    return r;
}

int gnttab_copy(struct gnttab_copy *op)
{
    return HYPERVISOR_grant_table_op(GNTTABOP_copy, op, 1);
}
