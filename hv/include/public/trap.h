/*
 * hv/include/public/trap.h — how a guest kernel tells the hypervisor where its exception
 * handlers are (set_trap_table), and what the stack looks like when the
 * hypervisor "bounces" an exception to one of them.
 *
 * Course: "normal exceptions, like divide by zero, go directly back to the
 * guest operating system" — the hardware delivers them to the hypervisor
 * (ring 0 owns the IDT), and the hypervisor re-delivers them to the guest
 * kernel in ring 1, building the same frame the hardware would have built.
 * System calls (int $0x80) are the exception to the exception: their gate
 * points straight at the guest kernel, so they never enter the hypervisor.
 */
#ifndef HVKIT_PUBLIC_TRAP_H
#define HVKIT_PUBLIC_TRAP_H

#include <stdint.h>

/*
 * One entry of the guest's virtual IDT.  The real IDT is the hypervisor's
 * (ring 0 owns it); this table only says where the hypervisor should
 * bounce each exception, which is the paravirtual replacement for lidt.
 * set_trap_table takes a pointer to an array of these, ended by an entry
 * whose address is 0 (at most 256 entries are read).  A NULL table pointer
 * clears all handlers.
 */
struct trap_info {
    uint8_t  vector;   /* 0..255: exception or software-interrupt number */
    uint8_t  flags;    /* bits 0-1: lowest ring allowed to raise it with "int n"
                          (3 for int $0x80 and int3), bit 2: TI_MASK_EVENTS */
    uint16_t cs;       /* must be FLAT_RING1_CS */
    uint32_t address;  /* handler entry point, below HYPERVISOR_VIRT_START */
};
_Static_assert(sizeof(struct trap_info) == 8, "trap_info: 8 bytes");

#define TI_DPL_MASK      0x03
#define TI_MASK_EVENTS   0x04  /* like an x86 interrupt gate: set the upcall mask
                                  (the virtual IF) when this handler is entered */
#define HV_MAX_TRAPS     256

/*
 * The bounce frame.  When the hypervisor delivers exception `vector` to the
 * guest, the guest handler finds on its ring-1 stack exactly what x86 pushes
 * for a ring-1 handler:
 *
 *   from ring 3 (a program):            from ring 1 (the guest kernel):
 *     [esp+ 0] error code *               [esp+0] error code *
 *     [esp+ 4] eip                        [esp+4] eip
 *     [esp+ 8] cs (RPL 3)                 [esp+8] cs (RPL 1)
 *     [esp+12] eflags                     [esp+12] eflags
 *     [esp+16] esp (program's)
 *     [esp+20] ss  (program's)
 *
 *   * only for vectors 8, 10, 11, 12, 13, 14 and 17, as on hardware.
 *
 * The stack used is the guest's current ring-1 stack when the exception came
 * from ring 1, and the stack registered with stack_switch when it came from
 * ring 3.  EFLAGS.IF in the saved image is the *virtual* interrupt flag
 * (!evtchn_upcall_mask): the real IF is always 1 while a guest runs.
 *
 * For a page fault (vector 14) the faulting linear address is not in %cr2
 * (the guest cannot read %cr2 from ring 1): the hypervisor stores it in
 * shared_info->vcpu_info[0].arch.cr2 before entering the handler.
 */
#define TRAP_divide_error      0
#define TRAP_debug             1
#define TRAP_nmi               2
#define TRAP_int3              3
#define TRAP_overflow          4
#define TRAP_bounds            5
#define TRAP_invalid_op        6
#define TRAP_no_device         7
#define TRAP_double_fault      8
#define TRAP_invalid_tss      10
#define TRAP_no_segment       11
#define TRAP_stack_error      12
#define TRAP_gp_fault         13
#define TRAP_page_fault       14
#define TRAP_copro_error      16
#define TRAP_alignment_check  17
#define TRAP_machine_check    18
#define TRAP_simd_error       19

/* Does the CPU push an error code for this exception vector? */
static inline int trap_has_error_code(unsigned vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/*
 * set_callbacks(event_cs, event_eip, failsafe_cs, failsafe_eip):
 * the event callback is where the hypervisor "upcalls" the guest when an
 * event channel fires: the guest's virtual interrupt handler
 * (hv/event/upcall.c builds its frame, the one above without an error
 * code).  The failsafe callback is used when the hypervisor cannot return
 * to the guest because the guest left a bad segment selector to restore.
 * The selector that failed is made null, and the callback is entered with
 * the four the hypervisor tried pushed below an ordinary exception frame
 * (no error code):
 *
 *     esp ->  ds es fs gs  eip cs eflags [esp ss]
 *
 * (events are not masked for it).  A domain without one is crashed.
 */

#endif
