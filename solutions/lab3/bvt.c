/*
 * solutions/lab3/bvt.c — LAB 3 reference: the core of Borrowed Virtual Time
 * (pick next, account, warp).  The student version is labs/lab3/bvt.c; the
 * framework around it is hv/sched/sched_bvt.c, the terms are in
 * hv/sched/sched_policy.h.
 *
 * The idea in one line: every vcpu has a virtual clock that runs slower the
 * heavier it is; always run the one whose clock is furthest behind.  Warp
 * lets a latency-sensitive vcpu pretend its clock is further behind than it
 * is, for a limited time.
 *
 * Cost of a decision: bvt_pick_next() asks the framework for the lowest
 * and second-lowest evt (bvt_lowest(), O(1) from a heap) and does constant
 * work besides; the framework then re-sorts the one vcpu that ran
 * (O(log n)).  A first version that scanned the queue was O(n); bench/
 * shows both.
 */
#include "sched/lab3.h"

int64_t bvt_evt(const struct sched_vcpu *v)
{
    int64_t evt = (int64_t)v->avt;
    if (v->warped)
        evt -= (int64_t)v->warp_ns;
    return evt;
}

struct sched_pick bvt_pick_next(struct sched_queue *q, uint64_t now)
{
    struct sched_pick p = { NULL, 0 };
    struct sched_vcpu *cur = q->current, *chosen, *rival;
    (void)now;

    if (cur != NULL && cur->runnable) {
        /* Hysteresis: the running vcpu stays until its evt is a whole
         * context-switch allowance past the best other one.  Without it,
         * two equal vcpus would swap every MCU (thrashing). */
        struct sched_vcpu *other = bvt_lowest(q, cur);
        if (other != NULL &&
            cur->evt >= other->evt + (int64_t)bvt_ctx_allow_virtual(q, cur))
            chosen = other;
        else
            chosen = cur;
    } else {
        chosen = bvt_lowest(q, NULL);
    }
    if (chosen == NULL)
        return p;               /* nobody runnable: idle */

    /* The slice: until chosen's evt passes its closest rival's by the
     * allowance (the point where the rule above would switch), in whole
     * MCUs, at least one, at most the longest slice. */
    p.vcpu = chosen;
    p.slice_ns = q->slice_ns;
    rival = bvt_lowest(q, chosen);
    if (rival != NULL) {
        int64_t gap = rival->evt + (int64_t)bvt_ctx_allow_virtual(q, chosen)
                      - chosen->evt;
        uint64_t mcus = 1;
        if (gap > 0)
            mcus = ((uint64_t)gap + chosen->mcu_advance - 1) / chosen->mcu_advance;
        if (mcus * q->mcu_ns < p.slice_ns)
            p.slice_ns = mcus * q->mcu_ns;
    }
    /* A warped vcpu must come back to the scheduler when its warp runs
     * out, so that it stops jumping the queue. */
    if (chosen->warped && chosen->warp_limit_ns) {
        uint64_t left = chosen->warp_limit_ns - chosen->warp_ran_ns;
        if (left < p.slice_ns)
            p.slice_ns = left;
    }
    return p;
}

void bvt_account(struct sched_queue *q, struct sched_vcpu *v,
                 uint64_t ran_ns, uint64_t now)
{
    /* Charged in whole minimum charging units, rounded up. */
    uint64_t mcus = (ran_ns + q->mcu_ns - 1) / q->mcu_ns;

    v->cpu_ns += ran_ns;
    v->avt += mcus * v->mcu_advance;
    if (v->warped) {
        v->warp_ran_ns += ran_ns;
        if (v->warp_limit_ns && v->warp_ran_ns >= v->warp_limit_ns)
            bvt_warp_stop(v, now);     /* borrowed long enough */
    }
    v->evt = bvt_evt(v);
}

void bvt_warp_start(struct sched_vcpu *v, uint64_t now)
{
    if (!v->warp_enabled || v->warped)
        return;
    /* The unwarp requirement: a vcpu whose warp ended recently must wait
     * before borrowing again, so warp cannot be chained into a monopoly. */
    if (v->ever_warped && now - v->unwarped_at < v->unwarp_req_ns)
        return;
    v->warped = 1;
    v->warped_since = now;
    v->warp_ran_ns = 0;
    v->evt = bvt_evt(v);
}

void bvt_warp_stop(struct sched_vcpu *v, uint64_t now)
{
    if (!v->warped)
        return;
    v->warped = 0;
    v->unwarped_at = now;
    v->ever_warped = 1;
    v->evt = bvt_evt(v);
}
