/*
 * minios-guest/arch/pv/boot-pv.S — how minios starts under the hvkit hypervisor.
 *
 * Where this sits in the story (course: ring deprivileging, memory split):
 * the hypervisor's domain builder has loaded this same image, mapped all of
 * the domain's memory at 0xC0000000 + pseudo-physical address, and entered
 * pv_entry below in *ring 1* (%cs = FLAT_RING1_CS), with %esi pointing at the
 * start_info page (public/start_info.h).  Paging is already on and is not
 * ours to touch: there is no Multiboot, no GDT, no page directory to build.
 *
 * The builder finds pv_entry through the ELF note at the end of this file
 * (name "HVKIT", type HVKIT_ELFNOTE_PV_ENTRY, 4-byte virtual address), the
 * same trick Xen uses; QEMU ignores the note and uses e_entry (the native
 * entry in boot-native.S).  One image, two front doors.
 */
#define HVKIT_ELFNOTE_PV_ENTRY 1

.text
.globl pv_entry
pv_entry:
    /* Clear bss (the builder should have, but a kernel should not rely on
     * it), then move to our own boot stack and enter C.  %esi survives:
     * rep stosb uses only %edi, %ecx and %eax. */
    cld
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    xorl    %eax, %eax
    rep stosb

    movl    $boot_stack_top, %esp
    pushl   %esi                       /* start_info (virtual address) */
    call    pv_main                    /* does not return */
1:  jmp     1b

/* The HVKIT ELF note: namesz, descsz, type, name (padded to 4), desc. */
.section .note.hvkit, "a"
.balign 4
    .long   6                          /* namesz: "HVKIT" and its NUL */
    .long   4                          /* descsz: one 32-bit address */
    .long   HVKIT_ELFNOTE_PV_ENTRY
    .asciz  "HVKIT"
    .balign 4
    .long   pv_entry                   /* desc: the virtual PV entry */
