/*
 * workloads.c — kernel tasks for the events-and-scheduling scenarios:
 * dom0's control programs (weights, warp), event-channel ping-pong, the
 * event-channel attacks, the time checks and the warp latency probe.
 *
 * Where this sits in the story (course: event channels, "Xen and time",
 * BVT): these need the kernel's ring because they make hypercalls
 * (event_channel_op, domctl, set_timer_op).  Each prints what it measured
 * and PASS/FAIL lines that the scenarios in tests/scenarios/ check, and the
 * hypervisor's trace shows the same story from the other side.
 */
#include "kernel.h"
#include "events.h"
#include "hypercall.h"
#include "proc.h"
#include "pvops.h"
#include "pvops-hv.h"
#include "string.h"
#include "x86.h"

#define MS 1000000ull

/* "key=N" on the command line, or def. */
static int cmdline_int(const char *key, int def)
{
    const char *s = boot_info.cmdline;
    uint32_t n = strlen(key);
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, key, n) == 0 && s[n] == '=') {
            int v = 0;
            for (s += n + 1; *s >= '0' && *s <= '9'; s++)
                v = v * 10 + (*s - '0');
            return v;
        }
        while (*s && *s != ' ')
            s++;
    }
    return def;
}

static int need_pv(const char *name)
{
    if (pv_ops.paravirt)
        return 1;
    kprintf("%s: native mode: no hypervisor, no event channels: skipped\n", name);
    return 0;
}

/* ---- dom0's control programs --------------------------------------------- */

static int sched_set(domid_t dom, uint32_t weight, uint64_t warp, uint64_t limit,
                     uint64_t unwarp)
{
    struct hv_domctl c;
    memset(&c, 0, sizeof c);
    c.cmd = DOMCTL_sched_get;
    c.domain = dom;
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
            memset(&c, 0, sizeof c);
            c.cmd = DOMCTL_getinfo;
            c.domain = d;
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
static int find_port_to(domid_t dom)
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

/* ---- pingpong: two domUs bounce an event N times ------------------------- */

/*
 * How two domUs find each other without a directory: the lower domid
 * allocates an unbound port reserved for the other (alloc_unbound); the
 * other tries bind_interdomain(peer, p) for p = 1..63 until one succeeds.
 * The refusals on the way are the event-channel rules at work: -EPERM
 * (unbound but reserved for somebody else), -EBUSY (already connected),
 * -EINVAL (closed, or not an inter-domain port).  Between scans it yields,
 * so the peer gets to run and allocate.  Then strict alternation: ping i,
 * pong i.  Events do not queue (one pending bit per port), so only
 * alternation makes counting them meaningful.
 */
int pingpong_main(void)
{
    if (!need_pv("pingpong"))
        return 0;
    int n = cmdline_int("rounds", 100);
    domid_t me = (domid_t)boot_info.domid, peer = (domid_t)cmdline_int("peer", 0);
    evtchn_port_t port = 0;
    int r, bad = 0;

    if (me < peer) {
        r = evtchn_alloc_unbound(peer, &port);
        kprintf("pingpong: d%u: port %u reserved for d%u (%d)\n", me, port, peer, r);
        if (r < 0)
            return 1;
    } else {
        int tries = 0;
        for (;;) {
            for (evtchn_port_t p = 1; p < EVENTS_NR_PORTS; p++) {
                r = evtchn_bind_interdomain(peer, p, &port);
                if (r == 0) {
                    kprintf("pingpong: d%u: bound to d%u's port %u as port %u\n",
                            me, peer, p, port);
                    goto bound;
                }
                if (r != -HV_EPERM && r != -HV_EINVAL && r != -HV_EBUSY) {
                    kprintf("pingpong: FAIL: bind to d%u port %u: %d\n", peer, p, r);
                    return 1;
                }
            }
            if (++tries > 1000) {
                kprintf("pingpong: FAIL: d%u never offered a port\n", peer);
                return 1;
            }
            pv_ops.yield_machine();
        }
    bound:
        evtchn_send(port);                     /* "connected" */
    }

    uint64_t t0 = 0;
    uint32_t tsc0 = 0;
    if (me < peer) {
        evtchn_wait(port, 1);                  /* the peer is connected */
        t0 = pv_ops.system_ns();
        tsc0 = rdtsc32();
        for (int i = 1; i <= n; i++) {
            if (evtchn_count[port] != (uint32_t)i)
                bad++;
            evtchn_send(port);                 /* ping i */
            evtchn_wait(port, (uint32_t)i + 1);  /* pong i */
            if (i <= 3 || i == n)
                kprintf("pingpong: d%u: ping %d answered\n", me, i);
        }
    } else {
        t0 = pv_ops.system_ns();
        for (int i = 1; i <= n; i++) {
            evtchn_wait(port, (uint32_t)i);    /* ping i */
            if (evtchn_count[port] != (uint32_t)i)
                bad++;
            evtchn_send(port);                 /* pong i */
            if (i <= 3 || i == n)
                kprintf("pingpong: d%u: pong %d sent\n", me, i);
        }
    }
    uint64_t dt = pv_ops.system_ns() - t0;
    /* Under -icount the TSC counts guest instructions (bench/run.sh). */
    if (me < peer)
        kprintf("bench: evtchn_roundtrip %u insns\n", (rdtsc32() - tsc0) / (uint32_t)n);
    uint32_t got = evtchn_count[port] - (me < peer ? 1 : 0);
    kprintf("pingpong: d%u: %d rounds, %u events received, order %s\n", me, n, got,
            bad ? "WRONG: FAIL" : "ok");
    kprintf("pingpong: d%u: round trip %u ns on average\n", me, (uint32_t)(dt / (uint64_t)n));
    if (me < peer)
        kprintf("pingpong: d%u: close: %d\n", me, evtchn_close(port));
    return bad != 0 || got != (uint32_t)n;
}

/* ---- bench-switch: the domain switch path, measured from a guest -------- */

/* Two domains run this at once.  Each sched_op yield hands the CPU to the
 * other domain, which yields straight back: one round trip is two yield
 * hypercalls and two domain switches (plus a few loop instructions).
 * bench/run.sh subtracts two null hypercalls and halves the rest. */
int bench_switch_main(void)
{
    if (!need_pv("bench-switch"))
        return 0;
    uint32_t best = 0xFFFFFFFFu, total = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t t0 = rdtsc32();
        pv_ops.yield_machine();
        uint32_t d = rdtsc32() - t0;
        total += d;
        if (d < best)
            best = d;
    }
    kprintf("bench: yield_roundtrip %u insns\n", total / 1000);
    kprintf("bench: yield_roundtrip_min %u insns\n", best);
    return 0;
}

