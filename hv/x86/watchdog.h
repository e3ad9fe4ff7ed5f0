/*
 * hv/x86/watchdog.h — the NMI watchdog (hv/x86/watchdog.c): a periodic
 * non-maskable interrupt that stops a guest running with the real
 * interrupts off, and reports a hypervisor stuck with them off.
 */
#ifndef HV_WATCHDOG_H
#define HV_WATCHDOG_H

#include <stdint.h>
#include "x86/traps.h"

/* Start it (after the timer ticks have started). */
void watchdog_init(uint32_t tsc_khz);
/* The timer interrupt was handled: the hypervisor is not stuck. */
void watchdog_tick(void);
/* Vector 2. */
void watchdog_nmi(struct cpu_regs *regs, int from_guest);
extern uint32_t watchdog_nmis;

#endif
