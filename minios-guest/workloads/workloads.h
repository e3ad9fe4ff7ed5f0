/*
 * minios-guest/workloads/workloads.h — what the kernel-task workloads share (workloads.c,
 * workloads-sched.c, workloads-evtchn.c).
 *
 * Where this sits in the story: the events-and-scheduling scenarios
 * (tests/scenarios/sched-*, evtchn-*, time) each run a few of these tasks;
 * see minios-guest/README.md for what each prints.
 */
#ifndef MINIOS_WORKLOADS_H
#define MINIOS_WORKLOADS_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/domctl.h"

#define MS 1000000ull           /* one millisecond in ns */

/* "key=N" on the command line, or def. */
int cmdline_int(const char *key, int def);
/* Where the value of "key=..." starts on the command line (it ends at a
 * space or the end), or 0 when the key is not there. */
const char *cmdline_value(const char *key);
/* 1 under hvkit; natively prints "<name>: native mode: ... skipped", 0. */
int need_pv(const char *name);

/* A task's checks of hypercall results: each prints
 * "<who>: <what>: <got>: PASS" or "<who>: <what>: FAIL (got .., want ..)"
 * (the lines the scenarios look for) and is counted. */
struct checks {
    const char *who;
    int passed, failed;
};
void check_eq(struct checks *c, const char *what, int got, int want);

/* domctl sched_set on domain dom (DOMID_SELF: ourselves; BVT weight and
 * warp), keeping nothing of the old parameters: 0 or -errno
 * (workloads-sched.c). */
int sched_set(domid_t dom, uint32_t weight, uint64_t warp, uint64_t limit, uint64_t unwarp);
/* Attackers and the fuzzer: wait until the victim in dom0 says "go" on
 * the builder's channel (unless the command line says "nowait"). */
void wait_for_victim(const char *who);
/* Dom0's port of the channel the builder made to domain dom, or -1. */
int find_port_to(domid_t dom);
/* The benchmarks' output (lib/benchstat.h), for kernel tasks: one row's
 * line, and what one bench_counters_read adds to the counters. */
struct benchstat;
void bench_report(const char *id, uint32_t per, const struct benchstat *s);
void bench_read_cost(uint32_t *cost);

/* A domctl request: command cmd about domain dom, every other field zero,
 * and the interface version of the public/domctl.h this kernel was built
 * from (without it the hypervisor answers -EACCES). */
void domctl_init(struct hv_domctl *c, uint32_t cmd, domid_t dom);

/* The split console's back end (console.c, con-back vms): a line typed
 * for domain dom's console (xl console), as "text\n" into its input ring.
 * 0, or -HV_ENOENT (con-back is not serving a console of dom), -HV_ENOSPC
 * (dom reads too slowly: the line is dropped). */
int con_back_input(domid_t dom, const char *text);

#endif
