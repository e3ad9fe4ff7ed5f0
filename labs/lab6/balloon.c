/*
 * labs/lab6/balloon.c — lab 6, the guest's half: the balloon driver's
 * inflate and deflate (your code goes here); the task around them, which
 * follows the target, is given.
 *
 * Where this sits in the story (course: ballooning; the Xen paper, section
 * 3.3): the hypervisor cannot take memory from a guest -- it does not know
 * which pages the guest still needs -- so the guest gives it back itself.
 * A "balloon" inside the guest inflates: it takes pages from the guest's
 * own allocator (so nothing else in the guest will use them) and hands
 * their frames to the hypervisor (memory_op decrease_reservation), which
 * can then give them to another domain.  Deflating is the reverse: ask for
 * frames again (memory_op populate_physmap) and put the pages back in the
 * allocator.
 *
 * The instruction comes from dom0 (DOMCTL_set_target: the toolstack's
 * `xl mem-set`): the hypervisor writes the target, in pages, into our
 * start-info page (start_info.mem_target) and raises VIRQ_BALLOON.  Xen
 * uses its store (memory/target) and a watch; hvkit has no store for
 * this, and a field plus a VIRQ is the smallest thing that works.  The
 * hypervisor enforces only the maximum (populate past it is refused); the
 * target is a request we meet as well as we can: if our allocator has no
 * free page left, the balloon stops short and says so.
 *
 * Run it beside the domain's work ("run=memcheck+balloon"); it ends when
 * it is the last process left, so the domain still shuts down when its
 * work is done.
 *
 * Write inflate(n): give up to n pages back, and return how many went.
 * For each page --
 *   1. take it from our allocator (page_alloc; 0: nothing free left, stop):
 *      from now on nothing else in the guest will use it;
 *   2. UNMAP it: our kernel map (KERNBASE + pfn * 4096) maps every page of
 *      ours, and while anything maps a frame the hypervisor refuses to take
 *      it back (in_use: a frame given back while mapped would be a window
 *      into its next owner's memory).  HYPERVISOR_update_va_mapping(va, 0,
 *      0, UVMF_INVLPG), after pv_ops.pt_flush() (nothing of ours queued);
 *   3. give it back: HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r)
 *      with a struct xen_memory_reservation (public/memory.h) listing pfns
 *      (one, or a batch: the result is how many were taken, in order, or
 *      -errno if none);
 *   4. taken: it is a HOLE now -- mark it in our P2M list (p2m_list()[pfn]
 *      = NO_FRAME) and remember the pfn in balloon_pfns[] (balloon_size);
 *      refused: it is still ours -- map it back (its frame, from our P2M
 *      list, (mfn << 12) | PTE_P | PTE_RW | PTE_US), page_free it, print
 *        "balloon: giving back pfn <pfn in hex> refused: <r>"
 *      and stop.
 * Never more than BALLOON_MAX pages in the balloon.
 *
 * Write deflate(n): ask for up to n pages of the balloon again, and return
 * how many came back.  For each pfn taken out of balloon_pfns[] --
 *   1. HYPERVISOR_memory_op(XENMEM_populate_physmap, &r): the hypervisor
 *      writes each new frame's number over the pfn in your list (the M2P
 *      and its P2M are its business; refused past our maximum -- over_max
 *      -- or when its pool is empty);
 *   2. the new frame in our P2M list, mapped at the page's kernel address;
 *   3. page_free it: back in our allocator, or the domain holds a frame it
 *      can never use;
 *   on a refusal print "balloon: asking for pfn <pfn in hex> again refused:
 *   <r>" and stop.
 *
 * Test with:  make LAB=6 scenario NAME=balloon
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "arch/pv/hypercall.h"
#include "public/domctl.h"
#include "public/memory.h"
#include "public/mmu.h"

#define BALLOON_MAX 8192
#define NO_FRAME 0xFFFFFFFFu                 /* a hole, in our P2M list */
static uint32_t balloon_pfns[BALLOON_MAX] __attribute__((unused));   /* the pages inside the balloon */
static uint32_t balloon_size;

