/*
 * tests/unit/test_sched_bvt.c — Borrowed Virtual Time (hv/sched/sched_bvt.c and
 * lab 3, labs/lab3/bvt.c) on a simulated clock (sched_sim.h).
 *
 * What BVT promises, as the course states it: CPU shares in proportion to
 * weight; a warped (latency-sensitive) vcpu dispatched at once when it
 * wakes, but only within its warp limit and unwarp requirement; idle time
 * flows to domains that want it, and is not owed back.  Built against the
 * lab 3 stubs (make LAB=3), these tests fail.
 */
#include <criterion/criterion.h>
#include "sched_sim.h"
#include "sched/lab3.h"

static struct sched_queue q;
static struct sched_vcpu v[3];

static void setup(int n)
{
    sched_bvt.init(&q);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(sched_bvt.vcpu_init(&q, &v[i], i, 0), 0);
        sched_bvt.wake(&q, &v[i], 0);
    }
}

static void set(struct sched_vcpu *x, uint32_t w, uint64_t warp,
                uint64_t limit, uint64_t unwarp)
{
    struct sched_params p = { w, warp, limit, unwarp };
    cr_assert_eq(sched_bvt.set_params(&q, x, &p), 0);
}

static void check_share(int i, uint64_t total, double want, double tol)
{
    double s = sim_share(&v[i], total);
    cr_log_info("bvt vcpu %d (weight %u): %.3f%% (want %.3f%%)\n", i,
                v[i].weight, s, want);
    cr_assert(s > want - tol && s < want + tol,
              "vcpu %d (weight %u) got %.3f%%, want %.3f%% +- %.1f",
              i, v[i].weight, s, want, tol);
}

Test(sched_bvt, shares_follow_weights_1_2_4)
{
    setup(3);
    set(&v[0], 1, 0, 0, 0);
    set(&v[1], 2, 0, 0, 0);
    set(&v[2], 4, 0, 0, 0);
    sim_run(&sched_bvt, &q, 0, 10000 * MS, NULL, 0, NULL);
    check_share(0, 10000 * MS, 100.0 / 7, 2);
    check_share(1, 10000 * MS, 200.0 / 7, 2);
    check_share(2, 10000 * MS, 400.0 / 7, 2);
}

Test(sched_bvt, no_thrashing)
{
    /* Two equal hogs: each slice is about one context-switch allowance,
     * not one MCU. */
    int switches = 0;
    struct sched_vcpu *last = NULL;
    setup(2);
    struct sched_pick p;
    uint64_t now = 0;
    for (int k = 0; k < 200; k++) {
        p = sched_bvt.pick_next(&q, now);
        if (p.vcpu != last)
            switches++;
        last = p.vcpu;
        cr_assert_geq(p.slice_ns, BVT_CTX_ALLOW_NS, "slice %llu too short",
                      (unsigned long long)p.slice_ns);
        now += p.slice_ns;
        sched_bvt.account(&q, p.vcpu, p.slice_ns, now);
    }
    cr_assert_gt(switches, 100, "the two hogs must alternate");
    cr_assert_leq(now / switches, 3 * BVT_CTX_ALLOW_NS);
}

/* The warp test watches when vcpu 2 is dispatched after it wakes. */
static uint64_t woke_at, dispatched_at;
static void watch(struct sched_vcpu *c, uint64_t now)
{
    if (c == &v[2] && now >= woke_at && dispatched_at == UINT64_MAX)
        dispatched_at = now;
}

Test(sched_bvt, warped_wake_dispatched_within_allowance)
{
    setup(3);
    set(&v[2], 1, 50 * MS, 10 * MS, 100 * MS);
    sched_bvt.sleep(&q, &v[2], 0);
    woke_at = 1003 * MS + 300000;          /* mid-slice, mid-MCU */
    dispatched_at = UINT64_MAX;
    struct sim_event ev[] = {
        { woke_at, &v[2], 1 },
        { woke_at + 2 * MS, &v[2], 0 },    /* it answers, and sleeps */
    };
    sim_run(&sched_bvt, &q, 0, 2000 * MS, ev, 2, watch);
    cr_assert_neq(dispatched_at, UINT64_MAX, "the warped vcpu never ran");
    cr_log_info("warped vcpu dispatched %llu ns after waking\n",
                (unsigned long long)(dispatched_at - woke_at));
    cr_assert_leq(dispatched_at - woke_at, BVT_CTX_ALLOW_NS);
    cr_assert_eq(v[2].cpu_ns, 2 * MS);
    /* The hogs still share the rest equally. */
    check_share(0, 2000 * MS, 49.9, 2);
    check_share(1, 2000 * MS, 49.9, 2);
}

