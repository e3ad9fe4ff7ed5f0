/*
 * hv/include/public/domctl.h — the domain-control hypercall: how dom0 (the control
 * domain) reads a domain's CPU accounting and sets its scheduling
 * parameters.  Shared by the hypervisor, the teaching OS and host tools.
 *
 * In the course's picture, policy lives in dom0 and mechanism in the
 * hypervisor: the hypervisor schedules, but *who gets what share* is set
 * from dom0 (Xen's `xl sched-credit`, `xm sched-bvt` in the Xen paper's
 * days).  Call:
 *
 *     %eax = __HYPERVISOR_domctl (36)
 *     %ebx = guest virtual address of a struct hv_domctl
 *
 * The hypervisor copies the structure in, does the command, and for the
 * "get" commands copies it back out.  Result: 0, or
 *     -HV_EPERM   the caller is not privileged (only DOMCTL_getinfo on
 *                 DOMID_SELF is allowed to every domain)
 *     -HV_ESRCH   no such domain
 *     -HV_EINVAL  unknown command, or a parameter out of range
 *     -HV_ENOSYS  the running scheduler has no such parameters (sched=rr)
 *     -HV_EFAULT  bad pointer
 */
#ifndef HVKIT_PUBLIC_DOMCTL_H
#define HVKIT_PUBLIC_DOMCTL_H

#include <stdint.h>

#define DOMCTL_getinfo      1   /* OUT info: state and CPU accounting */
#define DOMCTL_sched_get    2   /* OUT sched: the scheduler's parameters */
#define DOMCTL_sched_set    3   /* IN sched: set them (BVT: weight and warp) */

/* info.state */
#define DOMCTL_STATE_RUNNABLE  1
#define DOMCTL_STATE_BLOCKED   2
#define DOMCTL_STATE_DEAD      3

struct hv_domctl {
    uint32_t cmd;             /* DOMCTL_* */
    uint16_t domain;          /* which domain (DOMID_SELF allowed) */
    uint16_t pad;
    union {
        struct {
            uint32_t state;        /* DOMCTL_STATE_* */
            uint32_t nr_pages;
            uint64_t cpu_ns;       /* real time it has run */
            uint64_t virtual_ns;   /* same as cpu_ns: a domain's virtual time
                                      advances only while it runs */
            uint64_t system_ns;    /* system time now, for shares */
            uint32_t nr_hypercalls;
            uint32_t nr_switches;  /* times it was scheduled in */
        } info;
        struct {
            /* Borrowed Virtual Time (course: "scheduling domains: BVT, a
             * fair share of the CPU by weight, with support for
             * latency-sensitive work").  Times in ns.  weight 1..1000;
             * warp_ns 0 disables warping. */
            uint32_t weight;
            uint32_t pad;
            uint64_t warp_ns;        /* W: how far back a wake may warp */
            uint64_t warp_limit_ns;  /* L: run time allowed while warped (0: none) */
            uint64_t unwarp_req_ns;  /* U: time unwarped before warping again */
            uint64_t avt_ns;         /* OUT: actual virtual time */
            int64_t  evt_ns;         /* OUT: effective virtual time */
        } sched;
    } u;
};

#endif
