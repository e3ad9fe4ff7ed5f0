/*
 * hv/include/public/shared_info.h — the page the hypervisor and a guest both read and write.
 *
 * One page per domain, mapped into the guest (start_info->shared_info_va) and
 * reached by the hypervisor through its direct map.  It replaces what a real
 * CPU would tell the kernel through registers and the interrupt controller:
 *
 *  - the virtual interrupt flag (evtchn_upcall_mask): a PV kernel "disables
 *    interrupts" by writing 1 here instead of executing cli (which would trap
 *    in ring 1).  cli/sti that do trap are emulated as writes to this byte.
 *  - pending/mask bitmaps of event channels (the virtual interrupt lines).
 *  - the page-fault address (arch.cr2), since ring 1 cannot read %cr2.
 *  - time: system time since boot, TSC stamp, wall clock, and the domain's
 *    own virtual time (the time it has actually run).
 *
 * Time records are *versioned* (seqlock): the hypervisor increments version
 * to an odd number, writes, then increments to even.  A reader copies the
 * record and retries if the version was odd or changed meanwhile, so it never
 * sees a torn 64-bit value.
 */
#ifndef HVKIT_PUBLIC_SHARED_INFO_H
#define HVKIT_PUBLIC_SHARED_INFO_H

#include <stddef.h>
#include <stdint.h>

#define HV_MAX_VCPUS       1    /* one virtual CPU per domain in hvkit */
#define HV_NR_EVENT_CHANNELS 1024 /* 32 words of 32 bits */

struct vcpu_time_info {
    uint32_t version;            /* odd while the hypervisor is writing */
    uint32_t pad0;
    uint64_t tsc_timestamp;      /* TSC when system_time was sampled */
    uint64_t system_time;        /* ns since the hypervisor booted */
    uint64_t virtual_time;       /* ns this domain has run (hvkit extension) */
    uint32_t tsc_to_system_mul;  /* ns = ((tsc delta << tsc_shift) * mul) >> 32 */
    int8_t   tsc_shift;
    int8_t   pad1[3];
};
/* pad0 puts the 64-bit fields at multiples of 8, so i386 (which aligns a
 * uint64_t to 4) and x86_64 (to 8) lay them out the same. */
_Static_assert(offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "vcpu_time_info: tsc at 8");
_Static_assert(sizeof(struct vcpu_time_info) == 40, "vcpu_time_info: 40 bytes");

struct arch_vcpu_info {
    uint32_t cr2;                /* faulting address of the last bounced #PF */
    uint32_t pad[5];
};
_Static_assert(sizeof(struct arch_vcpu_info) == 24, "arch_vcpu_info: 24 bytes");

/*
 * The virtual CPU's interrupt state.  Together with the bitmaps below it is
 * a two-level interrupt controller in memory:
 *   evtchn_pending[w] bit b   port 32w+b has fired (the "line" is raised);
 *   evtchn_pending_sel bit w  word w of evtchn_pending may hold news, so
 *                             the guest scans only the words it names;
 *   evtchn_upcall_pending     something is pending at all: the one byte
 *                             the guest checks when it re-enables events,
 *                             to catch what arrived while they were off.
 * The hypervisor sets bits, the guest clears them (atomically: xchg for the
 * selector, lock btr for a port, since an upcall may set more meanwhile).
 */
struct vcpu_info {
    uint8_t  evtchn_upcall_pending;  /* some event is pending: upcall wanted */
    uint8_t  evtchn_upcall_mask;     /* the virtual IF, inverted: 1 = "cli" */
    uint16_t pad0;
    uint32_t evtchn_pending_sel;     /* which words of evtchn_pending to scan */
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info: time at 32, 8-aligned");
_Static_assert(sizeof(struct vcpu_info) == 72, "vcpu_info: 72 bytes");

/* The page itself.  The hypervisor allocates it with the domain, as a
 * frame outside its pseudo-physical memory (it has no pfn, so memory_op
 * cannot give it back), and the builder maps it at
 * start_info->shared_info_va. */
struct shared_info {
    struct vcpu_info vcpu_info[HV_MAX_VCPUS];
    uint32_t evtchn_pending[HV_NR_EVENT_CHANNELS / 32];
    uint32_t evtchn_mask[HV_NR_EVENT_CHANNELS / 32];
    uint32_t wc_version;         /* wall clock, versioned like vcpu_time_info */
    uint32_t wc_sec;             /* seconds since 1970 at system_time 0 */
    uint32_t wc_nsec;
    /* hvkit extension: trap & emulate counters the demo program reads. */
    uint32_t emulated_cli;
    uint32_t emulated_sti;
    uint32_t emulated_hlt;
};
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 72 * HV_MAX_VCPUS,
               "shared_info: the bitmaps right after vcpu_info[]");
_Static_assert(sizeof(struct shared_info) == 72 * HV_MAX_VCPUS + 280, "shared_info: 352 bytes");

#endif
