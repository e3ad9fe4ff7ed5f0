/*
 * hv/mm/ptwr.c — writable-page-table emulation (course: "a later direct write
 * by the guest to a pinned table faults and is validated and applied").
 *
 * A guest that does not batch (or is not paravirtualized for its page
 * tables at all: minios's "unbatched" mode) writes an entry directly, with
 * an ordinary store through its read-only kernel mapping of the table.  The
 * CPU raises #PF (present + write); trap() offers it here first.  If the
 * page written is one of the domain's page tables and the instruction is a
 * store we can decode (hv/x86/pt_decode.c), we do what an mmu_update would:
 * check the new value with the lab-2 rules, write it, and step eip past the
 * instruction.  The guest never notices — except in time: each entry costs
 * a trap, where a batch costs one per hundred (the trace shows a ptwr
 * record per entry; docs/performance.md counts them).
 *
 * A REFUSED value is not written, and the fault is bounced to the guest as
 * the #PF it is (a write to a read-only page): its kernel decides.  minios
 * treats a kernel #PF as a bug and stops, unless the code that wrote
 * expected it (the mm-attacks program does).  Either way the trace has the
 * ptwr record with the error and the mmu_update record with the rule.
 *
 * Xen does more (it unhooks a whole L1 and lets the guest write it freely
 * until the next use); hvkit emulates one store at a time, which is simpler
 * to read in a trace.
 */
#include "mm/ptwr.h"
#include "core/domain.h"
#include "core/guest_access.h"
#include "mm/mm.h"
#include "mm/page.h"
#include "trace/trace.h"
#include "x86/x86.h"

#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_USER    0x4
#define VIA_PTWR   3

/* The machine frame that maps va in d's current address space, 0 if none.
 * A software walk of the tables the CPU just walked: CR2 is a virtual
 * address, and the rules work on machine frames.  The walk can trust the
 * directory (d's validated base pointer) but still checks every frame
 * number against the direct map, because it runs before anything has said
 * that this address is a page table at all. */
static uint32_t mfn_of_va(struct domain *d, uint32_t va)
{
    uint32_t *pd = mfn_to_virt(d->cr3 >> HV_PAGE_SHIFT);
    uint32_t pde = pd[PDE_INDEX(va)];
    if (!(pde & PTE_P) || (pde & PTE_PS) || (pde >> HV_PAGE_SHIFT) >= MAX_FRAMES)
        return 0;
    uint32_t pte = ((uint32_t *)mfn_to_virt(pde >> HV_PAGE_SHIFT))[PTE_INDEX(va)];
    if (!(pte & PTE_P) || (pte >> HV_PAGE_SHIFT) >= MAX_FRAMES)
        return 0;
    return pte >> HV_PAGE_SHIFT;
}

/* The register numbered r in ModRM order.  The value comes from the saved
 * frame, not the live registers: the guest's registers ARE the frame while
 * the hypervisor runs (hv/x86/traps.h). */
static uint32_t reg_value(const struct cpu_regs *regs, int r)
{
    switch (r) {
    case 0: return regs->eax;
    case 1: return regs->ecx;
    case 2: return regs->edx;
    case 3: return regs->ebx;
    case 4: return regs->esp;
    case 5: return regs->ebp;
    case 6: return regs->esi;
    default: return regs->edi;
    }
}

int ptwr_page_fault(struct domain *d, struct cpu_regs *regs, uint32_t cr2)
{
    /* Only the guest kernel's writes to present pages.  A ring-3 program
     * that writes a page table has made a mistake for its own kernel to
     * judge, as on hardware; a not-present fault is an ordinary page
     * fault. */
    if ((regs->error_code & (PF_PRESENT | PF_WRITE | PF_USER)) != (PF_PRESENT | PF_WRITE))
        return 0;
    if (cr2 >= HYPERVISOR_VIRT_START || (cr2 & 3))
        return 0;                      /* a whole, aligned entry only */
    uint32_t mfn = mfn_of_va(d, cr2);
    if (!mfn || frame_table[mfn].use != FRAME_GUEST || frame_table[mfn].owner != d->id)
        return 0;
    struct frame_info *f = &frame_table[mfn];
    if (f->type_count == 0 || (f->type != PGT_L1 && f->type != PGT_L2))
        return 0;                      /* an ordinary read-only page */

    /* The instruction's bytes, through copy_from_guest like any guest
     * memory (the eip is the guest's word).  16 bytes is more than any
     * store we decode.  Optimization: the plain version copies byte by
     * byte until one faults; here one copy of 16 is tried first, and byte
     * by byte only if the 16 would cross into an unmapped page. */
    uint8_t insn[16];
    uint32_t avail = sizeof insn;
    guest_ptr eip = guest_ptr_at(regs->eip);
    if (copy_from_guest(insn, eip, sizeof insn)) {
        avail = 0;
        while (avail < sizeof insn && copy_from_guest(insn + avail, guest_ptr_add(eip, avail), 1) == 0)
            avail++;
    }
    int reg;
    uint32_t imm;
    uint32_t len = ptwr_decode(insn, avail, &reg, &imm);
    if (!len)
        return 0;                      /* not a store we emulate */
    uint32_t val = reg < 0 ? imm : reg_value(regs, reg);

    uint32_t ptr = (mfn << HV_PAGE_SHIFT) | (cr2 & 0xFFF);
    int32_t ret = mm_update_entry(d, ptr, val, VIA_PTWR);
    trace5(TRC_PTWR, d->id, cr2, regs->eip, ptr, val, (uint32_t)ret);
    /* Refused: nothing was written, and the guest gets the #PF it caused,
     * as it would on hardware for a write to a read-only page.  Emulating
     * a refused store as a no-op would hide the error from the guest. */
    if (ret)
        return 0;
    d->mm.nr_ptwr++;
    /* The new entry may have made a frame a page table (an L2 entry taking
     * an L1 type reference) while the TLB still holds a writable mapping
     * of it: flush before the guest runs again, or it could write the
     * table through the stale entry. */
    if (pt_flush_needed) {
        pt_flush_needed = 0;
        write_cr3(read_cr3());
    }
    /* Step past the store, as the CPU would have after executing it. */
    regs->eip += len;
    return 1;
}
