/*
 * hv/sched/sched_policy.h — the scheduler interface: one table of operations that
 * every scheduling policy fills in, and the small per-vcpu record they use.
 *
 * Where this sits in the story: hv/sched/sched.c is the *mechanism* (the context
 * switch, idle, the timer tick).  Which domain runs next, and for how long,
 * is a *policy*, and the course shows two: round-robin and Borrowed Virtual
 * Time (BVT, Duda & Cheriton 1999, the scheduler of the Xen paper).  Keeping
 * the policy behind a table of function pointers means `sched=rr` or
 * `sched=bvt` on the command line picks one at boot, and a researcher can
 * add a third without touching the mechanism.
 *
 * Everything here is pure logic: no hardware, no globals.  Time is passed
 * in (`now`, nanoseconds since boot), so the same code runs inside the
 * hypervisor and in the host unit tests on a simulated clock.
 *
 * How the mechanism drives a policy (the loop the tests also simulate):
 *
 *      p = s->pick_next(q, now);         who runs, and for at most how long
 *      ... p.vcpu runs for ran_ns (its slice, or less if it blocks,
 *          yields, or a wake asks for a new decision) ...
 *      s->account(q, p.vcpu, ran_ns, now + ran_ns);   charge it
 *
 * The timer tick is just an account() of the time since the last one
 * followed, when the slice is used up, by a new pick_next().  wake() returns
 * 1 when the woken vcpu should preempt the current one right away (the
 * hypervisor then sets need_resched).
 */
#ifndef HV_SCHED_POLICY_H
#define HV_SCHED_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "public/hvkit.h"

/* How many vcpus one run queue can hold (at least MAX_DOMAINS).  Larger
 * than the hypervisor needs so that the host benchmark can measure a
 * decision's cost as the number of domains grows (bench/sched-cost.c). */
#define SCHED_MAX_VCPUS   256

/* Defaults, all in nanoseconds of real time. */
#define SCHED_SLICE_NS       30000000ull   /* RR quantum, and BVT's longest slice */
#define BVT_MCU_NS            1000000ull   /* minimum charging unit: 1 ms */
#define BVT_CTX_ALLOW_NS      5000000ull   /* context-switch allowance: 5 ms */

/* Limits that set_params() enforces. */
#define BVT_WEIGHT_MAX       1000
#define BVT_WARP_MAX_NS      1000000000ull  /* 1 s of virtual time */
#define BVT_LIMIT_MAX_NS    10000000000ull  /* 10 s for warp limit and unwarp requirement */

/*
 * The BVT vocabulary (course: "Borrowed Virtual Time").
 *
 *  - Minimum charging unit (MCU): the grain of accounting.  A vcpu that ran
 *    is charged in whole MCUs, rounded up, so a domain that runs for a
 *    sliver of time and blocks still pays for one unit.
 *  - Weight: the share a vcpu is entitled to.  Each vcpu's virtual time
 *    advances by mcu_advance per MCU it runs, and mcu_advance is inversely
 *    proportional to weight: a weight-4 vcpu's clock runs 4 times slower
 *    than a weight-1 vcpu's, so it can run 4 times as long before it is
 *    "ahead".  Virtual time is counted in nanoseconds of a weight-1 vcpu.
 *  - Actual virtual time (avt): how much a vcpu has been charged so far,
 *    in virtual time.  The scheduler keeps avts level, which gives each
 *    vcpu CPU time in proportion to its weight.
 *  - Effective virtual time (evt): what the scheduler actually compares.
 *    evt = avt, or avt - warp while the vcpu is warped.  The runnable vcpu
 *    with the lowest evt runs.
 *  - Context-switch allowance (C): real time a vcpu may keep running after
 *    its evt has passed another's, so that two vcpus with nearly equal evts
 *    do not thrash by switching every MCU.  It bounds how far apart evts
 *    get, hence the dispatch latency.
 *  - Warp (W): a latency-sensitive vcpu "borrows" virtual time from its own
 *    future: while warped its evt is W lower, so when it wakes it runs
 *    almost at once.  It still pays (avt advances as usual), so it does not
 *    get a larger share in the long run — it gets it *sooner*.
 *  - Warp limit (L): how much time a vcpu may run while warped; after that
 *    it loses its warp.  A warped vcpu that turns CPU-bound cannot starve
 *    the others.  0 means no limit.
 *  - Unwarp requirement (U): how long a vcpu must stay unwarped (after its
 *    warp ended) before it may warp again.
 *  - Scheduler virtual time (svt): the lowest avt among runnable vcpus.  A
 *    vcpu that wakes after a long sleep starts no lower than svt, so
 *    sleeping does not bank credit (otherwise it would then monopolize the
 *    CPU).  This is how "idle time flows to domains that want it": the time
 *    a sleeper did not use went to the others, and is not owed back.
 */
