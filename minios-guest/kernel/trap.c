/*
 * minios-guest/kernel/trap.c — the kernel's trap table and what it does with each trap.
 *
 * Where this sits in the story (course: guest trap table, trap bouncing):
 * the kernel describes its handlers once, as the ABI's struct trap_info[]
 * (vector, who may raise it with "int n", code segment, address), and gives
 * that table to pv_ops.install_traps.  Natively the table becomes IDT gates;
 * under hvkit the hypervisor keeps it and bounces exceptions to our stubs.
 *
 * Then every trap lands in trap() below:
 *   - int $0x80 from a program: a system call (syscall.c);
 *   - the timer: natively IRQ 0 (vector 32), under hvkit the event upcall
 *     (events.c); either may preempt a ring-3 program (proc.c);
 *   - an exception in a ring-3 program: that program is killed, the kernel
 *     goes on (isolation between programs, the kernel's job);
 *   - an exception in the kernel itself: a kernel bug, so print the
 *     registers and shut down with reason "crash".
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "kernel/trap.h"
#include "kernel/events.h"
#include "kernel/vm.h"
#include "lib/x86.h"
#include "public/hvkit.h"
#include "public/trap.h"

extern const uint32_t trap_entries[20];   /* entry.S: vectors 0..19 */
extern const uint32_t syscall_entry;      /* entry.S: vector 0x80 */

/* 20 exceptions + the system call + the terminating zero entry. */
static struct trap_info trap_table[22];

/* Short names, as in the Intel manuals: "#GP" is general protection. */
static const char *const names[20] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
    "#TS", "#NP", "#SS", "#GP", "#PF", "reserved", "#MF", "#AC", "#MC", "#XM",
};

const char *trap_name(unsigned vector)
{
    if (vector < 20)
        return names[vector];
    if (vector == SYSCALL_VECTOR)
        return "syscall";
    return "unknown";
}

int trap_install(void)
{
    int n = 0;
    for (unsigned v = 0; v < 20; v++) {
        trap_table[n].vector = (uint8_t)v;
        /* Exceptions run with events masked, like an x86 interrupt gate.
         * int3 may be raised from ring 3 (a debugger's breakpoint). */
        trap_table[n].flags = TI_MASK_EVENTS | (v == TRAP_int3 ? 3 : 0);
        trap_table[n].cs = pv_ops.kernel_cs;
        trap_table[n].address = trap_entries[v];
        n++;
    }
    /* The system call: ring 3 may raise it (DPL 3).  No TI_MASK_EVENTS, so
     * the hypervisor can point its IDT gate straight at us ("fast trap"):
     * the CPU cannot set the virtual interrupt flag on its own. */
    trap_table[n].vector = SYSCALL_VECTOR;
    trap_table[n].flags = 3;
    trap_table[n].cs = pv_ops.kernel_cs;
    trap_table[n].address = syscall_entry;
    n++;
    trap_table[n].address = 0;            /* end of table */
    return pv_ops.install_traps(trap_table);
}

/* Remove every handler (crash.c uses it to show an unhandled fault).
 * Interrupts go off first: natively a timer interrupt with no IDT gate
 * would triple-fault the machine. */
void trap_uninstall(void)
{
    pv_ops.irq_disable();
    pv_ops.install_traps(0);
}

/* A fault in the kernel: print everything we know and stop. */
static void kernel_fault(struct trapframe *tf)
{
    console_emergency();               /* the crash report goes to console_io */
    kprintf("minios: kernel %s at eip 0x%x\n", trap_name(tf->trapno), tf->eip);
    /* IF in the saved eflags is the interrupt flag as it was when the trap
     * came: under hvkit the *virtual* one (events enabled or not), which
     * the hypervisor put in the frame it bounced. */
    kprintf("minios:   vector %u error 0x%x cs 0x%x eflags 0x%x (IF=%u)\n",
            tf->trapno, tf->err, tf->cs, tf->eflags, (tf->eflags & EFLAGS_IF) ? 1 : 0);
    kprintf("minios:   eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n",
            tf->eax, tf->ebx, tf->ecx, tf->edx);
    kprintf("minios:   esi 0x%08x edi 0x%08x ebp 0x%08x esp 0x%08x\n",
            tf->esi, tf->edi, tf->ebp, (uint32_t)&tf->esp);
    if (tf->trapno == TRAP_page_fault)
        kprintf("minios:   fault address 0x%08x\n", pv_ops.fault_addr());
    struct proc *p = myproc();
    if (p)
        kprintf("minios:   while running %s (pid %d)\n", p->name, p->pid);
    panic("kernel fault, shutting down");
}

void trap(struct trapframe *tf)
{
    kcounters.entries++;
    if (tf->trapno == SYSCALL_VECTOR) {
        syscall(tf);
        return;
    }
    /* A page fault may be a demand-zero page to fill in (vm.c). */
    if (tf->trapno == TRAP_page_fault && vm_fault(tf))
        return;

    /* The timer, natively: acknowledge it at the PIC, then the same work
     * as the PV timer event.  A program in ring 3 may lose the CPU here
     * (preemption); kernel code is never preempted (proc.c). */
    if (tf->trapno == T_IRQ_TIMER && !pv_ops.paravirt) {
        pv_ops.timer_ack();
        proc_timer_tick();
        if ((tf->cs & 3) == 3)
            proc_preempt();
        return;
    }

    /* An event upcall from the hypervisor (events.c). */
    if (tf->trapno == T_UPCALL) {
        events_upcall(tf);
        return;
    }

    if ((tf->cs & 3) == 3) {
        /* A program misbehaved: kill it, not the kernel. */
        struct proc *p = myproc();
        kprintf("minios: program %s killed: %s at eip 0x%x\n",
                p->name, trap_name(tf->trapno), tf->eip);
        if (tf->trapno == TRAP_page_fault)
            kprintf("minios:   fault address 0x%08x, error 0x%x\n",
                    pv_ops.fault_addr(), tf->err);
        kprintf("minios:   eflags 0x%x (IF=%u)\n", tf->eflags, (tf->eflags & EFLAGS_IF) ? 1 : 0);
        proc_kill(p, (int)tf->trapno);     /* does not return */
    }

    /* Any other kernel exception the code said it expected (vm_fixup_eip,
     * vm.h): resume there.  Page faults took this way in vm_fault. */
    if (vm_fixup_eip && tf->trapno < 32) {
        tf->eip = vm_fixup_eip;
        vm_fixup_eip = 0;
        vm_fixup_trapno = tf->trapno;
        return;
    }
    kernel_fault(tf);
}