Test(sched_bvt, warp_limit_ends_warp)
{
    /* vcpu 2 wakes warped, then stays CPU-bound: after 10 ms of warped
     * running it must lose its warp, and in the long run get only its
     * weight's share. */
    setup(3);
    set(&v[2], 1, 50 * MS, 10 * MS, 100 * MS);
    sched_bvt.sleep(&q, &v[2], 0);
    struct sim_event ev[] = { { 500 * MS, &v[2], 1 } };
    sim_run(&sched_bvt, &q, 0, 520 * MS, ev, 1, NULL);
    cr_assert_eq(v[2].warped, 0, "still warped after its warp limit");
    cr_assert_geq(v[2].warp_ran_ns, 10 * MS);
    cr_assert_leq(v[2].cpu_ns, 20 * MS);

    uint64_t before[3] = { v[0].cpu_ns, v[1].cpu_ns, v[2].cpu_ns };
    sim_run(&sched_bvt, &q, 520 * MS, 3520 * MS, NULL, 0, NULL);
    for (int i = 0; i < 3; i++) {
        double s = 100.0 * (double)(v[i].cpu_ns - before[i]) / (3000.0 * MS);
        cr_log_info("after warp limit, vcpu %d: %.3f%%\n", i, s);
        cr_assert(s > 100.0 / 3 - 2 && s < 100.0 / 3 + 2, "vcpu %d: %.3f%%", i, s);
    }
}

Test(sched_bvt, unwarp_requirement)
{
    setup(2);
    set(&v[1], 1, 50 * MS, 10 * MS, 100 * MS);
    sched_bvt.sleep(&q, &v[1], 0);
    sched_bvt.wake(&q, &v[1], 10 * MS);
    cr_assert_eq(v[1].warped, 1, "the first wake warps");
    cr_assert_eq(v[1].evt, (int64_t)v[1].avt - (int64_t)(50 * MS));
    sched_bvt.sleep(&q, &v[1], 12 * MS);   /* warp ends here */
    cr_assert_eq(v[1].warped, 0);
    sched_bvt.wake(&q, &v[1], 60 * MS);    /* 48 ms later: too soon */
    cr_assert_eq(v[1].warped, 0, "warped again before the unwarp requirement");
    sched_bvt.sleep(&q, &v[1], 61 * MS);
    sched_bvt.wake(&q, &v[1], 112 * MS);   /* 100 ms after the warp ended */
    cr_assert_eq(v[1].warped, 1, "the unwarp requirement has passed");
}

Test(sched_bvt, idle_time_flows)
{
    setup(2);
    set(&v[1], 4, 0, 0, 0);                /* heavy, but asleep */
    sched_bvt.sleep(&q, &v[1], 0);
    sim_run(&sched_bvt, &q, 0, 5000 * MS, NULL, 0, NULL);
    cr_assert_eq(v[1].cpu_ns, 0, "a blocked vcpu got time");
    cr_assert_eq(v[0].cpu_ns, 5000 * MS, "the lone runnable vcpu must get it all");

    /* It wakes: no credit for the 5 s it slept, so 1:4 from now on. */
    struct sim_event ev[] = { { 5000 * MS, &v[1], 1 } };
    sim_run(&sched_bvt, &q, 5000 * MS, 10000 * MS, ev, 1, NULL);
    double s0 = 100.0 * (double)(v[0].cpu_ns - 5000 * MS) / (5000.0 * MS);
    double s1 = sim_share(&v[1], 5000 * MS);
    cr_log_info("after the wake: %.3f%% / %.3f%%\n", s0, s1);
    cr_assert(s0 > 18 && s0 < 22, "weight 1 got %.3f%%", s0);
    cr_assert(s1 > 78 && s1 < 82, "weight 4 got %.3f%%", s1);

    /* Nobody runnable: idle. */
    sched_bvt.sleep(&q, &v[0], 10000 * MS);
    sched_bvt.sleep(&q, &v[1], 10000 * MS);
    cr_assert_null(sched_bvt.pick_next(&q, 10000 * MS).vcpu);
}

