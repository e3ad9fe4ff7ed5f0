/*
 * hv/x86/entry.S — every way into the hypervisor, and the one way out.
 *
 * The hypervisor owns the IDT.  Every exception, every hardware interrupt and
 * every hypercall (int $0x82) lands on one of the stubs below.  When it comes
 * from ring 1 or ring 3 the CPU has already switched to the hypervisor stack
 * (TSS.esp0) and pushed ss, esp, eflags, cs, eip (and an error code for some
 * exceptions).  The stub pushes a fake error code where the CPU did not, the
 * vector number, and all general and segment registers, so that C sees one
 * struct cpu_regs (hv/x86/traps.h) for every entry.  trap() may change that frame
 * — a hypercall result in eax, a bounce to the guest's handler in eip, or a
 * whole other domain's registers after a context switch — and
 * ret_from_trap restores whatever is there and irets.
 *
 * Because there is a single hypervisor stack and guests always enter at its
 * top, "the guest's registers" are always at the same address:
 * hv_stack_top - sizeof(struct cpu_regs).  That is how a context switch works
 * here: copy the frame out to the old domain, copy the new domain's in.
 */
#define HV_DS 0x10
#define CPU_REGS_SIZE 72      /* sizeof(struct cpu_regs), checked in traps.h */

    .text

/* Stubs for vectors where the CPU pushes no error code: push a 0. */
.macro TRAP_NOERR vec
    .globl trap_\vec
trap_\vec:
    pushl $0
    pushl $\vec
    jmp   trap_common
.endm

/* Stubs for vectors where the CPU pushed an error code already. */
.macro TRAP_ERR vec
    .globl trap_\vec
trap_\vec:
    pushl $\vec
    jmp   trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19
/* Hardware interrupts from the 8259 PIC, remapped to 32..47. */
TRAP_NOERR 32
TRAP_NOERR 33
TRAP_NOERR 34
TRAP_NOERR 35
TRAP_NOERR 36
TRAP_NOERR 37
TRAP_NOERR 38
TRAP_NOERR 39
TRAP_NOERR 40
TRAP_NOERR 41
TRAP_NOERR 42
TRAP_NOERR 43
TRAP_NOERR 44
TRAP_NOERR 45
TRAP_NOERR 46
TRAP_NOERR 47
/* int $0x80 when the running guest has no direct system-call gate. */
TRAP_NOERR 128
/* int $0x82: a hypercall. */
TRAP_NOERR 130

trap_common:
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
    cld
    pushl %esp                  /* struct cpu_regs *regs */
    call  trap
    addl  $4, %esp

    .globl ret_from_trap
ret_from_trap:
    popl  %ebx
    popl  %ecx
    popl  %edx
    popl  %esi
    popl  %edi
    popl  %ebp
    popl  %eax
    popl  %ds
    popl  %es
    popl  %fs
    popl  %gs
    addl  $8, %esp              /* vector, error code */
    iret

/*
 * void enter_guest(const struct cpu_regs *regs)
 * The very first entry into a guest: there is no trap frame to return
 * through yet, so make one at the top of the stack and take the exit path.
 * Whatever was on the stack (hv_main's frames) is abandoned on purpose.
 */
    .globl enter_guest
enter_guest:
    mov   4(%esp), %esi
    mov   $hv_stack_top, %edi
    sub   $CPU_REGS_SIZE, %edi
    mov   %edi, %esp
    mov   $(CPU_REGS_SIZE / 4), %ecx
    rep movsl
    jmp   ret_from_trap

/*
 * int copy_guest(void *dst, const void *src, uint32_t n)
 * Copy n bytes where one side is guest memory, under the guest's own page
 * tables.  The hypervisor never trusts a guest pointer: the caller has
 * already checked the range lies below HYPERVISOR_VIRT_START
 * (guest_range_ok), and if a page in it is unmapped or read-only the copy
 * faults *in ring 0*.  The page-fault handler recognises the faulting eip as
 * copy_guest_insn and resumes at copy_guest_fault instead of panicking (an
 * "exception fixup", as Linux and Xen do it), so the hypercall just returns
 * -EFAULT.  Returns 0 or -EFAULT (-14).
 *
 * Words first, then the 0-3 bytes left: a rep iteration costs about the
 * same whatever its size, so this is 4 times fewer (and the hypercall
 * arguments it copies are mostly whole words).  Either rep may fault, so
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
copy_guest_insn:
    rep movsl
    mov   20(%esp), %ecx
    and   $3, %ecx
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
