/*
 * hv/sched/sched.c — the scheduling *mechanism*: the context switch, the timer
 * tick's part in scheduling, blocking and waking, and idle.
 *
 * Which domain runs next, and for how long, is the *policy*'s business
 * (hv/sched/sched_policy.h): round-robin (hv/sched/sched_rr.c) or Borrowed Virtual Time
 * (hv/sched/sched_bvt.c and lab 3), chosen with sched= on the command line.  This
 * file drives the policy the way sched_policy.h describes:
 *
 *      pick = policy->pick_next(queue, now)     who runs, and at most how long
 *      ... it runs until its slice ends (a tick notices), it blocks,
 *          yields or exits, or a wake-up asks for a new decision ...
 *      policy->account(queue, it, ran_ns, now)  charge it, then pick again
 *
 * The mechanism — a context switch — is simple because of how entry.S
 * works: a guest's registers are always in the frame at the top of the
 * stack it entered on (guest_regs()).  Switching from domain A to B is: copy
 * that frame into A, copy B's saved frame in its place, make B's page
 * directory the address space (address_space_load, hv/mm/isolation.c) and
 * load B's ring-1 stack (TSS.esp1) and system-call gate.  The return from
 * trap() then "returns" into B.  Under isolation=classic that loads B's CR3
 * at once: the hypervisor's own mappings are identical in every page
 * directory, so the load does not disturb the code doing it (the memory
 * split again).  Under isolation=paging the hypervisor stays in its own
 * directory, now mirroring B's, and the exit path loads B's CR3.
 *
 * Blocking: a domain blocks (sched_op block) until an event is pending for
 * it (hv/event/upcall.c wakes it); one blocked by an emulated hlt is also woken by
 * the next timer tick, as a real hlt is by any interrupt.  When nobody can
 * run, the CPU halts with interrupts on ("idle") until an interrupt makes
 * someone runnable: the idle time simply goes to whoever wants it next.
 * When every domain is dead, the run is over and we tell QEMU to exit.
 *
 * Time: "now" is system time in ns (time_now_ns(), from the TSC).  A
 * domain's virtual time is the CPU time it has had (d->vcpu.cpu_ns, kept
 * by account()); it advances only while the domain runs.
 */
#include "sched/sched.h"
#include "core/console.h"
#include "core/domain.h"
#include "event/upcall.h"
#include "core/lib.h"
#include "core/progress.h"
#include "mm/isolation.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "time/time.h"
#include "trace/trace.h"
#include "x86/fpu.h"
#include "x86/x86.h"
#include "public/exit.h"
#include "public/sched.h"
#include "public/start_info.h"

/* A switch is only ever requested in the middle of the hypervisor's work
 * and carried out at its end (trap(), hv/x86/traps.c), when the current
 * domain's registers are complete in the frame: a hypercall that blocks
 * must still return its result to the domain that made it. */
int need_resched;
static int resched_reason;

/* One CPU, one run queue.  The policy sees only struct sched_vcpu records
 * (one per domain, d->vcpu) and ids; mapping them back to domains is the
 * mechanism's business (vcpu_domain). */
static const struct scheduler *policy;
static struct sched_queue runq;

uint32_t domain_switches;

/* Two clocks, on purpose: system time in ns drives the policy (it must
 * compare against slices and warp limits), raw TSC cycles give exact
 * accounting (d->cpu_tsc, what domctl and the time records report) with
 * no conversion on the switch path. */
static uint64_t dispatched_at;      /* when current got the CPU (ns) */
static uint64_t slice_end;          /* when its slice ends (ns) */
static uint64_t last_switch_tsc;    /* for d->cpu_tsc */

int sched_init(const char *name)
{
    if (strcmp(name, "bvt") == 0)
        policy = &sched_bvt;
    else if (strcmp(name, "rr") == 0)
        policy = &sched_rr;
    else
        return -HV_EINVAL;
    policy->init(&runq);
    need_resched = 0;
    return 0;
}

const char *sched_name(void)
{
    return policy->name;
}

static struct domain *vcpu_domain(struct sched_vcpu *v)
{
    return v ? &domains[v->id] : 0;
}

void sched_request(int reason)
{
    /* The first reason wins: a domain that blocked and was then killed
     * still counts as having exited. */
    if (!need_resched || reason == SCHED_EXIT)
        resched_reason = reason;
    need_resched = 1;
}

