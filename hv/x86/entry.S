/*
 * hv/x86/entry.S — every way into the hypervisor, and the one way out.
 *
 * The hypervisor owns the IDT.  Every exception, every hardware interrupt and
 * every hypercall (int $0x82) lands on one of the stubs below.  When it comes
 * from ring 1 or ring 3 the CPU has already switched to the stack in
 * TSS.esp0 (the top of the hypervisor stack, or of the entry stack under
 * isolation=paging) and pushed ss, esp, eflags, cs, eip (and an error code
 * for some exceptions).  The stub pushes a fake error code where the CPU did not, the
 * vector number, and all general and segment registers, so that C sees one
 * struct cpu_regs (hv/x86/traps.h) for every entry.  trap() may change that frame
 * — a hypercall result in eax, a bounce to the guest's handler in eip, or a
 * whole other domain's registers after a context switch — and
 * ret_from_trap restores whatever is there and irets.
 *
 * Because guests always enter at the top of that stack, "the guest's
 * registers" are always at the same address, guest_regs() (hv/x86/traps.c).
 * That is how a context switch works here: copy the frame out to the old
 * domain, copy the new domain's in.
 *
 * THE ENTRY TRAMPOLINE (course: the memory split; KPTI).  The code from
 * here to the end of .text.entry, the page of tables in .data.entry and
 * the entry stack are the only pages of the hypervisor a guest's page
 * directory maps under isolation=paging (hv/mm/isolation.c): while a guest
 * runs, the rest of the hypervisor is simply not in its address space.  So
 * the first thing an entry does, before it touches anything else, is load
 * the hypervisor's own directory (hv_cr3), and the last thing the exit does
 * before the pops and the iret is load the guest's (exit_cr3).  C code then
 * runs on the hypervisor stack (hv_stack_top), which the guest never maps;
 * the entry stack holds nothing but the frame.  Under isolation=classic
 * all of that is skipped (one compare): the guest's own directory, which
 * maps the whole hypervisor, stays loaded, and the segment limits alone
 * keep the guest out (docs/address-space.md).
 *
 * Anything that runs while a guest's directory is loaded must be in
 * .text.entry: code anywhere else is simply not there.
 *
 * An entry from ring 0 (an interrupt while the hypervisor idles, a fault
 * in copy_guest, an NMI at any instruction — even one of the trampoline's
 * own, before the switch in or after the switch out) keeps the stack it
 * came on, except that it leaves the entry stack for the hypervisor stack,
 * and it loads hv_cr3 if it finds a guest's directory loaded; its return
 * puts that directory back.
 */
#define HV_DS 0x10
#define CPU_REGS_SIZE 72      /* sizeof(struct cpu_regs), checked in traps.h */
#define REGS_CS 56            /* offsetof(struct cpu_regs, cs) */
#define EFLAGS_VM 0x00020000  /* virtual-8086 mode */

    .section .text.entry, "ax"

/*
 * One stub per vector, all 256 of them, made by one assembler loop, and one
 * table C sees: trap_stubs[v] is the address of vector v's stub.  The IDT
 * (hv/x86/segments.c) decides which vectors get a gate and with which
 * privilege; a vector without a gate simply has an unused stub.
 *
 * Each stub makes the frame look the same whatever the CPU pushed: for the
 * eight exceptions where the CPU pushes an error code itself (8 #DF, 10 #TS,
 * 11 #NP, 12 #SS, 13 #GP, 14 #PF, 17 #AC, and 21 #CP) the stub pushes only
 * the vector; for every other vector it pushes a 0 first, so struct cpu_regs
 * always has one error-code word.  Every stub is padded to 16 bytes so the
 * table below can be a second loop over the same numbers.
 */
    .p2align 4
trap_stub_base:
vec = 0
.rept 256
    .p2align 4
    .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21)
    .else
    pushl $0                    /* no error code from the CPU: make one */
    .endif
    pushl $vec
    jmp   trap_common
vec = vec + 1
.endr

    .section .rodata
    .p2align 2
    .globl trap_stubs
trap_stubs:
vec = 0
.rept 256
    .long trap_stub_base + 16 * vec
