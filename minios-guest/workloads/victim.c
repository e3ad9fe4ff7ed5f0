/*
 * minios-guest/workloads/victim.c — the victim of the isolation scenarios
 * (kernel task "victim", run by dom0): a domain that only wants to be left
 * alone, and says whether it was.
 *
 * Where this sits in the story (course: isolation -- "a misbehaving domain
 * cannot touch the hypervisor or another domain", in space *and* in time):
 * every attack scenario (tests/scenarios/iso-*.scn) boots this victim next
 * to a malicious domU (workloads/iso-attacks.c) or the hypercall fuzzer
 * (workloads/hcall-fuzz.c), and the victim measures the two things an
 * attacker could take from it:
 *
 *   memory    it fills all of its free memory with a pattern derived from
 *             each word's address, checks one page of it at every wake-up
 *             and all of it at the end: a checksum that any write from
 *             outside (a forged mapping, a stale TLB entry, a frame freed
 *             while still reachable) breaks;
 *   time      it sleeps victim_period_us (500 us) at a time and reads the
 *             TSC each time it runs again: the longest interval between two
 *             runs is its "worst gap".  Under QEMU -icount the TSC counts
 *             guest instructions, so this is guest time, deterministic.  A
 *             hypercall that holds the CPU, or a guest that turns the real
 *             interrupts off, shows up here as a gap of that length.
 *
 * It gives itself BVT warp first (domctl sched_set on itself; dom0 may):
 * a latency-sensitive domain, so when its timer fires it preempts whatever
 * runs -- if the hypervisor lets the timer interrupt in at all.  With warp
 * the gap measures the hypervisor, not the scheduling policy.
 *
 * With "victim_fpu" it also loads an x87 state of its own (a control word
 * and pi in st(0)) and checks at every wake-up that they are still there:
 * another domain's FPU state must never show through.
 *
 * When it is ready it says "go" on the channel the builder made to each
 * domU (the attackers wait for it), and runs until every other domain has
 * gone (domctl getinfo), and at least victim_min_ms (20), then prints
 *   victim: N wake-ups over T us, worst gap G us (goal ...): PASS|FAIL
 *   victim: memory checksum over P pages: intact|CORRUPT (...)
 * and exits.  Natively there is nobody to be attacked by: skipped.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "arch/pv/hypercall.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "lib/string.h"
#include "workloads/workloads.h"

#define MAX_BUF_PAGES  1024       /* pointers in one page */
#define KEEP_FREE      16         /* pages left to the kernel */
#define VICTIM_MAX_S   60         /* give up waiting for the others */

static uint32_t **buf;                   /* a page of page pointers */
static uint32_t nbuf;

/* The pattern: a function of the word's own address, so a page written
 * from outside, or swapped for another frame, no longer matches. */
static uint32_t pattern(const uint32_t *w)
{
    uint32_t a = (uint32_t)w;
    return (a * 2654435761u) ^ 0x5A17C0DEu;
}

static void fill(uint32_t *p)
{
    for (uint32_t i = 0; i < 1024; i++)
        p[i] = pattern(&p[i]);
}

/* How many words of page p differ from the pattern. */
static uint32_t check(const uint32_t *p)
{
    uint32_t bad = 0;
    for (uint32_t i = 0; i < 1024; i++)
        bad += p[i] != pattern(&p[i]);
    return bad;
}

static uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Is any domain other than us still alive? */
static int others_alive(void)
{
    for (domid_t d = 0; d < 16; d++) {
        if ((int)d == boot_info.domid)
            continue;
        struct hv_domctl c;
        domctl_init(&c, DOMCTL_getinfo, d);
        if (HYPERVISOR_domctl(&c) == 0 && c.u.info.state != DOMCTL_STATE_DEAD)
            return 1;
    }
    return 0;
}

/* ---- the x87 state we keep (victim_fpu) ---------------------------------- */

#define VICTIM_FPU_CW 0x027Fu     /* all exceptions masked, 53-bit precision */

static void fpu_load(void)
{
    uint16_t cw = VICTIM_FPU_CW;
    __asm__ volatile("fninit\n\tfldcw %0\n\tfldpi" : : "m"(cw));
}

/* 0 if our control word and st(0) = pi are still there. */
static int fpu_check(uint16_t *cw_out, uint32_t *st0_hi)
{
    uint16_t cw;
    double st0, pi;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    __asm__ volatile("fstl %0" : "=m"(st0));          /* st(0), not popped */
    __asm__ volatile("fldpi\n\tfstpl %0" : "=m"(pi));
    *cw_out = cw;
    uint32_t a[2], b[2];
    memcpy(a, &st0, 8);
    memcpy(b, &pi, 8);
    *st0_hi = a[1];
    return cw != VICTIM_FPU_CW || a[0] != b[0] || a[1] != b[1];
}

