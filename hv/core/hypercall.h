/*
 * hv/core/hypercall.h — the hypercall handlers and the dispatcher that finds them.
 *
 * Every hypercall has a handler do_<name>() that takes its real arguments,
 * as hv/include/public/hypercalls.def lists them: a NUM or CMD argument is
 * a uint32_t (the whole register), a PTR argument a guest_ptr
 * (core/guest_access.h), to be used only through copy_from_guest() and
 * copy_to_guest().  It returns the value for %eax: >= 0, or -HV_Exxx.
 *
 * Between the five argument registers and the typed handler sits a small
 * adapter per hypercall, made from the same list (hv/core/hypercall_table.c):
 * it turns register K into argument K.  The table of adapters, indexed by
 * number, is what the dispatcher (lab 1) looks the call up in.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <stdint.h>
#include "core/guest_access.h"
#include "public/hvkit.h"

/* One adapter: the five argument registers in, in the calling
 * convention's order (%ebx %ecx %edx %esi %edi, or a multicall entry's
 * args[0..4]), the handler's result out. */
typedef int32_t (*hypercall_fn)(uint32_t ebx, uint32_t ecx, uint32_t edx,
                                uint32_t esi, uint32_t edi);

/* Indexed by hypercall number; NULL = no such hypercall (-HV_ENOSYS). */
extern const hypercall_fn hypercall_table[HV_NR_HYPERCALLS];

/* Lab 1 (labs/lab1/hypercall.c): check the number, call its adapter,
 * trace the call and return its result.  Used for int $0x82 (trap() puts
 * the result in %eax) and for each entry of a multicall (do_multicall()
 * puts it in the entry's result). */
int32_t hypercall_dispatch(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                           uint32_t a4, uint32_t a5);

/* The handlers, one prototype per line of hypercalls.def:
 *     int32_t do_mmu_update(guest_ptr reqs, uint32_t count, guest_ptr done, uint32_t dom);
 * Where each is written is in the list (and in docs/abi.md). */
#define NUM(name)          uint32_t name
#define CMD(prefix, name)  uint32_t name
#define PTR(type, name)    guest_ptr name
#define HYPERCALL(name, number, lab, file, ...) int32_t do_##name(__VA_ARGS__);
#include "public/hypercalls.def"
#undef HYPERCALL
#undef NUM
#undef CMD
#undef PTR

#endif
