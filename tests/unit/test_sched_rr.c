/*
 * tests/unit/test_sched_rr.c — round-robin behind the scheduler interface
 * (hv/sched/sched_rr.c), on a simulated clock (sched_sim.h): equal shares, blocked
 * vcpus skipped, no parameters.
 */
#include <criterion/criterion.h>
#include "sched_sim.h"

static struct sched_queue q;
static struct sched_vcpu v[3];

static void setup(int n)
{
    sched_rr.init(&q);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(sched_rr.vcpu_init(&q, &v[i], i, 0), 0);
        sched_rr.wake(&q, &v[i], 0);
    }
}

Test(sched_rr, equal_shares)
{
    setup(3);
    sim_run(&sched_rr, &q, 0, 3000 * MS, NULL, 0, NULL);
    for (int i = 0; i < 3; i++) {
        double s = sim_share(&v[i], 3000 * MS);
        cr_log_info("rr vcpu %d: %.2f%%\n", i, s);
        cr_assert(s > 100.0 / 3 - 1 && s < 100.0 / 3 + 1, "vcpu %d got %.2f%%", i, s);
    }
}

Test(sched_rr, skips_blocked)
{
    setup(3);
    sched_rr.sleep(&q, &v[1], 0);
    sim_run(&sched_rr, &q, 0, 3000 * MS, NULL, 0, NULL);
    cr_assert_eq(v[1].cpu_ns, 0);
    cr_assert(sim_share(&v[0], 3000 * MS) > 49 && sim_share(&v[0], 3000 * MS) < 51);
    cr_assert(sim_share(&v[2], 3000 * MS) > 49 && sim_share(&v[2], 3000 * MS) < 51);
}

Test(sched_rr, idle_then_wake)
{
    setup(1);
    sched_rr.sleep(&q, &v[0], 0);
    cr_assert_null(sched_rr.pick_next(&q, 0).vcpu);
    cr_assert_eq(sched_rr.wake(&q, &v[0], 5), 1, "waking an idle CPU preempts idle");
    struct sched_pick p = sched_rr.pick_next(&q, 5);
    cr_assert_eq(p.vcpu, &v[0]);
    cr_assert_eq(p.slice_ns, SCHED_SLICE_NS);
}

Test(sched_rr, no_params)
{
    struct sched_params p = { 2, 0, 0, 0 };
    setup(1);
    cr_assert_eq(sched_rr.set_params(&q, &v[0], &p), -HV_ENOSYS);
    sched_rr.get_params(&v[0], &p);
    cr_assert_eq(p.weight, 1);
}

Test(sched_rr, destroy_keeps_turns)
{
    setup(3);
    sched_rr.vcpu_destroy(&q, &v[1]);
    cr_assert_eq(q.nr, 2);
    sim_run(&sched_rr, &q, 0, 600 * MS, NULL, 0, NULL);
    cr_assert_eq(v[0].cpu_ns, 300 * MS);
    cr_assert_eq(v[2].cpu_ns, 300 * MS);
}
