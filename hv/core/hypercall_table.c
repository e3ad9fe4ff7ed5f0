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
 *     static int32_t call_mmu_update(uint32_t ebx, uint32_t ecx, uint32_t edx,
 *                                    uint32_t esi, uint32_t edi)
 *     {
 *         return do_mmu_update(pointer_arg(ebx), number_arg(ecx),
 *                              pointer_arg(edx), number_arg(esi));
 *     }
 *
 * (with a "(void)edi;": the register mmu_update does not use) and the table
 * entry [__HYPERVISOR_mmu_update] = call_mmu_update.  To see every adapter
 * written out, run the preprocessor on this file:
 * i686-linux-gnu-gcc -E -DHV -Ihv -Ihv/include hv/core/hypercall_table.c.
 *
 * So a handler never sees a register it does not use, and the compiler
 * checks each handler against its line in the list: a handler whose
 * parameters disagree with the list does not compile.  The compiler also
 * checks the list itself: two calls with one number (-Woverride-init, an
 * error here) or a number past the table do not compile either.
 *
 * What an adapter costs: almost nothing.  The registers arrive as the
 * dispatcher pushed them, in the order the handler wants its arguments,
 * so gcc turns a short adapter into a jump to the handler (objdump -d
 * build/hv.elf: "jmp ... <do_domctl>"), a longer one into a few moves and
 * a call.
 *
 * The dispatcher that uses the table is lab 1's (labs/lab1/hypercall.c).
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

/* Argument K of the list comes from register K: `aK(reg)` becomes
 * number_arg(reg) or pointer_arg(reg) by the kind of aK. */
#define ADAPTER(name, call)                                                   \
    static int32_t call_##name(uint32_t ebx, uint32_t ecx, uint32_t edx,      \
                               uint32_t esi, uint32_t edi)                    \
    {                                                                         \
        (void)ebx; (void)ecx; (void)edx; (void)esi; (void)edi;                \
        return call;                                                          \
    }
#define HYPERCALL1(name, number, lab, file, a1) \
    ADAPTER(name, do_##name(a1(ebx)))
#define HYPERCALL2(name, number, lab, file, a1, a2) \
    ADAPTER(name, do_##name(a1(ebx), a2(ecx)))
#define HYPERCALL3(name, number, lab, file, a1, a2, a3) \
    ADAPTER(name, do_##name(a1(ebx), a2(ecx), a3(edx)))
#define HYPERCALL4(name, number, lab, file, a1, a2, a3, a4) \
    ADAPTER(name, do_##name(a1(ebx), a2(ecx), a3(edx), a4(esi)))
#define HYPERCALL5(name, number, lab, file, a1, a2, a3, a4, a5) \
    ADAPTER(name, do_##name(a1(ebx), a2(ecx), a3(edx), a4(esi), a5(edi)))
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
