/*
 * solutions/lab1/bounce.c — LAB 1 reference: bouncing an exception to the
 * guest kernel.
 *
 * The hardware delivered the exception to us (ring 0 owns the IDT).  The
 * guest kernel registered a handler for it with set_trap_table.  We now do
 * by hand what the CPU would have done had the guest kernel owned the IDT:
 *
 *   1. choose the stack: the current ring-1 stack if the guest kernel was
 *      interrupted, the registered kernel stack (stack_switch) if a ring-3
 *      program was;
 *   2. push the frame from public/trap.h there — through copy_to_guest,
 *      because that stack is guest memory and may be bogus;
 *   3. point the saved registers at the handler in ring 1, so that the
 *      iret at the end of the trap "returns" into it.
 *
 * For a page fault the guest cannot read %cr2 (privileged), so we leave the
 * address in its shared-info page.
 */
#include "core/lab1.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "trace/trace.h"

int bounce_exception(struct domain *d, struct cpu_regs *regs, uint32_t vector,
                     uint32_t cr2)
{
    struct trap_info *t = &d->traps[vector & 0xFF];
    struct vcpu_info *v = &d->shared->vcpu_info[0];
    uint32_t frame[6];
    uint32_t n = 0;
    uint32_t from_ring = regs->cs & 3;

    if (!t->address)
        return BOUNCE_NO_HANDLER;

    /* The saved EFLAGS shows the *virtual* interrupt flag. */
    uint32_t eflags = regs->eflags & ~EFLAGS_IF;
    if (!v->evtchn_upcall_mask)
        eflags |= EFLAGS_IF;

    if (trap_has_error_code(vector))
        frame[n++] = regs->error_code;
    frame[n++] = regs->eip;
    frame[n++] = regs->cs;
    frame[n++] = eflags;

    uint32_t esp = regs->esp;
    if (from_ring == 3) {
        frame[n++] = regs->esp;
        frame[n++] = regs->ss;
        esp = d->kernel_esp;
    }
    esp -= n * 4;
    if (copy_to_guest(guest_ptr_at(esp), frame, n * 4))
        return BOUNCE_FAULTED;

    if (vector == TRAP_page_fault)
        v->arch.cr2 = cr2;
    if (t->flags & TI_MASK_EVENTS)
        v->evtchn_upcall_mask = 1;

    trace5(TRC_TRAP_BOUNCE, d->id, vector, regs->error_code, regs->eip, cr2, from_ring);

    regs->esp = esp;
    if (from_ring == 3)
        regs->ss = d->kernel_ss;
    regs->cs = FLAT_RING1_CS;
    regs->eip = t->address;
    regs->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    return BOUNCE_OK;
}
