/*
 * tests/unit/sched_sim.h — a simulated CPU for the scheduler tests.
 *
 * The scheduling policies (hv/sched/sched_policy.h) are pure: they are told the
 * time.  So a test can run hours of "CPU time" in microseconds: pick_next,
 * let the chosen vcpu "run" until its slice ends or the next scripted event
 * (a wake or a block), account, decide again.  This is the loop the
 * hypervisor runs with a real clock.
 */
#ifndef TESTS_SCHED_SIM_H
#define TESTS_SCHED_SIM_H

#include <stdint.h>
#include "sched/sched_policy.h"

#define MS 1000000ull                /* nanoseconds */

struct sim_event {
    uint64_t at;
    struct sched_vcpu *v;
    int wake;                        /* 1 wake, 0 block */
};

/* Called at every decision (may be NULL). */
typedef void (*sim_pick_fn)(struct sched_vcpu *chosen, uint64_t now);

/* Run from `start` to `until`; events must be sorted by time. */
static inline void sim_run(const struct scheduler *s, struct sched_queue *q,
                           uint64_t start, uint64_t until,
                           const struct sim_event *ev, int nev,
                           sim_pick_fn on_pick)
{
    uint64_t now = start, slice_end;
    int ei = 0;
    struct sched_pick p = s->pick_next(q, now);
    if (on_pick)
        on_pick(p.vcpu, now);
    slice_end = p.vcpu ? now + p.slice_ns : UINT64_MAX;

    while (now < until) {
        uint64_t end = slice_end;
        int repick = 0;
        if (ei < nev && ev[ei].at < end)
            end = ev[ei].at;
        if (end > until)
            end = until;
        if (p.vcpu && end > now)
            s->account(q, p.vcpu, end - now, end);
        now = end;
        if (now >= slice_end)
            repick = 1;
        for (; ei < nev && ev[ei].at <= now; ei++) {
            if (ev[ei].wake) {
                if (s->wake(q, ev[ei].v, now))
                    repick = 1;
            } else {
                s->sleep(q, ev[ei].v, now);
                if (ev[ei].v == p.vcpu)
                    repick = 1;
            }
        }
        if (repick && now < until) {
            p = s->pick_next(q, now);
            if (on_pick)
                on_pick(p.vcpu, now);
            slice_end = p.vcpu ? now + p.slice_ns : UINT64_MAX;
        }
    }
}

/* v's share of `total` ns, in percent (an integer-free check is clearer
 * as a double on the host). */
static inline double sim_share(const struct sched_vcpu *v, uint64_t total)
{
    return 100.0 * (double)v->cpu_ns / (double)total;
}

#endif
