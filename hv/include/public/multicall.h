/*
 * hv/include/public/multicall.h — batching: several hypercalls for the price of one trap.
 *
 * A trap into the hypervisor costs far more than the work of a small
 * hypercall, so a PV kernel collects updates and sends them together (the
 * course: "batching").  HYPERVISOR_multicall(calls, nr) runs calls[0..nr-1]
 * in order, as if each had been made with int $0x82, and stores each one's
 * return value in its result field.  It returns 0 if it ran them all,
 * -HV_EFAULT if the array itself is not readable/writable guest memory, and
 * -HV_EINVAL if nr > MULTICALL_MAX.  A multicall inside a multicall, or a
 * call that does not return (shutdown) inside a batch, gets -HV_EINVAL in its
 * own result field; the batch goes on.
 */
#ifndef HVKIT_PUBLIC_MULTICALL_H
#define HVKIT_PUBLIC_MULTICALL_H

#include <stdint.h>

/* Xen's layout on x86-32 (six argument words, though no hypercall takes
 * more than five), so a guest's multicall code reads the same as Linux's. */
struct multicall_entry {
    uint32_t op;        /* hypercall number */
    int32_t  result;    /* written by the hypervisor */
    uint32_t args[6];   /* arguments 1..5 as in registers (args[5] unused) */
};
_Static_assert(sizeof(struct multicall_entry) == 32, "multicall_entry: 32 bytes");

#define MULTICALL_MAX  64

#endif