Test(sched_bvt, bad_params_rejected)
{
    struct sched_params p, got;
    setup(1);
    p = (struct sched_params){ 0, 0, 0, 0 };
    cr_assert_eq(sched_bvt.set_params(&q, &v[0], &p), -HV_EINVAL);
    p.weight = BVT_WEIGHT_MAX + 1;
    cr_assert_eq(sched_bvt.set_params(&q, &v[0], &p), -HV_EINVAL);
    p = (struct sched_params){ 1, BVT_WARP_MAX_NS + 1, 0, 0 };
    cr_assert_eq(sched_bvt.set_params(&q, &v[0], &p), -HV_EINVAL);
    p = (struct sched_params){ 1, MS, BVT_LIMIT_MAX_NS + 1, 0 };
    cr_assert_eq(sched_bvt.set_params(&q, &v[0], &p), -HV_EINVAL);
    p = (struct sched_params){ 1, 0, MS, 0 };      /* a limit but no warp */
    cr_assert_eq(sched_bvt.set_params(&q, &v[0], &p), -HV_EINVAL);
    sched_bvt.get_params(&v[0], &got);
    cr_assert_eq(got.weight, 1, "a refused call must change nothing");

    p = (struct sched_params){ 7, 20 * MS, 5 * MS, 30 * MS };
    cr_assert_eq(sched_bvt.set_params(&q, &v[0], &p), 0);
    sched_bvt.get_params(&v[0], &got);
    cr_assert_eq(got.weight, 7);
    cr_assert_eq(got.warp_ns, 20 * MS);
    cr_assert_eq(got.warp_limit_ns, 5 * MS);
    cr_assert_eq(got.unwarp_req_ns, 30 * MS);
    cr_assert_eq(v[0].mcu_advance, BVT_MCU_NS / 7);
}

/* Charging is in whole minimum charging units, rounded *up*: a vcpu that
 * ran a little over one MCU pays two (otherwise one that always blocks
 * just before the end of an MCU would run for free). */
Test(sched_bvt, account_rounds_up_to_whole_mcus)
{
    setup(1);
    set(&v[0], 2, 0, 0, 0);
    uint64_t mcu = q.mcu_ns, adv = v[0].mcu_advance, avt = v[0].avt;
    cr_assert_gt(adv, 0);
    bvt_account(&q, &v[0], mcu + 1, 1 * MS);
    cr_assert_eq(v[0].avt, avt + 2 * adv, "ran 1 MCU + 1 ns: charged %llu MCUs, want 2",
                 (unsigned long long)((v[0].avt - avt) / adv));
    bvt_account(&q, &v[0], 1, 2 * MS);
    cr_assert_eq(v[0].avt, avt + 3 * adv, "ran 1 ns: one whole MCU");
    bvt_account(&q, &v[0], 3 * mcu, 3 * MS);
    cr_assert_eq(v[0].avt, avt + 6 * adv, "exactly 3 MCUs: 3, not 4");
    cr_assert_eq(v[0].cpu_ns, 4 * mcu + 2, "the CPU time itself is exact");
}

/* The framework keeps runnable vcpus in a heap ordered by evt, and reads
 * v->evt: every change of avt or of the warp must bring evt up to date. */
Test(sched_bvt, evt_is_kept_up_to_date)
{
    setup(1);
    set(&v[0], 1, 20 * MS, 5 * MS, 0);
    bvt_warp_stop(&v[0], 0);                   /* however the wake left it */
    bvt_account(&q, &v[0], 3 * q.mcu_ns, 1 * MS);
    cr_assert_eq(v[0].evt, (int64_t)v[0].avt, "after bvt_account, evt = avt (not warped)");
    bvt_warp_start(&v[0], 100 * MS);
    cr_assert(v[0].warped, "warp enabled and never warped before: the wake warps");
    cr_assert_eq(v[0].evt, (int64_t)v[0].avt - (int64_t)(20 * MS), "warped: evt = avt - warp");
    bvt_account(&q, &v[0], q.mcu_ns, 101 * MS);
    cr_assert_eq(v[0].evt, bvt_evt(&v[0]), "after bvt_account while warped");
    bvt_warp_stop(&v[0], 102 * MS);
    cr_assert_eq(v[0].evt, (int64_t)v[0].avt, "after bvt_warp_stop, evt = avt again");
}
