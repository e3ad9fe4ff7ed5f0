/*
 * minios-guest/workloads/bench.c — a kernel task that measures path lengths with rdtsc.
 *
 * Where this sits in the story (course: the cost of paravirtualization,
 * the Xen paper's micro-benchmarks): under QEMU -icount the time-stamp
 * counter advances once per guest instruction, so an rdtsc delta is an exact,
 * repeatable instruction count (without -icount it is TSC ticks).  Every
 * sample is "rdtsc; operation; rdtsc" minus the smallest "rdtsc; rdtsc"
 * (the loop overhead, printed as rdtsc_overhead).  Lines have the form
 * "bench: <name> <value> <unit>":
 *
 *   null_hypercall   xen_version(XENVER_version): ring 1 -> 0 -> 1 (PV only)
 *   pvop_irq         pv_ops.irq_enable + irq_disable: sti/cli natively,
 *                    two writes to shared memory under PV (no trap at all)
 *   null_syscall     getpid from ring 3 (bench-syscall, user-programs.c):
 *                    ring 3 -> kernel -> 3, no hypervisor on the path
 *
 * each with its average and its minimum over 1000 rounds.  Under hvkit,
 * null_hypercall_cr3 is the CR3 loads one null hypercall costs (0 under
 * isolation=classic, 2 under isolation=paging: bench/parts/isolation.sh),
 * counted by the hypervisor (cr3_loads, below).
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "lib/x86.h"
#include "public/version.h"
#include "workloads/workloads.h"

#define ROUNDS 1000

static uint32_t rdtsc_overhead(void)
{
    uint32_t best = 0xFFFFFFFFu;
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t0 = rdtsc32();
        uint32_t t1 = rdtsc32();
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return best;
}

/* The hypervisor's count of CR3 loads (xen_version(XENVER_hvkit_stats)). */
uint32_t bench_cr3_loads(void)
{
    struct xenver_hvkit_stats st;
    if (HYPERVISOR_xen_version(XENVER_hvkit_stats, &st) < 0)
        return 0;
    return st.cr3_loads;
}

static void report(const char *name, uint32_t total, uint32_t best)
{
    kprintf("bench: %s %u insns\n", name, total / ROUNDS);
    kprintf("bench: %s_min %u insns\n", name, best);
}

int bench_main(void)
{
    uint32_t overhead = rdtsc_overhead();
    uint32_t total, best;
    kprintf("bench: rdtsc_overhead %u insns\n", overhead);

    if (pv_ops.paravirt) {
        total = 0;
        best = 0xFFFFFFFFu;
        /* Two reads of the count back to back: what reading costs. */
        uint32_t c0 = bench_cr3_loads(), c1 = bench_cr3_loads();
        for (int i = 0; i < ROUNDS; i++) {
            uint32_t t0 = rdtsc32();
            HYPERVISOR_xen_version(XENVER_version, 0);
            uint32_t d = rdtsc32() - t0 - overhead;
            total += d;
            if (d < best)
                best = d;
        }
        uint32_t c2 = bench_cr3_loads();
        report("null_hypercall", total, best);
        kprintf("bench: null_hypercall_cr3 %u loads\n", (c2 - c1 - (c1 - c0)) / ROUNDS);
    }

    total = 0;
    best = 0xFFFFFFFFu;
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t0 = rdtsc32();
        pv_ops.irq_enable();
        pv_ops.irq_disable();
        uint32_t d = rdtsc32() - t0 - overhead;
        total += d;
        if (d < best)
            best = d;
    }
    report("pvop_irq", total, best);

    /* The system call is measured from ring 3, by a program. */
    int pid = proc_spawn(find_program("bench-syscall"));
    if (pid > 0)
        proc_wait(pid);
    return 0;
}
