/*
 * labs/lab3/bvt.c — LAB 3: the core of Borrowed Virtual Time (pick next,
 * account, warp).  The framework around it is hv/sched/sched_bvt.c; the terms
 * (MCU, weight, avt, evt, context-switch allowance, warp, warp limit,
 * unwarp requirement) are explained in hv/sched/sched_policy.h; the contract of
 * each function is in hv/sched/lab3.h.
 *
 * These stubs build and run, but they schedule badly: the first runnable
 * vcpu always wins, nobody is charged virtual time, and nobody ever warps.
 * The unit tests (tests/unit/test_sched_bvt.c) fail until you fix that.
 */
#include "sched/lab3.h"

/* TODO(lab3): avt, minus the warp while the vcpu is warped. */
int64_t bvt_evt(const struct sched_vcpu *v)
{
    return (int64_t)v->avt;
}

/*
 * TODO(lab3): choose the runnable vcpu with the lowest evt.  The current
 * vcpu (q->current) keeps the CPU until its evt is at least
 * bvt_ctx_allow_virtual() past the best other one.  The slice: until the
 * chosen one's evt passes its closest rival's by that allowance, in whole
 * MCUs (at least one, at most q->slice_ns), and no longer than what is
 * left of its warp limit.  Use bvt_lowest() (hv/sched/lab3.h) to find the best
 * and the second best: it is O(1), so your decision is too.  Say what a
 * decision costs.
 */
struct sched_pick bvt_pick_next(struct sched_queue *q, uint64_t now)
{
    struct sched_pick p = { NULL, 0 };
    (void)now;
    for (int i = 0; i < q->nr; i++) {
        if (q->vcpu[i]->runnable) {
            p.vcpu = q->vcpu[i];
            p.slice_ns = q->slice_ns;
            break;
        }
    }
    return p;
}

/* Every function below that changes avt or the warp must also set
 * v->evt = bvt_evt(v): the framework keeps the runnable vcpus in a heap
 * ordered by v->evt (bvt_lowest() reads it), and never recomputes it. */

/* TODO(lab3): charge avt in whole MCUs (rounded up: 1.1 MCU costs 2) of
 * mcu_advance each; update v->evt;
 * count warped run time and end the warp at the warp limit. */
void bvt_account(struct sched_queue *q, struct sched_vcpu *v,
                 uint64_t ran_ns, uint64_t now)
{
    (void)q; (void)now;
    v->cpu_ns += ran_ns;
}

/* TODO(lab3): warp v (and update v->evt) if warp is enabled and the unwarp requirement has
 * passed since its last warp ended. */
void bvt_warp_start(struct sched_vcpu *v, uint64_t now)
{
    (void)v; (void)now;
}

/* TODO(lab3): end v's warp, remember when, and update v->evt. */
void bvt_warp_stop(struct sched_vcpu *v, uint64_t now)
{
    (void)v; (void)now;
}
