/*
 * hv/core/hypercall_table.c — the dispatch table: for each hypercall of
 * hv/include/public/hypercalls.def, an adapter from the five argument
 * registers to its typed handler, and the table of adapters by number.
 *
 * Where this sits in the story: int $0x82 gives the hypervisor a number and
 * five registers, nothing more.  What the registers *mean* -- this one is a
 * count, that one a guest pointer -- is written once, in the list; from it
 * the preprocessor writes, for mmu_update for example,
 *
 *     static int32_t call_mmu_update(const uint32_t reg[HYPERCALL_NARGS])
 *     {
 *         return do_mmu_update(pointer_arg(reg[0]), number_arg(reg[1]),
 *                              pointer_arg(reg[2]), number_arg(reg[3]));
 *     }
 *
 * and the table entry [__HYPERVISOR_mmu_update] = call_mmu_update.  (To
 * see every adapter written out, run the preprocessor on this file:
 * i686-linux-gnu-gcc -E -DHV -Ihv -Ihv/include hv/core/hypercall_table.c.)
 * So a handler never sees a register it does not
 * use, and the compiler checks each handler against its line in the list:
 * a handler whose parameters disagree with the list does not compile.
 * The compiler also checks the list itself: two calls with one number
 * (-Woverride-init, an error here) or a number past the table do not
 * compile either.
 *
 * The dispatcher that uses the table is lab 1's (solutions/lab1/hypercall.c).
 */
#include "core/hypercall.h"

/* What an adapter makes of one register, by the argument's kind in the
 * list: a NUM or CMD argument is the register's 32 bits as they are; a
 * PTR argument becomes a guest pointer. */
static inline uint32_t number_arg(uint32_t reg) { return reg; }
static inline guest_ptr pointer_arg(uint32_t reg) { return guest_ptr_at(reg); }

#define NUM(name)          number_arg
#define CMD(prefix, name)  number_arg
#define PTR(type, name)    pointer_arg

/* Argument K of the list comes from register K: `aK(reg[K-1])` becomes
 * number_arg(reg[K-1]) or pointer_arg(reg[K-1]) by the kind of aK. */
#define ADAPTER(name, call) \
    static int32_t call_##name(const uint32_t reg[HYPERCALL_NARGS]) { return call; }
#define HYPERCALL1(name, number, lab, file, a1) \
    ADAPTER(name, do_##name(a1(reg[0])))
#define HYPERCALL2(name, number, lab, file, a1, a2) \
    ADAPTER(name, do_##name(a1(reg[0]), a2(reg[1])))
#define HYPERCALL3(name, number, lab, file, a1, a2, a3) \
    ADAPTER(name, do_##name(a1(reg[0]), a2(reg[1]), a3(reg[2])))
#define HYPERCALL4(name, number, lab, file, a1, a2, a3, a4) \
    ADAPTER(name, do_##name(a1(reg[0]), a2(reg[1]), a3(reg[2]), a4(reg[3])))
#define HYPERCALL5(name, number, lab, file, a1, a2, a3, a4, a5) \
    ADAPTER(name, do_##name(a1(reg[0]), a2(reg[1]), a3(reg[2]), a4(reg[3]), a5(reg[4])))
#include "public/hypercalls.def"
#undef HYPERCALL1
#undef HYPERCALL2
#undef HYPERCALL3
#undef HYPERCALL4
#undef HYPERCALL5
#undef ADAPTER
#undef NUM
#undef CMD
#undef PTR

const hypercall_fn hypercall_table[HV_NR_HYPERCALLS] = {
#define HYPERCALL(name, number, lab, file, ...) [number] = call_##name,
#include "public/hypercalls.def"
#undef HYPERCALL
};
