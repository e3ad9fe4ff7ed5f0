/*
 * hv/sched/sched_rr.c — round-robin behind the scheduler interface, and the run
 * queue bookkeeping both policies share.
 *
 * Round-robin is the policy to compare BVT with: every runnable vcpu gets
 * the same quantum in turn, whatever it is doing; blocked vcpus are skipped,
 * so their turns go to the others.  It has no weights and no notion of
 * latency: a vcpu that wakes waits for its turn (up to n-1 quanta).
 *
 * Cost of a decision: a scan from the cursor, O(n) in the worst case.
 */
#ifdef HV
#include "core/lib.h"
#else
#include <string.h>
#endif
#include "sched/sched_policy.h"

/* The list of every vcpu the policy knows, runnable or not, in the order
 * they arrived (domain id order at boot).  RR's turns follow this order;
 * BVT keeps it only so that the trace can list every vcpu's times. */
int sched_queue_add(struct sched_queue *q, struct sched_vcpu *v)
{
    if (q->nr >= SCHED_MAX_VCPUS)
        return -HV_ENOSPC;
    q->vcpu[q->nr++] = v;
    return 0;
}

void sched_queue_remove(struct sched_queue *q, struct sched_vcpu *v)
{
    for (int i = 0; i < q->nr; i++) {
        if (q->vcpu[i] != v)
            continue;
        /* Keep the order: round-robin's turns follow it. */
        for (int j = i; j + 1 < q->nr; j++)
            q->vcpu[j] = q->vcpu[j + 1];
        q->nr--;
        if (q->rr_next > i)
            q->rr_next--;
        if (q->rr_next >= q->nr)
            q->rr_next = 0;
        break;
    }
    if (q->current == v)
        q->current = NULL;
}

static void rr_init(struct sched_queue *q)
{
    memset(q, 0, sizeof *q);
    q->slice_ns = SCHED_SLICE_NS;
}

static int rr_vcpu_init(struct sched_queue *q, struct sched_vcpu *v,
                        uint32_t id, uint64_t now)
{
    (void)now;
    memset(v, 0, sizeof *v);
    v->id = id;
    v->weight = 1;
    return sched_queue_add(q, v);
}

static void rr_vcpu_destroy(struct sched_queue *q, struct sched_vcpu *v)
{
    sched_queue_remove(q, v);
}

static int rr_wake(struct sched_queue *q, struct sched_vcpu *v, uint64_t now)
{
    (void)now;
    v->runnable = 1;
    /* Only an idle CPU is worth interrupting: otherwise, wait your turn. */
    return q->current == NULL || !q->current->runnable;
}

static void rr_sleep(struct sched_queue *q, struct sched_vcpu *v, uint64_t now)
{
    (void)q; (void)now;
    v->runnable = 0;
}

static struct sched_pick rr_pick_next(struct sched_queue *q, uint64_t now)
{
    struct sched_pick p = { NULL, 0 };
    (void)now;
    /* The first runnable vcpu at or after the cursor, wrapping around. */
    for (int k = 0; k < q->nr; k++) {
        int i = (q->rr_next + k) % q->nr;
        if (q->vcpu[i]->runnable) {
            p.vcpu = q->vcpu[i];
            p.slice_ns = q->slice_ns;
            q->rr_next = (i + 1) % q->nr;   /* next turn: the one after */
            break;
        }
    }
    q->current = p.vcpu;
    return p;
}

/* Nothing to charge but the accounting: round-robin's decision does not
 * depend on how long anyone ran, which is exactly why it cannot give a
 * domain that ran little a quicker turn (BVT's svt and warp can). */
static void rr_account(struct sched_queue *q, struct sched_vcpu *v,
                       uint64_t ran_ns, uint64_t now)
{
    (void)q; (void)now;
    v->cpu_ns += ran_ns;
}

static int rr_set_params(struct sched_queue *q, struct sched_vcpu *v,
                         const struct sched_params *p)
{
    (void)q; (void)v; (void)p;
    return -HV_ENOSYS;      /* round-robin has nothing to tune */
}

static void rr_get_params(const struct sched_vcpu *v, struct sched_params *p)
{
    (void)v;
    memset(p, 0, sizeof *p);
    p->weight = 1;          /* everyone is equal */
}

const struct scheduler sched_rr = {
    .name         = "rr",
    .init         = rr_init,
    .vcpu_init    = rr_vcpu_init,
    .vcpu_destroy = rr_vcpu_destroy,
    .wake         = rr_wake,
    .sleep        = rr_sleep,
    .pick_next    = rr_pick_next,
    .account      = rr_account,
    .set_params   = rr_set_params,
    .get_params   = rr_get_params,
};
