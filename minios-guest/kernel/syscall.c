/*
 * minios-guest/kernel/syscall.c — the kernel side of the system calls.
 *
 * Where this sits in the story (course: hypercalls vs system calls, memory
 * split): SYS_write shows who checks a program's pointer.  Under hvkit the
 * kernel passes the program's buffer straight to the console_io hypercall,
 * and the *hypervisor* refuses a buffer that reaches into its hole at
 * 0xFC000000 (-EFAULT): it has to, since it cannot trust the guest kernel
 * either.  Natively nobody stands behind the kernel, so pvops-native.c
 * checks the range itself.  Either way the program gets -14 and the kernel
 * lives on.
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "kernel/trap.h"
#include "arch/pv/hypercall.h"
#include "public/version.h"

/* Bytes per console write: CONSOLEIO_MAX is 4096, stay well under it. */
#define WRITE_CHUNK 1024

static int sys_write(uint32_t fd, const char *buf, uint32_t len)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    /* A range that wraps around the top of the address space is never
     * valid, and the chunks below would not notice it: refuse it here. */
    if ((uint32_t)buf + len < (uint32_t)buf)
        return -EFAULT;
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = len - done;
        if (n > WRITE_CHUNK)
            n = WRITE_CHUNK;
        int r = pv_ops.console_write(buf + done, n);
        if (r < 0)
            return r;
        done += n;
    }
    return (int)done;
}

static int sys_yield(void)
{
    if (proc_others_runnable())
        proc_yield();              /* another of our processes runs */
    else
        pv_ops.yield_machine();    /* nobody here: let another domain run */
    return 0;
}

static uint64_t sys_clock(uint32_t which)
{
    uint32_t sec, nsec;
    switch (which) {
    case CLOCK_REALTIME:
        pv_ops.wall_clock(&sec, &nsec);
        return (uint64_t)sec * 1000000000u + nsec;
    case CLOCK_MONOTONIC:
        return pv_ops.system_ns();
    case CLOCK_VIRTUAL:
        return pv_ops.virtual_ns();
    }
    return (uint64_t)(int64_t)-EINVAL;
}

/* The CR3 loads the hypervisor has made (the benchmarks compare the two
 * isolation modes by them).  A hypercall, so its own entry is counted:
 * the caller subtracts two calls back to back. */
static int sys_hv_cr3_loads(void)
{
    struct xenver_hvkit_stats st;
    if (!pv_ops.paravirt || HYPERVISOR_xen_version(XENVER_hvkit_stats, &st) < 0)
        return -ENOSYS;
    return (int)st.cr3_loads;
}

void syscall(struct trapframe *tf)
{
    switch (tf->eax) {
    case SYS_write:
        tf->eax = (uint32_t)sys_write(tf->ebx, (const char *)tf->ecx, tf->edx);
        break;
    case SYS_getpid:
        tf->eax = (uint32_t)myproc()->pid;
        break;
    case SYS_yield:
        tf->eax = (uint32_t)sys_yield();
        break;
    case SYS_nanosleep:
        proc_sleep_ns(((uint64_t)tf->ecx << 32) | tf->ebx);
        tf->eax = 0;
        break;
    case SYS_clock_gettime: {
        uint64_t t = sys_clock(tf->ebx);
        tf->eax = (uint32_t)t;
        tf->edx = (uint32_t)(t >> 32);
        break;
    }
    case SYS_hv_cr3_loads:
        tf->eax = (uint32_t)sys_hv_cr3_loads();
        break;
    case SYS_exit:
        proc_exit((int)tf->ebx);   /* does not return */
    default:
        tf->eax = (uint32_t)-ENOSYS;
        break;
    }
}
