/*
 * hv/ptwr.h — "writable page tables": a guest's direct write to one of its
 * (read-only) page tables faults; the hypervisor decodes the write,
 * validates the new entry and applies it.  (Placeholder until the memory
 * issue: no write is emulated yet.)
 */
#ifndef HV_PTWR_H
#define HV_PTWR_H

#include <stdint.h>

struct domain;
struct cpu_regs;

/* A #PF from the guest at address cr2: if it is a write to one of d's page
 * tables that we can emulate, do it (or refuse it), step eip past the
 * instruction and return 1.  Otherwise return 0: the fault is the guest's. */
int ptwr_page_fault(struct domain *d, struct cpu_regs *regs, uint32_t cr2);

#endif
