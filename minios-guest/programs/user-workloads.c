/*
 * minios-guest/programs/user-workloads.c — RING 3 workloads for the scheduling scenarios: CPU
 * hogs that measure the share of the CPU they got.
 *
 * Where this sits in the story (course: domain scheduling, BVT, virtual
 * time): a program cannot see other domains, but it can compare two clocks
 * (system calls SYS_clock_gettime): system time, which runs for everybody,
 * and virtual time, which under hvkit runs only while *this domain* runs.
 * Their ratio over an interval is the share of the CPU the domain got --
 * what `expect_cpu_share` computes independently from the hypervisor's trace.
 * Natively the two clocks are the same, and the share is 100% (less the
 * time other minios processes ran).
 */
#include "programs/ulib.h"

/* Spin until the system clock has advanced by ns; return the virtual time
 * that passed meanwhile (what we, the domain, actually ran). */
static uint64_t spin_for(uint64_t ns, uint64_t *sys_spent)
{
    uint64_t s0 = clock_ns(CLOCK_MONOTONIC), v0 = clock_ns(CLOCK_VIRTUAL);
    uint64_t s1;
    do {
        for (volatile int i = 0; i < 1000; i++)
            ;
        s1 = clock_ns(CLOCK_MONOTONIC);
    } while (s1 - s0 < ns);
    *sys_spent = s1 - s0;
    return clock_ns(CLOCK_VIRTUAL) - v0;
}

static void report(const char *name, uint64_t v, uint64_t s)
{
    uint32_t permille = s ? (uint32_t)(v * 1000 / s) : 0;
    printf("%s: virtual time %u us, system time %u us: share %u.%u%%\n", name,
           (uint32_t)(v / 1000), (uint32_t)(s / 1000), permille / 10, permille % 10);
}

/* Spin flat out for `ms` of system time, then print the share we got. */
static int spin_and_report(uint32_t ms)
{
    uint64_t s;
    printf("spinner: spinning for %u ms of system time\n", ms);
    uint64_t v = spin_for((uint64_t)ms * 1000000ull, &s);
    report("spinner", v, s);
    return 0;
}

/* spinner: 400 ms (the preemption scenarios). */
int spinner_main(void)
{
    return spin_and_report(400);
}

/* share-spinner: 1.5 s, for sched-shares: long enough that BVT's
 * granularity -- slices of up to ~20 ms -- is lost in the average, so the
 * shares come out within a point of the weights. */
int share_spinner_main(void)
{
    return spin_and_report(1500);
}

/* hog: the background load of sched-warp and time: 1 s flat out. */
int hog_main(void)
{
    uint64_t s;
    uint64_t v = spin_for(1000000000ull, &s);
    report("hog", v, s);
    return 0;
}

/* sleepy: sleeps 20 ms three times, printing both clocks each time: while
 * it sleeps, system time goes on and its virtual time stands still (unless
 * another process of the same kernel runs). */
int sleepy_main(void)
{
    for (int i = 1; i <= 3; i++) {
        nanosleep(20000000ull);
        printf("sleepy: woke %d: system time %u us, virtual time %u us\n", i,
               (uint32_t)(clock_ns(CLOCK_MONOTONIC) / 1000),
               (uint32_t)(clock_ns(CLOCK_VIRTUAL) / 1000));
    }
    return 0;
}
