/*
 * hv/core/domain_build.c — making a domain out of an ELF image.
 *
 * Until dom0's toolstack exists (a later issue), the hypervisor builds every
 * domain itself at boot, one per Multiboot module: the first becomes dom0
 * (privileged), the rest domU 1, 2, ...  Building a domain is what a boot
 * loader and a BIOS do for a native kernel, done for a paravirtualized one:
 *
 *   1. check the image (elf.c) and that it fits in the domain's memory;
 *   2. allocate nr_pages machine frames (any frames: the P2M maps them),
 *      and the shared-info frame; it and the start-info frame are
 *      FRAME_SHARED, the frames the hypervisor writes;
 *   3. copy the image's segments into them;
 *   4. after the image, lay out: start_info, the P2M list, the page
 *      directory and page tables, a boot stack;
 *   5. build page tables mapping 0xC0000000 + pfn*4096 -> mfn(pfn) for the
 *      whole of the domain's memory, plus the shared-info page, plus the
 *      hypervisor's own slots (the top 16 directory entries, the same in
 *      every address space).  The page-table pages are mapped read-only:
 *      the guest may read its page tables, never write them;
 *   6. give the tables their types the way a guest would have to: pin the
 *      directory (which validates it and every L1 it points to, by the
 *      lab-2 rules: the builder gets no exemption) and make it the base
 *      pointer; then snapshot every table into the trace (pt_run records),
 *      so a trace reader can rebuild the domain's page-table graph;
 *   7. set the registers for entry in ring 1 (public/start_info.h).
 *
 * A bad image is refused with a message and a trace record; the other
 * domains are built anyway.
 */
#include "core/domain.h"
#include "core/console.h"
#include "core/elf.h"
#include "core/lib.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "time/time.h"
#include "trace/trace.h"
#include "public/mmu.h"
#include "public/start_info.h"

#define BOOT_STACK_PAGES 4

/* A pointer, in the hypervisor's direct map, to the guest's page pfn. */
static void *guest_page(struct domain *d, uint32_t pfn)
{
    return mfn_to_virt(d->p2m[pfn]);
}

/* Copy `len` bytes from `src` to the guest at pseudo-physical address pa. */
static void copy_to_pseudo_phys(struct domain *d, uint32_t pa, const uint8_t *src, uint32_t len)
{
    while (len) {
        uint32_t off = pa & (HV_PAGE_SIZE - 1);
        uint32_t n = HV_PAGE_SIZE - off;
        if (n > len)
            n = len;
        memcpy((uint8_t *)guest_page(d, pa >> HV_PAGE_SHIFT) + off, src, n);
        pa += n;
        src += n;
        len -= n;
    }
}

static void refuse(uint32_t module, int err, const char *what)
{
    printk("module %u (%s): refused: %s\n", module, what, elf_strerror(err));
    trace2(TRC_DOM_REFUSED, DOMID_HV, module, (uint32_t)err);
}

static void give_back(struct domain *d, uint32_t allocated)
{
    for (uint32_t i = 0; i < allocated; i++)
        frame_free(d->p2m[i]);
    if (d->shared_mfn)
        frame_free(d->shared_mfn);
    d->state = DOM_UNUSED;
}