int victim_main(void)
{
    if (!need_pv("victim"))
        return 0;
    uint32_t period_us = (uint32_t)cmdline_int("victim_period_us", 500);
    uint32_t goal_us = (uint32_t)cmdline_int("gap_goal_us", 2000);
    int use_fpu = cmdline_has("victim_fpu");
    uint32_t khz = start_info->tsc_khz;

    /* Latency-sensitive: warp 20 ms (at most 5 ms of running per burst). */
    int r = sched_set(DOMID_SELF, 1, 20 * MS, 5 * MS, 0);
    if (r < 0)
        kprintf("victim: warp not set (%d): the gap then includes other domains' slices\n", r);

    /* All our free memory but a few pages, under the pattern. */
    buf = page_alloc();
    if (!buf)
        panic("victim: no memory");
    void *p;
    while (nbuf < MAX_BUF_PAGES && (p = page_alloc()) != 0)
        buf[nbuf++] = p;
    for (uint32_t i = 0; i < KEEP_FREE && nbuf; i++)
        page_free(buf[--nbuf]);
    for (uint32_t i = 0; i < nbuf; i++)
        fill(buf[i]);
    if (use_fpu)
        fpu_load();
    kprintf("victim: %u pages under the pattern, waking every %u us%s\n", nbuf, period_us,
            use_fpu ? ", x87 state loaded" : "");

    /* Ready: the attackers may start. */
    for (domid_t d = 1; d < 16; d++) {
        int port = find_port_to(d);
        if (port > 0)
            evtchn_send((evtchn_port_t)port);
    }

    uint64_t start = rdtsc64(), last = start, worst = 0, worst_at = 0;
    uint32_t wakes = 0, next_page = 0, bad_words = 0, fpu_bad = 0;
    uint16_t bad_cw = 0;
    uint32_t bad_st0 = 0;
    uint64_t limit = (uint64_t)VICTIM_MAX_S * 1000 * khz;
    /* At least victim_min_ms (20 ms), however quick the others are. */
    uint64_t at_least = (uint64_t)cmdline_int("victim_min_ms", 20) * khz;
    while (last - start < at_least || others_alive()) {
        proc_sleep_ns((uint64_t)period_us * 1000);
        uint64_t now = rdtsc64();
        if (now - last > worst) {
            worst = now - last;
            worst_at = last - start;
        }
        last = now;
        wakes++;
        if (nbuf) {
            bad_words += check(buf[next_page]);
            next_page = (next_page + 1) % nbuf;
        }
        if (use_fpu && fpu_check(&bad_cw, &bad_st0)) {
            if (!fpu_bad)
                kprintf("victim: x87 state changed under us: control word 0x%x, "
                        "st(0) high word 0x%x\n", bad_cw, bad_st0);
            fpu_bad++;
            fpu_load();
        }
        if (now - start > limit) {
            kprintf("victim: the others are still alive after %u s: FAIL\n", VICTIM_MAX_S);
            break;
        }
    }
    uint32_t whole = 0;
    for (uint32_t i = 0; i < nbuf; i++)
        whole += check(buf[i]);

    uint32_t gap_us = (uint32_t)(worst * 1000 / khz);
    /* A victim that never ran while the others did measured nothing. */
    int gap_ok = gap_us <= goal_us && wakes >= 10;
    uint32_t total_us = (uint32_t)((last - start) * 1000 / khz);
    kprintf("victim: %u wake-ups over %u us, worst gap %u us at +%u us (goal %u us): %s\n",
            wakes, total_us, gap_us, (uint32_t)(worst_at * 1000 / khz), goal_us,
            gap_ok ? "PASS" : "FAIL");
    if (!whole && !bad_words)
        kprintf("victim: memory checksum over %u pages: intact\n", nbuf);
    else
        kprintf("victim: memory checksum over %u pages: CORRUPT (%u words differ at the end, "
                "%u seen on the way): FAIL\n", nbuf, whole, bad_words);
    if (use_fpu)
        kprintf("victim: x87 state: %s\n", fpu_bad ? "CHANGED by someone else: FAIL" : "ours throughout");
    for (uint32_t i = 0; i < nbuf; i++)
        page_free(buf[i]);
    return !gap_ok + (whole != 0 || bad_words != 0) + (fpu_bad != 0);
}
