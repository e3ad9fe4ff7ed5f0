/*
 * hv/sched/lab3.h — the functions lab 3 asks students to write: the heart of
 * Borrowed Virtual Time.
 *
 * You write their bodies in labs/lab3/bvt.c (the reference is built in when
 * lab 3 is not yours); the framework in hv/sched/sched_bvt.c only calls them.  The vocabulary
 * (MCU, avt, evt, warp, ...) is explained in hv/sched/sched_policy.h.
 */
#ifndef HV_LAB3_H
#define HV_LAB3_H

#include <stdint.h>
#include "sched/sched_policy.h"

/* v's effective virtual time: avt, or avt - warp while warped. */
int64_t bvt_evt(const struct sched_vcpu *v);

/* Choose the runnable vcpu to run and its slice (the framework has just
 * brought q->svt up to date).  Lowest evt wins, but the current vcpu keeps
 * the CPU until its evt passes the best other one's by the context-switch
 * allowance.  No runnable vcpu: {NULL, 0}. */
struct sched_pick bvt_pick_next(struct sched_queue *q, uint64_t now);

/* v ran for ran_ns, ending at `now`: count it, charge its avt in whole
 * minimum charging units, and end its warp if it used up its warp limit. */
void bvt_account(struct sched_queue *q, struct sched_vcpu *v,
                 uint64_t ran_ns, uint64_t now);

/* v has just woken at `now`: warp it if it may (warp enabled, and the
 * unwarp requirement has passed since its last warp ended). */
void bvt_warp_start(struct sched_vcpu *v, uint64_t now);

/* v's warp ends at `now` (it blocked, or reached its warp limit). */
void bvt_warp_stop(struct sched_vcpu *v, uint64_t now);

/* Framework helper (hv/sched/sched_bvt.c): the runnable vcpu with the lowest
 * evt, other than `skip` (NULL: none skipped); NULL if there is none.
 * O(1): the framework keeps runnable vcpus in a heap ordered by evt, and
 * keeps each vcpu's evt field up to date whenever its avt or warp changes
 * (your bvt_account, bvt_warp_start and bvt_warp_stop must update v->evt
 * too, as the reference does). */
struct sched_vcpu *bvt_lowest(const struct sched_queue *q,
                              const struct sched_vcpu *skip);

/* Framework helper (hv/sched/sched_bvt.c) the lab code may use: the
 * context-switch allowance of v in virtual time, i.e. how much v's evt
 * advances while it runs for ctx_allow_ns. */
uint64_t bvt_ctx_allow_virtual(const struct sched_queue *q,
                               const struct sched_vcpu *v);

#endif
