/*
 * labs/lab1/emulate.c — LAB 1, part 2: trap & emulate.
 * (Handout: labs/lab1/README.md.)
 *
 * The guest kernel runs in ring 1 with IOPL 0, so cli, sti and hlt fault
 * with #GP.  trap() (hv/x86/traps.c) calls emulate_privileged() for every #GP
 * from ring 1; if it returns 0 the fault is bounced to the guest instead.
 */
#include "core/lab1.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "sched/sched.h"
#include "trace/trace.h"

/*
 * TODO(lab1): fetch the opcode byte at regs->eip (a guest address: use
 * copy_from_guest, with guest_ptr_at(regs->eip)), and emulate
 *    0xFA cli: d->shared->vcpu_info[0].evtchn_upcall_mask = 1
 *    0xFB sti: ... = 0
 *    0xF4 hlt: block the domain (sched_block)
 * For each: count it in d->shared->emulated_cli / _sti / _hlt, emit a
 * TRC_EMULATE record (kind EMUL_*, eip, the new count), step regs->eip past
 * the instruction and return 1.  Anything else: return 0, change nothing.
 */
int emulate_privileged(struct domain *d, struct cpu_regs *regs)
{
    (void)d; (void)regs;
    return 0;
}
