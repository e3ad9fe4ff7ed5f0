/*
 * hv/time/timer.h — the guests' one-shot timers and the periodic guest tick
 * (hv/time/timer.c), delivered as VIRQ_TIMER events.
 */
#ifndef HV_TIMER_H
#define HV_TIMER_H

#include <stdint.h>

struct domain;

/* The timer interrupt: fire expired one-shot timers, and if it is a tick
 * (`tick` = 1 ms boundary), every tick= ms send the running domain
 * VIRQ_TIMER. */
void timer_tick(int tick);

/* The earliest one-shot timer any domain has set (0: none): trap() arms
 * the PIT for it, so a guest's timer fires when it asked, not at a tick. */
uint64_t timer_next_deadline(void);

/* set_timer_op's work: arm (or with 0 cancel) d's one-shot timer. */
void timer_set(struct domain *d, uint64_t deadline_ns);

#endif
