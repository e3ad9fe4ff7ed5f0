/*
 * hv/core/domain.c — the table of domains, their VM states, and the end of a domain's life.
 *
 * Isolation (course: "a crashing guest cannot touch the hypervisor or
 * another domain"): when a domain crashes, only its own state changes here —
 * it stops being scheduled and its frames go back to the pool.  The others
 * keep running, and the trace says which domain died and why.
 *
 * VM states (course: running, blocked, paused, suspended, inactive): each
 * domain is in one (enum domain_state, domain.h), and every change is made
 * by domain_set_state(), so every transition is a dom_state trace record.
 * Pausing and destroying are dom0's (hv/core/domctl.c): the mechanism is
 * here, the decision in dom0's toolstack.
 */
#include "core/domain.h"
#include "core/console.h"
#include "core/lib.h"
#include "mm/mm.h"
#include "grant/device.h"
#include "event/upcall.h"
#include "sched/sched.h"
#include "trace/trace.h"
#include "x86/x86.h"
#include "public/sched.h"

struct domain domains[MAX_DOMAINS];
struct domain *current;

/* SHUTDOWN_* (public/sched.h), for the message at shutdown. */
static const char *const shutdown_names[] = {
    "poweroff", "reboot", "suspend", "crash", "destroyed",
};

/* May slot id take a new domain?  Free, or destroyed with nothing of its
 * grant state still in use: another domain's mapping of a destroyed
 * domain's frame finds the grant's active entry through the slot
 * (grant.h), so the slot waits for the last such unmap. */
static int slot_free(domid_t id)
{
    struct domain *d = &domains[id];
    if (d->state == DOM_UNUSED)
        return 1;
    return d->state == DOM_DEAD && d->destroyed && d->grant.nr_pinned == 0;
}

int domain_free_slot(void)
{
    for (int i = 1; i < MAX_DOMAINS; i++)
        if (slot_free((domid_t)i))
            return i;
    return -1;
}

void domain_set_state(struct domain *d, int state)
{
    int old = d->state;
    d->state = state;
    if (old != state)
        trace2(TRC_DOM_STATE, d->id, (uint32_t)old, (uint32_t)state);
}

/* A slot for a new domain, cleared: a reused slot must not inherit the
 * last tenant's registers, handlers or ports.  The builder fills it in. */
struct domain *domain_alloc(domid_t id)
{
    if (id >= MAX_DOMAINS || !slot_free(id))
        return 0;
    struct domain *d = &domains[id];
    if (d->state != DOM_UNUSED)
        domain_set_state(d, DOM_UNUSED);    /* a destroyed one's slot, reused */
    memset(d, 0, sizeof *d);
    d->id = id;
    evtchn_domain_init(&d->evtchn, id);
    return d;
}

/* Only the state changes here.  The memory cannot be freed yet: if d is
 * the running domain, its page tables are still in use -- loaded in CR3
 * (isolation=classic) or mirrored in the hypervisor's directory
 * (isolation=paging) -- until schedule() switches away (then it frees
 * them, domain_free_memory).  Its last partial console line is printed
 * now, or it would be lost. */
void domain_shutdown(struct domain *d, uint32_t reason)
{
    if (d->state == DOM_DEAD || d->state == DOM_UNUSED)
        return;
    console_guest_flush(d);
    domain_set_state(d, DOM_DEAD);
    d->shutdown_reason = reason;
    printk("d%u: shut down (%s) after %u hypercalls, %u bounced traps\n",
           d->id, reason <= SHUTDOWN_destroyed ? shutdown_names[reason] : "?",
           d->nr_hypercalls, d->nr_bounces);
    trace2(TRC_DOM_SHUTDOWN, d->id, d->id, reason);
    fpu_domain_dead(d);
    sched_domain_dead(d);
    /* Its devices' ends close, and the other ends hear of it. */
    device_domain_dead(d);
    /* dom0's toolstack hears of it too (Xen's VIRQ_DOM_EXC), if it asked. */
    struct domain *dom0 = domain_lookup(0);
    if (dom0 && dom0 != d)
        events_raise_virq(dom0, VIRQ_DOM_EXC);
}

void domain_pause(struct domain *d)
{
    if (d->state != DOM_RUNNABLE && d->state != DOM_BLOCKED)
        return;
    sched_pause(d);
    domain_set_state(d, DOM_PAUSED);
}

/* A domain paused while blocked comes back runnable: a spurious wake-up,
 * which every guest's block loop already expects (it checks why it woke
 * and blocks again). */
void domain_unpause(struct domain *d)
{
    if (d->state != DOM_PAUSED)
        return;
    domain_set_state(d, DOM_RUNNABLE);
    d->hlt_blocked = 0;
    sched_unpause(d);
}

/* Close every port of d.  Its peers' ends become unbound (as when a peer
 * closes), and each peer gets one event on its end, so a driver waiting
 * there wakes and finds the channel gone (EVTCHNOP_status: unbound).  A
 * peer that is dead but not destroyed has its end unbound too: the slot
 * d leaves may get a new domain, whose ports must not be anyone's peer. */
