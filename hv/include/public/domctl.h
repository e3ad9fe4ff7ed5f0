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
 *     -HV_EACCES  interface_version is not HV_DOMCTL_INTERFACE_VERSION
 *     -HV_EPERM   the caller is not privileged (only DOMCTL_getinfo on
 *                 DOMID_SELF is allowed to every domain)
 *     -HV_ESRCH   no such domain
 *     -HV_EINVAL  unknown command, or a parameter out of range
 *     -HV_ENOSYS  the running scheduler has no such parameters (sched=rr)
 *     -HV_EFAULT  bad pointer
 *
 * Each command's number stands next to the structure it uses, as in Xen's
 * public headers; struct hv_domctl, which carries them all, comes last.
 */
#ifndef HVKIT_PUBLIC_DOMCTL_H
#define HVKIT_PUBLIC_DOMCTL_H

#include <stddef.h>
#include <stdint.h>
#include "hvkit.h"

/*
 * THE INTERFACE VERSION.  domctl is the toolstack's interface: dom0's
 * tools are built from these headers, and a dom0 built against an older
 * layout would hand the hypervisor a structure it reads wrongly -- silently.
 * So every call carries the version of this header it was built from, and
 * the hypervisor refuses any other (-HV_EACCES) before it reads anything
 * else, as Xen does with XEN_DOMCTL_INTERFACE_VERSION.  Whoever changes a
 * layout or a meaning below must increase the number.
 *
 * (The guest-facing hypercalls need no such field: their structures are
 * Xen's, never change, and are checked byte for byte by
 * tests/unit/test_abi_layout.c.)
 */
#define HV_DOMCTL_INTERFACE_VERSION  1

/*
 * DOMCTL_getinfo: a domain's state and CPU accounting.  Every domain may
 * ask about itself (DOMID_SELF); dom0 may ask about any, even one that is
 * dead, to read its final accounting.
 */
#define DOMCTL_getinfo      1   /* OUT u.info */

#define DOMCTL_STATE_RUNNABLE  1   /* info.state */
#define DOMCTL_STATE_BLOCKED   2
#define DOMCTL_STATE_DEAD      3

struct hv_domctl_getinfo {
    uint32_t state;        /* DOMCTL_STATE_* */
    uint32_t nr_pages;
    uint64_t cpu_ns;       /* real time it has run */
    uint64_t virtual_ns;   /* same as cpu_ns: a domain's virtual time
                              advances only while it runs */
    uint64_t system_ns;    /* system time now, for shares */
    uint32_t nr_hypercalls;
    uint32_t nr_switches;  /* times it was scheduled in */
};
_Static_assert(sizeof(struct hv_domctl_getinfo) == 40, "hv_domctl_getinfo: 40 bytes");

/*
 * DOMCTL_sched_get / DOMCTL_sched_set: the scheduler's parameters of one
 * domain, dom0 only.  Borrowed Virtual Time (course: domain scheduling;
 * hv/sched/sched_bvt.c).  Times in ns; weight 1..1000; warp_ns 0 disables
 * warping.
 */
#define DOMCTL_sched_get    2   /* OUT u.sched */
#define DOMCTL_sched_set    3   /* IN u.sched (weight and the three warp times) */

struct hv_domctl_sched {
    uint32_t weight;
    uint32_t pad;            /* keeps the 64-bit fields 8-aligned on x86_64 too */
    uint64_t warp_ns;        /* W: how far back a wake may warp */
    uint64_t warp_limit_ns;  /* L: run time allowed while warped (0: none) */
    uint64_t unwarp_req_ns;  /* U: time unwarped before warping again */
    uint64_t avt_ns;         /* OUT: actual virtual time */
    int64_t  evt_ns;         /* OUT: effective virtual time */
};
_Static_assert(sizeof(struct hv_domctl_sched) == 48, "hv_domctl_sched: 48 bytes");

/*
 * The structure every command travels in.  The union starts at offset 16,
 * a multiple of 8, so that a uint64_t inside it has the same offset on
 * i386 (which aligns uint64_t to 4) and on x86_64 (which aligns it to 8):
 * host tools read the same bytes the guest wrote.
 */
struct hv_domctl {
    uint32_t cmd;                /* DOMCTL_* */
    uint32_t interface_version;  /* HV_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;             /* which domain (DOMID_SELF allowed) */
    uint16_t pad[3];
    union {
        struct hv_domctl_getinfo info;
        struct hv_domctl_sched   sched;
    } u;
};
_Static_assert(offsetof(struct hv_domctl, u) == 16, "hv_domctl: the union at 16");
_Static_assert(sizeof(struct hv_domctl) == 64, "hv_domctl: 64 bytes");

#endif
