/*
 * minios-guest/kernel/vm.c — minios's virtual memory: a page allocator, one page directory per
 * process, and demand-zero pages, written once for both machines.
 *
 * Where this sits in the story (course: "memory management and paging",
 * "creating a process"; Xen's direct paging).  Every
 * process has its own page directory.  Its upper part (0xC0000000 up) is
 * the kernel's: the same page-table pages in every directory, so the kernel
 * is mapped everywhere and a system call needs no switch.  Its lower part
 * is private: the process's stack below USTACK_TOP and a data area at
 * UDATA_BASE, both filled in lazily -- the first touch of a page faults,
 * and the fault handler below maps a zeroed page there (demand-zero).
 *
 * Processes are created two ways.  Spawn-from-image: the program is code
 * already in the kernel image, mapped (user-readable) in every address
 * space; what is new for each process is its directory, its stack page and
 * whatever it touches later.  Fork (vm_fork): the child gets a copy of the
 * parent's private half, copy-on-write -- both directories map the same
 * pages read-only, and the first write to one of them (a protection fault,
 * vm_cow) gives the writer its own copy, or, if nobody else maps the page
 * any more, simply makes the entry writable again.  A count of mappings
 * per page (page_refs) says which.  On exit all of it goes back.
 *
 * This file never writes a page-table entry itself: it asks pv_ops.
 * Natively that is a store.  Under hvkit the page tables are read-only to
 * us and each change is a request the hypervisor checks (mmu_update); the
 * pv-ops batch them so that creating a process costs a couple of
 * hypercalls, not one per entry.  With "mm=unbatched" on the command line
 * the PV kernel stores directly anyway, and every store traps into the
 * hypervisor's writable-page-table emulation (docs/performance.md compares
 * the two).
 */
#include "kernel/kernel.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "lib/string.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "public/trap.h"

/* Page-table entries are built from PTE_P, PTE_RW, PTE_US (public/
 * address_space.h, through kernel.h): natively they are the CPU's bits, and
 * under hvkit the hypervisor checks the same bits. */
#define PGSIZE      4096u
#define MAX_PAGES   8192u

struct vm_stats vm_stats;
volatile uint32_t vm_fixup_eip;
volatile uint32_t vm_fixup_trapno;

static uint32_t free_pfns[MAX_PAGES];     /* a stack of free page numbers */
static uint32_t nr_free;
/* How many user page-table entries map each page (fork shares pages): a
 * page goes back to the free list when its last mapping goes.  Page tables
 * and directories are never shared and are freed directly (page_free). */
static uint8_t page_refs[MAX_PAGES];
static uint32_t *kernel_pgdir;            /* the boot directory: kernel tasks run on it */
static uint32_t *current_pgdir;

extern char __kernel_end[];
extern uint32_t native_boot_pgdir[];      /* pvops-native.c */

static void *pfn_to_kva(uint32_t pfn) { return P2V(pfn * PGSIZE); }
static uint32_t kva_to_pfn(const void *p) { return ((uint32_t)p - KERNBASE) / PGSIZE; }

void vm_init(void)
{
    uint32_t first, end = boot_info.nr_pages;
    if (pv_ops.paravirt) {
        first = start_info->first_free_pfn;
        kernel_pgdir = (uint32_t *)start_info->pt_base;
    } else {
        first = ((uint32_t)__kernel_end - KERNBASE + PGSIZE - 1) / PGSIZE;
        kernel_pgdir = native_boot_pgdir;
        /* The boot loader left the command line somewhere in free memory,
         * which is about to be handed out: keep a copy first. */
        static char cmdline[256];
        uint32_t n = strlen(boot_info.cmdline);
        if (n > sizeof cmdline - 1)
            n = sizeof cmdline - 1;
        memcpy(cmdline, boot_info.cmdline, n);
        cmdline[n] = '\0';
        boot_info.cmdline = cmdline;
    }
    if (end > MAX_PAGES)
        end = MAX_PAGES;
    /* Pushed high to low, so pages come off lowest first. */
    for (uint32_t pfn = end; pfn-- > first;)
        free_pfns[nr_free++] = pfn;
    vm_stats.pages_total = vm_stats.pages_free = nr_free;
    current_pgdir = kernel_pgdir;
}

uint32_t *vm_kernel_pgdir(void)
{
    return kernel_pgdir;
}

/* Zero a page 4 bytes at a time (rep stosl): a demand-zero fault is
 * mostly this, natively and under hvkit alike.
 * Optimization: the plain version is memset(p, 0, PGSIZE), lib/string.c's
 * byte loop; one instruction for all 1024 words keeps the zeroing from
 * drowning the part of a fault that differs between the two machines.
 * The iterations are counted (kcounters.zero_iters): under -icount each
 * is one instruction, on real hardware a fast string operation, so the
 * benchmarks show the figures with and without them. */
