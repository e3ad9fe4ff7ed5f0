/*
 * hv/time/timer.c — the guests' timers: each domain's one-shot timer
 * (set_timer_op) and the periodic guest tick, both delivered as VIRQ_TIMER.
 *
 * Where this sits in the story (course: "Xen and time"): the hypervisor owns
 * the only real timer (the PIT, hv/time/clock.c); a guest asks for a wake-up
 * at a system time and gets an *event* when it is due, never an interrupt.
 * The PIT runs one-shot, re-armed by trap() for the earliest of: the next
 * 1 ms tick, the earliest domain deadline here (timer_next_deadline), and
 * the end of the running domain's slice.  So a guest timer fires within
 * microseconds of its deadline, not at the next 10 ms tick.
 */
#include "time/timer.h"
#include "core/domain.h"
#include "event/upcall.h"
#include "time/time.h"
#include "trace/trace.h"
#include "public/event_channel.h"

/* One timer per domain, as in Xen's set_timer_op: a new deadline replaces
 * the old one, 0 cancels.  The deadline is absolute system time, which the
 * guest computes from its time record, so "wake me in 3 ms" needs no
 * second hypercall to ask what time it is. */
void timer_set(struct domain *d, uint64_t deadline_ns)
{
    uint64_t now = time_now_ns();
    d->timer_deadline = deadline_ns;
    /* Optimization: the plain version calls trace2 directly, which tests
     * trace_enabled only after its arguments, two 64-bit divisions, are
     * computed; testing first costs nothing when tracing is on. */
    if (trace_enabled)
        trace2(TRC_TIMER_SET, d->id, (uint32_t)(deadline_ns / 1000),
               deadline_ns ? (uint32_t)(int32_t)(((int64_t)deadline_ns - (int64_t)now) / 1000) : 0);
    /* A deadline already in the past fires at once (as in Xen). */
    if (deadline_ns && deadline_ns <= now) {
        d->timer_deadline = 0;
        trace2(TRC_TIMER_FIRE, d->id, (uint32_t)(deadline_ns / 1000), 0);
        events_raise_virq(d, VIRQ_TIMER);
        return;
    }
    time_timer_sooner(deadline_ns);
}

/* A scan of every domain, at every timer interrupt: with 32 domains at
 * most that is cheaper to read and to get right than a sorted queue. */
uint64_t timer_next_deadline(void)
{
    uint64_t first = 0;
    for (int i = 0; i < MAX_DOMAINS; i++) {
        uint64_t t = domains[i].timer_deadline;
        if (domains[i].state == DOM_PAUSED)
            continue;           /* waits for its unpause, then the next tick fires it */
        if (t && (!first || t < first))
            first = t;
    }
    return first;
}

void timer_tick(int tick)
{
    static uint32_t ms_since_periodic;
    uint64_t now = time_now_ns();

    for (int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (!d->timer_deadline || d->timer_deadline > now)
            continue;
        /* A paused domain's timer waits: it fires once the domain is
         * unpaused (its guest sleeps on it).  A dead domain's timer is
         * dropped without an event: there is no one left to deliver it to. */
        if (d->state == DOM_PAUSED)
            continue;
        if (d->state != DOM_RUNNABLE && d->state != DOM_BLOCKED) {
            d->timer_deadline = 0;
            continue;
        }
        uint64_t late = now - d->timer_deadline;
        trace2(TRC_TIMER_FIRE, d->id, (uint32_t)(d->timer_deadline / 1000),
               (uint32_t)(late / 1000));
        d->timer_deadline = 0;
        events_raise_virq(d, VIRQ_TIMER);
    }

    /* The periodic tick goes to whoever is running: it drives the guest
     * kernel's own preemptive scheduling of its processes.  A domain that
     * is not running does not need to know that time passed until it runs
     * (its time record tells it how much). */
    if (!tick)
        return;
    ms_since_periodic += HV_TIMER_MS;
    if (ms_since_periodic >= time_tick_ms()) {
        ms_since_periodic = 0;
        if (current)
            events_raise_virq(current, VIRQ_TIMER);
    }
}
