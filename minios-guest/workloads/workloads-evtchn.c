/*
 * minios-guest/workloads/workloads-evtchn.c — kernel tasks for the event-channel scenarios:
 * ping-pong between two domUs, masking on a loopback channel, and the
 * attacks a domU may try.
 *
 * Where this sits in the story (course: event channels): they need the
 * kernel's ring because they make event_channel_op and domctl hypercalls.
 * Each prints PASS/FAIL lines and figures that tests/scenarios/evtchn-*.scn
 * check, and the trace shows every operation with its result.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "kernel/vm.h"
#include "arch/pv/hypercall.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "lib/string.h"
#include "workloads/workloads.h"
#include "lib/x86.h"

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

/* ---- masking: events that arrive while masked wait --------------------- */

/*
 * Two kinds of masking, on a loopback channel (a port of ours connected to
 * another port of ours, so one domain can send itself events):
 *   - a port's own mask bit (shared_info->evtchn_mask): the event stays
 *     pending, no upcall; EVTCHNOP_unmask delivers it;
 *   - the upcall mask (the virtual interrupt flag, pv_ops.irq_disable):
 *     the event is pending and evtchn_upcall_pending is set, but the
 *     hypervisor does not bounce us until we enable events again.
 */
static int mask_checks_failed;

static void mcheck(const char *what, int ok)
{
    kprintf("masking: %s: %s\n", what, ok ? "PASS" : "FAIL");
    mask_checks_failed += !ok;
}

int masking_main(void)
{
    if (!need_pv("masking"))
        return 0;
    evtchn_port_t a = 0, b = 0;
    int r = evtchn_alloc_unbound((domid_t)boot_info.domid, &a);
    if (r == 0)
        r = evtchn_bind_interdomain(DOMID_SELF, a, &b);
    kprintf("masking: loopback channel: port %u <-> port %u (%d)\n", a, b, r);
    if (r < 0 || b >= EVENTS_NR_PORTS)
        return 1;
    volatile uint32_t *mask = &shared_info->evtchn_mask[b / 32];
    volatile uint32_t *pend = &shared_info->evtchn_pending[b / 32];
    uint32_t bit = 1u << (b % 32);

    /* 1. An unmasked send arrives at once (the upcall runs on the way back
     * from the send hypercall). */
    uint32_t n0 = evtchn_count[b];
    evtchn_send(a);
    mcheck("unmasked: the event arrived on return from send", evtchn_count[b] == n0 + 1);

    /* 2. Port masked: pending, not delivered; unmask delivers.  Not even
     * when another port of the same 32-bit word fires meanwhile (a second
     * loopback channel): the upcall's scan must skip masked bits, not only
     * words without a selector bit. */
    evtchn_port_t c = 0, d = 0;
    int r2 = evtchn_alloc_unbound((domid_t)boot_info.domid, &c);
    if (r2 == 0)
        r2 = evtchn_bind_interdomain(DOMID_SELF, c, &d);
    __atomic_fetch_or(mask, bit, __ATOMIC_SEQ_CST);
    evtchn_send(a);
    mcheck("port masked: not delivered", evtchn_count[b] == n0 + 1);
    mcheck("port masked: its pending bit is set", (*pend & bit) != 0);
    if (r2 == 0 && d / 32 == b / 32) {
        uint32_t m0 = evtchn_count[d];
        evtchn_send(c);
        mcheck("another port of its word fires: that one is delivered", evtchn_count[d] == m0 + 1);
        mcheck("another port of its word fires: the masked one still is not", evtchn_count[b] == n0 + 1);
        evtchn_close(c);
    } else {
        mcheck("a second loopback channel in the same word", 0);
    }
    r = evtchn_unmask(b);
    mcheck("EVTCHNOP_unmask returns 0", r == 0);
    mcheck("unmask: the waiting event was delivered", evtchn_count[b] == n0 + 2);
    mcheck("unmask: the mask bit is clear", (*mask & bit) == 0);

    /* 3. Events off (upcall mask): pending, upcall wanted, not delivered;
     * enabling events delivers it. */
    pv_ops.irq_disable();
    evtchn_send(a);
    int waited = evtchn_count[b] == n0 + 2;
    int flagged = shared_info->vcpu_info[0].evtchn_upcall_pending != 0;
    pv_ops.irq_enable();
    mcheck("events off: not delivered", waited);
    mcheck("events off: evtchn_upcall_pending set", flagged);
    mcheck("events on again: delivered", evtchn_count[b] == n0 + 3);

    /* 4. Two sends while masked are one event: a pending bit, not a queue. */
    __atomic_fetch_or(mask, bit, __ATOMIC_SEQ_CST);
    evtchn_send(a);
    evtchn_send(a);
    evtchn_unmask(b);
    mcheck("two sends while masked: one event", evtchn_count[b] == n0 + 4);

    evtchn_close(a);
    kprintf("masking: %s\n", mask_checks_failed ? "FAIL" : "all PASS");
    return mask_checks_failed;
}

/* ---- evtchn-attacks: every abuse refused with the right error ------------- */

static struct checks checks = { .who = "attacks" };

static void expect(const char *what, int got, int want)
{
    check_eq(&checks, what, got, want);
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
    bp.pirq = 14;
    expect("bind_pirq 14 (dom0's disk) from a domU",
           HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bp), -HV_EPERM);
    uint8_t v;
    expect("inb 0x1f7 (dom0's disk) from a domU", vm_probe_inb(0x1f7, &v), 0);
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

    domctl_init(&c, DOMCTL_getinfo, DOMID_SELF);
    expect("domctl getinfo on ourselves", HYPERVISOR_domctl(&c), 0);
    /* A toolstack built from another public/domctl.h: refused before the
     * hypervisor looks at anything else, even for a call that is allowed. */
    domctl_init(&c, DOMCTL_getinfo, DOMID_SELF);
    c.interface_version = HV_DOMCTL_INTERFACE_VERSION + 1;
    expect("domctl getinfo with another interface version", HYPERVISOR_domctl(&c), -HV_EACCES);
    c.interface_version = 0;
    expect("domctl getinfo without an interface version", HYPERVISOR_domctl(&c), -HV_EACCES);
    domctl_init(&c, DOMCTL_getinfo, 0);
    expect("domctl getinfo on dom0 from a domU", HYPERVISOR_domctl(&c), -HV_EPERM);
    domctl_init(&c, DOMCTL_sched_set, DOMID_SELF);
    c.u.sched.weight = 1000;
    expect("domctl sched_set weight 1000 on ourselves", HYPERVISOR_domctl(&c), -HV_EPERM);
    expect("domctl with a NULL argument", HYPERVISOR_domctl(0), -HV_EFAULT);

    /* And after all that, events still work: our timer still ticks. */
    uint32_t before = evtchn_count[events_timer_port];
    proc_sleep_ns(30 * MS);
    expect("the timer still fires after the attacks",
           evtchn_count[events_timer_port] > before, 1);
    kprintf("attacks: %d passed, %d failed\n", checks.passed, checks.failed);
    refusals_print();        /* for the scenario to hold against the trace */
    return checks.failed;
}

