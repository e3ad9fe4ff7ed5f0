/*
 * hv/mm/mm.c — the machine-frame allocator.
 *
 * At boot we learn from the Multiboot memory map which physical ranges are
 * RAM, mark the frames the hypervisor image and the boot modules occupy,
 * and put every other usable frame on a free list.  The list is a stack, and
 * frames are pushed in ascending order, so they come off highest first: a
 * guest's pseudo-physical page 0 is backed by a *high* machine frame, page 1
 * by the one below it, and so on, and once frames have been freed and reused
 * the order is anything at all.  That is deliberate: a guest must never
 * assume its "physical" memory is the machine's, which is the whole point of
 * the P2M/M2P split (course: "the guest may receive physically
 * non-contiguous memory").
 */
#include "mm/mm.h"
#include "core/console.h"
#include "core/lib.h"
#include "x86/multiboot.h"
#include "mm/page.h"
#include "mm/isolation.h"
#include "mm/pt_steps.h"
#include "public/mmu.h"

uint32_t m2p_l1_mfn;

/* The free list as an array used as a stack: O(1) to allocate and to
 * free, no pointers stored in the free frames themselves (so a frame's
 * old contents never matter to the allocator), and 60 KiB for all of it. */
static uint32_t free_stack[MAX_FRAMES];
static uint32_t nr_free;

extern char hv_image_start[], hv_image_end[];

/* Every frame touching [start, end) gets `use` (start rounded down: a
 * module that begins mid-frame still occupies that whole frame). */
static void mark(uint32_t start, uint32_t end, uint16_t use)
{
    for (uint32_t a = start & ~0xFFFu; a < end && (a >> 12) < MAX_FRAMES; a += HV_PAGE_SIZE)
        frame_table[a >> 12].use = use;
}

void mm_init(const struct multiboot_info *mbi, uint32_t reserve_bytes, uint32_t *reserved)
{
    uint32_t top = 0;

    for (uint32_t i = 0; i < MAX_FRAMES; i++)
        m2p[i] = INVALID_PFN;

    if (!(mbi->flags & MBI_FLAG_MMAP))
        panic("the boot loader gave no memory map");

    /* 1. Usable RAM from the memory map, at or above 1 MiB.  Below it are
     * the BIOS's and the boot loader's leftovers (the Multiboot
     * information, the trace anchor at TRACE_ANCHOR_PADDR): never handed
     * out, so frame 0 can mean "no frame" in the allocator's answers. */
    const uint8_t *p = maddr_to_virt(mbi->mmap_addr);
    const uint8_t *end = p + mbi->mmap_length;
    while (p < end) {
        const struct multiboot_mmap_entry *e = (const void *)p;
        if (e->type == 1 && e->addr < (uint64_t)MAX_FRAMES << 12) {
            uint64_t s = e->addr, t = e->addr + e->len;
            if (t > (uint64_t)MAX_FRAMES << 12)
                t = (uint64_t)MAX_FRAMES << 12;
            s = (s + 0xFFF) & ~0xFFFull;
            if (s < 0x100000)
                s = 0x100000;
            for (uint64_t a = s; a + HV_PAGE_SIZE <= t; a += HV_PAGE_SIZE)
                frame_table[a >> 12].use = FRAME_FREE;
            if (t > top)
                top = (uint32_t)t & ~0xFFFu;
        }
        p += e->size + 4;
    }

    /* 2. What is already in use: our own image, the modules. */
    mark(virt_to_maddr(hv_image_start), virt_to_maddr(hv_image_end), FRAME_HV);
    if (mbi->flags & MBI_FLAG_MODS) {
        const struct multiboot_module *m = maddr_to_virt(mbi->mods_addr);
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            mark(m[i].mod_start, m[i].mod_end, FRAME_MODULE);
    }

    /* 3. The trace ring: contiguous, from the top of RAM down.  The host
     * finds it by one physical address and size (the anchor) and reads it
     * as one range of the RAM file; frames scattered like a guest's would
     * need a map of their own. */
    uint32_t need = (reserve_bytes + 0xFFF) & ~0xFFFu;
    uint32_t base = top - need;
    for (uint32_t a = base; a < top; a += HV_PAGE_SIZE)
        if (frame_table[a >> 12].use != FRAME_FREE)
            panic("no room for the %u KiB trace ring below %u MiB", need >> 10, top >> 20);
    mark(base, top, FRAME_HV);
    *reserved = base;

    /* 4. Everything still free goes on the free list, ascending (so it is
     * handed out from the top: see the comment at the head of this file). */
    for (uint32_t f = 0; f < MAX_FRAMES; f++)
        if (frame_table[f].use == FRAME_FREE)
            free_stack[nr_free++] = f;

    /* 5. The read-only M2P for guests: one L1 mapping the m2p[] array
     * (15 pages), user-readable, never writable.  Directory slot 1007,
     * just below the hypervisor's, so the guest segments reach it.
     * Read-only is what makes sharing it safe: the hypervisor changes an
     * entry only through m2p_update/mem_release, with the frame's owner
     * checked, and every guest sees the same table. */
    m2p_l1_mfn = frame_alloc(DOMID_HV);
    uint32_t *l1 = mfn_to_virt(m2p_l1_mfn);
    uint32_t m2p_first = virt_to_maddr(m2p) >> HV_PAGE_SHIFT;
    for (uint32_t i = 0; i < sizeof m2p / HV_PAGE_SIZE; i++)
        l1[i] = ((m2p_first + i) << HV_PAGE_SHIFT) | PTE_P | PTE_US;

    printk("memory: %u MiB usable below the %u MiB direct map, %u frames free\n",
           top >> 20, DIRECT_MAP_MIB, nr_free);
}

