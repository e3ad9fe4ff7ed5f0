/*
 * hv/core/guest_access.h — the only ways the hypervisor touches memory a guest
 * pointed it to.
 *
 * Rule one of a hypervisor: never trust a guest pointer.  A hypercall
 * argument may be NULL, unmapped, read-only, inside the hypervisor's own
 * 64 MiB, or wrap around the end of the address space.  So:
 *
 *   1. guest_range_ok(): the whole range must lie below
 *      HYPERVISOR_VIRT_START, without overflow — otherwise -EFAULT at once.
 *      (The hypervisor's own segments span all 4 GiB, so the limit that
 *      stops the guest does not stop an access the hypervisor makes on
 *      its behalf: this check is what stands in for it.)
 *   2. copy_from_guest()/copy_to_guest(): the copy runs under the guest's
 *      own page tables, so it sees exactly what the guest may see; if a page
 *      is missing or read-only (CR0.WP is on) the copy faults, the fault is
 *      fixed up, and the caller gets -EFAULT.  Never a hypervisor crash.
 *
 * The copy can use the guest's page tables directly because of the memory
 * split: a hypercall does not switch address space, so the guest's virtual
 * addresses still mean what they meant to the guest when it trapped.
 *
 * And one rule for the callers: copy a structure in ONCE, then check and
 * use the copy.  Reading the guest's memory twice (check, then use) would
 * let the guest change the value in between; with one CPU that cannot
 * happen during a hypercall today, but it is the habit that stays correct
 * when a second CPU or a shared page arrives (Xen's rule too).
 */
#ifndef HV_GUEST_ACCESS_H
#define HV_GUEST_ACCESS_H

#include <stdint.h>

/* 1 if [addr, addr+len) is entirely guest address space. Pure: host-tested. */
int guest_range_ok(uint32_t addr, uint32_t len);

#ifdef HV
#include "public/hvkit.h"
#include "x86/traps.h"

/* 0, or -HV_EFAULT; on a fault part of dst may already be written, so a
 * caller that fails must not use it. */
static inline int copy_from_guest(void *dst, uint32_t guest_src, uint32_t n)
{
    if (!guest_range_ok(guest_src, n))
        return -HV_EFAULT;
    return copy_guest(dst, (const void *)guest_src, n);
}

static inline int copy_to_guest(uint32_t guest_dst, const void *src, uint32_t n)
{
    if (!guest_range_ok(guest_dst, n))
        return -HV_EFAULT;
    return copy_guest((void *)guest_dst, src, n);
}
#endif

#endif
