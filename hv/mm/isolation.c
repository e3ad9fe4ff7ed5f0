/*
 * hv/mm/isolation.c — the memory split enforced by paging (isolation=paging,
 * the default), or left to the segment limits (isolation=classic).  Read
 * hv/mm/isolation.h first for the two modes and why there are two.
 *
 * Under isolation=paging this file owns three things:
 *
 *   THE TRAMPOLINE PAGE TABLE.  One L1 of the hypervisor's, put in slot
 *   1008 of every guest directory (pt_hv_slot_entry, when lab 2's
 *   validation fills the hypervisor's slots), mapping only the pages of
 *   .text.entry, .data.entry (read-only) and .bss.entry (the entry stack,
 *   writable) at their usual addresses: the instruction after the CR3 load
 *   in entry.S must be at the same address in both directories.  Slots
 *   1009..1023 of a guest directory are empty.  One table for all guests.
 *
 *   THE HYPERVISOR'S DIRECTORY, boot_pgdir: the direct map (no global
 *   bits, and CR4.PGE off: a global entry would outlive the switch back to
 *   the guest's directory and let the guest through the TLB), the M2P slot,
 *   and a mirror of the current guest directory's slots 0..1006.
 *
 *   THE MIRROR.  The hypervisor's directory must map the guest's memory as
 *   the guest's own directory does (copy_from_guest, bouncing a trap onto
 *   the guest stack), so its guest half is a copy, kept exact:
 *     - on a domain switch and on new_baseptr (address_space_load), the
 *       entries of the new directory are copied in -- only the groups of 32
 *       its used map marks (hv/mm/page_type.h, THE USED MAP), and the groups
 *       the previous copy used are cleared, so a switch costs a few dozen
 *       words, not 1007;
 *     - every accepted change of an entry of that directory is repeated in
 *       the copy (address_space_l2_changed, from mm_update_entry);
 *     - before a dead domain's frames are freed, the copy is emptied
 *       (address_space_idle, or the next domain's copy replaces it).
 *   The copy takes no references of its own: it never holds an entry the
 *   guest directory does not hold at the same moment, and the guest
 *   directory's references keep those page tables alive and typed.
 *
 * Room to grow: the hypervisor's directory is private to the hypervisor
 * (guests never see slots 1009..1023 of it), so mapping RAM beyond the
 * 60 MiB direct map (a window for frames above it, in the free slot 1023)
 * changes nothing a guest sees; and nothing here is per domain, so more
 * domains cost nothing.  More CPUs would need one hypervisor directory and
 * one entry stack per CPU, each mapped only for its own CPU.
 */
#include "mm/isolation.h"
#include "core/console.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "x86/traps.h"
#include "x86/x86.h"

uint32_t cr3_loads;
/* Set by entry.S when an entry from ring 0 left a frame of its own on the
 * entry stack (an NMI or a fault in the trampoline): that frame holds the
 * current guest's register values, and every guest can read the entry
 * stack, so it is wiped before another domain runs. */
uint32_t entry_stack_used;

/* The trampoline's variables (hv/x86/entry.S, .data.entry). */
extern uint32_t hv_cr3, exit_cr3;
/* The trampoline's pages (hv/x86/hv.ld). */
extern char hv_entry_text_start[], hv_entry_text_end[];
extern char hv_entry_data_start[], hv_entry_data_end[];
extern char hv_entry_bss_start[], hv_entry_bss_end[];
extern char entry_stack[], entry_stack_top[];

extern char hv_image_start[], hv_readonly_end[];

static uint32_t trampoline_l1[1024] __attribute__((aligned(4096)));

static uint32_t mirrored_mfn;    /* the guest directory copied into boot_pgdir, 0: none */
static uint32_t mirrored_used;   /* the groups of 32 entries the copy may hold */

#define CR4_PGE 0x80

static uint32_t image_sum_at_boot;