/* A frame changes hands (allocated or freed): new use and owner, and none
 * of the page-table bookkeeping of its previous life. */
static void frame_reset(uint32_t mfn, uint32_t use, domid_t owner)
{
    frame_table[mfn].use = use;
    frame_table[mfn].owner = owner;
    frame_table[mfn].type = PGT_NONE;
    frame_table[mfn].type_count = 0;
    frame_table[mfn].count = 0;
    frame_table[mfn].pinned = 0;
    frame_table[mfn].used = 0;
    m2p[mfn] = INVALID_PFN;
}

/* Frames come off the free list in no particular order after the first
 * frees: nobody may rely on a domain's memory being contiguous. */
uint32_t frame_alloc(domid_t owner)
{
    if (!nr_free)
        return 0;
    uint32_t mfn = free_stack[--nr_free];
    frame_reset(mfn, owner == DOMID_HV ? FRAME_HV : FRAME_GUEST, owner);
    /* Never hand out a frame with someone else's old data in it. */
    memset(mfn_to_virt(mfn), 0, HV_PAGE_SIZE);
    return mfn;
}

/* Freeing a frame that is not in use is a hypervisor bug (a guest cannot
 * cause it: mem_release and domain_free_memory check the frame's owner and
 * counts first), and a double free would put one frame on the list twice,
 * to be given to two domains.  So it stops the machine. */
void frame_free(uint32_t mfn)
{
    if (mfn >= MAX_FRAMES || frame_table[mfn].use == FRAME_FREE ||
        frame_table[mfn].use == FRAME_NONE)
        panic("frame_free: bad frame %x", mfn);
    frame_reset(mfn, FRAME_FREE, 0);
    free_stack[nr_free++] = mfn;
}

void pt_steps_free(struct pt_steps *s)
{
    for (int k = 0; k < 2; k++)
        if (s->held[k]) {
            frame_free(virt_to_maddr(s->held[k]) >> HV_PAGE_SHIFT);
            s->held[k] = 0;
        }
}

uint32_t frames_free_count(void)
{
    return nr_free;
}

void mm_release_modules(void)
{
    for (uint32_t f = 0; f < MAX_FRAMES; f++)
        if (frame_table[f].use == FRAME_MODULE) {
            frame_table[f].use = FRAME_FREE;
            free_stack[nr_free++] = f;
        }
}

/* The page-table core (page_type.h) reaches a table through these.  They
 * are the seam between the pure rules, which also run on the host, and
 * the machine: in the unit tests a "frame" is an array and the hypervisor
 * slots are fixed numbers. */
uint32_t *pt_frame(uint32_t mfn)
{
    return mfn_to_virt(mfn);
}

uint32_t pt_hv_slot_entry(uint32_t slot)
{
    if (slot == HV_M2P_SLOT)
        return (m2p_l1_mfn << HV_PAGE_SHIFT) | PTE_P | PTE_US;
    /* The whole hypervisor, or only its entry trampoline (isolation=). */
    return isolation_hv_slot_entry(slot);
}
