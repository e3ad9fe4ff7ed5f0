/*
 * hv/sched/sched_heap.h — a binary min-heap of vcpus, for the BVT scheduler.
 *
 * Why: BVT's question at every decision is "which runnable vcpu has the
 * lowest effective virtual time (and which is second)?".  Scanning all of
 * them is O(n).  A heap keeps the lowest at the top (O(1) to look at, the
 * second is one of the top's two children) and costs O(log n) to fix after
 * one vcpu's time changes — and a decision changes only one (the one that
 * ran).  bench/ measures the difference as the number of domains grows.
 *
 * Each vcpu remembers where it sits in each heap (pos, 1-based; 0 = not in
 * it), so removing or re-sorting a given vcpu needs no search.
 */
#ifndef HV_SCHED_HEAP_H
#define HV_SCHED_HEAP_H

#include <stdint.h>
#include "sched/sched_policy.h"

/* Insert v (not in h yet) / remove v (in h) / v's key changed: re-sort. */
void sched_heap_insert(struct sched_heap *h, struct sched_vcpu *v);
void sched_heap_remove(struct sched_heap *h, struct sched_vcpu *v);
void sched_heap_update(struct sched_heap *h, struct sched_vcpu *v);

/* The vcpu with the lowest key, or NULL if h is empty. */
struct sched_vcpu *sched_heap_min(const struct sched_heap *h);
/* The lowest other than `skip` (which may be NULL or not in h). */
struct sched_vcpu *sched_heap_min_except(const struct sched_heap *h,
                                         const struct sched_vcpu *skip);

#endif
