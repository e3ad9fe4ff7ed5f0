/*
 * hv/sched/sched_bvt.c — Borrowed Virtual Time behind the scheduler interface:
 * the framework around lab 3.
 *
 * BVT (course: "Borrowed Virtual Time", the scheduler of the Xen paper)
 * gives each vcpu a share of the CPU in proportion to its weight, like a
 * fair-share scheduler, and adds *warp*: a latency-sensitive vcpu (one that
 * answers network packets, say) may borrow against its future share, so
 * that it is dispatched almost at once when it wakes.  The terms are
 * explained in hv/sched/sched_policy.h.
 *
 * This file is the part students are given: creating vcpus, checking and
 * storing parameters, scheduler virtual time, wake and sleep.  The heart of
 * the policy — pick next, account, warp — is lab 3 (hv/sched/lab3.h;
 * labs/lab3/bvt.c).
 *
 * Optimization: the plain version finds the lowest evt (and the svt) by
 * scanning every runnable vcpu, O(n) per decision: from 4 to 256 domains
 * its cost grew 42 times, against 3.4 times for the heaps
 * (docs/performance.md).  A first reading can take bvt_lowest() and
 * update_svt() as "the minimum over the runnable vcpus" and skip the heaps.
 *
 * Cost of a decision: O(log n).  The runnable vcpus sit in two min-heaps
 * (hv/sched/sched_heap.c), one by evt — the lowest and the second lowest are at
 * the top — and one by avt, whose top is the scheduler virtual time.  A
 * decision looks at the tops (O(1)) and re-sorts only the vcpu that ran
 * (O(log n)); wake and sleep insert and remove one vcpu (O(log n)).
 * bench/ (make bench, "scheduler cost") shows the per-decision cost as the
 * number of domains grows, next to a linear scan.
 */
#ifdef HV
#include "core/lib.h"
#else
#include <string.h>
#endif
#include "sched/sched_policy.h"
#include "sched/sched_heap.h"
#include "sched/lab3.h"

/* C is real time, but evts are compared in virtual time, and v's virtual
 * time runs at its own rate: C / mcu_ns minimum charging units, each worth
 * mcu_advance virtual ns.  So a heavy vcpu's allowance is smaller in
 * virtual time, and it still gets C of real time before being switched. */
uint64_t bvt_ctx_allow_virtual(const struct sched_queue *q,
                               const struct sched_vcpu *v)
{
    return q->ctx_allow_ns / q->mcu_ns * v->mcu_advance;
}

struct sched_vcpu *bvt_lowest(const struct sched_queue *q,
                              const struct sched_vcpu *skip)
{
    return sched_heap_min_except(&q->by_evt, skip);
}

/* svt = the lowest avt among runnable vcpus: the top of the avt heap.  It
 * never goes down: every runnable vcpu starts at svt or above, and avts
 * only grow. */
static void update_svt(struct sched_queue *q)
{
    struct sched_vcpu *low = sched_heap_min(&q->by_avt);
    if (low && low->avt > q->svt)
        q->svt = low->avt;
}

/* v's times changed: put it back in order in both heaps. */
static void resort(struct sched_queue *q, struct sched_vcpu *v)
{
    sched_heap_update(&q->by_evt, v);
    sched_heap_update(&q->by_avt, v);
}

/* Integer division: with the 1 ms MCU and weights up to BVT_WEIGHT_MAX
 * (1000) the advance is at least 1000 virtual ns, never 0 (a vcpu whose
 * clock did not move would win every decision forever). */
static void set_weight(struct sched_queue *q, struct sched_vcpu *v,
                       uint32_t weight)
{
    v->weight = weight;
    /* Inversely proportional to weight: heavier vcpus' clocks run slower. */
    v->mcu_advance = q->mcu_ns / weight;
}

static void bvt_init(struct sched_queue *q)
{
    memset(q, 0, sizeof *q);
    q->slice_ns = SCHED_SLICE_NS;
    q->mcu_ns = BVT_MCU_NS;
    q->ctx_allow_ns = BVT_CTX_ALLOW_NS;
    q->by_evt.kind = SCHED_HEAP_EVT;
    q->by_avt.kind = SCHED_HEAP_AVT;
}

static int bvt_vcpu_init(struct sched_queue *q, struct sched_vcpu *v,
                         uint32_t id, uint64_t now)
{
    (void)now;
    memset(v, 0, sizeof *v);
    v->id = id;
    set_weight(q, v, 1);
    /* A newcomer starts level with the others, not with a lifetime of
     * credit. */
    v->avt = q->svt;
    v->evt = (int64_t)v->avt;
    return sched_queue_add(q, v);
}

