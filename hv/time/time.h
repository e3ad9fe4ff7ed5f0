/*
 * hv/time/time.h — time: the TSC, the PIT, system time and the wall clock.
 *
 * Course ("Xen and time"): cycle counter, system time since boot, wall
 * clock, and per-domain virtual time (advances only while the domain runs),
 * all published in the shared-info page.  The course's Xen updates a
 * guest's copy every 10 ms and at each schedule; hvkit updates the running
 * domain's at every 1 ms hypervisor tick and whenever a domain is
 * scheduled in, so the record a guest reads is never more than a
 * millisecond old (and the guest extrapolates from it with the TSC).
 */
#ifndef HV_TIME_H
#define HV_TIME_H

#include <stdint.h>

struct domain;

/* The hypervisor's own tick (PIT channel 0, re-armed one-shot).  Not the
 * guests' periodic timer, which is tick= ms (default 10) and is counted
 * out of these in hv/time/timer.c. */
#define HV_TIMER_MS 1

extern uint32_t tsc_khz;

void time_init(uint32_t tick_ms);        /* PIC, TSC calibration, RTC, PIT */
uint32_t time_tick_ms(void);             /* the guests' periodic timer (tick=) */
void time_start_ticks(void);             /* arm the timer, unmask its interrupt */
/* The timer interrupt: returns 1 if a HV_TIMER_MS boundary has passed (the
 * hypervisor's tick), 0 if it came for a one-shot deadline only. */
int  time_timer_interrupt(void);
/* Re-arm for the next tick or `deadline` (0: none), whichever is sooner. */
void time_timer_rearm(uint64_t deadline);
/* A new deadline: re-arm now if it is sooner than what the timer is set for. */
void time_timer_sooner(uint64_t deadline);
/* 1 once the time the timer is armed for has passed: its interrupt is
 * waiting (interrupts are off in the hypervisor).  Long hypercalls ask
 * (hv/core/continuation.c). */
int  time_timer_due(void);
uint64_t time_now_ns(void);              /* since boot */
uint64_t tsc_to_ns(uint64_t tsc);
void time_update_shared(struct domain *d);
void irq_eoi(int irq);
void irq_unmask(int irq);                /* let a line through the PIC */

#endif
