/*
 * minios-guest/workloads/memcheck.c — a guest that checks its own memory
 * while the balloon works beside it: pages filled with a pattern, their
 * checksums verified round after round.
 *
 * Where this sits in the story (course: ballooning, "the guest stays
 * correct"): giving frames back and asking for them again changes which
 * machine frames back a guest's pages, under its running programs.  A
 * balloon that took a page still in use, or a hypervisor that handed a
 * frame back into the wrong pfn, would show up here as a changed sum.
 *
 *   run=memcheck pages=N rounds=R ms=M   N pages (default 64), R rounds
 *                                        (default 50), M ms apart (default 5)
 *
 * Prints "memcheck: round K: N pages, checksum X: ok" every 10 rounds and
 * "memcheck: R rounds, N pages, all checksums held: PASS" at the end (or a
 * FAIL line naming the page).
 */
#include "kernel/kernel.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "workloads/workloads.h"

#define MEMCHECK_MAX 512

static uint32_t *pages[MEMCHECK_MAX];
static uint32_t sums[MEMCHECK_MAX];

static uint32_t sum_of(const uint32_t *p)
{
    uint32_t s = 0;
    for (int i = 0; i < 1024; i++)
        s = (s << 5 | s >> 27) ^ p[i];
    return s;
}

int memcheck_main(void)
{
    int n = cmdline_int("pages", 64), rounds = cmdline_int("rounds", 50), ms = cmdline_int("ms", 5);
    if (n > MEMCHECK_MAX)
        n = MEMCHECK_MAX;
    for (int k = 0; k < n; k++) {
        pages[k] = page_alloc();
        if (!pages[k]) {
            kprintf("memcheck: only %d pages free: FAIL\n", k);
            return 1;
        }
        for (int i = 0; i < 1024; i++)
            pages[k][i] = (uint32_t)k * 2654435761u + (uint32_t)i * 40503u + 1;
        sums[k] = sum_of(pages[k]);
    }
    kprintf("memcheck: %d pages filled\n", n);
    for (int r = 1; r <= rounds; r++) {
        uint32_t all = 0;
        for (int k = 0; k < n; k++) {
            uint32_t s = sum_of(pages[k]);
            if (s != sums[k]) {
                kprintf("memcheck: round %d: page %d changed (%x, was %x): FAIL\n", r, k, s, sums[k]);
                return 1;
            }
            all ^= s;
        }
        if (r % 10 == 0)
            kprintf("memcheck: round %d: %d pages, checksum %x: ok\n", r, n, all);
        proc_sleep_ns((uint64_t)ms * MS);
    }
    kprintf("memcheck: %d rounds, %d pages, all checksums held: PASS\n", rounds, n);
    for (int k = 0; k < n; k++)
        page_free(pages[k]);
    return 0;
}