struct sched_vcpu {
    uint32_t id;              /* the domain id, for traces and tie-breaks */
    int      runnable;        /* 1: wants the CPU; 0: blocked */
    uint64_t cpu_ns;          /* accounting: real time it has run */

    /* Round-robin needs nothing per vcpu beyond `runnable`: its only state
     * is where the turn is (sched_queue.rr_next). */

    /* Borrowed Virtual Time. */
    uint32_t weight;          /* 1..BVT_WEIGHT_MAX */
    uint64_t mcu_advance;     /* virtual ns per MCU run = mcu_ns / weight */
    uint64_t avt;             /* actual virtual time */
    int64_t  evt;             /* effective virtual time (may go below 0) */
    int      warp_enabled;    /* may warp at all (warp_ns > 0) */
    int      warped;          /* is warped now */
    uint64_t warp_ns;         /* W, in virtual ns */
    uint64_t warp_limit_ns;   /* L, real run time while warped; 0 = none */
    uint64_t unwarp_req_ns;   /* U, real time */
    uint64_t warped_since;    /* when the current warp began */
    uint64_t warp_ran_ns;     /* run time used in the current warp */
    uint64_t unwarped_at;     /* when the last warp ended */
    int      ever_warped;     /* 0: no warp has ended yet, U does not apply */

    /* Where it sits in the queue's heaps (hv/sched/sched_heap.h): 1-based, 0 when
     * not in it.  Only runnable vcpus are in the heaps. */
    int      heap_pos[2];
};

/* A min-heap of runnable vcpus (hv/sched/sched_heap.c), ordered by evt or avt
 * (ties broken by id, so decisions are deterministic). */
#define SCHED_HEAP_EVT 0
#define SCHED_HEAP_AVT 1
struct sched_heap {
    int kind;                                /* SCHED_HEAP_EVT or _AVT */
    int n;
    struct sched_vcpu *v[SCHED_MAX_VCPUS];   /* v[0] is the lowest */
};

/* One CPU's run queue: the vcpus a policy chooses among. */
struct sched_queue {
    struct sched_vcpu *vcpu[SCHED_MAX_VCPUS];
    int      nr;
    struct sched_vcpu *current;   /* what the last pick_next chose (or NULL) */
    uint64_t slice_ns;            /* RR quantum; BVT's longest slice */
    int      rr_next;             /* RR: index where the next turn starts */
    uint64_t mcu_ns;              /* BVT: minimum charging unit */
    uint64_t ctx_allow_ns;        /* BVT: context-switch allowance */
    uint64_t svt;                 /* BVT: scheduler virtual time */
    struct sched_heap by_evt;     /* BVT: runnable vcpus, lowest evt first */
    struct sched_heap by_avt;     /* BVT: runnable vcpus, lowest avt first (svt) */
};

/* What pick_next decides.  vcpu NULL means "nobody: idle until a wake". */
struct sched_pick {
    struct sched_vcpu *vcpu;
    uint64_t slice_ns;            /* run it for at most this long */
};

/* The parameters dom0 may set with domctl (hv/core/domctl.c,
 * DOMCTL_sched_set).  Round-robin has none. */
struct sched_params {
    uint32_t weight;
    uint64_t warp_ns;
    uint64_t warp_limit_ns;
    uint64_t unwarp_req_ns;
};

struct scheduler {
    const char *name;                                  /* "rr", "bvt" */
    void (*init)(struct sched_queue *q);               /* an empty queue */
    /* Add v (blocked, not yet runnable) to q; -HV_ENOSPC when full. */
    int  (*vcpu_init)(struct sched_queue *q, struct sched_vcpu *v,
                      uint32_t id, uint64_t now);
    void (*vcpu_destroy)(struct sched_queue *q, struct sched_vcpu *v);
    /* v becomes runnable; returns 1 if it should preempt the current one. */
    int  (*wake)(struct sched_queue *q, struct sched_vcpu *v, uint64_t now);
    /* v blocks (sched_op block, hlt, pause). */
    void (*sleep)(struct sched_queue *q, struct sched_vcpu *v, uint64_t now);
    struct sched_pick (*pick_next)(struct sched_queue *q, uint64_t now);
    /* v ran for ran_ns, ending at `now`. */
    void (*account)(struct sched_queue *q, struct sched_vcpu *v,
                    uint64_t ran_ns, uint64_t now);
    /* 0, or -HV_EINVAL for bad values (-HV_ENOSYS: policy has none). */
    int  (*set_params)(struct sched_queue *q, struct sched_vcpu *v,
                       const struct sched_params *p);
    void (*get_params)(const struct sched_vcpu *v, struct sched_params *p);
};

extern const struct scheduler sched_rr;
extern const struct scheduler sched_bvt;

/* Queue bookkeeping shared by the policies (hv/sched/sched_rr.c). */
int  sched_queue_add(struct sched_queue *q, struct sched_vcpu *v);
void sched_queue_remove(struct sched_queue *q, struct sched_vcpu *v);

#endif
