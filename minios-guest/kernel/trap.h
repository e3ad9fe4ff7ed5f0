/*
 * minios-guest/kernel/trap.h — the trap frame: what the kernel sees of an interrupted ring-3
 * program or of itself when an exception or system call arrives.
 *
 * Where this sits in the story: the layout is fixed by three hands.  The
 * CPU (or, under hvkit, the hypervisor imitating it: public/trap.h) pushes
 * ss/esp (only when coming from ring 3), eflags, cs, eip and sometimes an
 * error code; entry.S pushes the rest.  The same frame in both modes.
 */
#ifndef MINIOS_TRAP_H
#define MINIOS_TRAP_H

#include <stdint.h>

struct trapframe {
    /* pushal */
    uint32_t edi, esi, ebp, oesp, ebx, edx, ecx, eax;
    /* entry.S */
    uint32_t gs, fs, es, ds;
    uint32_t trapno;
    uint32_t err;          /* the CPU's error code, or 0 */
    /* the CPU (or the hypervisor's bounce) */
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;      /* only when the trap came from ring 3 */
};

/* Trap numbers that are not CPU exceptions.  T_IRQ_TIMER: the native
 * timer interrupt (IRQ 0 of the PIC, remapped to vector 32).  T_UPCALL: the
 * hypervisor's event callback (entry.S) -- not a vector at all, so it gets
 * a number no vector can have. */
#define T_IRQ_TIMER  32
#define T_UPCALL     256

/* Fill the trap table and install it through pv_ops (trap.c). */
int  trap_install(void);
void trap_uninstall(void);
const char *trap_name(unsigned vector);

/* Called by entry.S. */
void trap(struct trapframe *tf);

#endif
