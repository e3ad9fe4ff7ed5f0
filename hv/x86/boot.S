/*
 * hv/x86/boot.S — the first instructions the hypervisor runs.
 *
 * QEMU (-kernel hv.elf) is our boot loader: it understands Multiboot v1,
 * loads the ELF at its physical addresses (1 MiB up), loads the guest images
 * given with -initrd as Multiboot *modules*, and jumps to _start_phys in
 * 32-bit protected mode with paging off, %eax = 0x2BADB002 and %ebx = the
 * physical address of the Multiboot information structure.
 *
 * We are linked at 0xFC100000 (the memory split: the top 64 MiB, drawn in
 * public/address_space.h), so before any C can run we need paging with a
 * mapping of physical memory at 0xFC000000.  We build it with 4 MiB pages
 * (PSE): fifteen of them map the first 60 MiB of machine memory — the
 * "direct map" through which the hypervisor reaches every machine frame it
 * hands out.  They are marked global (G), so switching CR3 between guests
 * never flushes them from the TLB (isolation=classic; under
 * isolation=paging, hv/mm/isolation.c takes the G bits off again, since a
 * guest must not find them in the TLB).  One extra identity mapping of the
 * first 4 MiB lets the instruction after "paging on" still be fetched; C
 * code removes it.
 */
/* The memory split and the entry bits: HYPERVISOR_VIRT_START, HV_FIRST_SLOT,
 * PTE_P, PTE_RW, PTE_PS (a 4 MiB page), PTE_G (global: survives CR3 reloads). */
#include "public/address_space.h"

#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     0x00000003      /* page-align modules; give us a memory map */
#define HV_BASE      HYPERVISOR_VIRT_START
#define DIRECT_MAP_PDES 15           /* 15 x 4 MiB = 60 MiB */

/* hv.ld links the hypervisor at HYPERVISOR_VIRT_START + 1 MiB, but a linker
 * script cannot include a C header: it takes the address from this symbol. */
    .globl hv_link_base
    .set   hv_link_base, HV_BASE

/*
 * The Multiboot header: QEMU searches the first 8 KiB of the image for the
 * magic, and the three words must add up to 0 (the checksum), so a random
 * 0x1BADB002 in some other file is not mistaken for a kernel.  hv.ld puts
 * this section first in .text so it always falls in that window.
 */
    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text.boot, "ax"
    .globl _start
_start:
    /* No IDT exists yet: an interrupt now would triple-fault the machine.
     * Interrupts stay off in the hypervisor from here on (every gate it
     * installs is an interrupt gate); they are only ever on in a guest or
     * in the idle loop's sti; hlt. */
    cli
    cld
    /* Fill the boot page directory (we are at physical addresses now).
     * Every symbol is linked at its high address, so each one we touch
     * before paging is on has HV_BASE subtracted by hand. */
    mov  $(boot_pgdir - HV_BASE), %edi
    movl $(0 | PTE_P | PTE_RW | PTE_PS), (%edi)        /* identity 0-4 MiB */
    mov  $0, %ecx
1:  mov  %ecx, %edx
    shl  $22, %edx                                     /* ecx * 4 MiB */
    or   $(PTE_P | PTE_RW | PTE_PS | PTE_G), %edx
    mov  %edx, (HV_FIRST_SLOT * 4)(%edi, %ecx, 4)      /* slot 1008 = 0xFC000000 */
    inc  %ecx
    cmp  $DIRECT_MAP_PDES, %ecx
    jne  1b

    /* CR4: PSE (4 MiB pages) and PGE (global pages).
     * The hypervisor may use 4 MiB pages for itself although it refuses
     * them to guests (MMRULE_LARGE_PAGE): these directory entries are its
     * own, written once here and copied into every guest directory as the
     * hypervisor slots, never subject to validation.  A guest's 4 MiB page
     * would have no L1 for the rules of direct paging to inspect. */
    mov  %cr4, %edx
    or   $0x90, %edx
    mov  %edx, %cr4
    mov  %edi, %cr3
    /* CR0: PG (paging) and WP (write protect: read-only pages bind ring 0
     * too, so the hypervisor cannot be tricked into writing a guest's
     * read-only page on the guest's behalf). */
    mov  %cr0, %edx
    or   $0x80010000, %edx
    mov  %edx, %cr0

    /* Jump to the link (high) address.  An indirect jump, because a
     * relative one would stay in the identity mapping; after it, eip is in
     * the top 64 MiB where it belongs and the identity entry is unused. */
    lea  2f, %edx
    jmp  *%edx
2:
    /* The one hypervisor stack.  There is one CPU, and the hypervisor
     * runs with interrupts off except when it idles on purpose (sti; hlt
     * in schedule()), so one stack is all it needs: C code starts at its
     * top again on every entry from a guest (hv/x86/entry.S).  %ebp = 0
     * ends a debugger's backtrace here. */
    mov  $(hv_stack_top), %esp
    xor  %ebp, %ebp
    push %ebx                       /* Multiboot info (physical) */
    push %eax                       /* Multiboot magic */
    call hv_main
    /* hv_main never returns: it ends by entering the first guest.  If it
     * ever did, stop here rather than run off into whatever follows. */
3:  hlt
    jmp 3b

/*
 * Page-aligned, uninitialised data (hv.ld keeps .bss.pagealigned first in
 * .bss).  boot_pgdir is the hypervisor's own page directory: the one CR3
 * holds while no guest runs (the idle loop), and under isolation=paging
 * whenever the hypervisor runs at all (hv/mm/isolation.c).  Under
 * isolation=classic its top slots (HV_FIRST_SLOT, public/address_space.h)
 * are what every guest directory copies.
 */
    .section .bss.pagealigned, "aw", @nobits
    .align 4096
    .globl boot_pgdir
boot_pgdir:
    .space 4096
    .globl hv_stack
hv_stack:
    .space 16384
    .globl hv_stack_top
hv_stack_top:
