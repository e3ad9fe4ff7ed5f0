/*
 * hv/mm/ptwr.h — "writable page tables": a guest's direct write to one of its
 * (read-only) page tables faults; the hypervisor decodes the write,
 * validates the new entry with the same rules as mmu_update, and applies it.
 */
#ifndef HV_PTWR_H
#define HV_PTWR_H

#include <stdint.h>

struct domain;
struct cpu_regs;

/* A #PF from the guest at address cr2: if it is a write to one of d's page
 * tables that we can emulate, do it (or refuse it), step eip past the
 * instruction and return 1.  Otherwise return 0: the fault is the guest's
 * (also when the new value is refused: see ptwr.c).
 * The same rules as mmu_update, reached another way: direct paging says
 * the guest may not WRITE its tables; writable page tables only make it
 * look as if it could, one checked store at a time. */
int ptwr_page_fault(struct domain *d, struct cpu_regs *regs, uint32_t cr2);

/* One checked entry update, traced as mmu_update with `via` (1 mmu_update,
 * 2 update_va_mapping, 3 ptwr): 0 or -HV_Exxx (hv/mm/mm_hypercalls.c). */
int32_t mm_update_entry(struct domain *d, uint32_t ptr, uint32_t val, uint32_t via);

/* Decode the instruction bytes of a 32-bit store "mov r32, m32" (89 /r) or
 * "mov imm32, m32" (C7 /0): its length, and which register (0..7, in the
 * x86 order eax ecx edx ebx esp ebp esi edi) or, with *reg = -1, which
 * immediate it stores.  0 if it is not one of those.  Pure: host-tested. */
uint32_t ptwr_decode(const uint8_t *insn, uint32_t avail, int *reg, uint32_t *imm);

#endif
