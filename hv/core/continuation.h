/*
 * hv/core/continuation.h — long hypercalls done in pieces (continuations,
 * as Xen's), so that none holds the CPU while another domain is due.
 *
 * The hypervisor runs with interrupts off: while a hypercall works, the
 * timer interrupt waits, and with it every other domain.  A hypercall whose
 * work depends on its arguments (a batch of page-table operations, a
 * multicall, a long console write) therefore checks, between units of work,
 * whether the timer is due (hypercall_preempt_check).  If it is, the call
 * stops where it is and asks to be CONTINUED: hypercall_continue() records
 * its number and new arguments -- the batch pointer advanced, a count of
 * what is left, a progress field -- and returns -HV_ERESTART.  On the way
 * out, trap() puts those in the guest's registers and moves its eip back
 * over the "int $0x82" (two bytes), so the guest re-executes the call as if
 * it had never returned; the interrupt is taken before that instruction
 * runs, and the scheduler may give the CPU to another domain first.  The
 * guest never sees -HV_ERESTART (the trace does: ret=-ERESTART).
 */
#ifndef HV_CONTINUATION_H
#define HV_CONTINUATION_H

#include <stdint.h>

struct cpu_regs;

/* 1 if the current hypercall should stop and be continued: the timer's
 * deadline has passed, so its interrupt is waiting.  Ask only after doing
 * some work, so that every piece makes progress. */
int hypercall_preempt_check(void);

/* Continue hypercall nr later with arguments a1..a5; returns -HV_ERESTART,
 * for the handler to return. */
int32_t hypercall_continue(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5);

/* For trap(): if the hypercall just dispatched asked to be continued
 * (hypercall_continued), set up the guest's frame to re-execute it. */
extern int hypercall_continued;
void hypercall_continuation_apply(struct cpu_regs *regs);

/* For multicall: the continuation an entry asked for (its number and new
 * arguments), taken over by the multicall; 1 if there was one. */
int hypercall_continuation_take(uint32_t *nr, uint32_t args[5]);

#endif