/* ---- evtchn-attacks: every abuse refused with the right error ------------- */

static int passed, failed;

static void expect(const char *what, int got, int want)
{
    if (got == want) {
        kprintf("attacks: %s: %d: PASS\n", what, got);
        passed++;
    } else {
        kprintf("attacks: %s: FAIL (got %d, want %d)\n", what, got, want);
        failed++;
    }
}

int attacks_main(void)
{
    if (!need_pv("attacks"))
        return 0;
    evtchn_port_t p = 0;
    struct evtchn_status st;
    struct hv_domctl c;

    expect("send on port 5000 (out of range)", evtchn_send(5000), -HV_EINVAL);
    expect("send on port 64 (just out of range)", evtchn_send(64), -HV_EINVAL);
    expect("send on closed port 40", evtchn_send(40), -HV_EINVAL);
    expect("bind VIRQ_TIMER a second time", evtchn_bind_virq(VIRQ_TIMER, &p), -HV_EEXIST);
    expect("bind VIRQ 99 (no such virq)", evtchn_bind_virq(99, &p), -HV_EINVAL);
    struct evtchn_bind_pirq bp = { .pirq = 3, .flags = 0 };
    expect("bind_pirq 3 from a domU", HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bp),
           -HV_EPERM);
    /* Someone else's port: dom0's end of d2's channel.  Connected, so
     * -EBUSY; and asking for a port in dom0's table at all is -EPERM. */
    struct evtchn_alloc_unbound au = { .dom = 0, .remote_dom = 2 };
    expect("alloc_unbound in dom0's table", HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au),
           -HV_EPERM);
    expect("status of a port of dom0", evtchn_status(0, 1, &st), -HV_EPERM);
    expect("bind_interdomain to domain 77", evtchn_bind_interdomain(77, 1, &p), -HV_ESRCH);
    /* d2 reserves nothing for us: a port of d2 reserved for dom0 (its
     * builder channel is connected) -- the scan finds no free one. */
    int r = evtchn_bind_interdomain(2, start_info->dom0_evtchn, &p);
    expect("bind_interdomain to d2's connected port", r, -HV_EBUSY);
    /* A port reserved for d2: d2 may bind it, we may not (loopback). */
    evtchn_port_t mine = 0;
    expect("alloc_unbound for d2", evtchn_alloc_unbound(2, &mine), 0);
    expect("bind_interdomain to our own port reserved for d2",
           evtchn_bind_interdomain(DOMID_SELF, mine, &p), -HV_EPERM);
    expect("close it", evtchn_close(mine), 0);
    expect("send on the port just closed", evtchn_send(mine), -HV_EINVAL);
    expect("close it again", evtchn_close(mine), -HV_EINVAL);
    expect("unmask port 5000", evtchn_unmask(5000), -HV_EINVAL);
    expect("send with a NULL argument", HYPERVISOR_event_channel_op(EVTCHNOP_send, 0), -HV_EFAULT);
    expect("send with an argument in the hypervisor hole",
           HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)0xFC000000u), -HV_EFAULT);
    expect("unknown command 77", HYPERVISOR_event_channel_op(77, &p), -HV_ENOSYS);

    memset(&c, 0, sizeof c);
    c.cmd = DOMCTL_getinfo;
    c.domain = DOMID_SELF;
    expect("domctl getinfo on ourselves", HYPERVISOR_domctl(&c), 0);
    memset(&c, 0, sizeof c);
    c.cmd = DOMCTL_getinfo;
    c.domain = 0;
    expect("domctl getinfo on dom0 from a domU", HYPERVISOR_domctl(&c), -HV_EPERM);
    memset(&c, 0, sizeof c);
    c.cmd = DOMCTL_sched_set;
    c.domain = DOMID_SELF;
    c.u.sched.weight = 1000;
    expect("domctl sched_set weight 1000 on ourselves", HYPERVISOR_domctl(&c), -HV_EPERM);
    expect("domctl with a NULL argument", HYPERVISOR_domctl(0), -HV_EFAULT);

    /* And after all that, events still work: our timer still ticks. */
    uint32_t before = evtchn_count[events_timer_port];
    proc_sleep_ns(30 * MS);
    expect("the timer still fires after the attacks",
           evtchn_count[events_timer_port] > before, 1);
    kprintf("attacks: %d passed, %d failed\n", passed, failed);
    return failed;
}

