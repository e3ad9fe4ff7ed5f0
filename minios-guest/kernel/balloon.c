/*
 * minios-guest/kernel/balloon.c — the balloon driver: a kernel task that
 * holds the domain to the memory target dom0's toolstack sets.
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

#define BALLOON_MAX 8192
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

/* Inflate by up to n pages: each from our allocator, given back. */
static uint32_t inflate(uint32_t n)
{
    uint32_t done = 0;
    while (done < n && balloon_size < BALLOON_MAX) {
        void *page = page_alloc();
        if (!page)
            break;                       /* nothing free left to give */
        int r = hv_give_back_page(page);
        if (r != 1) {
            kprintf("balloon: giving back pfn %x refused: %d\n",
                    ((uint32_t)page - KERNBASE) >> 12, r);
            page_free(page);
            break;
        }
        balloon_pfns[balloon_size++] = ((uint32_t)page - KERNBASE) >> 12;
        done++;
    }
    return done;
}

/* Deflate by up to n pages: frames asked for again, pages freed. */
static uint32_t deflate(uint32_t n)
{
    uint32_t done = 0;
    while (done < n && balloon_size > 0) {
        uint32_t pfn = balloon_pfns[balloon_size - 1];
        int r = hv_reclaim_page(pfn);
        if (r != 1) {
            kprintf("balloon: asking for pfn %x again refused: %d\n", pfn, r);
            break;                       /* over our maximum, or the pool is empty */
        }
        balloon_size--;
        page_free(P2V(pfn << 12));
        done++;
    }
    return done;
}

static void meet(uint32_t target)
{
    uint32_t held = pages_held();
    if (!target || target == held) {
        kprintf("balloon: target %u pages: holding %u, nothing to do\n", target, held);
        return;
    }
    if (target < held) {
        uint32_t got = inflate(held - target);
        kprintf("balloon: target %u pages: inflated by %u, holding %u%s\n", target, got,
                pages_held(), got < held - target ? " (no more free pages to give)" : "");
    } else {
        uint32_t got = deflate(target - held);
        kprintf("balloon: target %u pages: deflated by %u, holding %u%s\n", target, got,
                pages_held(), got < target - held ? " (short of the target)" : "");
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
