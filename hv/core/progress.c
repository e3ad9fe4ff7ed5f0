/*
 * hv/core/progress.c — stopping a run that can make no progress, and saying why.
 *
 * Where this sits in the story: a test boots the kit under QEMU and waits
 * for it to end.  A run that hangs would otherwise cost the harness's whole
 * time limit and say only "timeout", although the hypervisor often knows
 * for certain, and much sooner, that nothing more can happen.  Three such
 * cases end the run here, each with its own exit code (public/exit.h), a
 * console line starting "STOPPED:" and a `run_stopped` trace record.  (The
 * NMI watchdog of hv/x86/watchdog.c is the other half: it catches the
 * hypervisor itself stuck with interrupts off, which none of these can.)
 *
 *   deadlock  nobody is runnable, and nothing can ever make anybody
 *             runnable again: every live domain is blocked, none halted
 *             (the next tick would wake it), no domain has a timer set, no
 *             event is pending, and no interrupt could raise one (no domain
 *             bound a physical IRQ, dom0 did not bind console input).
 *   stuck     one domain takes the same exception at the same eip, with
 *             the very same registers, STUCK_REPEATS times in a row, with
 *             no hypercall and no upcall of that domain in between.  The
 *             guest returns to exactly the state that faulted, so it will
 *             fault again forever: typically an emulated instruction whose
 *             eip was not stepped, or a handler that changes nothing.
 *   limit     insn_limit= million guest instructions have run (the TSC,
 *             which under -icount shift=0 counts instructions).  Not a
 *             proof of a hang, but a bound that is the same on every
 *             machine, unlike a wall-clock timeout.
 *
 * The checks are cheap: a comparison of a few registers per exception, a
 * scan of the domain table when the CPU is about to idle, and one TSC read
 * per timer interrupt.
 */
#include <stddef.h>
#include "core/progress.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/lib.h"
#include "time/timer.h"
#include "trace/trace.h"
#include "x86/traps.h"
#include "x86/x86.h"
#include "public/event_channel.h"
#include "public/exit.h"

#define STUCK_REPEATS 1000

#define WHY_DEADLOCK 1       /* the "stopwhy" enum of trace-events.def */
#define WHY_STUCK    2
#define WHY_LIMIT    3

static uint64_t limit_tsc;          /* 0: no instruction limit */
static uint32_t limit_m;

/* The last exception of each domain, and how many times in a row it came
 * with exactly these registers. */
struct last_trap {
    uint32_t vector, error_code, eip, cr2;
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eflags;
    uint32_t repeats;
};
static struct last_trap last[MAX_DOMAINS];

void progress_init(uint32_t insn_limit_m)
{
    limit_m = insn_limit_m;
    limit_tsc = (uint64_t)insn_limit_m * 1000000u;
    if (limit_m)
        printk("the run stops after %u million instructions (insn_limit=)\n",
               limit_m);
}

static void __attribute__((noreturn)) stop(uint32_t why, int code, domid_t dom,
                                           uint32_t eip, uint32_t count)
{
    trace4(TRC_RUN_STOPPED, dom, why, dom, eip, count);
    printk("the run was stopped.\n");
    machine_exit(code);
}

void progress_made(const struct domain *d)
{
    if (d && d->id < MAX_DOMAINS)
        last[d->id].repeats = 0;
}

void progress_check_exception(const struct domain *d, const struct cpu_regs *r, uint32_t cr2)
{
    if (!d || d->id >= MAX_DOMAINS)
        return;
    struct last_trap now = {
        r->vector, r->error_code, r->eip, cr2,
        r->eax, r->ebx, r->ecx, r->edx, r->esi, r->edi, r->ebp, r->esp, r->eflags, 0,
    };
    struct last_trap *l = &last[d->id];
    /* Everything but the count must match (all fields are 32-bit words:
     * no padding for memcmp to trip over). */
    if (l->repeats == 0 ||
        memcmp(&now, l, offsetof(struct last_trap, repeats)) != 0) {
        *l = now;
        l->repeats = 1;
        return;
    }
    l->repeats++;
    if (l->repeats < STUCK_REPEATS)
        return;
    printk("STOPPED: stuck: d%u took exception %u (error code %x) at eip %x %u times "
           "in a row with the same registers: it can make no progress\n",
           d->id, r->vector, r->error_code, r->eip, l->repeats);
    stop(WHY_STUCK, HV_EXIT_STUCK, d->id, r->eip, l->repeats);
}

void progress_check_limit(void)
{
    if (!limit_tsc || rdtsc() < limit_tsc)
        return;
    struct domain *d = current;
    uint32_t eip = d ? guest_regs()->eip : 0;
    if (d)
        printk("STOPPED: limit: %u million instructions ran (insn_limit=%u); "
               "d%u was running, at eip %x\n", limit_m, limit_m, d->id, eip);
    else
        printk("STOPPED: limit: %u million instructions ran (insn_limit=%u); "
               "the CPU was idle\n", limit_m, limit_m);
    stop(WHY_LIMIT, HV_EXIT_LIMIT, d ? d->id : DOMID_IDLE, eip, limit_m);
}

/* Could anything outside the domains themselves make d runnable? */
static int can_be_woken(const struct domain *d)
{
    if (d->state != DOM_BLOCKED || d->hlt_blocked || d->timer_deadline)
        return 1;
    if (d->shared->vcpu_info[0].evtchn_upcall_pending)
        return 1;
    if (evtchn_virq_port(&d->evtchn, VIRQ_CONSOLE))
        return 1;                       /* input may still be typed */
    for (uint32_t irq = 0; irq < EVTCHN_NR_PIRQS; irq++)
        if (evtchn_pirq_port(&d->evtchn, irq))
            return 1;
    return 0;
}

void progress_check_idle(void)
{
    char who[64];
    uint32_t n = 0;
    for (int i = 0; i < MAX_DOMAINS; i++) {
        const struct domain *d = &domains[i];
        if (d->state != DOM_RUNNABLE && d->state != DOM_BLOCKED)
            continue;
        if (can_be_woken(d))
            return;
        if (n + 8 < sizeof who)
            n += (uint32_t)snprintf(who + n, sizeof who - n, " d%u", d->id);
    }
    if (!n)
        return;                          /* nobody left: the run is over */
    if (timer_next_deadline())
        return;
    printk("STOPPED: deadlock: every domain is blocked (%s) and nothing can wake one: "
           "no timer set, no event pending, no interrupt bound\n", who + 1);
    stop(WHY_DEADLOCK, HV_EXIT_DEADLOCK, DOMID_IDLE, 0, 0);
}
