/*
 * hv/x86/fpu.c — the x87 FPU's registers, one set per domain, switched
 * lazily.
 *
 * Where this sits in the story (course: the context switch, isolation): a
 * domain switch saves and loads everything the next domain could see of
 * the last one -- general registers (the frame, hv/sched/sched.c), page
 * tables (CR3), the ring-1 stack.  The x87 registers are such state too:
 * eight 80-bit registers, the control word (rounding, precision), the
 * status word.  Left alone, one domain reads another's numbers, or
 * computes with its rounding mode.
 *
 * Saving them at every switch costs a 108-byte FNSAVE and FRSTOR each time,
 * for domains that mostly never touch the FPU.  The classic answer (every
 * OS of the 1990s, Xen's PV guests) is to switch LAZILY: at a domain switch
 * only set CR0.TS ("task switched").  The hardware then raises #NM (device
 * not available) at the next x87 instruction, before it runs.  The
 * hypervisor takes that #NM: clears TS, saves the registers into the
 * domain that owned them (fpu_owner), loads the registers of the domain
 * that wants them (or a clean FNINIT state the first time), and lets the
 * instruction run again.  A domain that never uses the FPU costs nothing
 * but the TS bit; one that uses it alone keeps its registers in the CPU.
 *
 * CR0.MP is set as well, so that WAIT/FWAIT also trap while TS is set: it
 * would otherwise look at the previous owner's pending exceptions.  The
 * hypervisor itself is compiled without the FPU (-mno-80387), and guests
 * cannot set TS (there is no fpu_taskswitch hypercall yet), so every #NM is
 * this mechanism's and none is bounced.  SSE stays off (CR4.OSFXSR is
 * clear: SSE instructions are #UD), so FNSAVE covers all the state there is.
 */
#include "x86/fpu.h"
#include "core/domain.h"
#include "trace/trace.h"
#include "x86/x86.h"

#define CR0_MP 0x00000002u
#define CR0_TS 0x00000008u

static struct domain *fpu_owner;     /* whose registers the FPU holds */

void fpu_init(void)
{
    write_cr0((read_cr0() | CR0_MP) & ~CR0_TS);
    __asm__ __volatile__("fninit");
    write_cr0(read_cr0() | CR0_TS);  /* nobody's yet: the first use traps */
}

void fpu_switch_to(struct domain *next)
{
    uint32_t cr0 = read_cr0();
    uint32_t want = next == fpu_owner ? (cr0 & ~CR0_TS) : (cr0 | CR0_TS);
    if (want != cr0)
        write_cr0(want);
}

void fpu_trap(struct domain *d)
{
    write_cr0(read_cr0() & ~CR0_TS);
    if (fpu_owner == d)
        return;
    struct domain *prev = fpu_owner;
    if (prev)
        __asm__ __volatile__("fnsave %0" : "=m"(prev->fpu_state));
    if (d->fpu_used)
        __asm__ __volatile__("frstor %0" : : "m"(d->fpu_state));
    else
        __asm__ __volatile__("fninit");
    d->fpu_used = 1;
    fpu_owner = d;
    trace1(TRC_FPU_SWITCH, d->id, prev ? prev->id : DOMID_HV);
}

void fpu_domain_dead(struct domain *d)
{
    /* Its registers stay in the FPU, but are nobody's: the next user gets
     * its own (or FNINIT's), never these. */
    if (fpu_owner == d)
        fpu_owner = 0;
}
