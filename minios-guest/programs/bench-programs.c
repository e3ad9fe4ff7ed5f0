/*
 * minios-guest/programs/bench-programs.c — RING 3: the benchmark program,
 * the operating-system half of the kit's lmbench-style table.
 *
 * Where this sits in the story (course: the cost of paravirtualization;
 * the Xen paper's Table 3, lmbench's lat_syscall, lat_proc, lat_ctx,
 * lat_pagefault, lat_mmap): the same program, in the same image, runs
 * natively and under hvkit, and times what a process asks of its kernel.
 * The kernel task `bench` (workloads/bench.c) starts it after its own
 * rows; bench/run.sh boots both ways and makes the table.
 *
 *   null_syscall  getpid: ring 3 -> kernel -> ring 3
 *   fork_exit     fork; the child exits at once; the parent waits for it
 *   fork_exec     fork; the child execs bench-nop (a new image, which
 *                 returns at once); the parent waits for it
 *   ctxsw         two processes yield to each other (2 switches a sample)
 *   pf_zero       the first write to a page of the data area: a
 *                 demand-zero fault (the kernel zeroes a page and maps it)
 *   prot_fault    a write to a read-only page: copy-on-write after the
 *                 other sharer has gone, so the kernel only makes the
 *                 entry writable again
 *   cow_fault     a write to a page shared with a live child: the kernel
 *                 copies 4 KiB and maps the copy
 *   mmap16        map 16 zeroed pages (one system call, one batch)
 *   munmap16      unmap them
 *
 * Each row is many samples (lib/benchstat.h) and the cost model's
 * counters around them; one line per row.  No static variables: this
 * code is in the kernel image, which every process shares, so anything
 * per process lives on the stack (copied, copy-on-write, by fork).
 */
#include "programs/ulib.h"
#include "lib/benchstat.h"
#include "lib/x86.h"
#include "kernel/vm.h"          /* UDATA_BASE, USTACK_TOP: the layout, no kernel code */

#define PG 4096u

/* The context every row needs: the rdtsc cost and the counters' read cost. */
struct bench {
    uint32_t rdtsc_cost;
    uint32_t read_cost[BENCH_NR_COUNTERS];
    struct bench_counters c;
};

static void read_counters(struct bench *b)
{
    bench_counters(&b->c);
}

static void begin(struct bench *b, struct benchstat *s)
{
    read_counters(b);
    benchstat_begin(s, (const uint32_t *)&b->c);
}

static void end(struct bench *b, struct benchstat *s)
{
    read_counters(b);
    benchstat_end(s, (const uint32_t *)&b->c, b->read_cost);
}

static void report(const char *id, uint32_t per, const struct benchstat *s)
{
    char line[400];                  /* more than printf's buffer holds */
    benchstat_line(line, sizeof line, id, per, s);
    uint32_t n = 0;
    while (line[n])
        n++;
    write(1, line, n);
}

/* Write every page of the stack from here up, so none of them is still
 * shared copy-on-write with a child: the copies happen now, not inside
 * what is measured next. */
static void own_stack(void)
{
    volatile uint32_t here = 0;
    for (uint32_t va = (uint32_t)&here & ~(PG - 1); va < USTACK_TOP; va += PG)
        *(volatile uint32_t *)va = *(volatile uint32_t *)va;
    (void)here;
}

static void touch(uint32_t va, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        *(volatile uint32_t *)(va + k * PG) += 1;
}

static void row_null_syscall(struct bench *b)
{
    struct benchstat s;
    benchstat_init(&s);
    begin(b, &s);
    for (int i = 0; i < 1000; i++) {
        uint32_t t0 = rdtsc32();
        getpid();
        benchstat_add(&s, rdtsc32() - t0 - b->rdtsc_cost);
    }
    end(b, &s);
    report("null_syscall", 1, &s);
}

static void row_fork(struct bench *b, int exec)
{
    struct benchstat s;
    benchstat_init(&s);
    for (int i = 0; i < 200; i++) {
        own_stack();
        begin(b, &s);
        uint32_t t0 = rdtsc32();
        int pid = fork();
        if (pid == 0) {
            if (exec)
                execve("bench-nop");
            exit(0);
        }
        int code = waitpid(pid);
        uint32_t d = rdtsc32() - t0 - b->rdtsc_cost;
        end(b, &s);
        if (pid < 0 || code != 0) {
            printf("bench: FAIL: fork %d, child's exit code %d\n", pid, code);
            return;
        }
        benchstat_add(&s, d);
    }
    report(exec ? "fork_exec" : "fork_exit", 1, &s);
}

#define CTX_ROUNDS 1000