vec = vec + 1
.endr
    .section .text.entry, "ax"

/* Move vector, error code, eip, cs, eflags, esp, ss up by four words
 * (from the top down: the two ranges overlap), %eax saved around it. */
vm86_fold:
    pushl %eax
    movl  28(%esp), %eax;  movl %eax, 44(%esp)     /* ss */
    movl  24(%esp), %eax;  movl %eax, 40(%esp)     /* esp */
    movl  20(%esp), %eax;  movl %eax, 36(%esp)     /* eflags */
    movl  16(%esp), %eax;  movl %eax, 32(%esp)     /* cs */
    movl  12(%esp), %eax;  movl %eax, 28(%esp)     /* eip */
    movl  8(%esp), %eax;   movl %eax, 24(%esp)     /* error code */
    movl  4(%esp), %eax;   movl %eax, 20(%esp)     /* vector */
    popl  %eax
    addl  $16, %esp
    jmp   vm86_folded

/*
 * The common path of every stub.  The guest's segment registers hold its
 * own ring-1 or ring-3 selectors; they are saved with the rest (a context
 * switch must restore them) and replaced by the hypervisor's data segment,
 * whose limit is 4 GiB: with the guest's %ds still loaded, the hypervisor's
 * own accesses to the top 64 MiB would fail the very limit check that
 * protects it.  %fs and %gs are unused in ring 0 and set to the null
 * selector, so a stale guest value cannot be used by accident.
 */
trap_common:
    /* A way in from virtual-8086 mode (EFLAGS.VM in the frame; it can only
     * be a guest's): the CPU pushed four more words, the VM86 es ds fs gs,
     * above ss, so the frame sits 16 bytes lower than every other guest
     * frame.  Fold it up over them: then it is where guest_regs() says,
     * and trap() crashes the domain (nothing may return to virtual-8086
     * mode with the four words gone). */
    testl $EFLAGS_VM, 16(%esp)
    jnz   vm86_fold
vm86_folded:
    /* Build the rest of struct cpu_regs: segment registers, then the
     * general registers, lowest address last. */
    pushl %gs
    pushl %fs
    pushl %es
    pushl %ds
    pushl %eax
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %edx
    pushl %ecx
    pushl %ebx
    mov   $HV_DS, %eax
    mov   %eax, %ds
    mov   %eax, %es
    xor   %eax, %eax
    mov   %eax, %fs
    mov   %eax, %gs
    cld                         /* the C ABI wants DF clear; a guest may
                                   have left it set */
    cmpl  $0, isolation_paging
    jne   paging_entry

    /* isolation=classic: the guest's directory maps the whole hypervisor,
     * so nothing changes address space; the frame is at the top of the
     * hypervisor stack (TSS.esp0) and C runs just below it. */
    pushl %esp                  /* struct cpu_regs *regs */
    call  trap
    addl  $4, %esp

/* The way out, common to both modes: the frame at %esp, back to where it
 * came from.  Each of the four segment pops and the iret can fault IN RING
 * 0: the selector is the guest's, and the descriptor it names may have
 * changed since the guest loaded it (a guest's descriptor table that is no
 * longer mapped, on a machine that let it have one).  A fault there must
 * not be a hypervisor panic: hv_fault() (traps.c) knows these five labels,
 * replaces the selector that failed by a null one, arranges a bounce to the
 * guest's failsafe callback (or crashes the domain), and resumes at
 * restore_restart below, which starts the way out over.  Xen does the same.
 *
 * The iret pops eip, cs and eflags, and, because the popped cs has RPL 1
 * or 3, esp and ss too: the CPU leaves ring 0 for the guest's ring and the
 * guest's own stack.  A guest cannot use this to gain privilege: every cs
 * that reaches the frame was pushed by the CPU on entry or is a handler
 * selector the hypervisor checked (valid_guest_code in
 * hv/core/hypercalls.c), never a ring-0 one. */
    .globl ret_from_trap, restore_ds, restore_es, restore_fs, restore_gs, restore_iret
ret_from_trap:
    popl  %ebx
    popl  %ecx
    popl  %edx
    popl  %esi
    popl  %edi
    popl  %ebp
    popl  %eax
