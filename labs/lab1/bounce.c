/*
 * labs/lab1/bounce.c — LAB 1, part 3: bouncing an exception to the guest
 * kernel.  (Handout: labs/lab1/README.md.)
 *
 * The hardware delivered an exception to the hypervisor (ring 0 owns the
 * IDT).  The guest registered handlers with set_trap_table (d->traps[]).
 * Deliver it as the CPU would have, had the guest kernel owned the IDT.
 */
#include "core/lab1.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "trace/trace.h"

/*
 * TODO(lab1):
 *  1. no handler (d->traps[vector].address == 0): return BOUNCE_NO_HANDLER;
 *  2. build the frame of hv/include/public/trap.h: [error code if
 *     trap_has_error_code(vector)], eip, cs, eflags (with IF = the virtual
 *     interrupt flag, i.e. !evtchn_upcall_mask), and, if the exception came
 *     from ring 3 (regs->cs & 3), the program's esp and ss;
 *  3. the stack: regs->esp if from ring 1, d->kernel_esp if from ring 3;
 *     write the frame below it with copy_to_guest (the stack is a guest
 *     address: guest_ptr_at(esp)); if that fails return BOUNCE_FAULTED;
 *  4. page fault: store cr2 in d->shared->vcpu_info[0].arch.cr2;
 *     TI_MASK_EVENTS in the entry's flags: set evtchn_upcall_mask;
 *  5. emit TRC_TRAP_BOUNCE (vector, error code, eip, cr2, from ring);
 *  6. point regs at the handler: esp, ss (if from ring 3: d->kernel_ss),
 *     cs = FLAT_RING1_CS, eip = handler; clear TF, NT, RF and VM in eflags;
 *     return BOUNCE_OK.
 */
int bounce_exception(struct domain *d, struct cpu_regs *regs, uint32_t vector,
                     uint32_t cr2)
{
    (void)d; (void)regs; (void)vector; (void)cr2;
    return BOUNCE_NO_HANDLER;
}