/* ---- timecheck: the clocks ---------------------------------------------- */

int timecheck_main(void)
{
    int bad = 0;
    /* 1. System time never goes backwards, over many reads (each read
     * extrapolates with rdtsc from the last record: the seams between
     * records are where a bug would show). */
    uint64_t prev = pv_ops.system_ns(), back = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t t = pv_ops.system_ns();
        if (t < prev)
            back++;
        prev = t;
        if (i % 2000 == 0)
            proc_sleep_ns(1 * MS);             /* cross some updates */
    }
    kprintf("timecheck: system time monotonic over 20000 reads: %s (%u went back)\n",
            back ? "FAIL" : "PASS", (uint32_t)back);
    bad += back != 0;

    /* 2. Virtual time against system time while sharing the CPU: spin for
     * 300 ms of system time.  Under hvkit a hog domain runs too, so we get
     * part of it: virtual time advances less.  Natively: all of it. */
    uint64_t s0 = pv_ops.system_ns(), v0 = pv_ops.virtual_ns();
    while (pv_ops.system_ns() - s0 < 300 * MS)
        ;
    uint64_t ds = pv_ops.system_ns() - s0, dv = pv_ops.virtual_ns() - v0;
    kprintf("timecheck: over %u us of system time we ran %u us of virtual time\n",
            (uint32_t)(ds / 1000), (uint32_t)(dv / 1000));
    if (pv_ops.paravirt) {
        int ok = dv < ds && dv > 0;
        kprintf("timecheck: virtual time < system time while sharing the CPU: %s\n",
                ok ? "PASS" : "FAIL");
        bad += !ok;
        ok = pv_ops.virtual_ns() < pv_ops.system_ns();
        kprintf("timecheck: virtual time since boot < system time since boot: %s\n",
                ok ? "PASS" : "FAIL");
        bad += !ok;
    } else {
        int ok = dv == ds || dv + 1000 >= ds;
        kprintf("timecheck: native: virtual time = system time: %s\n", ok ? "PASS" : "FAIL");
        bad += !ok;
    }

    /* 3. The wall clock: QEMU runs with -rtc base=2000-01-01, so within a
     * minute of 946684800 s since 1970. */
    uint32_t sec, nsec;
    pv_ops.wall_clock(&sec, &nsec);
    int ok = sec >= 946684800u && sec < 946684800u + 60 && nsec < 1000000000u;
    kprintf("timecheck: wall clock %u.%09u s since 1970 (2000-01-01 + %u s): %s\n",
            sec, nsec, sec - 946684800u, ok ? "PASS" : "FAIL");
    bad += !ok;
    kprintf("timecheck: %s\n", bad ? "FAIL" : "all PASS");
    return bad;
}
