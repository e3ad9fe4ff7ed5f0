/*
 * minios-guest/arch/pv/hypercall.h — how the guest kernel calls the hypervisor: int $0x82.
 *
 * Where this sits in the story (course: hypercalls): a hypercall is to the
 * hypervisor what a system call is to a kernel.  The guest kernel (ring 1)
 * puts the call number in %eax and up to five arguments in %ebx %ecx %edx
 * %esi %edi and executes int $0x82; the hypervisor's gate for that vector
 * has DPL 1, so ring 1 may use it and a ring-3 program may not (it gets #GP).
 * The result comes back in %eax: >= 0 on success, -errno on error.  The
 * argument registers may come back changed (a long call is continued in
 * pieces, and the last piece leaves its arguments there: Xen's rule); every
 * other register is preserved.  Numbers and structures: hv/include/public/;
 * the list of hypercalls and their arguments: public/hypercalls.def.
 *
 * Only paravirtualized code (pvops-hv.c and the PV demo programs) includes
 * this file; natively there is nobody to call.
 */
#ifndef MINIOS_HYPERCALL_H
#define MINIOS_HYPERCALL_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/console.h"
#include "public/sched.h"
#include "public/trap.h"
#include "public/multicall.h"
#include "public/version.h"
#include "public/event_channel.h"
#include "public/domctl.h"
#include "public/memory.h"
#include "public/mmu.h"

/* Every hypercall the guest gets a negative result from is noted in the
 * refusal log (refusals.c), so that a workload can print, at its end, the
 * results it was refused with -- and a scenario can check that each is what
 * the hypervisor's trace says it returned (expect_trace_matches_guest).
 * For a multicall, the results of its refused entries are noted too, as
 * the guest reads them back.  Costs a test and a branch when nothing is
 * refused. */
void refusal_note(uint32_t nr, int ret);
void refusal_note_batch(const struct multicall_entry *calls, uint32_t n);

/* The trap itself: any hypercall number, five arguments, nothing noted.
 * The arguments are in-out operands ("+b" ...): the compiler must not
 * assume they survive the call (a continued hypercall re-executes with
 * updated ones).  The "memory" clobber tells it the hypervisor may read or
 * write any memory we passed a pointer to. */
static inline int hypercall_trap(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                                 uint32_t a4, uint32_t a5)
{
    int ret;
    __asm__ volatile("int $0x82"
                     : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                     : "a"(nr)
                     : "memory");
    return ret;
}

/* The one real wrapper: the trap, then every refusal noted in the log
 * (a multicall's refused entries too).  The attack workloads call it
 * directly to pass what no typed wrapper would let them. */
static inline int hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                            uint32_t a4, uint32_t a5)
{
    int ret = hypercall_trap(nr, a1, a2, a3, a4, a5);   /* (a1, a2 are ours: unchanged) */
    if (nr == __HYPERVISOR_multicall && ret == 0)
        refusal_note_batch((const struct multicall_entry *)a1, a2);
    if (ret < 0)
        refusal_note(nr, ret);
    return ret;
}

/*
 * The typed wrappers, one per line of hv/include/public/hypercalls.def:
 * HYPERVISOR_<name>(arguments...), each argument with the type the list
 * gives it (a guest pointer as a C pointer to its type), in the register
 * the list puts it in.  For example the line of mmu_update becomes
 *
 *     static inline int HYPERVISOR_mmu_update(const struct mmu_update *reqs,
 *             uint32_t count, uint32_t *done, uint32_t dom)
 *     { return hypercall(__HYPERVISOR_mmu_update, (uint32_t)reqs, count,
 *                        (uint32_t)done, dom, 0); }
 *
 * How: each argument of the list becomes a pair (its parameter, its
 * register value); DECL takes the first of a pair, VALUE the second.
 */
#define NUM(name)          (uint32_t name, name)
#define CMD(prefix, name)  (uint32_t name, name)
#define PTR(type, name)    (type *name, (uint32_t)name)
#define DECL(param, value)  param
#define VALUE(param, value) value
#define HYPERCALL1(name, number, lab, file, a1) \
    static inline int HYPERVISOR_##name(DECL a1) \
    { return hypercall(__HYPERVISOR_##name, VALUE a1, 0, 0, 0, 0); }
#define HYPERCALL2(name, number, lab, file, a1, a2) \
    static inline int HYPERVISOR_##name(DECL a1, DECL a2) \
    { return hypercall(__HYPERVISOR_##name, VALUE a1, VALUE a2, 0, 0, 0); }
#define HYPERCALL3(name, number, lab, file, a1, a2, a3) \
    static inline int HYPERVISOR_##name(DECL a1, DECL a2, DECL a3) \
    { return hypercall(__HYPERVISOR_##name, VALUE a1, VALUE a2, VALUE a3, 0, 0); }
#define HYPERCALL4(name, number, lab, file, a1, a2, a3, a4) \
    static inline int HYPERVISOR_##name(DECL a1, DECL a2, DECL a3, DECL a4) \
    { return hypercall(__HYPERVISOR_##name, VALUE a1, VALUE a2, VALUE a3, VALUE a4, 0); }
#define HYPERCALL5(name, number, lab, file, a1, a2, a3, a4, a5) \
    static inline int HYPERVISOR_##name(DECL a1, DECL a2, DECL a3, DECL a4, DECL a5) \
    { return hypercall(__HYPERVISOR_##name, VALUE a1, VALUE a2, VALUE a3, VALUE a4, VALUE a5); }
#include "public/hypercalls.def"
#undef HYPERCALL1
#undef HYPERCALL2
#undef HYPERCALL3
#undef HYPERCALL4
#undef HYPERCALL5
#undef DECL
#undef VALUE
#undef NUM
#undef CMD
#undef PTR

/* Print the refusal log: one line per refused call, in order (refusals.c). */
void refusals_print(void);

#endif
