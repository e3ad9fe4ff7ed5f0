/*
 * minios-guest/workloads/mm-attacks.c — a malicious kernel (kernel task "mm-attacks"): every way
 * this guest can think of to get at memory that is not its own through its
 * page tables.  Each must be refused by the hypervisor with the right
 * error (and a trace record naming the rule: tests/scenarios/mm-attacks.scn
 * checks both), and afterwards this domain, the other one and the
 * hypervisor carry on.
 *
 * "Free a frame still mapped" is real: memory_op(XENMEM_decrease_reservation)
 * on a page a process maps, on a page table, on the pinned directory -- all
 * refused -- and then a page given back the legal way, which must really
 * leave the domain (M2P entry gone, a second give-back and a mapping of
 * the frame refused).
 *
 * Where this sits in the story (course: direct paging is safe only if every
 * update is validated): a PV guest kernel runs in ring 1 and may ask the
 * hypervisor anything.  The rules of lab 2 are what stands between it and
 * the machine.  Only under hvkit: natively the kernel owns the machine and
 * nobody refuses anything.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/vm.h"
#include "public/memory.h"
#include "public/mmu.h"

/* The entries the attacks write (bits from public/address_space.h). */
#define RW_USER  (PTE_P | PTE_RW | PTE_US)   /* present, writable, user */
#define RO_USER  (PTE_P | PTE_US)            /* present, read-only, user */

static int refused, failed;

static void expect(const char *what, int got, int want)
{
    if (got == want) {
        kprintf("mm-attacks: %s: %s %d: PASS\n", what, want < 0 ? "refused with" : "allowed,", got);
        if (want < 0)
            refused++;
    } else {
        kprintf("mm-attacks: %s: got %d, want %d: FAIL\n", what, got, want);
        failed++;
    }
}

/* One mmu_update request; the fields are 64 bits wide (Xen's layout), so
 * an attacker can set their high halves. */
static int mmu_update64(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    uint32_t done = 99;
    int r = HYPERVISOR_mmu_update(&u, 1, &done, DOMID_SELF);
    if (r < 0 && done != 0)
        kprintf("mm-attacks: FAIL: a refused batch reports %u done\n", done);
    return r;
}

static int mmu_update1(uint32_t ptr, uint32_t val)
{
    return mmu_update64(ptr, val);
}

/* The same on behalf of domain dom: only ourselves are allowed. */
static int mmu_update_foreign(uint32_t ptr, uint32_t val, uint32_t dom)
{
    struct mmu_update u = { ptr, val };
    return HYPERVISOR_mmu_update(&u, 1, 0, dom);
}

static int mmuext1(uint32_t cmd, uint32_t mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    return HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF);
}

/* A direct store into a (read-only) page table.  The hypervisor's
 * writable-page-table emulation refuses the value and bounces the #PF to
 * us; vm_fault resumes at label 1.  Returns 1 if the store faulted. */
static int direct_store(volatile uint32_t *slot, uint32_t val)
{
    int faulted;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "movl %2, (%1)\n\t"
                     "movl $0, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $1, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(faulted) : "r"(slot), "r"(val) : "memory");
    return faulted;
}

