/*
 * minios-guest/arch/native/boot-native.S — how minios starts on bare hardware (QEMU -kernel).
 *
 * Where this sits in the story: this is the "native" half of the kit's
 * comparison.  QEMU's Multiboot loader finds the header below, loads the
 * image at physical 1 MiB and jumps to _start in 32-bit protected mode with
 * paging off, %eax = the Multiboot magic and %ebx = the physical address of
 * the Multiboot information (memory size, command line).  We are in ring 0.
 *
 * The kernel is linked at 0xC0100000 but runs at 0x00100000 until paging is
 * on, so this code may only use *physical* addresses (V2P below).  Like xv6's
 * entry.S it turns on paging with a tiny page directory of 4 MiB pages
 * (native_boot_pgdir in pvops-native.c) that maps both virtual 0 and virtual
 * 0xC0000000 to physical 0..16 MiB, then jumps to the high address and never
 * looks back.  The paravirtualized start is boot-pv.S: there the hypervisor
 * has already done all of this for us.
 */
#define MULTIBOOT_MAGIC   0x1BADB002
#define MULTIBOOT_FLAGS   0x00000003   /* bit 0: page-align modules, bit 1: give memory info.
                                          No bit 16: QEMU loads our ELF segments itself. */
#include "public/address_space.h"     /* GUEST_KERNEL_BASE: the memory split */
#define KERNBASE          GUEST_KERNEL_BASE
#define V2P(x)            ((x) - KERNBASE)

#define CR0_PG            0x80000000   /* paging */
#define CR0_WP            0x00010000   /* honour read-only pages in ring 0 too */
#define CR4_PSE           0x00000010   /* 4 MiB pages */

/* minios.ld links the kernel at KERNBASE + 1 MiB; a linker script cannot
 * include a C header, so it takes the address from this symbol. */
.globl minios_link_base
.set   minios_link_base, KERNBASE

.section .multiboot, "a"
.balign 4
multiboot_header:
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

.text
/* The ELF entry point is physical: paging is off when QEMU jumps to it. */
.globl _start
_start = V2P(native_entry)

.globl native_entry
native_entry:
    /* Turn on 4 MiB pages, load the boot page directory, turn on paging.
     * %eax and %ebx carry the Multiboot magic and info: keep them. */
    movl    %cr4, %ecx
    orl     $CR4_PSE, %ecx
    movl    %ecx, %cr4
    movl    $V2P(native_boot_pgdir), %ecx
    movl    %ecx, %cr3
    movl    %cr0, %ecx
    orl     $(CR0_PG | CR0_WP), %ecx
    movl    %ecx, %cr0

    /* Paging is on and we still run at the low address (virtual 0 maps to
     * physical 0).  An absolute jump moves us to the high address. */
    movl    $native_high, %ecx
    jmp     *%ecx

native_high:
    /* Clear bss (QEMU does too, but a kernel should not rely on its loader
     * for that), then switch to our own boot stack and enter C. */
    movl    %eax, %edx                 /* save the magic: stosb uses %eax */
    cld
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    xorl    %eax, %eax
    rep stosb

    movl    $boot_stack_top, %esp
    pushl   %ebx                       /* multiboot info (physical) */
    pushl   %edx                       /* multiboot magic */
    call    native_main                /* does not return */
1:  hlt
    jmp     1b

/* The boot stack: used by native_main, then by the scheduler loop.  Each
 * process gets its own kernel stack (proc.c).  boot-pv.S uses it too. */
.bss
.balign 16
.globl boot_stack, boot_stack_top
boot_stack:
    .space 16384
boot_stack_top:
