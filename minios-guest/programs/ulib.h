/*
 * minios-guest/programs/ulib.h — the programs' library: system-call wrappers and printf.
 *
 * Where this sits in the story: this is everything a ring-3 program may
 * use.  A wrapper loads %eax and the arguments and executes int $0x80; the
 * CPU switches to ring 0 (natively) or ring 1 (under hvkit) and runs the
 * kernel's trap handler.  Programs never call kernel functions and never use
 * privileged instructions -- they could not: ring 3.
 */
#ifndef MINIOS_ULIB_H
#define MINIOS_ULIB_H

#include <stdint.h>
#include "kernel/syscall.h"

/* The raw system call: number and three arguments, result in %eax. */
static inline int usyscall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
    int ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
                     : "memory");
    return ret;
}

static inline int write(int fd, const void *buf, uint32_t len)
{
    return usyscall(SYS_write, (uint32_t)fd, (uint32_t)buf, len);
}

static inline int getpid(void) { return usyscall(SYS_getpid, 0, 0, 0); }
static inline int yield(void) { return usyscall(SYS_yield, 0, 0, 0); }

static inline void nanosleep(uint64_t ns)
{
    usyscall(SYS_nanosleep, (uint32_t)ns, (uint32_t)(ns >> 32), 0);
}

/* The 64-bit result comes back in %edx:%eax. */
static inline uint64_t clock_ns(uint32_t clock)
{
    uint32_t lo, hi;
    __asm__ volatile("int $0x80" : "=a"(lo), "=d"(hi)
                     : "a"(SYS_clock_gettime), "b"(clock) : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Processes (syscall.h): fork returns 0 in the child; waitpid the child's
 * exit code; execve returns only if it failed. */
static inline int fork(void) { return usyscall(SYS_fork, 0, 0, 0); }
static inline int waitpid(int pid) { return usyscall(SYS_waitpid, (uint32_t)pid, 0, 0); }
static inline int execve(const char *name) { return usyscall(SYS_execve, (uint32_t)name, 0, 0); }

/* npages zeroed pages at addr, in the data area; and back. */
static inline int mmap(uint32_t addr, uint32_t npages) { return usyscall(SYS_mmap, addr, npages, 0); }
static inline int munmap(uint32_t addr, uint32_t npages) { return usyscall(SYS_munmap, addr, npages, 0); }

static inline int bench_counters(struct bench_counters *c)
{
    return usyscall(SYS_bench_counters, (uint32_t)c, 0, 0);
}

static inline void __attribute__((noreturn)) exit(int code)
{
    usyscall(SYS_exit, (uint32_t)code, 0, 0);
    for (;;)
        ;
}

/* Format and write to fd 1 in one system call (ulib.c). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