/* Into the run queue, once, when scheduling starts (sched_start).  The
 * policy creates its record blocked; a domain built runnable is then woken
 * like any other, so it enters the queue by the policy's own wake rule
 * (BVT: at the scheduler virtual time, no banked credit). */
int sched_add_domain(struct domain *d)
{
    int r = policy->vcpu_init(&runq, &d->vcpu, d->id, time_now_ns());
    if (r < 0)
        return r;
    if (d->state == DOM_RUNNABLE)
        policy->wake(&runq, &d->vcpu, time_now_ns());
    return 0;
}

/* Out of the queue for good.  A domain usually dies while it runs (its
 * shutdown, a fatal fault), but not always (sched_start crashes one the
 * run queue has no room for): either way the policy forgets it now, and
 * schedule() never picks it again. */
void sched_domain_dead(struct domain *d)
{
    uint64_t now = time_now_ns();
    if (d == current) {
        /* Charge what it ran before it goes: its CPU time is final. */
        policy->account(&runq, &d->vcpu, now - dispatched_at, now);
        dispatched_at = now;
        sched_request(SCHED_EXIT);
    }
    policy->sleep(&runq, &d->vcpu, now);
    policy->vcpu_destroy(&runq, &d->vcpu);
    if (runq.current == &d->vcpu)
        runq.current = 0;
}

/* sched_op block: wait for an event.  The state changes at once; the
 * switch away waits for the end of the trap, like every switch. */
void sched_block_until_event(struct domain *d)
{
    if (d->state != DOM_RUNNABLE)
        return;
    domain_set_state(d, DOM_BLOCKED);
    d->hlt_blocked = 0;
    policy->sleep(&runq, &d->vcpu, time_now_ns());
    trace1(TRC_BLOCK, d->id, d->id);
    if (d == current)
        sched_request(SCHED_BLOCK);
}

/* An emulated hlt (lab 1): wait for an event or the next timer tick,
 * whichever comes first — a real hlt ends at the next interrupt. */
void sched_block(struct domain *d)
{
    sched_block_until_event(d);
    if (d->state == DOM_BLOCKED)
        d->hlt_blocked = 1;
}

/* Called from event delivery (events_raise) and the tick, never by the
 * domain itself: a blocked domain cannot run to wake itself. */
void sched_wake(struct domain *d)
{
    if (d->state != DOM_BLOCKED)
        return;
    domain_set_state(d, DOM_RUNNABLE);
    d->hlt_blocked = 0;
    int preempt = policy->wake(&runq, &d->vcpu, time_now_ns());
    trace2(TRC_WAKE, d->id, d->id, preempt);
    /* The policy says the woken domain should not wait for the current
     * one's slice to end (BVT: a warped domain).  When the CPU is idle the
     * idle loop notices by itself. */
    if (preempt && current && d != current)
        sched_request(SCHED_PREEMPT);
}

/* dom0 pauses d (never itself, so d is not the running domain): out of
 * the run queue's runnable set, as if it blocked -- but only an unpause
 * brings it back, no event does (sched_wake looks for DOM_BLOCKED). */
void sched_pause(struct domain *d)
{
    if (d->state == DOM_RUNNABLE)
        policy->sleep(&runq, &d->vcpu, time_now_ns());
}

void sched_unpause(struct domain *d)
{
    int preempt = policy->wake(&runq, &d->vcpu, time_now_ns());
    if (preempt && current && d != current)
        sched_request(SCHED_PREEMPT);
}

int sched_set_params(struct domain *d, const struct sched_params *p)
{
    int r = policy->set_params(&runq, &d->vcpu, p);
    /* New weights change who should run: decide again at once. */
    if (r == 0 && current)
        sched_request(SCHED_PREEMPT);
    return r;
}

void sched_get_params(struct domain *d, struct sched_params *p)
{
    memset(p, 0, sizeof *p);
    policy->get_params(&d->vcpu, p);
}

/*
 * The timer interrupt: at every HV_TIMER_MS tick, wake domains that halted
 * (a real hlt ends at the next interrupt) and publish the time; at any
 * timer interrupt, ask for a new decision when the running domain's slice
 * is over (the timer is armed for the slice's end, see sched_slice_end).
 */
