/*
 * hv/core/progress.h — stopping a run that can make no progress
 * (hv/core/progress.c): deadlock, a domain stuck on one trap, the
 * instruction limit.  Each ends QEMU with its own code (public/exit.h).
 */
#ifndef HV_PROGRESS_H
#define HV_PROGRESS_H

#include <stdint.h>

struct domain;
struct cpu_regs;

/* From the command line: insn_limit= in millions (0: no limit). */
void progress_init(uint32_t insn_limit_m);

/* An exception from domain d (before it is emulated or bounced): the same
 * one with the same registers too many times in a row stops the run. */
void progress_check_exception(const struct domain *d, const struct cpu_regs *regs,
                              uint32_t cr2);

/* d did something else (a hypercall, an upcall): its repeat count restarts. */
void progress_made(const struct domain *d);

/* Every timer interrupt: has the instruction limit been reached? */
void progress_check_limit(void);

/* The CPU is about to idle: if nothing can ever wake anybody, stop. */
void progress_check_idle(void);

#endif
