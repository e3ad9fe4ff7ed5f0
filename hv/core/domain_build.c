/*
 * hv/core/domain_build.c — making a domain out of an ELF image, step by step.
 *
 * Until dom0's toolstack exists, the hypervisor builds every domain itself
 * at boot, one per Multiboot module: the first becomes dom0 (privileged),
 * the rest domU 1, 2, ...  domain_build() at the end of this file runs the
 * builder's steps in order; each step is a function of its own, with its
 * contract in domain_build.h, so that the toolstack can run the same steps
 * one control operation at a time.  The steps, as a story:
 *
 *   1. lay out: check the image (elf.c) and decide where it, the start-info
 *      page, the P2M list, the page tables and a boot stack go in the
 *      domain's pseudo-physical memory (domain_layout.c);
 *   2. a slot in the domain table (domain.c);
 *   3. allocate nr_pages machine frames (any frames: the P2M maps them)
 *      and the shared-info frame; it and the start-info frame are
 *      FRAME_SHARED, the frames the hypervisor writes (hv/mm/page_type.h);
 *   4. copy the image's segments into them;
 *   5. build page tables mapping 0xC0000000 + pfn*4096 -> mfn(pfn) for the
 *      whole of the domain's memory, plus the shared-info page, plus the
 *      hypervisor's own slots; pin them by the lab-2 rules like a guest;
 *   6. fill the start-info page;
 *   7. set the registers for entry in ring 1 (public/start_info.h).
 *
 * A module that cannot become a domain is refused with a message and a
 * trace record (dom_refused); the other domains are built anyway.
 */
#include "core/domain_build.h"
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

/* A pointer, in the hypervisor's direct map, to the guest's page pfn. */
static void *guest_page(struct domain *d, uint32_t pfn)
{
    return mfn_to_virt(d->p2m[pfn]);
}

/* Copy `len` bytes of the image from file offset `src` to the guest at
 * pseudo-physical address pa: page by page, because consecutive pfns are
 * backed by unrelated frames (and an image dom0 handed over is in pages
 * too: elf_image_read). */
static void copy_to_pseudo_phys(struct domain *d, uint32_t pa, const struct elf_image *im,
                                uint32_t src, uint32_t len)
{
    while (len) {
        uint32_t off = pa & (HV_PAGE_SIZE - 1);
        uint32_t n = HV_PAGE_SIZE - off;
        if (n > len)
            n = len;
        elf_image_read(im, src, (uint8_t *)guest_page(d, pa >> HV_PAGE_SHIFT) + off, n);
        pa += n;
        src += n;
        len -= n;
    }
}

/* ---- 3. allocate ---------------------------------------------------------- */

int dombuild_allocate(struct domain *d, const struct domain_layout *lay)
{
    uint32_t nr_pages = lay->nr_pages;

    /* All or nothing, as far as we can tell in advance: +1 for shared info. */
    if (frames_free_count() < nr_pages + 1)
        return ELF_ERR_NO_MEMORY;
    d->nr_pages = nr_pages;
    d->tot_pages = nr_pages;

    /* Frames owned by the domain (frame_table[mfn].owner), and the M2P
     * entries that name each frame's pfn: the two directions of the
     * pseudo-physical <-> machine translation. */
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        uint32_t mfn = frame_alloc(d->id);
        if (!mfn)
            return ELF_ERR_NO_MEMORY;
        d->p2m[pfn] = mfn;
        m2p[mfn] = pfn;
    }
    /* The shared-info page: owned by the domain (so it goes when the
     * domain goes) but outside its pseudo-physical memory. */
    d->shared_mfn = frame_alloc(d->id);
    if (!d->shared_mfn)
        return ELF_ERR_NO_MEMORY;
    d->shared = mfn_to_virt(d->shared_mfn);
    /* The two frames the hypervisor writes for the domain (shared info,
     * start info) are a kind of their own: the domain maps them, but they
     * can never be a page table, renumbered or given back
     * (hv/mm/page_type.h, HYPERVISOR-WRITTEN FRAMES). */
    frame_make_shared(d->shared_mfn);
    frame_make_shared(d->p2m[lay->start_info_pfn]);

    /* The P2M list, as the guest will see it (start_info.mfn_list): the
     * guest needs machine frame numbers to write its own page tables. */
    uint32_t p2m_pfn = lay->p2m_pfn;
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        uint32_t *list = guest_page(d, p2m_pfn + pfn / 1024);
        list[pfn % 1024] = d->p2m[pfn];
    }
    return 0;
}

