/*
 * hv/x86/traps.h — the register frame of every entry into the hypervisor, and
 * the trap-handling entry points.
 *
 * struct cpu_regs is the one picture of a guest's CPU state the whole
 * hypervisor works with.  A hypercall reads its arguments from it and
 * writes its result into it; trap & emulate steps its eip; a bounce or an
 * upcall rewrites its eip, cs, esp and ss so that the iret lands in the
 * guest's handler; a context switch swaps all of it for another domain's.
 * None of them touches the real registers: ret_from_trap (hv/x86/entry.S)
 * loads whatever the frame says.
 */
#ifndef HV_TRAPS_H
#define HV_TRAPS_H

#include <stdint.h>

/*
 * What entry.S leaves on the stack, lowest address first.  The last five
 * words are pushed by the CPU; esp and ss only when the entry came from
 * ring 1 or 3 (a change of privilege), which is always the case for the
 * frame of a guest at the top of its entry stack (the hypervisor stack, or
 * under isolation=paging the trampoline's entry stack: hv/x86/entry.S).
 */
struct cpu_regs {
    uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    uint32_t ds, es, fs, gs;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};
_Static_assert(sizeof(struct cpu_regs) == 72, "entry.S CPU_REGS_SIZE");

/* The EFLAGS bits the hypervisor looks at.  IF is the real interrupt flag
 * (always 1 while a guest runs: the guest's own "interrupts off" is the
 * upcall mask); TF, NT, RF and VM are cleared when the hypervisor enters a
 * guest handler, as the CPU does for an interrupt gate, so a handler never
 * starts single-stepping or in virtual-8086 mode because of the state it
 * interrupted. */
#define EFLAGS_IF   0x00000200u
#define EFLAGS_TF   0x00000100u
#define EFLAGS_NT   0x00004000u
#define EFLAGS_RF   0x00010000u
#define EFLAGS_VM   0x00020000u
#define EFLAGS_IOPL 0x00003000u

/* Why a guest could not go on: the "fatal" enum of trace-events.def. */
#define FATAL_NO_HANDLER      1   /* an exception with no handler registered */
#define FATAL_BOUNCE_FAULTED  2   /* its stack could not take the frame */
#define FATAL_NOT_EMULATED    3
#define FATAL_VM86            5   /* it trapped in virtual-8086 mode */
#define FATAL_INTERRUPTS_OFF  6   /* the watchdog found the real IF off */

/* The frame of the guest that entered last: at the top of the stack. */
struct cpu_regs *guest_regs(void);

extern uint32_t rep_iters;      /* counted for the benchmarks (x86/x86.h) */

/* *dst = *src.
 * Optimization: the plain version is `*dst = *src` (a structure copy,
 * which the compiler makes a word-by-word loop or a call to lib.c's
 * memcpy, written for any size and alignment).  This is 18 words with one
 * rep movsl: the context switch does it twice, and it took a good part of
 * the domain switch's instructions away (docs/performance.md has the
 * switch as measured now). */
static inline void copy_regs(struct cpu_regs *dst, const struct cpu_regs *src)
{
    uint32_t n = sizeof *dst / 4;
    rep_iters += n;
    __asm__ volatile("rep movsl"
                     : "+D"(dst), "+S"(src), "+c"(n)
                     : : "memory");
}

void trap(struct cpu_regs *regs);
/* The end of every entry from a guest: schedule, deliver events (traps.c;
 * entry.S calls it too, when it restarts a way out that faulted). */
void exit_to_guest(void);
void enter_guest(const struct cpu_regs *regs) __attribute__((noreturn));

/* Copy with fault fixup (entry.S): 0 or -HV_EFAULT. */
int copy_guest(void *dst, const void *src, uint32_t n);

/* Descriptor tables (segments.c). */
void segments_init(void);
void idt_set_syscall_gate(uint32_t handler);  /* 0: back to the hypervisor's */
void tss_set_guest_stack(uint32_t ss1, uint32_t esp1);
void tss_set_entry_stack(uint32_t esp0);      /* isolation=paging */
/* Let the domain about to run use dom0's device ports (1) or none (0):
 * public/hw_devices.def, hv/x86/segments.c. */
void tss_set_io_ports(int dom0_ports);

#endif
