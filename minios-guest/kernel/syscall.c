/*
 * minios-guest/kernel/syscall.c — the kernel side of the system calls.
 *
 * Where this sits in the story (course: hypercalls vs system calls, memory
 * split, process creation): fork, exec and waitpid (proc.c), mmap and
 * munmap (vm.c) are small wrappers; SYS_write shows who checks a
 * program's pointer.  Under hvkit the
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
#include "kernel/vm.h"
#include "arch/pv/hypercall.h"
#include "public/version.h"

extern char __kernel_end[];            /* the linker script, minios.ld */

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
        int r = console_write(buf + done, n);
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

void bench_counters_read(struct bench_counters *c)
{
    c->k_entries = kcounters.entries;
    c->k_cr3_loads = kcounters.cr3_loads;
    c->k_invlpgs = kcounters.invlpgs;
    c->k_zero_iters = kcounters.zero_iters;
    c->k_copy_iters = kcounters.copy_iters;
    c->hv_entries = c->hv_cr3_loads = c->hv_invlpgs = c->hv_rep_iters = c->hv_switches = 0;
    struct xenver_hvkit_stats st;
    if (pv_ops.paravirt && HYPERVISOR_xen_version(XENVER_hvkit_stats, &st) == 0) {
        c->hv_entries = st.entries;
        c->hv_cr3_loads = st.cr3_loads;
        c->hv_invlpgs = st.invlpgs;
        c->hv_rep_iters = st.rep_iters;
        c->hv_switches = st.switches;
    }
}

/* The cost model's counters (syscall.h), written to the program's buffer.
 * The page is made writable first, as the program's own write would
 * (vm_user_page: a copy-on-write copy now, not in the middle of what the
 * program measures next), then the counters are read, then copied. */
static int sys_bench_counters(uint32_t buf)
{
    uint32_t off = buf & 4095;
    if (off > 4096 - sizeof(struct bench_counters) || (buf & 3))
        return -EINVAL;                    /* within one page, aligned */
    uint8_t *page = vm_user_page(buf);
    if (!page)
        return -EFAULT;
    struct bench_counters c;
    bench_counters_read(&c);
    *(struct bench_counters *)(page + off) = c;
    return 0;
}

/* exec's argument: a program name, copied in a byte at a time, each byte
 * checked to be the program's to read: its own pages, or the kernel image,
 * where its code and string constants are (mapped for programs to read). */
static int sys_execve(struct trapframe *tf, uint32_t uname)
{
    char name[32];
    uint32_t n = 0;
    for (;; n++) {
        uint32_t va = uname + n;
        if (n == sizeof name ||
            !(vm_user_mapped(va, 1) || (va >= KERNBASE && va < (uint32_t)__kernel_end)))
            return -EFAULT;
        name[n] = *(const char *)(uname + n);
        if (name[n] == '\0')
            break;
    }
    const struct program *prog = find_program(name);
    if (!prog || prog->ring != 3)
        return -ENOENT;
    return proc_exec(prog, tf);
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
    case SYS_fork:
        tf->eax = (uint32_t)proc_fork(tf);
        break;
    case SYS_waitpid:
        tf->eax = (uint32_t)proc_waitpid((int)tf->ebx);
        break;
    case SYS_execve: {
        int r = sys_execve(tf, tf->ebx);   /* on success tf is the new program's */
        if (r < 0)
            tf->eax = (uint32_t)r;
        break;
    }
    case SYS_mmap:
        tf->eax = (uint32_t)vm_map(myproc()->pgdir, tf->ebx, tf->ecx);
        break;
    case SYS_munmap:
        tf->eax = (uint32_t)vm_unmap(myproc()->pgdir, tf->ebx, tf->ecx);
        break;
    case SYS_bench_counters:
        tf->eax = (uint32_t)sys_bench_counters(tf->ebx);
        break;
    case SYS_exit:
        proc_exit((int)tf->ebx);   /* does not return */
    default:
        tf->eax = (uint32_t)-ENOSYS;
        break;
    }
}
