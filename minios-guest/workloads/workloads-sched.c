/*
 * minios-guest/workloads/workloads-sched.c — kernel tasks for the scheduling scenarios: dom0's
 * control programs (weights, warp), the warp latency probe, and the domain
 * switch benchmark.
 *
 * Where this sits in the story (course: BVT, "policy in dom0, mechanism in
 * the hypervisor"): dom0 sets weights and warp with domctl; the domUs only
 * measure what they get.  The hypervisor's trace shows the same from the
 * other side (tests/scenarios/sched-shares.scn, sched-warp.scn).
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "arch/pv/hypercall.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "lib/benchstat.h"
#include "lib/string.h"
#include "kernel/syscall.h"
#include "kernel/vm.h"
#include "workloads/workloads.h"
#include "lib/x86.h"

/* ---- dom0's control programs --------------------------------------------- */

int sched_set(domid_t dom, uint32_t weight, uint64_t warp, uint64_t limit,
                     uint64_t unwarp)
{
    struct hv_domctl c;
    domctl_init(&c, DOMCTL_sched_get, dom);
    int r = HYPERVISOR_domctl(&c);
    if (r < 0)
        return r;
    c.cmd = DOMCTL_sched_set;
    c.u.sched.weight = weight;
    c.u.sched.warp_ns = warp;
    c.u.sched.warp_limit_ns = limit;
    c.u.sched.unwarp_req_ns = unwarp;
    return HYPERVISOR_domctl(&c);
}

/* ctl-shares (dom0): weights 1:2:4 on d1..d3, before they ever run (dom0
 * runs first), then waits until all three are gone, printing each one's
 * CPU time from DOMCTL_getinfo. */
int ctl_shares_main(void)
{
    if (!need_pv("ctl-shares"))
        return 0;
    for (domid_t d = 1; d <= 3; d++) {
        uint32_t w = 1u << (d - 1);
        int r = sched_set(d, w, 0, 0, 0);
        kprintf("ctl-shares: d%u weight %u: %s (%d)\n", d, w, r == 0 ? "set" : "FAIL", r);
    }
    for (domid_t d = 1; d <= 3; d++) {
        struct hv_domctl c;
        for (;;) {
            domctl_init(&c, DOMCTL_getinfo, d);
            if (HYPERVISOR_domctl(&c) < 0 || c.u.info.state == DOMCTL_STATE_DEAD)
                break;
            proc_sleep_ns(50 * MS);
        }
        kprintf("ctl-shares: d%u done: cpu %u us, %u switches\n", d,
                (uint32_t)(c.u.info.cpu_ns / 1000), c.u.info.nr_switches);
    }
    return 0;
}

/* Dom0's end of the channel the builder made to domain `dom`: the port
 * whose status says "interdomain, peer dom".  (A domU finds its own end in
 * start_info->dom0_evtchn.) */
int find_port_to(domid_t dom)
{
    for (evtchn_port_t p = 1; p < EVENTS_NR_PORTS; p++) {
        struct evtchn_status st;
        memset(&st, 0, sizeof st);
        if (evtchn_status(DOMID_SELF, p, &st) == 0 &&
            st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == dom)
            return (int)p;
    }
    return -1;
}

/* ctl-warp (dom0): the sleeper in d1 measures its wake-up latency twice.
 * Phase 1 without warp; it tells us (event on the builder's channel);
 * we give it warp (W = 20 ms, limit 5 ms, unwarp requirement 0); we tell
 * it (event); phase 2.  Policy in dom0, mechanism in the hypervisor. */
int ctl_warp_main(void)
{
    if (!need_pv("ctl-warp"))
        return 0;
    int port = find_port_to(1);
    if (port < 0) {
        kprintf("ctl-warp: FAIL: no channel to d1\n");
        return 1;
    }
    kprintf("ctl-warp: channel to d1 on port %d\n", port);
    evtchn_wait((evtchn_port_t)port, 1);           /* phase 1 is over */
    int r = sched_set(1, 1, 20 * MS, 5 * MS, 0);
    kprintf("ctl-warp: d1 warp 20 ms, limit 5 ms: %s (%d)\n", r == 0 ? "set" : "FAIL", r);
    evtchn_send((evtchn_port_t)port);
    evtchn_wait((evtchn_port_t)port, 2);           /* phase 2 is over */
    return 0;
}