restore_ds:
    popl  %ds
restore_es:
    popl  %es
restore_fs:
    popl  %fs
restore_gs:
    popl  %gs
    addl  $8, %esp              /* vector, error code */
restore_iret:
    iret

/*
 * A restore above faulted, and hv_fault() has rebuilt the guest's frame in
 * restore_frame (the fault's own frame was pushed over the part of it
 * already popped, see traps.c).  We come here from that fault's return, in
 * ring 0, with whatever directory the way out had loaded.  Put the frame
 * back where a guest's frame lives, let exit_to_guest() decide again who
 * runs (the domain may have been crashed), and take the way out once more.
 */
    .globl restore_restart
restore_restart:
    cmpl  $0, isolation_paging
    jne   1f
    mov   $(hv_stack_top - CPU_REGS_SIZE), %edi     /* isolation=classic */
    mov   %edi, %esp
    mov   $restore_frame, %esi
    mov   $(CPU_REGS_SIZE / 4), %ecx
    cld
    rep movsl
    call  exit_to_guest
    jmp   ret_from_trap
1:  mov   hv_cr3, %eax                              /* isolation=paging */
    mov   %eax, %cr3
    incl  cr3_loads
    mov   $hv_stack_top, %esp
    mov   $restore_frame, %esi
    mov   $(entry_stack_top - CPU_REGS_SIZE), %edi
    mov   $(CPU_REGS_SIZE / 4), %ecx
    cld
    rep movsl
    call  exit_to_guest
    mov   $(entry_stack_top - CPU_REGS_SIZE), %esp
    jmp   paging_exit_guest

/* isolation=paging: into the hypervisor's own address space first.  An
 * entry from a guest has its frame exactly at the top of the entry stack
 * (the CPU switched to TSS.esp0); anything else came from ring 0. */
paging_entry:
    mov   %esp, %ebx            /* struct cpu_regs *regs: %ebx survives the call */
    cmp   $(entry_stack_top - CPU_REGS_SIZE), %esp
    jne   paging_entry_ring0
    mov   hv_cr3, %eax
    mov   %eax, %cr3            /* from here on the whole hypervisor is mapped */
    incl  cr3_loads
    mov   $hv_stack_top, %esp   /* C runs on the hypervisor stack, which no guest maps */
    pushl %ebx
    call  trap
    mov   %ebx, %esp
/* Back to a guest: the directory of whichever domain is current now,
 * loaded last, when nothing but the trampoline is still needed. */
paging_exit_guest:
    incl  cr3_loads
    mov   exit_cr3, %eax
    mov   %eax, %cr3
    jmp   ret_from_trap

/* An entry from ring 0: the hypervisor itself (an interrupt while it idles,
 * a fault in copy_guest), or its trampoline (an NMI anywhere in it, a fault
 * in the exit's pops or iret), where the directory may still be a guest's
 * and the stack the entry stack.  Switch to the hypervisor's directory and
 * stack if need be (the hypervisor stack is free then: the entry stack is
 * in use only while it is not), and put the directory back on the way out. */
paging_entry_ring0:
    xor   %esi, %esi            /* the directory to put back (0: none) */
    mov   %cr3, %eax
    cmp   hv_cr3, %eax
    je    1f
    mov   %eax, %esi            /* a guest's directory was loaded */
    mov   hv_cr3, %eax
    mov   %eax, %cr3
    incl  cr3_loads
1:  mov   %esp, %eax
    and   $0xFFFFF000, %eax
    cmp   $entry_stack, %eax
    jne   2f
    mov   $hv_stack_top, %esp
    /* This frame, below the guest's, will stay in the entry stack after
     * the iret, with register values of the trampoline's -- the current
     * guest's: wiped before another domain runs (hv/mm/isolation.c). */
    movl  $1, entry_stack_used
2:  pushl %ebx
    call  trap
    mov   %ebx, %esp
    test  %esi, %esi
    jz    ret_from_trap
    incl  cr3_loads
    mov   %esi, %cr3
    jmp   ret_from_trap