/* ---- 4. load the image -------------------------------------------------------- */

void dombuild_load_image(struct domain *d, const struct elf_info *elf, const struct elf_image *im)
{
    for (int i = 0; i < elf->nsegs; i++)
        copy_to_pseudo_phys(d, elf->seg[i].vaddr - GUEST_KERNEL_BASE, im, elf->seg[i].offset,
                            elf->seg[i].filesz);
}

/* ---- 5. page tables ------------------------------------------------------------ */

int dombuild_page_tables(struct domain *d, const struct domain_layout *lay)
{
    /* In locals: the stores into the tables below are uint32_t stores, and
     * the compiler must otherwise assume they may change *lay. */
    uint32_t nr_pages = lay->nr_pages, pd_pfn = lay->pd_pfn;
    uint32_t l1_pfn = lay->l1_pfn, nr_l1 = lay->nr_l1;

    /* The directory: the guest's L1s from GUEST_KERNEL_BASE's slot on, and
     * the hypervisor's slots as every guest directory has them (all of the
     * hypervisor, or only its entry trampoline: hv/mm/isolation.c; the pin
     * below writes them again anyway).  Directory entries may be writable and
     * user: the CPU takes the stricter of the two levels, so it is each L1
     * entry that decides what the guest may do with a page. */
    uint32_t *pd = guest_page(d, pd_pfn);
    for (uint32_t i = 0; i < nr_l1; i++)
        pd[PDE_INDEX(GUEST_KERNEL_BASE) + i] =
            (d->p2m[l1_pfn + i] << HV_PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US;
    for (uint32_t i = 0; i < HV_NR_SLOTS; i++)
        pd[HV_FIRST_SLOT + i] = pt_hv_slot_entry(HV_FIRST_SLOT + i);

    /* The L1 entries: pfn by pfn, then the shared-info page after them. */
    for (uint32_t pfn = 0; pfn <= nr_pages; pfn++) {
        uint32_t *l1 = guest_page(d, l1_pfn + pfn / 1024);
        uint32_t mfn = pfn < nr_pages ? d->p2m[pfn] : d->shared_mfn;
        uint32_t flags = PTE_P | PTE_US | PTE_RW;
        /* Page tables: read-only to the guest.  Not a courtesy: a writable
         * mapping of a frame gives it type "writable", and the pin below
         * could then not make it a page table (rule pt_writable). */
        if (pfn >= pd_pfn && pfn < l1_pfn + nr_l1)
            flags &= ~PTE_RW;
        l1[pfn % 1024] = (mfn << HV_PAGE_SHIFT) | flags;
    }
    uint32_t pd_mfn = d->p2m[pd_pfn];
    d->cr3 = pd_mfn << HV_PAGE_SHIFT;

    /* Types, the way a guest gets them: pin the directory (validating it and
     * its L1s), then hold it as the base pointer. */
    int rule = pt_pin(d->id, pd_mfn, PGT_L2);
    if (rule == MMRULE_OK)
        rule = pt_new_base(d->id, pd_mfn, &d->mm.base_mfn);
    if (rule != MMRULE_OK) {
        trace4(TRC_MMUEXT, d->id, MMUEXT_PIN_L2_TABLE, pd_mfn, (uint32_t)mmrule_errno(rule),
               (uint32_t)rule);
        return rule;
    }
    d->mm.nr_pinned = 1;
    trace4(TRC_MMUEXT, d->id, MMUEXT_PIN_L2_TABLE, pd_mfn, 0, 0);
    trace4(TRC_MMUEXT, d->id, MMUEXT_NEW_BASEPTR, pd_mfn, 0, 0);
    pt_trace_runs(d->id, pd_mfn, 2);
    for (uint32_t i = 0; i < nr_l1; i++)
        pt_trace_runs(d->id, d->p2m[l1_pfn + i], 1);
    return MMRULE_OK;
}

/* ---- 6. start info --------------------------------------------------------------- */

void dombuild_start_info(struct domain *d, const struct domain_layout *lay, const char *cmdline)
{
    d->start_info_mfn = d->p2m[lay->start_info_pfn];
    struct start_info *si = mfn_to_virt(d->start_info_mfn);
    memcpy(si->magic, START_INFO_MAGIC, sizeof START_INFO_MAGIC);
    si->nr_pages = lay->nr_pages;
    si->shared_info = d->shared_mfn << HV_PAGE_SHIFT;
    si->flags = d->flags;
    si->domid = d->id;
    si->pt_base = dombuild_va(lay->pd_pfn);
    si->nr_pt_frames = 1 + lay->nr_l1;
    si->mfn_list = dombuild_va(lay->p2m_pfn);
    si->shared_info_va = lay->shared_info_va;
    si->first_free_pfn = lay->first_free_pfn;
    si->tsc_khz = tsc_khz;
    strlcpy(si->cmd_line, cmdline, sizeof si->cmd_line);
}

/* ---- 7. first registers ------------------------------------------------------------ */

void dombuild_registers(struct domain *d, const struct domain_layout *lay, uint32_t entry)
{
    d->regs.eip = entry;
    d->regs.cs = FLAT_RING1_CS;
    d->regs.ss = d->regs.ds = d->regs.es = FLAT_RING1_DS;
    d->regs.fs = d->regs.gs = 0;
    d->regs.esp = dombuild_va(lay->first_free_pfn);     /* the stack grows down */
    d->regs.esi = dombuild_va(lay->start_info_pfn);
    /* The real IF is on, as it always is while a guest runs; the guest's
     * own interrupt flag is the upcall mask, set below. */
    d->regs.eflags = EFLAGS_IF | 0x2;   /* bit 1 is always set */
    /* Entries from ring 3 land on this stack until the guest says otherwise
     * (stack_switch). */
    d->kernel_ss = FLAT_RING1_DS;
    d->kernel_esp = d->regs.esp;
    /* Events start masked, as interrupts do on a real CPU at reset. */
    d->shared->vcpu_info[0].evtchn_upcall_mask = 1;
}

void dombuild_abandon(struct domain *d)
{
    domain_free_memory(d);
    d->state = DOM_UNUSED;
}

/* ---- at boot: all the steps, for one module ----------------------------------------- */

static void refuse(uint32_t module, int err, const char *what)
{
    printk("module %u (%s): refused: %s\n", module, what, elf_strerror(err));
    trace2(TRC_DOM_REFUSED, DOMID_HV, module, (uint32_t)err);
}

int domain_build(domid_t id, uint32_t module, const void *image, uint32_t len,
                 const char *name, const char *cmdline, uint32_t mem_kib)
{
    /* 1. The image, and where it and the builder's pages go. */
    struct elf_info elf;
    int err = elf_inspect(image, len, &elf);
    if (err) {
        refuse(module, err, name);
        return -1;
    }
    uint32_t nr_pages = mem_kib / 4;
    if (nr_pages > DOMAIN_MAX_PAGES)
        nr_pages = DOMAIN_MAX_PAGES;
    struct domain_layout lay;
    err = dombuild_layout(elf.vend, nr_pages, &lay);
    if (err) {
        refuse(module, err, name);
        return -1;
    }

    /* 2. A slot in the domain table: there are MAX_DOMAINS. */
    struct domain *d = domain_alloc(id);
    if (!d) {
        refuse(module, ELF_ERR_NO_SLOT, name);
        return -1;
    }
    d->flags = id == 0 ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;

    /* 3. Memory. */
    err = dombuild_allocate(d, &lay);
    if (err) {
        dombuild_abandon(d);
        refuse(module, err, name);
        return -1;
    }

    /* 4. The image. */
    struct elf_image im = { len, image, 0 };
    dombuild_load_image(d, &elf, &im);

    /* 5. Page tables. */
    int rule = dombuild_page_tables(d, &lay);
    if (rule != MMRULE_OK) {
        /* Only a broken lab 2 gets here: the builder's tables are right. */
        printk("module %u (%s): refused: its page tables do not validate (rule %d)\n",
               module, name, rule);
        dombuild_abandon(d);
        return -1;
    }

    /* 6., 7. What it is told, and where it starts. */
    dombuild_start_info(d, &lay, cmdline);
    dombuild_registers(d, &lay, elf.entry);

    /* Runnable: the scheduler may pick it from now on. */
    d->max_pages = nr_pages;
    d->build = BUILD_READY;
    domain_set_state(d, DOM_RUNNABLE);
    printk("d%u: built from module %u (%s%s%s): %u pages at machine frames %x..%x, "
           "entry %x%s\n", id, module, name, cmdline[0] ? " " : "", cmdline,
           nr_pages, d->p2m[0], d->p2m[nr_pages - 1], elf.entry,
           elf.has_pv_note ? " (PV note)" : "");
    trace3(TRC_DOM_CREATE, id, id, nr_pages, d->flags);
    return 0;
}

/* ---- for dom0's toolstack: the same steps, on a domain it created ------------------ */

struct boot_image boot_images[MAX_BOOT_IMAGES];
uint32_t nr_boot_images;

int dombuild_load(struct domain *d, const struct elf_image *image, const char *cmdline)
{
    struct elf_info elf;
    int err = elf_inspect_image(image, &elf);
    if (!err)
        err = dombuild_layout(elf.vend, d->max_pages, &d->lay);
    if (!err)
        err = dombuild_allocate(d, &d->lay);
    if (!err) {
        dombuild_load_image(d, &elf, image);
        if (dombuild_page_tables(d, &d->lay) != MMRULE_OK)
            err = ELF_ERR_BAD_PHDRS;
    }
    if (err) {
        /* Back to empty: every frame it got goes back (dombuild_abandon
         * without giving up the slot, which is dom0's to destroy). */
        domain_free_memory(d);
        memset(&d->grant, 0, sizeof d->grant);   /* it never ran: no grant of its own */
        d->freed = 0;
        d->nr_pages = d->tot_pages = 0;
        d->shared = 0;
        d->shared_mfn = d->start_info_mfn = 0;
        d->cr3 = 0;
        return err;
    }
    dombuild_start_info(d, &d->lay, cmdline);
    d->entry = elf.entry;
    d->build = BUILD_LOADED;
    printk("d%u: loaded by dom0: %u pages at machine frames %x..%x, entry %x%s\n",
           d->id, d->nr_pages, d->p2m[0], d->p2m[d->nr_pages - 1], elf.entry,
           elf.has_pv_note ? " (PV note)" : "");
    return 0;
}

/* The value of key=... in a command line, up to the next space, into out. */
static void arg_value(const char *s, const char *key, char *out, uint32_t size)
{
    uint32_t k = strlen(key);
    out[0] = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, key, k) == 0) {
            uint32_t n = 0;
            for (s += k; *s && *s != ' ' && n + 1 < size; s++)
                out[n++] = *s;
            out[n] = 0;
            return;
        }
        while (*s && *s != ' ')
            s++;
    }
}

int boot_image_keep(const void *data, uint32_t len, const char *file, const char *args)
{
    if (nr_boot_images >= MAX_BOOT_IMAGES)
        return -1;
    struct boot_image *b = &boot_images[nr_boot_images++];
    b->data = data;
    b->len = len;
    strlcpy(b->file, file, sizeof b->file);
    arg_value(args, "name=", b->name, sizeof b->name);
    /* The arguments without the word `inactive`: that one is for us. */
    uint32_t n = 0;
    const char *s = args;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        uint32_t wl = (uint32_t)(s - w);
        if (wl == 0 || (wl == 8 && strncmp(w, "inactive", 8) == 0))
            continue;
        if (n + wl + 2 > sizeof b->args)
            break;
        if (n)
            b->args[n++] = ' ';
        memcpy(b->args + n, w, wl);
        n += wl;
    }
    b->args[n] = 0;
    return 0;
}