void sched_tick(int from_guest, int tick)
{
    uint64_t now = time_now_ns();
    if (tick) {
        for (int i = 0; i < MAX_DOMAINS; i++)
            if (domains[i].state == DOM_BLOCKED && domains[i].hlt_blocked)
                sched_wake(&domains[i]);
        if (current)
            time_update_shared(current);
    }
    if (from_guest && current && now >= slice_end)
        sched_request(SCHED_TICK);
}

uint64_t sched_slice_end(void)
{
    return current ? slice_end : 0;
}

/* A new slice: make sure the timer interrupts when it ends.  The PIT is
 * one-shot (hv/time/clock.c), so without this a slice would end at the
 * next 1 ms tick instead, and a policy's short slices would be rounded up
 * to whole milliseconds. */
static void start_slice(uint64_t now, uint64_t slice_ns)
{
    dispatched_at = now;
    slice_end = now + slice_ns;
    time_timer_sooner(slice_end);
}

/* The last domain is gone: end the run.  The exit code tells a test
 * whether every domain shut down cleanly (public/exit.h). */
static void all_done(void)
{
    int crashed = 0, paused = 0;
    for (int i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i].state == DOM_DEAD && domains[i].shutdown_reason == SHUTDOWN_crash)
            crashed++;
        paused += domains[i].state == DOM_PAUSED;
    }
    isolation_check_image();
    if (paused)
        printk("%d paused domain(s) left, and no one to unpause them\n", paused);
    printk("all domains have shut down%s; stopping.\n",
           crashed ? " (some crashed)" : "");
    machine_exit(crashed ? HV_EXIT_CRASHED : HV_EXIT_DONE);
}

/* One SCHED_VT record per domain in the run queue: the numbers the policy
 * compared, so the trace shows *why* it chose (students replay BVT from
 * them). */
static void trace_virtual_times(void)
{
    for (int i = 0; i < runq.nr; i++) {
        struct sched_vcpu *v = runq.vcpu[i];
        trace6(TRC_SCHED_VT, (domid_t)v->id, v->id, (uint32_t)(v->avt / 1000),
               (uint32_t)(int32_t)(v->evt / 1000), (uint32_t)(v->cpu_ns / 1000),
               v->weight, (v->runnable ? 1u : 0u) | (v->warped ? 2u : 0u));
    }
}

/* A decision in the trace: SCHEDULE (next = NULL: idle), then the virtual
 * times.
 * Optimization: the plain version calls trace5 and trace6 directly, which
 * test trace_enabled themselves, but only after their arguments are
 * computed.  Here the test comes first: with tracing off, not even the
 * conversions to microseconds (64-bit divisions, library calls on x86-32)
 * are done.  Part of taking a domain switch from ~720 to ~490 instructions
 * (docs/performance.md). */
static void trace_decision(struct domain *prev, struct domain *next, int reason,
                           uint64_t slice_ns)
{
    if (!trace_enabled)
        return;
    domid_t to = next ? next->id : DOMID_IDLE;
    trace5(TRC_SCHEDULE, to, prev ? prev->id : DOMID_IDLE, to, (uint32_t)reason,
           (uint32_t)(slice_ns / 1000),
           next ? (uint32_t)(int32_t)(next->vcpu.evt / 1000) : 0);
    trace_virtual_times();
}

/* Make `next` the running domain: its address space, its x87 registers
 * (lazily, hv/x86/fpu.c), its ring-1 stack, its direct system-call gate.
 * These are the per-domain parts of the machine state that live outside
 * the register frame.  Its time record is published last, so the guest's
 * first instruction after a switch reads a fresh system time and virtual
 * time (the course: the guest's time is updated at every tick and at every
 * schedule). */
static void load_domain(struct domain *next)
{
    address_space_load(next->cr3);
    fpu_switch_to(next);                /* its x87 registers, lazily */
    tss_set_guest_stack(next->kernel_ss, next->kernel_esp);
    tss_set_io_ports((next->flags & SIF_PRIVILEGED) != 0);  /* dom0's devices */
    domain_load_syscall_gate(next);
    current = next;
    next->nr_switches++;
    if (!next->started) {
        next->started = 1;
        trace3(TRC_DOM_START, next->id, next->id, next->regs.eip, next->regs.esi);
    }
    time_update_shared(next);
}

