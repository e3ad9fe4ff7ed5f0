/*
 * minios-guest/kernel/kernel.h — what every part of the minios kernel may call: the console,
 * panic, and what the boot code found out about the machine.
 *
 * Where this sits in the story: the kernel proper (main.c, trap.c, proc.c,
 * syscall.c and the kernel-side demo programs) is the same C code in both
 * modes.  Only the entry points and the pv-ops table differ.
 */
#ifndef MINIOS_KERNEL_H
#define MINIOS_KERNEL_H

#include <stdint.h>
#include "public/address_space.h"

/* Kernel virtual address = GUEST_KERNEL_BASE + (pseudo-)physical address,
 * in both modes: under hvkit the builder maps us there (the memory split,
 * public/address_space.h), and natively boot-native.S does the same. */
#define KERNBASE GUEST_KERNEL_BASE
#define P2V(pa)  ((void *)((uint32_t)(pa) + KERNBASE))

/* Errors returned by system calls, as negative numbers (Linux's values,
 * the same as the hypervisor's HV_E* codes). */
#define ENOENT   2
#define EBADF    9
#define ECHILD  10
#define EAGAIN  11
#define ENOMEM  12
#define EFAULT  14
#define EINVAL  22
#define ENOSPC  28
#define ENOSYS  38

/* What the boot code learned, for main.c to print and use. */
struct boot_info {
    const char *cmdline;     /* program options, without the kernel path */
    int domid;               /* PV: this domain's id; native: -1 */
    uint32_t nr_pages;       /* pages of (pseudo-)physical memory we own */
};
extern struct boot_info boot_info;

/* What the kernel counts for the benchmarks' cost model (main.c holds it,
 * SYS_bench_counters hands it to a program).  Instruction counts under
 * -icount weigh every instruction alike; these say what real hardware
 * charges more (a trap, a TLB flush) or less (a string iteration) for.
 * Natively the kernel is in ring 0 and loads CR3 itself; under hvkit the
 * hypervisor does, and counts those (XENVER_hvkit_stats). */
struct kcounters {
    uint32_t entries;       /* traps into this kernel: system calls, faults,
                               interrupts, event upcalls (trap.c) */
    uint32_t cr3_loads;     /* native: mov to %cr3 (pvops-native.c) */
    uint32_t invlpgs;       /* native: invlpg (pvops-native.c) */
    uint32_t zero_iters;    /* rep iterations zeroing pages (vm.c) */
    uint32_t copy_iters;    /* rep iterations copying pages (vm.c) */
};
extern struct kcounters kcounters;

/* console.c */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* consfront.c: the split console ("console=split", PV only).  Everything
 * printed goes through console_write: the ring once it is connected,
 * console_io (pv_ops.console_write) otherwise.  console_emergency: back to
 * console_io for good (a panic, a kernel fault).  console_read: typed
 * input from the ring, sleeping until some comes (-EAGAIN: not connected). */
int console_write(const char *buf, uint32_t len);
void console_emergency(void);
int console_split(void);
int console_read(char *buf, uint32_t len);
/* console=split: connect in a kernel task, which then calls start (the
 * programs); 1 if it did, 0 if the caller must start them itself. */
int console_split_start(void (*start)(void));
void console_close(void);
/* A hostile front end's move, for con-flood only: out_prod (or, in = 1,
 * in_cons) `ahead` bytes past what the ring holds, and an event. */
int console_attack(int in, uint32_t ahead);

/* main.c: the common kernel, entered from native_main() or pv_main(). */
void kernel_main(void) __attribute__((noreturn));

/* Options from the command line (main.c). */
int cmdline_has(const char *word);

#endif
