/*
 * solutions/lab1/emulate.c — LAB 1 reference: trap & emulate.
 *
 * The guest kernel runs in ring 1 with IOPL 0, so cli, sti and hlt are
 * privileged for it: the CPU refuses them with a general-protection fault
 * (#GP) and the hypervisor gets control.  Instead of killing the guest we
 * *emulate* the instruction — do what it would have done to the virtual
 * CPU — and skip it:
 *
 *   cli  (0xFA)  virtual interrupts off: shared_info upcall mask = 1
 *   sti  (0xFB)  virtual interrupts on:  upcall mask = 0
 *   hlt  (0xF4)  "nothing to do until an interrupt": block the domain
 *
 * This is the classic trap-and-emulate VMM, and it costs a trap per
 * instruction (count them in the trace!).  A paravirtualized kernel avoids
 * it by writing the upcall mask directly — no trap at all.  And it only
 * works for instructions that *do* trap: popf in ring 1 silently ignores a
 * change to IF, which is one reason x86 is not classically virtualizable.
 */
#include "core/lab1.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "sched/sched.h"
#include "trace/trace.h"

int emulate_privileged(struct domain *d, struct cpu_regs *regs)
{
    uint8_t op;
    struct shared_info *s = d->shared;
    int kind;
    uint32_t count;

    /* The instruction is in guest memory: fetch it like any guest pointer. */
    if (copy_from_guest(&op, guest_ptr_at(regs->eip), 1))
        return 0;

    switch (op) {
    case 0xFA:
        s->vcpu_info[0].evtchn_upcall_mask = 1;
        kind = EMUL_CLI;
        count = ++s->emulated_cli;
        break;
    case 0xFB:
        s->vcpu_info[0].evtchn_upcall_mask = 0;
        kind = EMUL_STI;
        count = ++s->emulated_sti;
        break;
    case 0xF4:
        sched_block(d);
        kind = EMUL_HLT;
        count = ++s->emulated_hlt;
        break;
    default:
        return 0;
    }
    trace3(TRC_EMULATE, d->id, (uint32_t)kind, regs->eip, count);
    regs->eip += 1;
    return 1;
}