/* ---- warp-sleeper (d1): wake-up latency, deadline -> running --------------- */

#define SLEEPS 20

static void sleep_phase(const char *what)
{
    uint64_t total = 0, worst = 0;
    for (int i = 0; i < SLEEPS; i++) {
        uint64_t deadline = pv_ops.system_ns() + 3 * MS;
        proc_sleep_ns(3 * MS);
        uint64_t late = pv_ops.system_ns() - deadline;
        total += late;
        if (late > worst)
            worst = late;
    }
    kprintf("warp-sleeper: %s: %d sleeps of 3 ms, latency mean %u us, max %u us\n",
            what, SLEEPS, (uint32_t)(total / SLEEPS / 1000), (uint32_t)(worst / 1000));
    kprintf("warp-sleeper: %s: virtual time %u us, system time %u us\n", what,
            (uint32_t)(pv_ops.virtual_ns() / 1000), (uint32_t)(pv_ops.system_ns() / 1000));
}

int warp_sleeper_main(void)
{
    if (!need_pv("warp-sleeper"))
        return 0;
    evtchn_port_t port = start_info->dom0_evtchn;
    sleep_phase("without warp");
    evtchn_send(port);
    evtchn_wait(port, 1);                          /* dom0 has set our warp */
    sleep_phase("with warp");
    evtchn_send(port);
    return 0;
}

/* ---- bench-switch: the domain switch, measured from the guests ---------- */

/*
 * Two domains run this at once, each yielding (sched_op yield) 1000 times
 * and stamping the time stamp counter just before each yield and just
 * after it returns.  Under -icount that counter is one clock for the whole
 * machine (it counts the instructions of every domain and of the
 * hypervisor), so the two domains' stamps merge into one timeline, and
 * bench/collect.py reads off it, for each return from a yield, what came
 * just before it: the other domain's "before" stamp -- a switch, and the
 * sample is the whole path from one domain's yield to the other domain
 * running -- or its own -- the scheduler let it go on (a yield without a
 * switch).  Which one happens is the policy's business (round-robin
 * always switches, BVT need not): nothing here assumes either.  Each
 * domain also prints its own round trip as a row, with the counters.
 */
#define SWITCH_ROUNDS 1000

int bench_switch_main(void)
{
    if (!need_pv("bench-switch"))
        return 0;
    uint32_t *before = page_alloc(), *after = page_alloc();
    if (!before || !after)
        panic("bench-switch: out of memory");
    uint32_t tsc_cost = benchstat_rdtsc_cost(), cost[BENCH_NR_COUNTERS];
    bench_read_cost(cost);
    struct bench_counters c;
    struct benchstat s;
    benchstat_init(&s);
    bench_counters_read(&c);
    benchstat_begin(&s, (uint32_t *)&c);
    for (int i = 0; i < SWITCH_ROUNDS; i++) {
        before[i] = rdtsc32();
        pv_ops.yield_machine();
        after[i] = rdtsc32();
    }
    bench_counters_read(&c);
    benchstat_end(&s, (uint32_t *)&c, cost);
    for (int i = 0; i < SWITCH_ROUNDS; i++)
        benchstat_add(&s, after[i] - before[i] - tsc_cost);
    bench_report("yield_rt", 1, &s);
    /* The stamps, 8 pairs a line: "before after" of yields i.. */
    kprintf("bench: stamps dom=%d n=%d tsc_cost=%u\n", boot_info.domid, SWITCH_ROUNDS, tsc_cost);
    for (int i = 0; i < SWITCH_ROUNDS; i += 8) {
        char line[200];
        int n = 0;
        for (int k = i; k < i + 8 && k < SWITCH_ROUNDS; k++)
            n += benchstat_fmt(line + n, sizeof line - (uint32_t)n, " %u %u", before[k], after[k]);
        kprintf("bench: stamps dom=%d i=%d%s\n", boot_info.domid, i, line);
    }
    page_free(before);
    page_free(after);
    return 0;
}

