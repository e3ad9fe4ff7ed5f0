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
#define SYS_write       4    /* (fd, buf, len): fd 1 or 2, the console */
#define SYS_getpid     20    /* (): this process's id */
#define SYS_yield     158    /* (): let another process (or domain) run */
#define SYS_nanosleep 162    /* (ns low, ns high): sleep at least that long */
#define SYS_clock_gettime 265 /* (clock): the time in ns, 64 bits in %edx:%eax */
#define SYS_hv_cr3_loads 1000 /* (): hvkit's own: the hypervisor's count of CR3
                                 loads so far (xen_version(XENVER_hvkit_stats)),
                                 for bench-pf; -ENOSYS natively */

/* Clocks for SYS_clock_gettime.  Unlike Linux, the value comes back in
 * registers (no pointer to check).  REALTIME: ns since 1970 (wall clock);
 * MONOTONIC: system time, ns since boot; VIRTUAL: ns this (virtual)
 * machine has run -- under hvkit the domain's virtual time. */
#define CLOCK_REALTIME   0
#define CLOCK_MONOTONIC  1
#define CLOCK_VIRTUAL    2

#ifndef __ASSEMBLY__
struct trapframe;
void syscall(struct trapframe *tf);    /* syscall.c */
#endif

#endif
