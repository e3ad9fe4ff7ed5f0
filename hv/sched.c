/*
 * hv/sched.c — round-robin domain scheduling, the context switch, and idle.
 *
 * The policy: domains take turns in domain-id order.  A domain runs until it
 * yields (sched_op yield), blocks (sched_op block, or an emulated hlt),
 * shuts down, or has used its time slice (SLICE_TICKS timer ticks).
 *
 * The mechanism — a context switch — is simple because of how entry.S
 * works: a guest's registers are always in the frame at the top of the
 * hypervisor stack.  Switching from domain A to B is: copy that frame into
 * A, copy B's saved frame in its place, load B's page directory (CR3) and
 * B's ring-1 stack (TSS.esp1) and system-call gate.  The return from trap()
 * then "returns" into B.  The hypervisor's own mappings are global and
 * identical in every page directory, so loading CR3 does not disturb the
 * code doing it (the memory split again).
 *
 * Blocking: until event channels exist (events issue), a blocked domain
 * is woken by the next timer tick.  When nobody can run, the CPU halts with
 * interrupts on ("idle") until a tick makes someone runnable.  When every
 * domain is dead, the run is over and we tell QEMU to exit.
 */
#include "sched.h"
#include "console.h"
#include "domain.h"
#include "mm.h"
#include "page.h"
#include "time.h"
#include "trace.h"
#include "x86.h"
#include "public/exit.h"
#include "public/sched.h"

#define SLICE_TICKS 3

int need_resched;
static int resched_reason;
static uint32_t slice_used;
static uint64_t last_switch_tsc;

void sched_init(uint32_t tick_ms)
{
    (void)tick_ms;
    need_resched = 0;
}

void sched_request(int reason)
{
    /* The first reason wins: a domain that blocked and was then killed
     * still counts as having exited. */
    if (!need_resched || reason == SCHED_EXIT)
        resched_reason = reason;
    need_resched = 1;
}

void sched_block(struct domain *d)
{
    if (d->state != DOM_RUNNABLE)
        return;
    d->state = DOM_BLOCKED;
    trace1(TRC_BLOCK, d->id, d->id);
    if (d == current)
        sched_request(SCHED_BLOCK);
}

void sched_wake(struct domain *d)
{
    if (d->state != DOM_BLOCKED)
        return;
    d->state = DOM_RUNNABLE;
    trace2(TRC_WAKE, d->id, d->id, 0);
}

void sched_tick(int from_guest)
{
    for (int i = 0; i < MAX_DOMAINS; i++)
        sched_wake(&domains[i]);
    if (current)
        time_update_shared(current);
    if (from_guest && current && ++slice_used >= SLICE_TICKS)
        sched_request(SCHED_TICK);
}

/* Round-robin: the first runnable domain after `prev` in id order, `prev`
 * itself last. */
static struct domain *pick_next(struct domain *prev)
{
    int start = prev ? prev->id + 1 : 0;
    for (int k = 0; k < MAX_DOMAINS; k++) {
        struct domain *d = &domains[(start + k) % MAX_DOMAINS];
        if (d->state == DOM_RUNNABLE)
            return d;
    }
    return 0;
}

static void all_done(void)
{
    int crashed = 0;
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOM_DEAD && domains[i].shutdown_reason == SHUTDOWN_crash)
            crashed++;
    printk("all domains have shut down%s; stopping.\n",
           crashed ? " (some crashed)" : "");
    machine_exit(crashed ? HV_EXIT_CRASHED : HV_EXIT_DONE);
}

/* Make `next` the running domain: its address space, its ring-1 stack, its
 * direct system-call gate. */
static void load_domain(struct domain *next)
{
    write_cr3(next->cr3);
    tss_set_guest_stack(next->kernel_ss, next->kernel_esp);
    domain_load_syscall_gate(next);
    current = next;
    slice_used = 0;
    if (!next->started) {
        next->started = 1;
        trace3(TRC_DOM_START, next->id, next->id, next->regs.eip, next->regs.esi);
    }
    time_update_shared(next);
}

static void account(struct domain *prev)
{
    uint64_t now = rdtsc();
    if (prev)
        prev->cpu_tsc += now - last_switch_tsc;
    last_switch_tsc = now;
}

void schedule(void)
{
    struct domain *prev = current;
    int reason = resched_reason;
    need_resched = 0;

    struct domain *next = pick_next(prev);
    if (next == prev)
        return;                       /* nobody else wants the CPU */

    account(prev);
    struct cpu_regs *top = guest_regs();
    if (prev)
        prev->regs = *top;

    if (!next) {
        /* Idle: leave the dead domain's page tables before freeing them,
         * then halt until a tick wakes somebody. */
        write_cr3(virt_to_maddr(boot_pgdir));
        current = 0;
        if (prev && prev->state == DOM_DEAD)
            domain_free_memory(prev);
        trace5(TRC_SCHEDULE, DOMID_IDLE, prev ? prev->id : DOMID_IDLE, DOMID_IDLE, reason, 0, 0);
        while (!(next = pick_next(0))) {
            if (!domains_alive())
                all_done();
            sti_hlt();
            cli();
        }
        prev = 0;
        reason = SCHED_WAKE;
    }

    trace5(TRC_SCHEDULE, next->id, prev ? prev->id : DOMID_IDLE, next->id, reason, 0, 0);
    *top = next->regs;
    load_domain(next);
    if (prev && prev->state == DOM_DEAD)
        domain_free_memory(prev);
}

void sched_start(void)
{
    struct domain *first = pick_next(0);
    if (!first)
        panic("no domain to run");
    last_switch_tsc = rdtsc();
    trace5(TRC_SCHEDULE, first->id, DOMID_IDLE, first->id, SCHED_START, 0, 0);
    load_domain(first);
    enter_guest(&first->regs);
}
