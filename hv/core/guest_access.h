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
 * A GUEST POINTER HAS ITS OWN TYPE, guest_ptr, so that the compiler keeps
 * rule one for us.  It is a structure holding the guest's virtual address,
 * not a plain uint32_t and not a C pointer, on purpose:
 *   - it cannot be dereferenced, or passed to memcpy, by mistake: the only
 *     functions that accept one are the copies below;
 *   - it cannot be mixed up with a number argument: do_mmu_update(reqs,
 *     count, done, dom) with reqs and count swapped does not compile;
 *   - the address is still there to print or trace (p.va).
 * Xen's guest handles (XEN_GUEST_HANDLE(type)) are the same idea, also
 * typed by what they point to; one untyped wrapper is enough here, because
 * every copy below names its size.  The structure costs nothing: on x86-32
 * a four-byte structure is passed and returned like a uint32_t.
 *
 * Where guest pointers come from: the hypercall adapters make one of each
 * PTR argument of hypercalls.def (hv/core/hypercall_table.c); other code
 * makes one with guest_ptr_at() from an address the guest gave some other
 * way (a field of a request structure, its eip, its stack pointer).
 *
 * The copy can use the guest's own virtual addresses because of the memory
 * split: while the hypervisor works for a guest, the guest half of the
 * address space it runs in is the guest's (the guest's directory itself
 * under isolation=classic, an exact mirror of it under isolation=paging,
 * hv/mm/isolation.c), so an address means what it meant to the guest when
 * it trapped.
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

/* A guest virtual address the hypervisor may only copy to or from. */
typedef struct {
    uint32_t va;
} guest_ptr;

/* The guest pointer for address va. */
static inline guest_ptr guest_ptr_at(uint32_t va)
{
    guest_ptr p = { va };
    return p;
}

/* p + bytes, for walking a guest array.  An offset that would wrap around
 * the end of the address space gives the last address instead, which no
 * copy accepts: a wrapped array walk fails with -EFAULT rather than
 * quietly reading the guest's memory at 0. */
static inline guest_ptr guest_ptr_add(guest_ptr p, uint32_t bytes)
{
    uint32_t va = p.va + bytes;
    return guest_ptr_at(va < p.va ? 0xFFFFFFFFu : va);
}

/* 1 if the guest passed NULL. */
static inline int guest_ptr_is_null(guest_ptr p)
{
    return p.va == 0;
}

/* 1 if [addr, addr+len) is entirely guest address space. Pure: host-tested. */
int guest_range_ok(uint32_t addr, uint32_t len);

#ifdef HV
#include "public/hvkit.h"
#include "x86/traps.h"

/* 0, or -HV_EFAULT; on a fault part of dst may already be written, so a
 * caller that fails must not use it. */
static inline int copy_from_guest(void *dst, guest_ptr src, uint32_t n)
{
    if (!guest_range_ok(src.va, n))
        return -HV_EFAULT;
    return copy_guest(dst, (const void *)src.va, n);
}

static inline int copy_to_guest(guest_ptr dst, const void *src, uint32_t n)
{
    if (!guest_range_ok(dst.va, n))
        return -HV_EFAULT;
    return copy_guest((void *)dst.va, src, n);
}
#endif

#endif