uint64_t sched_dispatch_tsc(void)
{
    return last_switch_tsc;
}

/* Charge prev (NULL: the idle CPU, charged to nobody) the cycles since the
 * last switch.  The domain's virtual time is exactly this sum: it advances
 * only while the domain runs. */
static void account_tsc(struct domain *prev)
{
    uint64_t now = rdtsc();
    if (prev)
        prev->cpu_tsc += now - last_switch_tsc;
    last_switch_tsc = now;
}

/* The context switch.  Only called at the end of trap(), with the running
 * domain's registers in the frame at the top of the stack: everything
 * below is "copy that frame out, copy the next one in". */
void schedule(void)
{
    struct domain *prev = current;
    int reason = resched_reason;
    uint64_t now = time_now_ns();
    need_resched = 0;

    /* Charge the running domain for the time since it was dispatched (a
     * dead one was charged by sched_domain_dead()).  When its slice simply
     * ran out, charge the slice: the microseconds between the slice's end
     * and this point are the timer interrupt's, not the domain's, and
     * charging them would cost it a whole extra minimum charging unit
     * every slice (BVT rounds up) — the shorter its slices, the more. */
    if (prev && prev->state != DOM_DEAD) {
        uint64_t ran = now - dispatched_at;
        if (reason == SCHED_TICK && ran > slice_end - dispatched_at)
            ran = slice_end - dispatched_at;
        policy->account(&runq, &prev->vcpu, ran, now);
    }
    dispatched_at = now;

    struct sched_pick pick = policy->pick_next(&runq, now);
    struct domain *next = vcpu_domain(pick.vcpu);
    if (next)
        start_slice(now, pick.slice_ns);
    if (next == prev)
        return;                       /* it keeps the CPU, with a new slice */

    account_tsc(prev);
    struct cpu_regs *top = guest_regs();
    if (prev)
        copy_regs(&prev->regs, top);

    if (!next) {
        /* Idle: leave the dead domain's page tables before freeing them,
         * then halt until an interrupt makes somebody runnable.  The idle
         * loop runs on the hypervisor's own directory (boot_pgdir, with an
         * empty guest half): no domain's tables are in use, so any domain
         * may die and be freed meanwhile.  Each interrupt here enters
         * trap() as from ring 0 (a nested frame below this one): it raises
         * events and wakes domains, but never schedules, so the loop
         * itself notices. */
        address_space_idle();
        current = 0;
        if (prev && prev->state == DOM_DEAD)
            domain_free_memory(prev);
        trace_decision(prev, 0, reason, 0);
        for (;;) {
            if (!domains_alive())
                all_done();
            now = time_now_ns();
            pick = policy->pick_next(&runq, now);
            if (pick.vcpu)
                break;
            progress_check_idle();    /* nothing can ever wake anybody? */
            sti_hlt();
            cli();
        }
        next = vcpu_domain(pick.vcpu);
        start_slice(now, pick.slice_ns);
        account_tsc(0);
        prev = 0;
        reason = SCHED_WAKE;
    }

    /* The switch itself.  From here on the frame at the top of the stack
     * is next's, and the iret at the end of trap() enters it. */
    trace_decision(prev, next, reason, pick.slice_ns);
    copy_regs(top, &next->regs);
    load_domain(next);
    domain_switches++;
    if (prev && prev->state == DOM_DEAD)
        domain_free_memory(prev);
}

/* The end of boot: every built domain into the run queue, the first
 * decision, and the first entry into a guest, which never returns.  From
 * here on the hypervisor runs only when a guest or an interrupt enters it. */
void sched_start(void)
{
    for (int i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOM_RUNNABLE && sched_add_domain(&domains[i]) < 0)
            domain_crash(&domains[i], "the run queue is full");
    uint64_t now = time_now_ns();
    struct sched_pick pick = policy->pick_next(&runq, now);
    struct domain *first = vcpu_domain(pick.vcpu);
    if (!first)
        panic("no domain to run");
    dispatched_at = now;
    slice_end = now + pick.slice_ns;
    last_switch_tsc = rdtsc();          /* the timer starts after this */
    trace_decision(0, first, SCHED_START, pick.slice_ns);
    load_domain(first);
    enter_guest(&first->regs);
}