static void zero_page(void *p)
{
    uint32_t n = PGSIZE / 4;
    kcounters.zero_iters += n;
    __asm__ volatile("cld; rep stosl" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

/* The same for a copy (copy-on-write), counted in kcounters.copy_iters. */
static void copy_page(void *dst, const void *src)
{
    uint32_t n = PGSIZE / 4;
    kcounters.copy_iters += n;
    __asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* A page off the free list, its contents whatever they were. */
static void *page_alloc_dirty(void)
{
    if (!nr_free)
        return 0;
    uint32_t pfn = free_pfns[--nr_free];
    page_refs[pfn] = 1;
    vm_stats.pages_free = nr_free;
    return pfn_to_kva(pfn);
}

void *page_alloc(void)
{
    void *p = page_alloc_dirty();
    if (p)
        zero_page(p);
    return p;
}

void page_free(void *page)
{
    uint32_t pfn = kva_to_pfn(page);
    page_refs[pfn] = 0;
    free_pfns[nr_free++] = pfn;
    vm_stats.pages_free = nr_free;
}

/* One more / one fewer user mapping of a page; the last one frees it. */
static void page_get(void *page)
{
    page_refs[kva_to_pfn(page)]++;
}

static void page_put(void *page)
{
    if (--page_refs[kva_to_pfn(page)] == 0)
        page_free(page);
}

/* The kernel address of the page an entry maps. */
static void *entry_kva(uint32_t e)
{
    return pfn_to_kva(pv_ops.pt_pfn(e >> 12));
}

uint32_t *vm_create(void)
{
    uint32_t *pd = page_alloc();
    if (!pd)
        return 0;
    /* The kernel half: the same entries (so the same page tables) as the
     * boot directory.  Written while the page is still ordinary memory;
     * under hvkit make_pt then hands it over (read-only + pin), and the
     * hypervisor validates it and fills in its own slots. */
    for (uint32_t i = KERNBASE >> 22; i < 1024; i++)
        pd[i] = kernel_pgdir[i];
    pv_ops.make_pt(pd, 2);
    pv_ops.pt_flush();
    return pd;
}

/* Map one user page va of pd to a new zeroed page. */
void *vm_map_zero(uint32_t *pd, uint32_t va)
{
    void *page = page_alloc();
    if (!page)
        return 0;
    uint32_t pte = (pv_ops.pt_mfn(page) << 12) | PTE_P | PTE_RW | PTE_US;
    uint32_t pdi = va >> 22, pti = (va >> 12) & 0x3FF;
    if (!(pd[pdi] & PTE_P)) {
        /* A new page table: fill it while it is ordinary memory, then
         * make it a table and point the directory at it. */
        uint32_t *l1 = page_alloc();
        if (!l1) {
            page_free(page);
            return 0;
        }
        l1[pti] = pte;
        pv_ops.make_pt(l1, 1);
        pv_ops.set_pte(pd, pdi, (pv_ops.pt_mfn(l1) << 12) | PTE_P | PTE_RW | PTE_US);
    } else if (pd == current_pgdir) {
        /* The common page fault: one entry, in the running address space. */
        pv_ops.set_pte_va(va, entry_kva(pd[pdi]), pti, pte);
        return page;
    } else {
        pv_ops.set_pte(entry_kva(pd[pdi]), pti, pte);
    }
    pv_ops.pt_flush();
    return page;
}

/* Map n zeroed pages from va up, with one flush at the end: under hvkit,
 * one batch of requests for all of them (the "fork" of the bench). */
int vm_populate(uint32_t *pd, uint32_t va, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++, va += PGSIZE) {
        void *page = page_alloc();
        if (!page)
            return -1;
        uint32_t pte = (pv_ops.pt_mfn(page) << 12) | PTE_P | PTE_RW | PTE_US;
        uint32_t pdi = va >> 22, pti = (va >> 12) & 0x3FF;
        if (!(pd[pdi] & PTE_P)) {
            uint32_t *l1 = page_alloc();
            if (!l1)
                return -1;
            l1[pti] = pte;
            pv_ops.make_pt(l1, 1);
            pv_ops.set_pte(pd, pdi, (pv_ops.pt_mfn(l1) << 12) | PTE_P | PTE_RW | PTE_US);
            /* The directory entry must be in before we look it up again. */
            pv_ops.pt_flush();
        } else {
            pv_ops.set_pte(entry_kva(pd[pdi]), pti, pte);
        }
    }
    pv_ops.pt_flush();
    return 0;
}

void vm_switch(uint32_t *pd)
{
    if (!pd)
        pd = kernel_pgdir;
    if (pd == current_pgdir)
        return;
    pv_ops.load_pgdir(pd);
    current_pgdir = pd;
}

void vm_destroy(uint32_t *pd)
{
    if (pd == current_pgdir)
        vm_switch(0);
    /* First the directory stops being one (PV: unpin, which drops the
     * hypervisor's references on every table and page below it), then
     * each user page table, then the pages. */
    pv_ops.release_pt(pd, 2);
    for (uint32_t i = 0; i < (KERNBASE >> 22); i++) {
        if (!(pd[i] & PTE_P))
            continue;
        uint32_t *l1 = entry_kva(pd[i]);
        pv_ops.release_pt(l1, 1);
        for (uint32_t j = 0; j < 1024; j++)
            if (l1[j] & PTE_P)
                page_put(entry_kva(l1[j]));     /* a forked page may live on */
        page_free(l1);
    }
    pv_ops.pt_flush();
    page_free(pd);
}

/*
 * fork's half of the address space (course: "creazione di un processo";
 * copy-on-write).  The child gets a directory of its own and, for every
 * page table of the parent's private half, a table of its own that maps
 * the SAME pages -- read-only in both, marked PTE_COW.  Nothing is copied
 * yet: the first write to such a page faults, and vm_cow gives the writer
 * its copy.  Under hvkit the parent's entries are changed by requests
 * like any other (one batch, with the TLB flush their change needs), and
 * the child's tables are validated when the directory takes them: the
 * hypervisor sees only read-only mappings of the domain's own pages.
 */
uint32_t *vm_fork(uint32_t *parent)
{
    uint32_t *child = vm_create();
    if (!child)
        return 0;
    for (uint32_t i = 0; i < (KERNBASE >> 22); i++) {
        if (!(parent[i] & PTE_P))
            continue;
        uint32_t *from = entry_kva(parent[i]);
        uint32_t *to = page_alloc();
        if (!to) {
            pv_ops.pt_flush();
            vm_destroy(child);
            return 0;
        }
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t e = from[j];
            if (!(e & PTE_P))
                continue;
            if (e & PTE_RW) {
                e = (e & ~PTE_RW) | PTE_COW;
                pv_ops.set_pte(from, j, e);     /* the parent's: read-only now */
            }
            to[j] = e;                          /* the child's, still ordinary memory */
            page_get(entry_kva(e));
        }
        pv_ops.make_pt(to, 1);
        pv_ops.set_pte(child, i, (pv_ops.pt_mfn(to) << 12) | PTE_P | PTE_RW | PTE_US);
    }
    pv_ops.pt_flush();
    return child;
}

/* The entry that maps user address va in pd, or 0 if it has no table. */
static uint32_t *user_entry(uint32_t *pd, uint32_t va, uint32_t **table)
{
    uint32_t pde = pd[va >> 22];
    if (!(pde & PTE_P))
        return 0;
    *table = entry_kva(pde);
    return &(*table)[(va >> 12) & 0x3FF];
}

/* A write to a copy-on-write page of the running address space: 1 if
 * served.  The last sharer keeps the page and only gets its entry made
 * writable again (the cheap protection fault); any other gets a copy. */
static int vm_cow(uint32_t *pd, uint32_t va)
{
    uint32_t *l1, *pte = user_entry(pd, va, &l1);
    if (!pte || (*pte & (PTE_P | PTE_COW)) != (PTE_P | PTE_COW))
        return 0;
    uint32_t e = *pte, pti = (va >> 12) & 0x3FF;
    void *page = entry_kva(e);
    if (page_refs[kva_to_pfn(page)] == 1) {
        pv_ops.set_pte_va(va, l1, pti, (e & ~PTE_COW) | PTE_RW);
        vm_stats.prot_faults++;
        return 1;
    }
    void *copy = page_alloc_dirty();
    if (!copy)
        return 0;
    copy_page(copy, page);
    pv_ops.set_pte_va(va, l1, pti, (pv_ops.pt_mfn(copy) << 12) | PTE_P | PTE_RW | PTE_US);
    page_put(page);
    vm_stats.cow_copies++;
    return 1;
}

/* mmap and munmap (syscall.c): n pages of the data area from va. */
static int data_range(uint32_t va, uint32_t n)
{
    return !(va & (PGSIZE - 1)) && va >= UDATA_BASE && n <= UDATA_MAX / PGSIZE &&
           va - UDATA_BASE <= UDATA_MAX - n * PGSIZE;
}

int vm_map(uint32_t *pd, uint32_t va, uint32_t n)
{
    if (!data_range(va, n))
        return -EINVAL;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t *l1, *pte = user_entry(pd, va + k * PGSIZE, &l1);
        if (pte && (*pte & PTE_P))
            return -EINVAL;                     /* already mapped */
    }
    return vm_populate(pd, va, n) < 0 ? -ENOSPC : 0;
}

