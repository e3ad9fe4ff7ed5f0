/*
 * hv/core/domain.c — the table of domains and the end of a domain's life.
 *
 * Isolation (course: "a crashing guest cannot touch the hypervisor or
 * another domain"): when a domain crashes, only its own state changes here —
 * it stops being scheduled and its frames go back to the pool.  The others
 * keep running, and the trace says which domain died and why.
 */
#include "core/domain.h"
#include "core/console.h"
#include "core/lib.h"
#include "mm/mm.h"
#include "grant/device.h"
#include "sched/sched.h"
#include "trace/trace.h"
#include "x86/x86.h"
#include "public/sched.h"

struct domain domains[MAX_DOMAINS];
struct domain *current;

/* SHUTDOWN_* (public/sched.h), for the message at shutdown. */
static const char *const shutdown_names[] = {
    "poweroff", "reboot", "suspend", "crash",
};

/* A slot for a new domain, cleared: a reused slot must not inherit the
 * last tenant's registers, handlers or ports.  The builder fills it in. */
struct domain *domain_alloc(domid_t id)
{
    if (id >= MAX_DOMAINS || domains[id].state != DOM_UNUSED)
        return 0;
    struct domain *d = &domains[id];
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
    if (d->state == DOM_DEAD)
        return;
    console_guest_flush(d);
    d->state = DOM_DEAD;
    d->shutdown_reason = reason;
    printk("d%u: shut down (%s) after %u hypercalls, %u bounced traps\n",
           d->id, reason <= SHUTDOWN_MAX ? shutdown_names[reason] : "?",
           d->nr_hypercalls, d->nr_bounces);
    trace2(TRC_DOM_SHUTDOWN, d->id, d->id, reason);
    fpu_domain_dead(d);
    sched_domain_dead(d);
    /* Its devices' ends close, and the other ends hear of it. */
    device_domain_dead(d);
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
 * the run is over (all_done in hv/sched/sched.c). */
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
    return (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED) ? d : 0;
}