/* ---- given ------------------------------------------------------------------ */

/* The frames we hold, by the hypervisor's count (DOMCTL_getinfo on
 * ourselves: any domain may ask that). */
static uint32_t pages_held(void)
{
    struct hv_domctl c = { .cmd = DOMCTL_getinfo, .interface_version = HV_DOMCTL_INTERFACE_VERSION,
                           .domain = DOMID_SELF };
    return HYPERVISOR_domctl(&c) == 0 ? c.u.info.nr_pages : 0;
}

/* Our P2M list (pfn -> mfn), which the hypervisor gave us in start info
 * and which we keep: NO_FRAME for a hole. */
static inline uint32_t *p2m_list(void)
{
    return (uint32_t *)start_info->mfn_list;
}

/* pfn of a kernel address (its address is P2V(pfn << 12)). */
static inline uint32_t kva_pfn(const void *page)
{
    return ((uint32_t)page - KERNBASE) >> 12;
}

/* ---- yours ------------------------------------------------------------------ */

/* Inflate by up to n pages: each from our allocator, given back. */
static uint32_t inflate(uint32_t n)
{
    (void)n;
    /* TODO (lab 6): take, unmap, give back, mark the hole.  Until then
     * the balloon never inflates, and a new VM never finds the memory. */
    return 0;
}

/* Deflate by up to n pages: frames asked for again, pages freed. */
static uint32_t deflate(uint32_t n)
{
    (void)n;
    /* TODO (lab 6): populate, enter in the P2M list, map, free. */
    return 0;
}

/* ---- given: following the target ---------------------------------------------- */

/* Meet the target: inflate or deflate by the difference, and say what
 * happened -- to the hypervisor's count (holding) and to our allocator's
 * (a page given back must leave the allocator for good, a page asked for
 * again must come back to it, or the domain has the frame and cannot use
 * it). */
static void meet(uint32_t target)
{
    uint32_t held = pages_held();
    if (!target || target == held) {
        kprintf("balloon: target %u pages: holding %u, nothing to do\n", target, held);
        return;
    }
    uint32_t free_before = vm_stats.pages_free;
    if (target < held) {
        uint32_t got = inflate(held - target);
        kprintf("balloon: target %u pages: inflated by %u, holding %u%s; the allocator lost %d pages\n",
                target, got, pages_held(), got < held - target ? " (no more free pages to give)" : "",
                (int)(free_before - vm_stats.pages_free));
    } else {
        uint32_t got = deflate(target - held);
        kprintf("balloon: target %u pages: deflated by %u, holding %u%s; the allocator gained %d pages\n",
                target, got, pages_held(), got < target - held ? " (short of the target)" : "",
                (int)(vm_stats.pages_free - free_before));
    }
}

int balloon_main(void)
{
    if (!pv_ops.paravirt) {
        kprintf("balloon: native mode: no hypervisor to give pages to, skipped\n");
        return 0;
    }
    evtchn_port_t port = 0;
    int r = evtchn_bind_virq(VIRQ_BALLOON, &port);
    if (r < 0 || port >= EVENTS_NR_PORTS) {
        kprintf("balloon: cannot bind VIRQ_BALLOON: %d\n", r);
        return 1;
    }
    kprintf("balloon: holding %u pages, waiting for a target\n", pages_held());
    uint32_t seen = 0;
    if (start_info->mem_target)          /* set before we were listening */
        meet(start_info->mem_target);
    for (;;) {
        /* Poll the VIRQ's count: a target may come at any time, and we
         * must also notice when our work is done. */
        while (evtchn_count[port] == seen && proc_count_live() > 1)
            proc_sleep_ns(1000000);
        if (evtchn_count[port] == seen)
            break;
        seen = evtchn_count[port];
        meet(start_info->mem_target);
    }
    kprintf("balloon: done, %u pages in the balloon, holding %u\n", balloon_size, pages_held());
    return 0;
}
