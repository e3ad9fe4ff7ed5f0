/*
 * hv/sched.h — choosing which domain runs.
 *
 * Hypercalls and traps never switch domains in the middle of their work:
 * they ask for a switch (need_resched), and trap() calls schedule() on the
 * way out, after the current domain's result is safely in its registers.
 * This foundation has one policy, round-robin (sched=rr); the scheduling
 * issue adds the scheduler interface and Borrowed Virtual Time.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <stdint.h>

struct domain;

/* Why the scheduler ran: the "schedwhy" enum in trace-events.def. */
#define SCHED_START  0
#define SCHED_YIELD  1
#define SCHED_BLOCK  2
#define SCHED_TICK   3
#define SCHED_EXIT   4
#define SCHED_WAKE   5

extern int need_resched;

void sched_init(uint32_t tick_ms);
void sched_request(int reason);          /* switch on the way out of trap() */
void sched_block(struct domain *d);
void sched_wake(struct domain *d);
void sched_tick(int from_guest);         /* called by the timer interrupt */
void schedule(void);                     /* only at the end of trap() */
void sched_start(void) __attribute__((noreturn));

#endif