int domain_build(domid_t id, uint32_t module, const void *image, uint32_t len,
                 const char *name, const char *cmdline, uint32_t mem_kib)
{
    struct elf_info elf;
    int err = elf_inspect(image, len, &elf);
    if (err) {
        refuse(module, err, name);
        return -1;
    }

    uint32_t nr_pages = mem_kib / 4;
    if (nr_pages > DOMAIN_MAX_PAGES)
        nr_pages = DOMAIN_MAX_PAGES;

    /* The pseudo-physical layout, in pages, after the image. */
    uint32_t image_end = (elf.vend - GUEST_KERNEL_BASE + HV_PAGE_SIZE - 1) >> HV_PAGE_SHIFT;
    uint32_t si_pfn = image_end;
    uint32_t p2m_pfn = si_pfn + 1;
    uint32_t p2m_pages = (nr_pages * 4 + HV_PAGE_SIZE - 1) >> HV_PAGE_SHIFT;
    uint32_t pd_pfn = p2m_pfn + p2m_pages;
    uint32_t nr_l1 = (nr_pages + 1 + 1023) / 1024;   /* +1: the shared-info mapping */
    uint32_t l1_pfn = pd_pfn + 1;
    uint32_t stack_pfn = l1_pfn + nr_l1;
    uint32_t first_free = stack_pfn + BOOT_STACK_PAGES;
    if (first_free > nr_pages ||
        GUEST_KERNEL_BASE + (nr_pages + 1) * HV_PAGE_SIZE > HYPERVISOR_VIRT_START) {
        refuse(module, ELF_ERR_TOO_BIG, name);
        return -1;
    }
    if (frames_free_count() < nr_pages + 1) {
        refuse(module, ELF_ERR_NO_MEMORY, name);
        return -1;
    }

    struct domain *d = domain_alloc(id);
    if (!d) {
        printk("module %u (%s): refused: no free domain slot\n", module, name);
        return -1;
    }
    d->nr_pages = nr_pages;
    d->flags = id == 0 ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;

    /* 2. Memory: frames owned by the domain, and the M2P entries. */
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        uint32_t mfn = frame_alloc(id);
        if (!mfn) {
            give_back(d, pfn);
            refuse(module, ELF_ERR_NO_MEMORY, name);
            return -1;
        }
        d->p2m[pfn] = mfn;
        m2p[mfn] = pfn;
    }
    d->shared_mfn = frame_alloc(id);
    if (!d->shared_mfn) {
        give_back(d, nr_pages);
        refuse(module, ELF_ERR_NO_MEMORY, name);
        return -1;
    }
    d->shared = mfn_to_virt(d->shared_mfn);
    /* The two frames the hypervisor writes for the domain (shared info,
     * start info) are a kind of their own: the domain maps them, but they
     * can never be a page table, renumbered or given back
     * (hv/mm/page_type.h, HYPERVISOR-WRITTEN FRAMES). */
    frame_make_shared(d->shared_mfn);
    frame_make_shared(d->p2m[si_pfn]);

    /* 3. The image (frames are already zeroed, which is the .bss). */
    for (int i = 0; i < elf.nsegs; i++)
        copy_to_pseudo_phys(d, elf.seg[i].vaddr - GUEST_KERNEL_BASE,
                            (const uint8_t *)image + elf.seg[i].offset,
                            elf.seg[i].filesz);

    /* 4. The P2M list, as the guest will see it. */
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        uint32_t *list = guest_page(d, p2m_pfn + pfn / 1024);
        list[pfn % 1024] = d->p2m[pfn];
    }

    /* 5. Page tables. */
    uint32_t *pd = guest_page(d, pd_pfn);
    for (uint32_t i = 0; i < nr_l1; i++)
        pd[PDE_INDEX(GUEST_KERNEL_BASE) + i] =
            (d->p2m[l1_pfn + i] << HV_PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US;
    for (uint32_t i = 0; i < HV_NR_SLOTS; i++)
        pd[HV_FIRST_SLOT + i] = boot_pgdir[HV_FIRST_SLOT + i];
    for (uint32_t pfn = 0; pfn <= nr_pages; pfn++) {
        uint32_t *l1 = guest_page(d, l1_pfn + pfn / 1024);
        uint32_t mfn = pfn < nr_pages ? d->p2m[pfn] : d->shared_mfn;
        uint32_t flags = PTE_P | PTE_US | PTE_RW;
        if (pfn >= pd_pfn && pfn < l1_pfn + nr_l1)
            flags &= ~PTE_RW;          /* page tables: read-only to the guest */
        l1[pfn % 1024] = (mfn << HV_PAGE_SHIFT) | flags;
    }
    d->cr3 = d->p2m[pd_pfn] << HV_PAGE_SHIFT;

    /* 6. Types: pin the directory, hold it as the base pointer. */
    uint32_t pd_mfn = d->p2m[pd_pfn];
    int rule = pt_pin(id, pd_mfn, PGT_L2);
    if (rule == MMRULE_OK)
        rule = pt_new_base(id, pd_mfn, &d->mm.base_mfn);
    if (rule != MMRULE_OK) {
        /* Only a broken lab 2 gets here: the builder's tables are right. */
        printk("module %u (%s): refused: its page tables do not validate (rule %d)\n",
               module, name, rule);
        trace4(TRC_MMUEXT, id, MMUEXT_PIN_L2_TABLE, pd_mfn, (uint32_t)mmrule_errno(rule),
               (uint32_t)rule);
        domain_free_memory(d);
        d->state = DOM_UNUSED;
        return -1;
    }
    d->mm.nr_pinned = 1;
    trace4(TRC_MMUEXT, id, MMUEXT_PIN_L2_TABLE, pd_mfn, 0, 0);
    trace4(TRC_MMUEXT, id, MMUEXT_NEW_BASEPTR, pd_mfn, 0, 0);
    pt_trace_runs(id, pd_mfn, 2);
    for (uint32_t i = 0; i < nr_l1; i++)
        pt_trace_runs(id, d->p2m[l1_pfn + i], 1);

    /* The start-info page. */
    struct start_info *si = guest_page(d, si_pfn);
    memcpy(si->magic, START_INFO_MAGIC, sizeof START_INFO_MAGIC);
    si->nr_pages = nr_pages;
    si->shared_info = d->shared_mfn << HV_PAGE_SHIFT;
    si->flags = d->flags;
    si->domid = id;
    si->pt_base = GUEST_KERNEL_BASE + (pd_pfn << HV_PAGE_SHIFT);
    si->nr_pt_frames = 1 + nr_l1;
    si->mfn_list = GUEST_KERNEL_BASE + (p2m_pfn << HV_PAGE_SHIFT);
    si->shared_info_va = GUEST_KERNEL_BASE + (nr_pages << HV_PAGE_SHIFT);
    si->first_free_pfn = first_free;
    si->tsc_khz = tsc_khz;
    strlcpy(si->cmd_line, cmdline, sizeof si->cmd_line);

    /* Events start masked, as interrupts do on a real CPU at reset. */
    d->shared->vcpu_info[0].evtchn_upcall_mask = 1;

    /* 7. The registers it starts with. */
    d->regs.eip = elf.entry;
    d->regs.cs = FLAT_RING1_CS;
    d->regs.ss = d->regs.ds = d->regs.es = FLAT_RING1_DS;
    d->regs.fs = d->regs.gs = 0;
    d->regs.esp = GUEST_KERNEL_BASE + (first_free << HV_PAGE_SHIFT);
    d->regs.esi = GUEST_KERNEL_BASE + (si_pfn << HV_PAGE_SHIFT);
    d->regs.eflags = EFLAGS_IF | 0x2;   /* bit 1 is always set */
    d->kernel_ss = FLAT_RING1_DS;
    d->kernel_esp = d->regs.esp;
    d->state = DOM_RUNNABLE;

    printk("d%u: built from module %u (%s%s%s): %u pages at machine frames %x..%x, "
           "entry %x%s\n", id, module, name, cmdline[0] ? " " : "", cmdline,
           nr_pages, d->p2m[0], d->p2m[nr_pages - 1], elf.entry,
           elf.has_pv_note ? " (PV note)" : "");
    trace3(TRC_DOM_CREATE, id, id, nr_pages, d->flags);
    return 0;
}