/*
 * The trampoline's data (.data.entry, read-only to a guest): the mode, and
 * the two directories the entry and the exit load.  hv/mm/isolation.c sets
 * them; the IDT, GDT and TSS (hv/x86/segments.c) share the page.
 */
    .section .data.entry, "aw"
    .p2align 2
    .globl isolation_paging, hv_cr3, exit_cr3
isolation_paging:  .long 0      /* 1 under isolation=paging */
hv_cr3:            .long 0      /* the hypervisor's directory (machine address) */
exit_cr3:          .long 0      /* the current guest's directory */

/* The entry stack: one page, writable by the CPU on every entry from a
 * guest, and so by the guest itself (ring 1 is "supervisor" for paging).
 * That is harmless: it holds the current guest's own registers and
 * nothing else, and the hypervisor only reads them as what they are. */
    .section .bss.entry, "aw", @nobits
    .p2align 12
    .globl entry_stack, entry_stack_top
entry_stack:
    .space 4096
entry_stack_top:

    .text
/*
 * void enter_guest(const struct cpu_regs *regs)
 * The very first entry into a guest: there is no trap frame to return
 * through yet, so make one where a guest's frame always is (the top of the
 * hypervisor stack, or of the entry stack under isolation=paging) and take
 * the exit path.  Whatever was on the hypervisor stack (hv_main's frames)
 * is abandoned on purpose: from now on the hypervisor only ever runs
 * because a guest (or an interrupt in the idle loop) entered it.  Putting the frame exactly where
 * an entry would have left it is what lets guest_regs() and the context
 * switch treat the first run like any other return to a guest.
 */
    .globl enter_guest
enter_guest:
    mov   4(%esp), %esi
    mov   $(hv_stack_top - CPU_REGS_SIZE), %edi
    cmpl  $0, isolation_paging
    je    1f
    mov   $(entry_stack_top - CPU_REGS_SIZE), %edi
1:  mov   %edi, %esp
    mov   $(CPU_REGS_SIZE / 4), %ecx
    addl  %ecx, rep_iters
    rep movsl
    cmpl  $0, isolation_paging
    je    ret_from_trap
    jmp   paging_exit_guest

/*
 * int copy_guest(void *dst, const void *src, uint32_t n)
 * Copy n bytes where one side is guest memory, under the guest's own page
 * tables (isolation=classic: its directory is loaded; isolation=paging: the
 * hypervisor's directory, whose guest half mirrors the guest's,
 * hv/mm/isolation.c).  The hypervisor never trusts a guest pointer: the caller has
 * already checked the range lies below HYPERVISOR_VIRT_START
 * (guest_range_ok), and if a page in it is unmapped or read-only the copy
 * faults *in ring 0*.  The page-fault handler recognises the faulting eip as
 * copy_guest_insn and resumes at copy_guest_fault instead of panicking (an
 * "exception fixup", as Linux and Xen do it), so the hypercall just returns
 * -EFAULT.  Returns 0 or -EFAULT (-14).
 *
 * Optimization: the plain version is one `rep movsb`.  Here whole words
 * go first, then the 0-3 bytes left: a rep iteration costs about the same
 * whatever its size, so this is 4 times fewer (and the hypercall arguments
 * it copies are mostly whole words); measured, 14 instructions less per
 * demand-zero page fault (docs/performance.md).  Either rep may fault, so
 * both are fixup sites.
 */
    .globl copy_guest, copy_guest_insn, copy_guest_insn2, copy_guest_fault
copy_guest:
    push  %esi
    push  %edi
    mov   12(%esp), %edi
    mov   16(%esp), %esi
    mov   20(%esp), %ecx
    shr   $2, %ecx
    addl  %ecx, rep_iters       /* counted for the benchmarks (x86/x86.h) */
copy_guest_insn:
    rep movsl
    mov   20(%esp), %ecx
    and   $3, %ecx
    addl  %ecx, rep_iters
copy_guest_insn2:
    rep movsb
    xor   %eax, %eax
copy_guest_out:
    pop   %edi
    pop   %esi
    ret
copy_guest_fault:
    mov   $-14, %eax
    jmp   copy_guest_out
