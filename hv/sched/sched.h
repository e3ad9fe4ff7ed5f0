/*
 * hv/sched/sched.h — choosing which domain runs (the mechanism in hv/sched/sched.c; the
 * policies behind hv/sched/sched_policy.h).
 *
 * Hypercalls and traps never switch domains in the middle of their work:
 * they ask for a switch (need_resched), and trap() calls schedule() on the
 * way out, after the current domain's result is safely in its registers.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <stdint.h>
#include "sched/sched_policy.h"

struct domain;

/* Why the scheduler ran: the "schedwhy" enum in trace-events.def.  Each
 * SCHEDULE trace record carries one, so a student can tell a preemption
 * (a warped domain woke) from a slice that ran out. */
#define SCHED_START    0
#define SCHED_YIELD    1
#define SCHED_BLOCK    2
#define SCHED_TICK     3    /* the running domain's slice is over */
#define SCHED_EXIT     4
#define SCHED_WAKE     5    /* the CPU was idle and somebody woke */
#define SCHED_PREEMPT  6    /* a wake-up (or new parameters) says: decide now */

extern int need_resched;
/* Domains loaded by schedule() since boot (xen_version(XENVER_hvkit_stats)). */
extern uint32_t domain_switches;

/* Choose the policy by name ("rr", "bvt"); -HV_EINVAL if unknown. */
int  sched_init(const char *policy_name);
const char *sched_name(void);
void sched_request(int reason);          /* switch on the way out of trap() */
int  sched_add_domain(struct domain *d); /* into the run queue */
void sched_domain_dead(struct domain *d);/* out of it, for good */
void sched_block(struct domain *d);      /* hlt: until an event or the next tick */
void sched_block_until_event(struct domain *d);   /* sched_op block */
void sched_wake(struct domain *d);
void sched_pause(struct domain *d);      /* dom0's DOMCTL_pause, before the state changes */
void sched_unpause(struct domain *d);    /* DOMCTL_unpause, after it changed */
/* The timer interrupt; tick = 1 when it is also the 1 ms tick. */
void sched_tick(int from_guest, int tick);
/* When the running domain's slice ends (0 when idle): the timer is armed
 * for it, so slices end on time, not at the next tick. */
uint64_t sched_slice_end(void);
int  sched_set_params(struct domain *d, const struct sched_params *p);
void sched_get_params(struct domain *d, struct sched_params *p);
uint64_t sched_dispatch_tsc(void);       /* TSC when current got the CPU */
void schedule(void);                     /* only at the end of trap() */
void sched_start(void) __attribute__((noreturn));

#endif