static void close_ports(struct domain *d)
{
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++) {
        struct evtchn *c = &d->evtchn.port[p];
        if (c->state == EVTCHNSTAT_closed)
            continue;
        int peer = evtchn_peer(&d->evtchn, p);
        struct domain *pd = peer >= 0 && peer < MAX_DOMAINS &&
                            domains[peer].state != DOM_UNUSED ? &domains[peer] : 0;
        uint32_t pport = c->state == EVTCHNSTAT_interdomain ? c->u.interdomain.port : 0;
        int r = evtchn_close(&d->evtchn, p, pd ? &pd->evtchn : 0);
        trace5(TRC_EVTCHN_OP, d->id, EVTCHNOP_close, p, peer >= 0 ? (uint32_t)peer : DOMID_HV,
               pport, (uint32_t)r);
        if (r == 0 && pd && pd != d && domain_lookup(pd->id))
            events_raise(pd, pport);
    }
}

void domain_destroy(struct domain *d)
{
    /* Still alive (running, blocked, paused, or never started): it ends
     * now, with the reason "destroyed".  It is not the running domain --
     * dom0 is -- so nothing of it is in use on the CPU. */
    domain_shutdown(d, SHUTDOWN_destroyed);
    close_ports(d);
    domain_free_memory(d);      /* frames, grants (grant_table_op.c), tables */
    d->destroyed = 1;
    d->timer_deadline = 0;
    printk("d%u: destroyed; %u frames free\n", d->id, frames_free_count());
    /* Inactive again, unless another domain still maps one of its frames
     * (the slot then waits: slot_free). */
    if (d->grant.nr_pinned == 0)
        domain_set_state(d, DOM_UNUSED);
}

void domain_crash(struct domain *d, const char *why)
{
    printk("d%u: crashed: %s\n", d->id, why);
    domain_shutdown(d, SHUTDOWN_crash);
}

/* Give a dead domain's frames back.  Only called once the CPU no longer
 * uses its page tables (see schedule()).  The whole domain goes at once, so
 * its frames' types and counts are simply reset (frame_free does it) --
 * except the frames other domains still map through its grants: the grant
 * layer first undoes what d mapped of others, and moves those out of d's
 * memory (FRAME_ORPHAN) until their last unmap. */
void domain_free_memory(struct domain *d)
{
    if (d->freed)
        return;
    if (d->mm.nr_updates || d->mm.nr_ptwr || d->mm.nr_refused)
        printk("d%u: page tables: %u entries updated, %u by trapped writes, "
               "%u requests refused\n", d->id, d->mm.nr_updates, d->mm.nr_ptwr,
               d->mm.nr_refused);
    /* The CPU has left its page tables (a CR3 load, which flushes every
     * entry guests may make: they get no global ones).  Flush once more
     * anyway, here where the frames leave, rather than rely on the
     * caller's order of work. */
    write_cr3(read_cr3());
    pt_steps_free(&d->mm.steps);        /* an operation it never finished */
    grant_domain_release(d);
    for (uint32_t f = 0; f < MAX_FRAMES; f++)
        if ((frame_table[f].use == FRAME_GUEST || frame_table[f].use == FRAME_SHARED) &&
            frame_table[f].owner == d->id)
            frame_free(f);
    d->mm.base_mfn = 0;
    d->mm.nr_pinned = 0;
    d->tot_pages = 0;                   /* what the toolstack lists for it now */
    d->freed = 1;
}

/* The direct system-call gate (hv/x86/segments.c) is per domain: the IDT
 * is the machine's, so each switch points vector 0x80 at the incoming
 * domain's handler.  Only a handler registered with DPL 3 gets the direct
 * gate; one that ring 3 may not call leaves the hypervisor's gate, whose
 * #GP the guest kernel then receives as it would natively. */
void domain_load_syscall_gate(struct domain *d)
{
    struct trap_info *t = &d->traps[SYSCALL_VECTOR];
    idt_set_syscall_gate((t->flags & TI_DPL_MASK) == 3 ? t->address : 0);
}

/* Runnable or blocked, i.e. still to be scheduled: when this reaches 0
 * the run is over (all_done in hv/sched/sched.c).  Paused domains do not
 * count: only a running dom0 could unpause them, and if nothing runs or
 * waits, nothing ever will.  So a dom0 that creates domains later keeps
 * the run going simply by being alive. */
int domains_alive(void)
{
    int n = 0;
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOM_RUNNABLE || domains[i].state == DOM_BLOCKED)
            n++;
    return n;
}

/* What a hypercall uses to find a domain a guest named.  A dead domain is
 * "no such domain": its frames may already be back in the pool and its
 * ports are no longer served, so nothing may be sent to it or done on its
 * behalf (dom0's domctl looks at dead domains' accounting by index). */
struct domain *domain_lookup(domid_t id)
{
    if (id == DOMID_SELF)
        return current;
    if (id >= MAX_DOMAINS)
        return 0;
    struct domain *d = &domains[id];
    return (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED ||
            d->state == DOM_PAUSED) ? d : 0;
}