int vm_unmap(uint32_t *pd, uint32_t va, uint32_t n)
{
    if (!data_range(va, n))
        return -EINVAL;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t *l1, *pte = user_entry(pd, va + k * PGSIZE, &l1);
        if (!pte || !(*pte & PTE_P))
            continue;
        void *page = entry_kva(*pte);
        pv_ops.set_pte(l1, (uint32_t)(pte - l1), 0);
        /* Back to the free list before the batch (and its TLB flush) has
         * gone out: safe, nothing is allocated before pt_flush below. */
        page_put(page);
    }
    pv_ops.pt_flush();
    return 0;
}

static int demand_zero_area(uint32_t va);

/* The kernel address of user page va of the running process, ready to be
 * written by the kernel on the program's behalf (copyout): a demand-zero
 * page is mapped, a copy-on-write page copied -- exactly what the program's
 * own write would have done.  The kernel writes through its own mapping
 * of the page, so the user entry's read-only bit would not stop it: this
 * is what keeps a shared page from being written for everybody.  0 if va
 * is no page of the program's. */
void *vm_user_page(uint32_t va)
{
    struct proc *p = myproc();
    va &= ~(PGSIZE - 1);
    if (!p || !p->pgdir || va >= KERNBASE)
        return 0;
    uint32_t *l1, *pte = user_entry(p->pgdir, va, &l1);
    if (!pte || !(*pte & PTE_P)) {
        if (!demand_zero_area(va))
            return 0;
        return vm_map_zero(p->pgdir, va);
    }
    if ((*pte & PTE_COW) && !vm_cow(p->pgdir, va))
        return 0;
    if ((*pte & (PTE_US | PTE_RW)) != (PTE_US | PTE_RW))
        return 0;                               /* the kernel image, read-only to programs */
    return entry_kva(*pte);
}