/* memory_op(XENMEM_decrease_reservation) of n pfns at list, order 0. */
static int give_back(const uint32_t *list, uint32_t n, uint32_t order)
{
    struct xen_memory_reservation r = {
        .extent_start = (uint32_t)list, .nr_extents = n, .extent_order = order,
        .domid = DOMID_SELF,
    };
    return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

static int give_back1(uint32_t pfn)
{
    return give_back(&pfn, 1, 0);
}

/* Our kernel's own mapping of a page (the linear map at KERNBASE). */
static int kmap(void *kva, uint32_t val)
{
    return HYPERVISOR_update_va_mapping((uint32_t)kva, val, 0, UVMF_INVLPG);
}

static uint32_t kva_pfn(const void *kva) { return ((uint32_t)kva - KERNBASE) >> 12; }

/* The hypervisor's M2P table, read-only in every guest. */
static uint32_t m2p_of(uint32_t mfn) { return ((const volatile uint32_t *)HV_M2P_VIRT_START)[mfn]; }

/* "Free a frame still mapped", for real: memory_op refuses every frame
 * something still refers to, and a frame really given back is gone. */
static void give_back_attacks(uint32_t *pd, void *page, uint32_t l1_mfn)
{
    uint32_t page_mfn = pv_ops.pt_mfn(page);
    /* Only the process still maps the page once our kernel map lets go. */
    expect("unmap the scratch page from the kernel map", kmap(page, 0), 0);
    expect("give back a page a process still maps", give_back1(kva_pfn(page)), -HV_EBUSY);
    expect("map the scratch page back in the kernel map", kmap(page, (page_mfn << 12) | RW_USER), 0);
    expect("give back its page table", give_back1(m2p_of(l1_mfn)), -HV_EBUSY);
    expect("give back its pinned page directory", give_back1(kva_pfn(pd)), -HV_EBUSY);
    expect("give back a page beyond its memory", give_back1(start_info->nr_pages + 3), -HV_EINVAL);
    uint32_t pfn2[1] = { kva_pfn(page) };
    expect("give back 2-page extents (order 1)", give_back(pfn2, 1, 1), -HV_EINVAL);
    expect("pass a bogus pointer as the extent list", give_back((const uint32_t *)0xFC000000u, 1, 0),
           -HV_EFAULT);

    /* The legal way: a spare page, unmapped by us first (hv_give_back_page). */
    void *spare = page_alloc(), *spare2 = page_alloc();
    if (!spare || !spare2)
        panic("mm-attacks: no memory");
    uint32_t spfn = kva_pfn(spare), smfn = pv_ops.pt_mfn(spare);
    if (m2p_of(smfn) != spfn) {
        kprintf("mm-attacks: m2p[0x%x] = 0x%x before, not pfn 0x%x: FAIL\n", smfn, m2p_of(smfn), spfn);
        failed++;
    }
    expect("give back an unmapped page (1 extent done)", hv_give_back_page(spare), 1);
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    if (m2p_of(smfn) == 0xFFFFFFFFu && p2m[spfn] == 0xFFFFFFFFu) {
        kprintf("mm-attacks: frame 0x%x left the M2P, pfn 0x%x is a hole: PASS\n", smfn, spfn);
    } else {
        kprintf("mm-attacks: after giving it back m2p[0x%x] = 0x%x, p2m[0x%x] = 0x%x: FAIL\n",
                smfn, m2p_of(smfn), spfn, p2m[spfn]);
        failed++;
    }
    expect("give back the same page again", give_back1(spfn), -HV_EINVAL);
    /* The frame is in the hypervisor's pool now, no longer ours to map. */
    uint32_t free_pte = (l1_mfn << 12) | (9 * 4);
    expect("map the frame it gave back", mmu_update1(free_pte, (smfn << 12) | RW_USER), -HV_EPERM);
    /* A batch stops at the first page it may not give back and says how
     * many it did: spare2 (unmapped) goes, the scratch page (mapped) not. */
    expect("unmap a second spare page", kmap(spare2, 0), 0);
    uint32_t batch[2] = { kva_pfn(spare2), kva_pfn(page) };
    expect("give back [unmapped, still mapped]: 1 extent done", give_back(batch, 2, 0), 1);
    ((uint32_t *)start_info->mfn_list)[batch[0]] = 0xFFFFFFFFu;   /* our P2M: a hole */
}

#define HV_IMAGE_MFN 0x100   /* the hypervisor is loaded at machine 1 MiB */

int mm_attacks_main(void)
{
    if (!pv_ops.paravirt) {
        kprintf("mm-attacks: only meaningful under hvkit\n");
        return 0;
    }
    /* A scratch address space of our own to attack from: a directory, a
     * page table, one page. */
    uint32_t *pd = vm_create();
    void *page = pd ? vm_map_zero(pd, UDATA_BASE) : 0;
    if (!page)
        panic("mm-attacks: no memory");
    uint32_t pd_mfn = pv_ops.pt_mfn(pd);
    uint32_t l1_mfn = pd[UDATA_BASE >> 22] >> 12;
    uint32_t *l1 = P2V(pv_ops.pt_pfn(l1_mfn) << 12);
    uint32_t free_pte = (l1_mfn << 12) | (5 * 4);      /* entry 5: unused */
    /* The frame just above our first one is the last the builder gave
     * domain 0 (it builds dom0 first, handing frames out top down). */
    uint32_t other = ((const uint32_t *)start_info->mfn_list)[0] + 1;
    uint32_t kernel_pd_mfn = pv_ops.pt_mfn(vm_kernel_pgdir());

    kprintf("mm-attacks: scratch directory mfn 0x%x, page table 0x%x, victim frame 0x%x\n",
            pd_mfn, l1_mfn, other);
    expect("map a hypervisor frame", mmu_update1(free_pte, (HV_IMAGE_MFN << 12) | RW_USER), -HV_EPERM);
    expect("map another domain's frame", mmu_update1(free_pte, (other << 12) | RW_USER), -HV_EPERM);
    expect("map its own page directory writable",
           HYPERVISOR_update_va_mapping((uint32_t)pd, (pd_mfn << 12) | RW_USER, 0, UVMF_INVLPG),
           -HV_EINVAL);
    expect("map its own page table writable", mmu_update1(free_pte, (l1_mfn << 12) | RW_USER),
           -HV_EINVAL);
    expect("write a pinned directory directly with a hypervisor frame",
           direct_store(&pd[5], (HV_IMAGE_MFN << 12) | RW_USER) ? -HV_EPERM : 0, -HV_EPERM);
    expect("write a page table directly to map itself writable",
           direct_store(&l1[6], (l1_mfn << 12) | RW_USER) ? -HV_EINVAL : 0, -HV_EINVAL);
    expect("pin a frame it does not own", mmuext1(MMUEXT_PIN_L1_TABLE, other), -HV_EPERM);
    expect("unpin the page directory in use (its CR3)",
           mmuext1(MMUEXT_UNPIN_TABLE, kernel_pd_mfn), -HV_EBUSY);
    /* "Free" a page table still mapped: take it back as ordinary memory
     * (pin it so there is a pin to release, then unpin) while the scratch
     * directory still points at it. */
    expect("pin the scratch page table", mmuext1(MMUEXT_PIN_L1_TABLE, l1_mfn), 0);
    expect("free (unpin) a page table still mapped by a directory",
           mmuext1(MMUEXT_UNPIN_TABLE, l1_mfn), -HV_EBUSY);
    expect("touch a hypervisor slot of its directory",            /* slot 1010 */
           mmu_update1((pd_mfn << 12) | ((HV_FIRST_SLOT + 2) * 4), 0), -HV_EPERM);
    expect("touch the hypervisor's addresses with update_va_mapping",
           HYPERVISOR_update_va_mapping(HYPERVISOR_VIRT_START, 0, 0, 0), -HV_EPERM);
    /* Without PAE nothing exists above 4 GiB: a 64-bit value (or entry
     * address) with its high half set names no frame (rule bad_frame). */
    expect("map a frame above 4 GiB (mmu_update, value's high half set)",
           mmu_update64(free_pte, (1ull << 32) | (pv_ops.pt_mfn(page) << 12) | RW_USER), -HV_EPERM);
    expect("update an entry above 4 GiB (mmu_update, address's high half set)",
           mmu_update64((1ull << 32) | free_pte, (pv_ops.pt_mfn(page) << 12) | RW_USER), -HV_EPERM);
    expect("map a frame above 4 GiB (update_va_mapping, high word set)",
           HYPERVISOR_update_va_mapping((uint32_t)page, (pv_ops.pt_mfn(page) << 12) | RW_USER, 1,
                                        UVMF_INVLPG), -HV_EPERM);
    expect("map a 4 MiB page", mmu_update1((pd_mfn << 12) | (100 * 4), (other << 12) | RW_USER | PTE_PS),
           -HV_EINVAL);
    expect("point a directory entry at an ordinary writable page",
           mmu_update1((pd_mfn << 12) | (101 * 4), (pv_ops.pt_mfn(page) << 12) | RW_USER), -HV_EINVAL);
    expect("pass a bogus pointer as the batch",
           HYPERVISOR_mmu_update((const struct mmu_update *)0xFC000000u, 1, 0, DOMID_SELF),
           -HV_EFAULT);
    expect("pass a batch of 2^31 - 1 requests (more than MMU_BATCH_MAX)",
           HYPERVISOR_mmu_update((const struct mmu_update *)&pd_mfn, 0x7FFFFFFFu, 0, DOMID_SELF),
           -HV_EINVAL);
    expect("pass NULL as the mmuext batch", HYPERVISOR_mmuext_op(0, 1, 0, DOMID_SELF),
           -HV_EFAULT);
    expect("act on another domain's page tables (dom 0)",
           mmu_update_foreign(free_pte, (pv_ops.pt_mfn(page) << 12) | RW_USER, 0), -HV_EPERM);
    expect("name DOMID_SELF with its high half set (0x10007ff0)",
           mmu_update_foreign(free_pte, (pv_ops.pt_mfn(page) << 12) | RW_USER,
                              0x10000000u | DOMID_SELF),
           -HV_EPERM);

    /* A batch stops at the first refusal and says how many were done. */
    struct mmu_update batch[3] = {
        { free_pte, (pv_ops.pt_mfn(page) << 12) | RO_USER },
        { free_pte + 4, (HV_IMAGE_MFN << 12) | RO_USER },
        { free_pte + 8, (pv_ops.pt_mfn(page) << 12) | RO_USER },
    };
    uint32_t done = 0;
    int r = HYPERVISOR_mmu_update(batch, 3, &done, DOMID_SELF);
    expect("a batch with a bad second entry", r, -HV_EPERM);
    if (done == 1 && (l1[5] & PTE_P) && !(l1[6] & PTE_P) && !(l1[7] & PTE_P)) {
        kprintf("mm-attacks: the batch stopped after 1 entry: PASS\n");
    } else {
        kprintf("mm-attacks: the batch reports %u done: FAIL\n", done);
        failed++;
    }

    give_back_attacks(pd, page, l1_mfn);

    /* Clean up the legal way: unhook the table, unpin it (now allowed),
     * hook it back, and let vm_destroy give everything back. */
    uint32_t pde_ptr = (pd_mfn << 12) | ((UDATA_BASE >> 22) * 4), pde = pd[UDATA_BASE >> 22];
    expect("unhook the scratch page table", mmu_update1(pde_ptr, 0), 0);
    expect("unpin it, now that nothing uses it", mmuext1(MMUEXT_UNPIN_TABLE, l1_mfn), 0);
    expect("hook it back", mmu_update1(pde_ptr, pde), 0);
    vm_destroy(pd);
    kprintf("mm-attacks: %d attacks refused as expected, %d checks failed\n", refused, failed);
    refusals_print();        /* for the scenario to hold against the trace */
    return failed;
}