/* FNV-1a over the words of .text and .rodata. */
static uint32_t image_checksum(void)
{
    uint32_t h = 2166136261u;
    for (const uint32_t *p = (const uint32_t *)hv_image_start;
         p < (const uint32_t *)hv_readonly_end; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

void isolation_check_image(void)
{
    uint32_t now = image_checksum();
    if (now == image_sum_at_boot)
        printk("isolation: the hypervisor's code and read-only data are as they were at boot\n");
    else
        printk("isolation: the hypervisor's code or read-only data CHANGED since boot "
               "(checksum %x, was %x): something wrote into the hypervisor\n",
               now, image_sum_at_boot);
}

const char *isolation_name(void)
{
    return isolation_paging ? "paging" : "classic";
}

/* Map [start, end) into the trampoline table with `flags`, at the same
 * addresses.  The whole trampoline must lie in the first hypervisor slot. */
static uint32_t map_range(const char *start, const char *end, uint32_t flags)
{
    uint32_t n = 0;
    for (uint32_t va = (uint32_t)start; va < (uint32_t)end; va += HV_PAGE_SIZE, n++) {
        if (PDE_INDEX(va) != HV_FIRST_SLOT)
            panic("the entry trampoline at %x is not in the first hypervisor slot", va);
        trampoline_l1[PTE_INDEX(va)] = virt_to_maddr((const void *)va) | flags;
    }
    return n;
}

void isolation_init(int mode)
{
    image_sum_at_boot = image_checksum();
    hv_cr3 = virt_to_maddr(boot_pgdir);
    if (mode != ISOLATION_PAGING) {
        isolation_paging = 0;
        printk("isolation: classic: the hypervisor is mapped in every address space; "
               "the guest segments' limit is the only barrier (not checked by QEMU's TCG)\n");
        return;
    }

    /* Supervisor pages (no PTE_US), never global.  Code and tables are
     * read-only even for ring 1, because CR0.WP is on (boot.S). */
    uint32_t pages = map_range(hv_entry_text_start, hv_entry_text_end, PTE_P);
    pages += map_range(hv_entry_data_start, hv_entry_data_end, PTE_P);
    pages += map_range(hv_entry_bss_start, hv_entry_bss_end, PTE_P | PTE_RW);

    /* The hypervisor's directory: no global pages, then CR4.PGE off, which
     * also flushes the global entries boot.S made. */
    for (uint32_t s = HV_FIRST_SLOT; s < 1024; s++)
        boot_pgdir[s] &= ~PTE_G;
    boot_pgdir[HV_M2P_SLOT] = pt_hv_slot_entry(HV_M2P_SLOT);
    write_cr4(read_cr4() & ~CR4_PGE);
    write_cr3(hv_cr3);
    /* A guest's registers land on the entry stack from now on. */
    tss_set_entry_stack((uint32_t)entry_stack_top);
    isolation_paging = 1;
    printk("isolation: paging: a running guest maps %u pages of the hypervisor "
           "(the entry trampoline at %x); every entry and exit loads CR3\n",
           pages, (uint32_t)hv_entry_text_start);
}

uint32_t isolation_hv_slot_entry(uint32_t slot)
{
    if (!isolation_paging)
        return boot_pgdir[slot];
    if (slot == HV_FIRST_SLOT)
        return virt_to_maddr(trampoline_l1) | PTE_P | PTE_RW;
    return 0;
}

/* n words from src to dst (src 0: zeros), as one rep instruction. */
static void copy_words(uint32_t *dst, const uint32_t *src, uint32_t n)
{
    rep_iters += n;
    if (src)
        __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    else
        __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
}

/* Make boot_pgdir's guest half a copy of directory l2_mfn's (0: empty). */
static void mirror(uint32_t l2_mfn)
{
    const uint32_t *src = l2_mfn ? mfn_to_virt(l2_mfn) : 0;
    uint32_t want = l2_mfn ? frame_table[l2_mfn].used : 0;
    uint32_t todo = want | mirrored_used;
    while (todo) {
        uint32_t g = (uint32_t)__builtin_ctz(todo);
        todo &= todo - 1;
        uint32_t first = g << 5, n = 32;
        if (first + n > GUEST_NR_SLOTS)
            n = GUEST_NR_SLOTS - first;        /* the last group ends at the M2P slot */
        copy_words(&boot_pgdir[first], (want >> g) & 1 ? src + first : 0, n);
    }
    mirrored_mfn = l2_mfn;
    mirrored_used = want;
}

void address_space_load(uint32_t cr3)
{
    if (!isolation_paging) {
        write_cr3(cr3);
        return;
    }
    mirror(cr3 >> HV_PAGE_SHIFT);
    exit_cr3 = cr3;
    /* Nothing of the previous guest may stay where the next can read it:
     * below the frame (which the switch has just filled with the next
     * domain's registers) only frames of ring-0 entries ever were. */
    if (entry_stack_used) {
        entry_stack_used = 0;
        copy_words((uint32_t *)entry_stack, 0,
                   (HV_PAGE_SIZE - sizeof(struct cpu_regs)) / 4);
    }
    /* The TLB may hold the previous mirror's translations: the copies to
     * this guest about to happen (an upcall frame, a bounce) must not go
     * through them. */
    write_cr3(hv_cr3);
}

void address_space_idle(void)
{
    if (isolation_paging) {
        mirror(0);
        exit_cr3 = 0;
    }
    write_cr3(hv_cr3);
}

void address_space_l2_changed(uint32_t l2_mfn, uint32_t idx, uint32_t old, uint32_t val)
{
    if (!isolation_paging || l2_mfn != mirrored_mfn || idx >= GUEST_NR_SLOTS)
        return;
    boot_pgdir[idx] = val;
    mirrored_used |= PT_USED_BIT(idx);
    /* A page table that left the directory may be about to lose its type
     * (and its pages their references): no translation through it may
     * stay in the TLB for the rest of this hypercall. */
    if (old & PTE_P)
        write_cr3(hv_cr3);
}
