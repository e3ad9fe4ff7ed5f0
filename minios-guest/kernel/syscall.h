/*
 * minios-guest/kernel/syscall.h — minios system call numbers, shared by the kernel (syscall.c)
 * and the programs (ulib.h).
 *
 * Where this sits in the story: a program in ring 3 asks the kernel for
 * service with int $0x80, %eax = number, %ebx %ecx %edx = arguments, result
 * in %eax.  Under hvkit this trap goes straight from ring 3 to the guest
 * kernel in ring 1 -- the hypervisor is not on the path ("fast trap").  The
 * numbers are Linux i386's, so they look familiar in a debugger.
 */
#ifndef MINIOS_SYSCALL_H
#define MINIOS_SYSCALL_H

#define SYS_exit        1    /* (code): does not return */
#define SYS_fork        2    /* (): the child's pid, 0 in the child (copy-on-write) */
#define SYS_write       4    /* (fd, buf, len): fd 1 or 2, the console */
#define SYS_waitpid     7    /* (pid): wait for that child; its exit code
                                (unlike Linux: no status word), -ECHILD */
#define SYS_execve     11    /* (name): become the ring-3 program of that name
                                (no files: programs are in the image); -ENOENT */
#define SYS_getpid     20    /* (): this process's id */
#define SYS_mmap       90    /* (addr, npages): map npages zeroed pages at addr,
                                in the data area (unlike Linux: fixed, anonymous) */
#define SYS_munmap     91    /* (addr, npages): unmap them, the pages go back */
#define SYS_yield     158    /* (): let another process (or domain) run */
#define SYS_nanosleep 162    /* (ns low, ns high): sleep at least that long */
#define SYS_clock_gettime 265 /* (clock): the time in ns, 64 bits in %edx:%eax */
#define SYS_bench_counters 1000 /* (struct bench_counters *): minios's own, for
                                   the benchmarks' cost model (below) */

/* Clocks for SYS_clock_gettime.  Unlike Linux, the value comes back in
 * registers (no pointer to check).  REALTIME: ns since 1970 (wall clock);
 * MONOTONIC: system time, ns since boot; VIRTUAL: ns this (virtual)
 * machine has run -- under hvkit the domain's virtual time. */
#define CLOCK_REALTIME   0
#define CLOCK_MONOTONIC  1
#define CLOCK_VIRTUAL    2

#ifndef __ASSEMBLY__
#include <stdint.h>

/* What SYS_bench_counters fills in: the kernel's counters (struct
 * kcounters, kernel.h) and, under hvkit, the hypervisor's
 * (xen_version(XENVER_hvkit_stats)), 0 natively.  All count from boot;
 * a benchmark reads them before and after, twice back to back first to
 * know what a read itself adds. */
struct bench_counters {
    uint32_t k_entries, k_cr3_loads, k_invlpgs, k_zero_iters, k_copy_iters;
    uint32_t hv_entries, hv_cr3_loads, hv_invlpgs, hv_rep_iters, hv_switches;
};
#define BENCH_NR_COUNTERS 10

struct trapframe;
void syscall(struct trapframe *tf);    /* syscall.c */
/* What SYS_bench_counters reads, for the kernel's own bench task. */
void bench_counters_read(struct bench_counters *c);
#endif

#endif
