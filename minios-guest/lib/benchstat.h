/*
 * minios-guest/lib/benchstat.h — the benchmarks' samples and their one
 * line of output, shared by the kernel's bench task (workloads/bench.c)
 * and the ring-3 bench program (programs/bench-programs.c).
 *
 * Where this sits in the story (course: the cost of paravirtualization,
 * the Xen paper's lmbench table): every benchmark row is many samples of
 * "rdtsc; operation; rdtsc" (under QEMU -icount shift=0 the time stamp
 * counter advances once per guest instruction, so a sample is an exact
 * instruction count) and, around the whole loop, the cost model's
 * counters (struct bench_counters, kernel/syscall.h): traps, CR3 loads,
 * invlpgs, rep iterations.  The guest keeps only sums -- count, minimum,
 * maximum, sum, sum of squares -- and prints three lines per row:
 *
 *   bench: row=<id> per=<ops> n=<samples> min=.. max=.. sum=.. sumsq=..
 *   bench: kctr=<id> c0,c1,c2,c3,c4     the kernel's counters
 *   bench: hctr=<id> c5,c6,c7,c8,c9     the hypervisor's
 *
 * (three, because the hypervisor's console cuts a guest's line at 120
 * characters).  per: operations per sample (2 for a round trip of two
 * switches); the counters: each one's total over all samples, less what
 * reading the counters costs, in the order of struct bench_counters.  The host (bench/collect.py) computes mean and standard
 * deviation and divides by per.  No state, nothing privileged: usable in
 * ring 1 and ring 3 alike.
 */
#ifndef MINIOS_BENCHSTAT_H
#define MINIOS_BENCHSTAT_H

#include <stdarg.h>
#include <stdint.h>
#include "kernel/syscall.h"
#include "lib/fmt.h"
#include "lib/x86.h"

struct benchstat {
    uint32_t n, min, max;
    uint64_t sum, sumsq;
    uint32_t ctr[BENCH_NR_COUNTERS];     /* totals, read cost taken off */
    uint32_t at[BENCH_NR_COUNTERS];      /* the counters at benchstat_begin */
};

static inline void benchstat_init(struct benchstat *s)
{
    s->n = s->max = 0;
    s->min = 0xFFFFFFFFu;
    s->sum = s->sumsq = 0;
    for (int i = 0; i < BENCH_NR_COUNTERS; i++)
        s->ctr[i] = s->at[i] = 0;
}

/* One sample, in instructions. */
static inline void benchstat_add(struct benchstat *s, uint32_t d)
{
    s->n++;
    s->sum += d;
    s->sumsq += (uint64_t)d * d;
    if (d < s->min)
        s->min = d;
    if (d > s->max)
        s->max = d;
}

/* Counters: c is a fresh read (struct bench_counters as words); cost is
 * what one read adds (the difference of two reads back to back). */
static inline void benchstat_begin(struct benchstat *s, const uint32_t *c)
{
    for (int i = 0; i < BENCH_NR_COUNTERS; i++)
        s->at[i] = c[i];
}

static inline void benchstat_end(struct benchstat *s, const uint32_t *c, const uint32_t *cost)
{
    for (int i = 0; i < BENCH_NR_COUNTERS; i++)
        s->ctr[i] += c[i] - s->at[i] - cost[i];
}

/* The smallest "rdtsc; rdtsc": what every sample has on top of the
 * operation, and is taken off. */
static inline uint32_t benchstat_rdtsc_cost(void)
{
    uint32_t best = 0xFFFFFFFFu;
    for (int i = 0; i < 100; i++) {
        uint32_t t0 = rdtsc32();
        uint32_t t1 = rdtsc32();
        if (t1 - t0 < best)
            best = t1 - t0;
    }
    return best;
}

static inline int benchstat_fmt(char *buf, uint32_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* The row's lines (each with its newline) into buf, for one printf or
 * kprintf. */
static inline void benchstat_line(char *buf, uint32_t size, const char *id, uint32_t per,
                                  const struct benchstat *s)
{
    const uint32_t *c = s->ctr;
    benchstat_fmt(buf, size,
                  "bench: row=%s per=%u n=%u min=%u max=%u sum=%llu sumsq=%llu\n"
                  "bench: kctr=%s %d,%d,%d,%d,%d\n"
                  "bench: hctr=%s %d,%d,%d,%d,%d\n",
                  id, per, s->n, s->n ? s->min : 0, s->max, s->sum, s->sumsq,
                  id, (int)c[0], (int)c[1], (int)c[2], (int)c[3], (int)c[4],
                  id, (int)c[5], (int)c[6], (int)c[7], (int)c[8], (int)c[9]);
}

#endif
