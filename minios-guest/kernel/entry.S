/*
 * minios-guest/kernel/entry.S — the doors into the kernel (trap entry stubs) and the switch
 * between processes (swtch).
 *
 * Where this sits in the story (course: trap & emulate, guest trap table):
 * natively the CPU enters these stubs through our own IDT; under hvkit the
 * hypervisor owns the IDT, and "bounces" each exception to the stub we
 * registered with set_trap_table, building exactly the frame the hardware
 * would have built (public/trap.h).  System calls (int $0x80) come here
 * straight from ring 3 in both modes: no hypervisor on that path.  So the
 * SAME stubs serve both modes, and the kernel cannot tell the difference --
 * which is the point.
 *
 * Every stub makes the stack look the same (struct trapframe in trap.h):
 *     ... [ss esp]  eflags cs eip  error-code  vector  ds es fs gs  pusha
 * pushing a dummy error code 0 for the vectors where the CPU pushes none.
 */

/* A stub for a vector without a CPU error code: push a 0 in its place. */
.macro TRAP_NOERR vector
trap_entry_\vector:
    pushl   $0
    pushl   $\vector
    jmp     alltraps
.endm

/* A stub for a vector where the CPU already pushed an error code. */
.macro TRAP_ERR vector
trap_entry_\vector:
    pushl   $\vector
    jmp     alltraps
.endm

.text
TRAP_NOERR 0        /* #DE divide error */
TRAP_NOERR 1        /* #DB debug */
TRAP_NOERR 2        /* NMI */
TRAP_NOERR 3        /* #BP int3 */
TRAP_NOERR 4        /* #OF overflow */
TRAP_NOERR 5        /* #BR bound */
TRAP_NOERR 6        /* #UD invalid opcode */
TRAP_NOERR 7        /* #NM no FPU */
TRAP_ERR   8        /* #DF double fault */
TRAP_NOERR 9        /* coprocessor segment overrun (old CPUs) */
TRAP_ERR   10       /* #TS invalid TSS */
TRAP_ERR   11       /* #NP segment not present */
TRAP_ERR   12       /* #SS stack fault */
TRAP_ERR   13       /* #GP general protection */
TRAP_ERR   14       /* #PF page fault */
TRAP_NOERR 15       /* reserved */
TRAP_NOERR 16       /* #MF x87 error */
TRAP_ERR   17       /* #AC alignment check */
TRAP_NOERR 18       /* #MC machine check */
TRAP_NOERR 19       /* #XM SIMD error */
TRAP_NOERR 128      /* int $0x80: system call */
TRAP_NOERR 32       /* native only: IRQ 0, the PIT, remapped to vector 32 */

/*
 * The event callback ("upcall"), PV only (course: event channels).  The
 * hypervisor enters here, registered with set_callbacks, whenever an event
 * is pending and our upcall mask is clear -- on its way back to us from
 * any entry into ring 0.  It builds the frame of an exception *without*
 * error code (eip, cs, eflags, and esp, ss when it interrupted ring 3) and
 * sets the upcall mask first, as an interrupt gate clears IF.  So it looks
 * exactly like an interrupt: push a 0 for the error code and a pseudo
 * vector number (T_UPCALL = 256, above every real vector) and share
 * alltraps; trap() sends it to events_upcall() (events.c).
 */
.globl hypervisor_callback
hypervisor_callback:
    pushl   $0
    pushl   $256
    jmp     alltraps

/*
 * The failsafe callback, PV only: the hypervisor enters here instead of
 * returning to us when it could not reload one of our segment registers
 * (it made that one null).  The frame is an interrupt's with the four
 * selectors it tried below it: ds es fs gs eip cs eflags [esp ss].  Our
 * kernel and programs use only the flat selectors, which always reload, so
 * this does not happen; if it does, count it and carry on with the null
 * selector (the values are only for a kernel that keeps its own LDT).
 */
.globl failsafe_callback, failsafe_calls
failsafe_callback:
    addl    $16, %esp                   /* the four selectors */
    lock incl failsafe_calls
    iret

/* The stub addresses, for trap.c to build the trap table from. */
.section .rodata
.balign 4
.globl trap_entries
trap_entries:
    .long trap_entry_0,  trap_entry_1,  trap_entry_2,  trap_entry_3
    .long trap_entry_4,  trap_entry_5,  trap_entry_6,  trap_entry_7
    .long trap_entry_8,  trap_entry_9,  trap_entry_10, trap_entry_11
    .long trap_entry_12, trap_entry_13, trap_entry_14, trap_entry_15
    .long trap_entry_16, trap_entry_17, trap_entry_18, trap_entry_19
.globl syscall_entry
syscall_entry:
    .long trap_entry_128
.globl irq_timer_entry
irq_timer_entry:
    .long trap_entry_32

.text
/* Common part: save the rest of the registers, call trap(tf) in trap.c. */
alltraps:
    pushl   %ds
    pushl   %es
    pushl   %fs
    pushl   %gs
    pushal

    /* Load the kernel's data segment.  Which selector is it?  Natively our
     * GDT's 0x10, under hvkit FLAT_RING1_DS.  We need not know: the CPU has
     * just loaded %ss with the kernel stack segment (from the TSS natively,
     * from stack_switch under hvkit), and that is a kernel data segment. */
    movw    %ss, %ax
    movw    %ax, %ds
    movw    %ax, %es

    pushl   %esp                       /* argument: struct trapframe * */
    call    trap
    addl    $4, %esp

/* Return to whoever trapped, or -- for a new process -- enter it for the
 * first time (proc.c makes a new process's kernel stack end here). */
.globl trapret
trapret:
    popal
    popl    %gs
    popl    %fs
    popl    %es
    popl    %ds
    addl    $8, %esp                   /* vector and error code */
    iret

/*
 * void swtch(struct context **old, struct context *new);
 *
 * Save the current kernel stack's callee-saved registers, store the stack
 * pointer in *old, load new as the stack pointer, restore its registers and
 * return -- on the other process's stack.  As in xv6.  Nothing here is
 * privileged, so it is the same natively and under hvkit.
 */
.globl swtch
swtch:
    movl    4(%esp), %eax
    movl    8(%esp), %edx
    pushl   %ebp
    pushl   %ebx
    pushl   %esi
    pushl   %edi
    movl    %esp, (%eax)
    movl    %edx, %esp
    popl    %edi
    popl    %esi
    popl    %ebx
    popl    %ebp
    ret

/*
 * user_return — RING 3 code.  A program's main() returns here (proc.c puts
 * this address on the program's stack); its return value in %eax becomes
 * the exit code of SYS_exit.  SYS_exit = 1 (syscall.h).
 */
.globl user_return
user_return:
    movl    %eax, %ebx
    movl    $1, %eax
    int     $0x80
1:  jmp     1b
