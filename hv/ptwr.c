/*
 * hv/ptwr.c — writable-page-table emulation (see ptwr.h).  Placeholder
 * until the memory issue: every page fault goes to the guest.
 */
#include "ptwr.h"

int ptwr_page_fault(struct domain *d, struct cpu_regs *regs, uint32_t cr2)
{
    (void)d; (void)regs; (void)cr2;
    return 0;
}
