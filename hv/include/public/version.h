/*
 * hv/include/public/version.h — xen_version: a guest asks which hypervisor it runs on.
 *
 * HYPERVISOR_xen_version(cmd, buf):
 *   XENVER_version       buf ignored; returns (major << 16) | minor.
 *                        Also the cheapest hypercall there is, so the
 *                        benchmarks use it as the "null hypercall".
 *   XENVER_extraversion  copies a NUL-terminated string of at most
 *                        XENVER_EXTRAVERSION_LEN bytes (e.g. "-hvkit") to buf;
 *                        returns 0.  A bad buf gives -HV_EFAULT.
 *   XENVER_hvkit_stats   (hvkit extension) copies a struct xenver_hvkit_stats
 *                        to buf: which isolation the hypervisor runs
 *                        (isolation= on its command line) and what it has
 *                        counted since boot -- entries into ring 0, CR3
 *                        loads, invlpgs, rep iterations, domain switches --
 *                        for the benchmarks' cost model (docs/performance.md)
 *                        and the hole-attack demo; returns 0.  A bad buf
 *                        gives -HV_EFAULT.
 * Unknown cmd: -HV_ENOSYS.
 */
#ifndef HVKIT_PUBLIC_VERSION_H
#define HVKIT_PUBLIC_VERSION_H

#define XENVER_version        0
#define XENVER_extraversion   1
#define XENVER_EXTRAVERSION_LEN 16
#define XENVER_hvkit_stats    0x100   /* above Xen's own numbers */

#define HVKIT_ISOLATION_CLASSIC 0     /* segment limits only */
#define HVKIT_ISOLATION_PAGING  1     /* and only the entry trampoline mapped */

#ifndef __ASSEMBLY__
#include <stdint.h>

/* The counts are since boot, for all domains, and taken inside this call:
 * its own entry is in them, its exit is not (so a benchmark reads twice
 * back to back first, and subtracts what one read adds). */
struct xenver_hvkit_stats {
    uint32_t isolation;      /* HVKIT_ISOLATION_* */
    uint32_t cr3_loads;      /* mov to %cr3: each a TLB flush on a CPU without PCID */
    uint32_t entries;        /* entries into ring 0: hypercalls, exceptions, interrupts */
    uint32_t invlpgs;        /* invlpg instructions (one TLB entry each) */
    uint32_t rep_iters;      /* iterations of rep movs/stos (copies of guest
                                memory, frames, page-table mirrors) */
    uint32_t switches;       /* domain switches (schedule() picked another) */
};
_Static_assert(sizeof(struct xenver_hvkit_stats) == 24, "xenver_hvkit_stats: 24 bytes");
#endif

#define HVKIT_VERSION_MAJOR   0
#define HVKIT_VERSION_MINOR   1

#endif
