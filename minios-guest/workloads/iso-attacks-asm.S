/*
 * minios-guest/workloads/iso-attacks-asm.S — the few pieces of the
 * isolation attacks (iso-attacks.c) that must be written in assembler:
 * code meant to run where it never should (ring 0, through a call gate),
 * the failsafe callback, and the iret that enters virtual-8086 mode.
 *
 * Where this sits in the story (course: isolation, rings): each is one way
 * a guest kernel in ring 1 might get more than ring 1.  The hypervisor must
 * make every one of them fail; the C side reports what happened.
 */

    .text

/*
 * iso_ring0_probe — the target of a call gate the attacker writes into a
 * descriptor table of its own.  Reached through "lcall" with the gate's
 * selector; if the gate names the hypervisor's code segment (0x08), the CPU
 * runs this in RING 0 on the hypervisor's stack.  It records %cs and %cr0
 * (the latter is privileged: only ring 0 can read it) in guest memory
 * through the caller's %ds, and returns with lret.  If the hypervisor holds,
 * it never runs.
 */
    .globl iso_ring0_probe, iso_ring0_cs, iso_ring0_cr0
iso_ring0_probe:
    pushl %eax
    movl  %cs, %eax
    movl  %eax, iso_ring0_cs
    movl  %cr0, %eax
    movl  %eax, iso_ring0_cr0
    popl  %eax
    lret

/*
 * iso_failsafe — a failsafe callback (set_callbacks' second entry point).
 * The hypervisor enters here when it could not restore one of our segment
 * registers on its way back to us: it has nulled the bad ones, and pushed
 * the values it tried, as Xen does:
 *
 *     esp ->  ds es fs gs  eip cs eflags [esp ss]
 *
 * We count the call, keep the four values for the C side to print, and
 * return to where we were interrupted with the (now null) selectors.
 */
    .globl iso_failsafe, iso_failsafe_calls, iso_failsafe_sel
iso_failsafe:
    pushl %eax
    movl  4(%esp), %eax
    movl  %eax, iso_failsafe_sel
    movl  8(%esp), %eax
    movl  %eax, iso_failsafe_sel + 4
    movl  12(%esp), %eax
    movl  %eax, iso_failsafe_sel + 8
    movl  16(%esp), %eax
    movl  %eax, iso_failsafe_sel + 12
    incl  iso_failsafe_calls
    popl  %eax
    addl  $16, %esp                 /* the four selectors */
    iret

/*
 * void iso_enter_vm86(uint32_t cs, uint32_t ip, uint32_t eflags)
 * An iret whose EFLAGS image has VM=1: on real hardware only ring 0 may do
 * this (elsewhere the VM bit is ignored); QEMU's TCG does not check, and
 * enters virtual-8086 mode from ring 1.  The frame is the one iret pops for
 * a return to VM86: eip cs eflags esp ss es ds fs gs.  The stack is the
 * last 16 bytes of the code's own 4 KiB page.  Does not return.
 */
    .globl iso_enter_vm86
iso_enter_vm86:
    movl  4(%esp), %ecx             /* cs (a real-mode paragraph) */
    movl  8(%esp), %edx             /* ip */
    movl  12(%esp), %eax            /* eflags */
    pushl $0                        /* gs */
    pushl $0                        /* fs */
    pushl $0                        /* ds */
    pushl $0                        /* es */
    pushl %ecx                      /* ss = cs */
    pushl $0xFF0                    /* sp */
    pushl %eax
    pushl %ecx
    pushl %edx
    iret