static void bvt_vcpu_destroy(struct sched_queue *q, struct sched_vcpu *v)
{
    sched_heap_remove(&q->by_evt, v);
    sched_heap_remove(&q->by_avt, v);
    sched_queue_remove(q, v);
}

/* The moment BVT exists for: a vcpu that slept wakes, is brought up to
 * svt (sleeping banks no credit), warps if it may (its evt drops by W),
 * and preempts the running vcpu if its evt is now far enough below the
 * running one's. */
static int bvt_wake(struct sched_queue *q, struct sched_vcpu *v, uint64_t now)
{
    struct sched_vcpu *cur = q->current;

    if (v->runnable)
        return 0;
    v->runnable = 1;
    /* No banking of sleep: the time v did not use went to the others. */
    if (v->avt < q->svt)
        v->avt = q->svt;
    bvt_warp_start(v, now);
    v->evt = bvt_evt(v);
    sched_heap_insert(&q->by_evt, v);
    sched_heap_insert(&q->by_avt, v);

    /* Preempt by the same rule pick_next uses: the current vcpu keeps the
     * CPU until its evt is a context-switch allowance past the best. */
    if (cur == NULL || !cur->runnable)
        return 1;
    if (cur == v)
        return 0;
    return bvt_evt(cur) >= v->evt + (int64_t)bvt_ctx_allow_virtual(q, cur);
}

static void bvt_sleep(struct sched_queue *q, struct sched_vcpu *v, uint64_t now)
{
    v->runnable = 0;
    sched_heap_remove(&q->by_evt, v);
    sched_heap_remove(&q->by_avt, v);
    bvt_warp_stop(v, now);   /* a warp covers one burst of work, not a nap */
    v->evt = bvt_evt(v);
}

/* The framework's half of pick_next: svt first (lab 3's code may rely on
 * it being current), then the lab's decision, remembered as q->current
 * for the next wake's preemption test. */
static struct sched_pick bvt_sched_pick(struct sched_queue *q, uint64_t now)
{
    struct sched_pick p;
    update_svt(q);
    p = bvt_pick_next(q, now);
    q->current = p.vcpu;
    return p;
}

static void bvt_sched_account(struct sched_queue *q, struct sched_vcpu *v,
                              uint64_t ran_ns, uint64_t now)
{
    bvt_account(q, v, ran_ns, now);      /* lab 3 */
    resort(q, v);
}

/* dom0's domctl lands here (policy in dom0, mechanism here).  The limits
 * keep every later computation in range (a weight > 0 for set_weight;
 * bounded times, so that sums of them cannot overflow); the last check
 * refuses a combination that would mean nothing rather than guess what the
 * caller wanted. */
static int bvt_set_params(struct sched_queue *q, struct sched_vcpu *v,
                          const struct sched_params *p)
{
    if (p->weight == 0 || p->weight > BVT_WEIGHT_MAX)
        return -HV_EINVAL;
    if (p->warp_ns > BVT_WARP_MAX_NS)
        return -HV_EINVAL;
    if (p->warp_limit_ns > BVT_LIMIT_MAX_NS || p->unwarp_req_ns > BVT_LIMIT_MAX_NS)
        return -HV_EINVAL;
    /* A limit or requirement without a warp means the caller is confused. */
    if (p->warp_ns == 0 && (p->warp_limit_ns || p->unwarp_req_ns))
        return -HV_EINVAL;

    set_weight(q, v, p->weight);
    v->warp_ns = p->warp_ns;
    v->warp_limit_ns = p->warp_limit_ns;
    v->unwarp_req_ns = p->unwarp_req_ns;
    v->warp_enabled = p->warp_ns > 0;
    if (!v->warp_enabled)
        v->warped = 0;
    v->evt = bvt_evt(v);
    resort(q, v);
    return 0;
}

static void bvt_get_params(const struct sched_vcpu *v, struct sched_params *p)
{
    p->weight = v->weight;
    p->warp_ns = v->warp_ns;
    p->warp_limit_ns = v->warp_limit_ns;
    p->unwarp_req_ns = v->unwarp_req_ns;
}

const struct scheduler sched_bvt = {
    .name         = "bvt",
    .init         = bvt_init,
    .vcpu_init    = bvt_vcpu_init,
    .vcpu_destroy = bvt_vcpu_destroy,
    .wake         = bvt_wake,
    .sleep        = bvt_sleep,
    .pick_next    = bvt_sched_pick,
    .account      = bvt_sched_account,
    .set_params   = bvt_set_params,
    .get_params   = bvt_get_params,
};
