/*
 * solutions/lab6/balloon.c — lab 6, the guest's half, reference: the
 * balloon driver, a kernel task that holds the domain to the memory target
 * dom0's toolstack sets (the stub students edit is labs/lab6/balloon.c;
 * inflate and deflate are theirs, the rest is given).
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
#define BALLOON_BATCH 16                     /* extents per memory_op call */
#define NO_FRAME 0xFFFFFFFFu                 /* a hole, in our P2M list */
static uint32_t balloon_pfns[BALLOON_MAX];   /* the pages inside the balloon */
static uint32_t balloon_size;

/* The frames we hold, by the hypervisor's count (DOMCTL_getinfo on
 * ourselves: any domain may ask that). */
static uint32_t pages_held(void)
{
    struct hv_domctl c = { .cmd = DOMCTL_getinfo, .interface_version = HV_DOMCTL_INTERFACE_VERSION,
                           .domain = DOMID_SELF };
    return HYPERVISOR_domctl(&c) == 0 ? c.u.info.nr_pages : 0;
}

/* Our P2M list (pfn -> mfn), which the hypervisor gave us in start info
 * and which we keep: INVALID for a hole. */
static uint32_t *p2m_list(void)
{
    return (uint32_t *)start_info->mfn_list;
}

/* pfn of a kernel address, and the address of a pfn: every page of ours is
 * mapped once in the kernel map, at KERNBASE + pfn * 4096. */
static uint32_t kva_pfn(const void *page)
{
    return ((uint32_t)page - KERNBASE) >> 12;
}

/* Map pfn's kernel address to frame mfn again (0: unmap it). */
static int kmap(uint32_t pfn, uint32_t mfn)
{
    uint32_t pte = mfn == NO_FRAME ? 0 : (mfn << 12) | PTE_P | PTE_RW | PTE_US;
    return HYPERVISOR_update_va_mapping(KERNBASE + (pfn << 12), pte, 0, UVMF_INVLPG);
}

/* One batch of inflation: up to n pages from our allocator, unmapped, then
 * given back in one decrease_reservation.  The hypervisor does the batch in
 * order and stops at the first refusal: its result is how many it took
 * (or -errno if none), and the others are ours again -- mapped back and
 * returned to the allocator. */
static uint32_t inflate_batch(uint32_t n)
{
    uint32_t pfns[BALLOON_BATCH], got = 0;
    pv_ops.pt_flush();                   /* nothing of ours may be queued */
    while (got < n) {
        void *page = page_alloc();
        if (!page)
            break;                       /* nothing free left to give */
        uint32_t pfn = kva_pfn(page);
        /* Our kernel map maps every page: while it does, the frame has a
         * reference and the hypervisor refuses it (in_use).  That mapping
         * goes first, as in Linux's balloon driver. */
        int r = kmap(pfn, NO_FRAME);
        if (r != 0) {
            kprintf("balloon: unmapping pfn %x refused: %d\n", pfn, r);
            page_free(page);
            break;
        }
        pfns[got++] = pfn;
    }
    if (!got)
        return 0;
    uint32_t mfns[BALLOON_BATCH];
    for (uint32_t i = 0; i < got; i++)
        mfns[i] = p2m_list()[pfns[i]];
    struct xen_memory_reservation res = {
        .extent_start = (uint32_t)pfns, .nr_extents = got, .extent_order = 0, .domid = DOMID_SELF,
    };
    int r = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &res);
    uint32_t done = r > 0 ? (uint32_t)r : 0;
    for (uint32_t i = 0; i < done; i++) {
        p2m_list()[pfns[i]] = NO_FRAME;      /* a hole now, in our P2M as well */
        balloon_pfns[balloon_size++] = pfns[i];
    }
    if (done < got)
        kprintf("balloon: giving back pfn %x refused: %d\n", pfns[done], r > 0 ? 0 : r);
    for (uint32_t i = done; i < got; i++) {     /* still ours: back as they were */
        kmap(pfns[i], mfns[i]);
        page_free(P2V(pfns[i] << 12));
    }
    return done;
}

/* Inflate by up to n pages: each from our allocator, given back. */
static uint32_t inflate(uint32_t n)
{
    uint32_t done = 0;
    while (done < n && balloon_size < BALLOON_MAX) {
        uint32_t want = n - done;
        if (want > BALLOON_BATCH)
            want = BALLOON_BATCH;
        if (want > BALLOON_MAX - balloon_size)
            want = BALLOON_MAX - balloon_size;
        uint32_t got = inflate_batch(want);
        done += got;
        if (got < want)
            break;
    }
    return done;
}

/* Deflate by up to n pages: frames asked for again (populate_physmap
 * writes each new frame's number over the pfn in our list), entered in our
 * P2M list, mapped at their kernel address, freed into the allocator. */
static uint32_t deflate(uint32_t n)
{
    uint32_t done = 0;
    pv_ops.pt_flush();
    while (done < n && balloon_size > 0) {
        uint32_t want = n - done, slots[BALLOON_BATCH];
        if (want > BALLOON_BATCH)
            want = BALLOON_BATCH;
        if (want > balloon_size)
            want = balloon_size;
        for (uint32_t i = 0; i < want; i++)
            slots[i] = balloon_pfns[balloon_size - 1 - i];
        struct xen_memory_reservation res = {
            .extent_start = (uint32_t)slots, .nr_extents = want, .extent_order = 0,
            .domid = DOMID_SELF,
        };
        int r = HYPERVISOR_memory_op(XENMEM_populate_physmap, &res);
        uint32_t got = r > 0 ? (uint32_t)r : 0;
        for (uint32_t i = 0; i < got; i++) {
            uint32_t pfn = balloon_pfns[--balloon_size], mfn = slots[i];
            p2m_list()[pfn] = mfn;                /* no hole any more */
            int m = kmap(pfn, mfn);
            if (m != 0) {
                kprintf("balloon: mapping pfn %x (frame %x) refused: %d\n", pfn, mfn, m);
                continue;                         /* ours, but unusable: not freed */
            }
            page_free(P2V(pfn << 12));
        }
        done += got;
        if (got < want) {
            kprintf("balloon: asking for pfn %x again refused: %d\n",
                    balloon_pfns[balloon_size - 1], r > 0 ? 0 : r);
            break;                       /* over our maximum, or the pool is empty */
        }
    }
    return done;
}

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
