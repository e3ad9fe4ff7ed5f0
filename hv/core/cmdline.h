/*
 * hv/core/cmdline.h — the hypervisor's command line (QEMU -append "...").
 *
 *   dom0_mem=<size>     memory of domain 0            (default 4M)
 *   domU_mem=<size>     memory of every other domain  (default 2M)
 *   sched=rr|bvt        the domain scheduler          (default rr)
 *   trace=on|off        record trace events           (default on)
 *   trace_records=<n>   trace ring size in records    (default 32768)
 *   tick=<ms>           guests' periodic timer, 1..1000 ms (default 10)
 *   insn_limit=<n>      stop the run after n million guest instructions
 *                       (TSC ticks; under -icount shift=0 one per
 *                       instruction): the tests' bound on a run (default
 *                       0, no limit; hv/core/progress.c)
 *   isolation=paging|classic
 *                       what keeps a guest kernel out of the hypervisor's
 *                       64 MiB (default paging).  classic: the guest
 *                       segments' limit alone, with the hypervisor mapped in
 *                       every address space -- the layout the course
 *                       teaches, which real hardware enforces and QEMU's
 *                       TCG does not (it skips the limit check on data
 *                       accesses).  paging: the same layout and limits, and
 *                       besides, a running guest's page directory maps only
 *                       the hypervisor's entry trampoline; every entry and
 *                       exit loads CR3 (hv/mm/isolation.h, docs/address-space.md).
 *
 * Sizes take a K, M or G suffix; a bare number is KiB (as in Xen).
 * Unknown options and bad values get a warning and are ignored: a typo
 * should not stop a lecture demo from booting.
 *
 * Pure C: compiled into the hypervisor and into the host unit tests.
 */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include <stdint.h>

struct hv_options {
    uint32_t dom0_kib;
    uint32_t domu_kib;
    char     sched[16];
    int      trace_on;
    uint32_t trace_records;
    uint32_t tick_ms;
    uint32_t insn_limit_m;      /* millions of instructions; 0 = none */
    int      isolation;      /* ISOLATION_PAGING or ISOLATION_CLASSIC (mm/isolation.h) */
};

/* Called once per problem with a ready-made message (no newline). */
typedef void (*cmdline_warn_fn)(const char *msg);

void cmdline_defaults(struct hv_options *o);
/* Parse `s` (space-separated key=value words) into `o`.  Returns the number
 * of warnings issued. */
int cmdline_parse(const char *s, struct hv_options *o, cmdline_warn_fn warn);
/* "64M" -> 65536 (KiB).  Returns 0 on success, -1 if not a size. */
int cmdline_parse_size_kib(const char *s, uint32_t len, uint32_t *kib);

#endif