static void row_ctxsw(struct bench *b)
{
    struct benchstat s;
    benchstat_init(&s);
    int pid = fork();
    if (pid == 0) {
        for (int i = 0; i < CTX_ROUNDS + 1; i++)
            yield();
        exit(0);
    }
    own_stack();
    yield();                         /* the child's first run: not a sample */
    begin(b, &s);
    for (int i = 0; i < CTX_ROUNDS; i++) {
        uint32_t t0 = rdtsc32();
        yield();                     /* to the child, whose yield comes back */
        benchstat_add(&s, rdtsc32() - t0 - b->rdtsc_cost);
    }
    end(b, &s);
    waitpid(pid);
    report("ctxsw", 2, &s);
}

/* Demand-zero faults: 64 fresh pages a round, given back after it. */
#define PF_PAGES  64
#define PF_ROUNDS 8

static void row_pf_zero(struct bench *b)
{
    uint32_t base = UDATA_BASE + PG;
    struct benchstat s;
    benchstat_init(&s);
    touch(UDATA_BASE, 1);            /* the page table exists from now on */
    for (int r = 0; r < PF_ROUNDS; r++) {
        begin(b, &s);
        for (uint32_t k = 0; k < PF_PAGES; k++) {
            uint32_t t0 = rdtsc32();
            *(volatile uint32_t *)(base + k * PG) = k;    /* first touch: a fault */
            benchstat_add(&s, rdtsc32() - t0 - b->rdtsc_cost);
        }
        end(b, &s);
        munmap(base, PF_PAGES);
    }
    report("pf_zero", 1, &s);
}

/* Copy-on-write: 32 pages of data, written after each of two forks. */
#define COW_PAGES  32
#define COW_ROUNDS 8

static void write_pages(struct bench *b, struct benchstat *s, uint32_t base)
{
    begin(b, s);
    for (uint32_t k = 0; k < COW_PAGES; k++) {
        uint32_t t0 = rdtsc32();
        *(volatile uint32_t *)(base + k * PG) = k;        /* read-only: a fault */
        benchstat_add(s, rdtsc32() - t0 - b->rdtsc_cost);
    }
    end(b, s);
}

static void row_cow(struct bench *b)
{
    uint32_t base = UDATA_BASE + 128 * PG;
    struct benchstat copy, prot;
    benchstat_init(&copy);
    benchstat_init(&prot);
    touch(base, COW_PAGES);
    for (int r = 0; r < COW_ROUNDS; r++) {
        /* A child that lives while we write: each write copies. */
        int pid = fork();
        if (pid == 0) {
            nanosleep(20000000);     /* 20 ms, far longer than our writes */
            exit(0);
        }
        own_stack();
        write_pages(b, &copy, base);
        waitpid(pid);
        /* A child that is gone before we write: we are the last sharer of
         * every page, and a write only makes the entry writable again. */
        pid = fork();
        if (pid == 0)
            exit(0);
        waitpid(pid);
        own_stack();
        write_pages(b, &prot, base);
    }
    report("cow_fault", 1, &copy);
    report("prot_fault", 1, &prot);
}

#define MAP_PAGES 16

static void row_mmap(struct bench *b)
{
    uint32_t base = UDATA_BASE + 256 * PG;
    struct benchstat map, unmap;
    benchstat_init(&map);
    benchstat_init(&unmap);
    for (int i = 0; i < 200; i++) {
        begin(b, &map);
        uint32_t t0 = rdtsc32();
        int r = mmap(base, MAP_PAGES);
        uint32_t d = rdtsc32() - t0 - b->rdtsc_cost;
        end(b, &map);
        if (r != 0) {
            printf("bench: FAIL: mmap gave %d\n", r);
            return;
        }
        benchstat_add(&map, d);
        begin(b, &unmap);
        t0 = rdtsc32();
        munmap(base, MAP_PAGES);
        d = rdtsc32() - t0 - b->rdtsc_cost;
        end(b, &unmap);
        benchstat_add(&unmap, d);
    }
    report("mmap16", 1, &map);
    report("munmap16", 1, &unmap);
}

int bench_user_main(void)
{
    struct bench b;
    b.rdtsc_cost = benchstat_rdtsc_cost();
    /* What a read of the counters adds to them: two reads back to back. */
    struct bench_counters c0;
    bench_counters(&c0);
    read_counters(&b);
    const uint32_t *w0 = (const uint32_t *)&c0, *w1 = (const uint32_t *)&b.c;
    for (int i = 0; i < BENCH_NR_COUNTERS; i++)
        b.read_cost[i] = w1[i] - w0[i];

    row_null_syscall(&b);
    row_fork(&b, 0);
    row_fork(&b, 1);
    row_ctxsw(&b);
    row_pf_zero(&b);
    row_cow(&b);
    row_mmap(&b);
    printf("bench: user rows done\n");
    return 0;
}

/* bench-nop: what fork_exec's child becomes; returns at once (exit 0). */
int bench_nop_main(void)
{
    return 0;
}
