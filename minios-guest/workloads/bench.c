/*
 * minios-guest/workloads/bench.c — the kernel's bench task: the rows that
 * must be measured in the kernel's own ring, then the ring-3 benchmark
 * program (programs/bench-programs.c).
 *
 * Where this sits in the story (course: the cost of paravirtualization,
 * the Xen paper's micro-benchmarks): under QEMU -icount shift=0 the
 * time-stamp counter advances once per guest instruction, so an rdtsc
 * delta is an exact, repeatable instruction count (without -icount it is
 * TSC ticks).  Every sample is "rdtsc; operation; rdtsc" less the smallest
 * "rdtsc; rdtsc"; each row prints one line (lib/benchstat.h):
 *
 *   null_hypercall  xen_version(XENVER_version): ring 1 -> 0 -> 1 (PV only)
 *   pvop_irq        pv_ops.irq_enable + irq_disable: sti/cli natively,
 *                   two writes to shared memory under PV (no trap at all)
 *
 * and the counters of the cost model around each loop, read directly
 * (bench_counters_read: the kernel's, and the hypervisor's through
 * xen_version(XENVER_hvkit_stats)).  Then bench-user runs, in ring 3.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "lib/benchstat.h"
#include "lib/x86.h"
#include "public/version.h"
#include "workloads/workloads.h"

#define ROUNDS 1000

void bench_report(const char *id, uint32_t per, const struct benchstat *s)
{
    char line[400];
    benchstat_line(line, sizeof line, id, per, s);
    kprintf("%s", line);
}

/* What a read of the counters adds to them: two reads back to back. */
void bench_read_cost(uint32_t *cost)
{
    struct bench_counters c0, c1;
    bench_counters_read(&c0);
    bench_counters_read(&c1);
    for (int i = 0; i < BENCH_NR_COUNTERS; i++)
        cost[i] = ((uint32_t *)&c1)[i] - ((uint32_t *)&c0)[i];
}

int bench_main(void)
{
    uint32_t tsc_cost = benchstat_rdtsc_cost(), cost[BENCH_NR_COUNTERS];
    struct bench_counters c;
    struct benchstat s;
    bench_read_cost(cost);

    if (pv_ops.paravirt) {
        benchstat_init(&s);
        bench_counters_read(&c);
        benchstat_begin(&s, (uint32_t *)&c);
        for (int i = 0; i < ROUNDS; i++) {
            uint32_t t0 = rdtsc32();
            HYPERVISOR_xen_version(XENVER_version, 0);
            benchstat_add(&s, rdtsc32() - t0 - tsc_cost);
        }
        bench_counters_read(&c);
        benchstat_end(&s, (uint32_t *)&c, cost);
        bench_report("null_hypercall", 1, &s);
    }

    benchstat_init(&s);
    bench_counters_read(&c);
    benchstat_begin(&s, (uint32_t *)&c);
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t0 = rdtsc32();
        pv_ops.irq_enable();
        pv_ops.irq_disable();
        benchstat_add(&s, rdtsc32() - t0 - tsc_cost);
    }
    bench_counters_read(&c);
    benchstat_end(&s, (uint32_t *)&c, cost);
    bench_report("pvop_irq", 1, &s);

    /* The rows a process sees are measured from ring 3, by a program. */
    int pid = proc_spawn(find_program("bench-user"));
    if (pid > 0)
        proc_wait(pid);
    return 0;
}
