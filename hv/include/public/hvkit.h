/*
 * hv/include/public/hvkit.h — the top of the public ABI: the memory split
 * (from address_space.h), the segment selectors a paravirtualized guest uses,
 * the hypercall numbers and the error codes.
 *
 * Where this sits in the story: a classic-Xen-style guest kernel is a normal
 * kernel that has been *ported* to a machine that is not quite an x86 PC.  This
 * header (with its siblings in hv/include/public/) is that machine's manual.
 * The same headers are compiled into the hypervisor (hv/), the teaching OS
 * (minios-guest/) and the host tools (tracer/, viz/), so the three can never
 * disagree about a number.  Everything here is fixed-width and freestanding:
 * no libc, no compiler-specific types beyond <stdint.h>.
 *
 * The numbering follows Xen's public headers (xen/include/public/xen.h), so the
 * names a student meets here are the ones they will meet in Linux's
 * arch/x86/xen and drivers/xen code.  The words are our own.
 */
#ifndef HVKIT_PUBLIC_HVKIT_H
#define HVKIT_PUBLIC_HVKIT_H

#include <stdint.h>

/* ------------------------------------------------------------------------
 * Memory split (course: "Xen reserves the top 64 MiB of every address
 * space"): the picture, HYPERVISOR_VIRT_START, GUEST_KERNEL_BASE, the
 * read-only M2P at HV_M2P_VIRT_START, the hypervisor's page-directory slots
 * and the bits of a page-table entry are drawn and defined once, in
 * address_space.h.
 * ------------------------------------------------------------------------ */
#include "address_space.h"

#define HV_PAGE_SHIFT           12
#define HV_PAGE_SIZE            4096u

/* ------------------------------------------------------------------------
 * Segment selectors provided by the hypervisor's GDT.  A guest does not
 * install its own GDT in hvkit (Xen lets it, with set_gdt; we keep the
 * machine simpler): it uses these.  All four are flat from 0 with a limit
 * that stops just below HYPERVISOR_VIRT_START (address_space.h says why).
 * The low two bits of a selector are its requested privilege level (RPL).
 * ------------------------------------------------------------------------ */
#define FLAT_RING1_CS   0x19    /* GDT entry 3, DPL 1, RPL 1: guest kernel code */
#define FLAT_RING1_DS   0x21    /* GDT entry 4, DPL 1, RPL 1: guest kernel data and stack */
#define FLAT_RING3_CS   0x2B    /* GDT entry 5, DPL 3, RPL 3: guest user code */
#define FLAT_RING3_DS   0x33    /* GDT entry 6, DPL 3, RPL 3: guest user data and stack */

/* Software interrupt vectors with a meaning in the ABI. */
#define HYPERCALL_VECTOR 0x82   /* int $0x82 from ring 1 (gate DPL 1): a hypercall */
#define SYSCALL_VECTOR   0x80   /* int $0x80 from ring 3: the guest's own system call,
                                   routed straight to the guest kernel (fast trap) */

/* ------------------------------------------------------------------------
 * Hypercall numbers.  Calling convention (hvkit and 32-bit Xen alike):
 *
 *     %eax = hypercall number
 *     %ebx, %ecx, %edx, %esi, %edi = arguments 1..5
 *     int  $0x82
 *     %eax = result: >= 0 on success, -HV_Exxx on error
 *
 * The argument registers are NOT preserved: a long call is done in pieces
 * (the hypervisor has the guest re-execute it with the arguments of what is
 * left), and the last piece leaves its own arguments there -- Xen's rule,
 * and why Linux's hypercall wrappers list them as outputs.  All other
 * registers are preserved.  Numbers not listed return -HV_ENOSYS.
 *
 * The numbers come from the one list of hypercalls, hypercalls.def next to
 * this file, which also says what each call's arguments are (in register
 * order) and where its handler is; docs/abi.md shows it as a table.  The
 * numbering is Xen's, so a number not used here is one Xen uses for a call
 * hvkit does not have (2 was Xen's set_gdt, for example).
 * ------------------------------------------------------------------------ */
enum hypercall_number {
#define HYPERCALL(name, number, lab, file, ...) __HYPERVISOR_##name = number,
#include "hypercalls.def"
#undef HYPERCALL
};
#define HV_NR_HYPERCALLS                64  /* the dispatch table's size; numbers >= this: -ENOSYS */

/* ------------------------------------------------------------------------
 * Error codes: the negative of these is returned in %eax.  Values are
 * Linux's errno numbers, so strerror-style tables can be shared.
 * ------------------------------------------------------------------------ */
#define HV_EPERM    1   /* operation not permitted (e.g. not dom0) */
#define HV_ENOENT   2
#define HV_ESRCH    3   /* no such domain */
#define HV_EINTR    4
#define HV_EIO      5
#define HV_E2BIG    7
#define HV_EBADF    9
#define HV_EAGAIN  11
#define HV_ENOMEM  12
#define HV_EACCES  13
#define HV_EFAULT  14   /* a guest pointer that is unmapped, or reaches into the hole */
#define HV_EBUSY   16
#define HV_EEXIST  17
#define HV_ENODEV  19
#define HV_EINVAL  22   /* a bad argument value */
#define HV_ENOSPC  28
#define HV_ERANGE  34
#define HV_ENOSYS  38   /* no such hypercall (or sub-command) */
#define HV_ERESTART 85  /* internal, never returned to a guest: the call is
                           being continued (the trace shows it) */

/* Domain identifiers.  Domain 0 is the first module, privileged. */
typedef uint16_t domid_t;
#define DOMID_SELF  0x7FF0u
#define DOMID_IDLE  0x7FFEu   /* "no domain: the CPU is idle", in trace records */
#define DOMID_HV    0x7FFFu   /* "the hypervisor itself", in trace records */

#endif