/* May a fault at va be served with a fresh zeroed page? */
static int demand_zero_area(uint32_t va)
{
    return (va < USTACK_TOP && va >= USTACK_TOP - USTACK_MAX) ||
           (va >= UDATA_BASE && va < UDATA_BASE + UDATA_MAX);
}

int vm_fault(struct trapframe *tf)
{
    uint32_t va = pv_ops.fault_addr();
    if ((tf->cs & 3) != 3) {
        /* A kernel fault we were told to expect (mm-attacks provokes
         * refused page-table writes): resume at the fixup address. */
        if (vm_fixup_eip) {
            tf->eip = vm_fixup_eip;
            vm_fixup_eip = 0;
            vm_fixup_trapno = tf->trapno;
            return 1;
        }
        return 0;
    }
    struct proc *p = myproc();
    if (!p || !p->pgdir)
        return 0;
    if (tf->err & 1) {
        /* A protection fault on a present page: a write (error bit 1) to
         * a copy-on-write page is ours; anything else kills the program. */
        return (tf->err & 2) && vm_cow(p->pgdir, va);
    }
    if (!demand_zero_area(va))
        return 0;          /* outside the areas */
    if (!vm_map_zero(p->pgdir, va & ~(PGSIZE - 1)))
        return 0;          /* out of memory: the program dies */
    vm_stats.faults++;
    return 1;
}

/* Is [start, start+len) mapped for a program in the current address space?
 * (The native console checks a program's buffer with it: natively nobody
 * else would.)  Reads the tables, which both machines allow. */
int vm_user_mapped(uint32_t start, uint32_t len)
{
    if (start + len < start || start + len > KERNBASE)
        return 0;
    for (uint32_t va = start & ~(PGSIZE - 1); va < start + len; va += PGSIZE) {
        uint32_t pde = current_pgdir[va >> 22];
        if (!(pde & PTE_P) || !(pde & PTE_US) || (pde & PTE_PS))
            return 0;
        uint32_t pte = ((uint32_t *)entry_kva(pde))[(va >> 12) & 0x3FF];
        if (!(pte & PTE_P) || !(pte & PTE_US))
            return 0;
    }
    return 1;
}

int vm_probe_inb(uint16_t port, uint8_t *v)
{
    int ok;
    uint8_t b = 0xFF;
    __asm__ volatile("movl $1f, vm_fixup_eip\n\t"
                     "inb %w2, %b1\n\t"
                     "movl $1, %0\n\t"
                     "jmp 2f\n"
                     "1:\tmovl $0, %0\n"
                     "2:\tmovl $0, vm_fixup_eip"
                     : "=&r"(ok), "+a"(b) : "Nd"(port) : "memory");
    *v = b;
    return ok;
}
