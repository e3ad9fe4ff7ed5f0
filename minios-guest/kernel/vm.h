/*
 * minios-guest/kernel/vm.h — minios's virtual memory: a page allocator, one page directory per
 * process, and demand-zero pages.  (Implementation and the story: vm.c.)
 */
#ifndef MINIOS_VM_H
#define MINIOS_VM_H

#include <stdint.h>

struct trapframe;

/* The private part of every process's address space (below KERNBASE):
 * its stack, growing down from USTACK_TOP, and a data area at UDATA_BASE.
 * Both are demand-zero: a page appears, zeroed, at its first touch. */
#define USTACK_TOP      0xC0000000u
#define USTACK_MAX      (256u * 1024)
#define UDATA_BASE      0x40000000u
#define UDATA_MAX       (4u * 1024 * 1024)

/* A user entry write-protected by fork: the first write copies the page
 * (vm.c, copy-on-write).  Bit 10 is one of the three (9-11) the CPU leaves
 * to the operating system; the hypervisor keeps bit 9 for itself
 * (PTE_GRANT, public/grant_table.h) and leaves bit 10 to the guest. */
#define PTE_COW         0x400u

/* Counters for the bench and the demo: demand-zero faults served,
 * copy-on-write faults that copied / that only made the entry writable
 * again, pages in use. */
struct vm_stats {
    uint32_t faults, cow_copies, prot_faults, pages_free, pages_total;
};
extern struct vm_stats vm_stats;

void vm_init(void);                       /* from kernel_main, once */
void *page_alloc(void);                   /* a zeroed page (kernel address), 0 if none */
void page_free(void *page);

uint32_t *vm_create(void);                /* a new page directory: kernel part shared */
void vm_destroy(uint32_t *pd);            /* give back it and everything it maps */
void vm_switch(uint32_t *pd);
/* fork: a new directory whose private half is the running one's, shared
 * copy-on-write; 0 if out of memory. */
uint32_t *vm_fork(uint32_t *parent);
/* mmap / munmap: n zeroed pages of the data area at va (0 or -errno). */
int vm_map(uint32_t *pd, uint32_t va, uint32_t n);
int vm_unmap(uint32_t *pd, uint32_t va, uint32_t n);
/* The kernel's address of the running program's page va, made writable
 * as the program's own write would (demand-zero, copy-on-write); 0 if it
 * is not the program's to write. */
void *vm_user_page(uint32_t va);
/* Map n fresh zeroed pages at va.. (one batch under hvkit); 0 or -1. */
int vm_populate(uint32_t *pd, uint32_t va, uint32_t n);             /* run on pd (0 = the kernel's own) */
/* Map user page va to a fresh zeroed page; returns its kernel address. */
void *vm_map_zero(uint32_t *pd, uint32_t va);
uint32_t *vm_kernel_pgdir(void);

/* Is the range mapped user-accessible in the current address space? */
int vm_user_mapped(uint32_t start, uint32_t len);

/* A page fault: 1 if it was ours to fix (demand-zero, or an expected
 * kernel fault, see vm_fixup_eip), 0 if it is a real fault. */
int vm_fault(struct trapframe *tf);
/* If non-zero, a kernel #PF resumes here (tests that provoke faults) --
 * and so does any other exception in the kernel (trap.c: the hole-attack
 * demo's load beyond the segment limit is a #GP on real hardware).  The
 * vector is left in vm_fixup_trapno. */
extern volatile uint32_t vm_fixup_eip;
extern volatile uint32_t vm_fixup_trapno;

/* Read I/O port `port` from the kernel: 1 (and *v) if the CPU let us, 0
 * if the `in` faulted (#GP: the port is not ours, public/hw_devices.def). */
int vm_probe_inb(uint16_t port, uint8_t *v);

#endif
