/*
 * minios-guest/programs/mm-programs.c — the programs of the memory scenarios and benchmarks
 * (tests/scenarios/mm-*.scn, bench/mm-*.scn).
 *
 *   mm-private   RING 3, three copies: private memory.  Each process finds
 *                a fresh zero page at UDATA_BASE, writes its own value
 *                there and on its stack, lets the others run, and checks
 *                that nobody else's value showed up (same virtual address,
 *                different page: the point of one page directory each).
 *   bench-pf     RING 3: the cost of a demand-zero page fault, timed with
 *                rdtsc around the first touch of fresh pages.
 *   bench-mm     kernel task: the memory half of creating and destroying a
 *                process (a directory, a page table, 16 pages, then all of
 *                it given back), and how many hypercalls / trapped page-
 *                table stores that took.
 *
 * The malicious one, mm-attacks, is in mm-attacks.c.
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "programs/ulib.h"
#include "kernel/vm.h"
#include "lib/x86.h"

int mm_private_main(void)
{
    volatile int *data = (volatile int *)UDATA_BASE;
    int pid = getpid();
    int fails = 0;
    volatile int on_stack = pid * 77;

    if (*data != 0) {
        printf("mm-private: pid %d: FAIL: fresh data page holds %d\n", pid, *data);
        fails++;
    } else {
        printf("mm-private: pid %d: fresh data page is zero\n", pid);
    }
    *data = pid * 1000 + 7;
    data[1024 * 3] = pid;                    /* a fourth page, also demand-zero */
    for (int i = 0; i < 3; i++)
        yield();
    if (*data == pid * 1000 + 7 && data[1024 * 3] == pid && on_stack == pid * 77) {
        printf("mm-private: pid %d: private value %d intact\n", pid, *data);
    } else {
        printf("mm-private: pid %d: FAIL: found %d and %d\n", pid, *data, on_stack);
        fails++;
    }
    return fails;
}

#define PF_PAGES 64

int bench_pf_main(void)
{
    volatile uint32_t *base = (volatile uint32_t *)UDATA_BASE;
    uint32_t total = 0, best = 0xFFFFFFFFu, overhead = 0xFFFFFFFFu;
    /* What "rdtsc; rdtsc" alone costs, subtracted from every sample. */
    for (int i = 0; i < 100; i++) {
        uint32_t t0 = rdtsc32();
        uint32_t t1 = rdtsc32();
        if (t1 - t0 < overhead)
            overhead = t1 - t0;
    }
    /* Warm up the page table (the first fault also makes the L1). */
    base[0] = 1;
    /* The hypervisor's CR3 loads around the faults (under hvkit): two
     * reads back to back first, to subtract what a read itself costs. */
    uint32_t c0 = (uint32_t)usyscall(SYS_hv_cr3_loads, 0, 0, 0);
    uint32_t c1 = (uint32_t)usyscall(SYS_hv_cr3_loads, 0, 0, 0);
    for (int i = 1; i <= PF_PAGES; i++) {
        uint32_t t0 = rdtsc32();
        base[i * 1024] = (uint32_t)i;        /* first touch: a fault */
        uint32_t d = rdtsc32() - t0 - overhead;
        total += d;
        if (d < best)
            best = d;
    }
    uint32_t c2 = (uint32_t)usyscall(SYS_hv_cr3_loads, 0, 0, 0);
    printf("bench: page_fault %u insns\n", total / PF_PAGES);
    printf("bench: page_fault_min %u insns\n", best);
    if ((int)c0 != -ENOSYS)
        printf("bench: page_fault_cr3 %u loads\n", (c2 - c1 - (c1 - c0)) / PF_PAGES);
    return 0;
}

#define MM_ROUNDS 20
#define MM_PAGES  16

extern uint32_t pv_mm_hypercalls, pv_mm_stores;   /* pvops-hv.c */

int bench_mm_main(void)
{
    uint32_t total = 0, t_create = 0, t_map = 0, t_exit = 0;
    uint32_t calls0 = pv_mm_hypercalls, stores0 = pv_mm_stores;
    for (int r = 0; r < MM_ROUNDS; r++) {
        uint32_t t0 = rdtsc32();
        uint32_t *pd = vm_create();
        uint32_t t1 = rdtsc32();
        if (!pd || vm_populate(pd, USTACK_TOP - MM_PAGES * 4096, MM_PAGES) < 0)
            panic("bench-mm: out of memory");
        uint32_t t2 = rdtsc32();
        vm_destroy(pd);
        uint32_t t3 = rdtsc32();
        total += t3 - t0;
        t_create += t1 - t0;
        t_map += t2 - t1;
        t_exit += t3 - t2;
    }
    printf("bench: proc_mm_create_exit %u insns\n", total / MM_ROUNDS);
    printf("bench: proc_mm_create %u insns\n", t_create / MM_ROUNDS);
    printf("bench: proc_mm_map16 %u insns\n", t_map / MM_ROUNDS);
    printf("bench: proc_mm_exit %u insns\n", t_exit / MM_ROUNDS);
    if (pv_ops.paravirt) {
        uint32_t calls = (pv_mm_hypercalls - calls0) / MM_ROUNDS;
        uint32_t stores = (pv_mm_stores - stores0) / MM_ROUNDS;
        printf("bench: proc_mm_hypercalls %u calls\n", calls);
        printf("bench: proc_mm_pt_traps %u traps\n", stores);
        printf("bench: proc_mm_traps %u traps\n", calls + stores);
    }
    return 0;
}
