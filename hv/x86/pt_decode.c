/*
 * hv/x86/pt_decode.c — just enough of an x86 instruction decoder for the
 * writable-page-table emulation (hv/mm/ptwr.c): which value a faulting store
 * writes, and how long the instruction is so eip can step past it.
 *
 * The teaching OS writes a page-table entry with a plain C assignment
 * (`pte[i] = val;`), and gcc -O2 turns that into one of two forms:
 *
 *   89 /r          mov %r32, m32      the value is in a register
 *   C7 /0 id       mov $imm32, m32    the value is a constant (e.g. 0)
 *
 * followed by the usual ModRM, optional SIB and displacement.  That is all
 * we decode; anything else (a prefix, a byte or word store, xchg, a string
 * instruction) is not emulated and the fault goes to the guest.  The
 * address is not decoded at all: the CPU already told us (CR2).
 *
 * Pure logic: host-tested in tests/unit/test_mm_ptwr.c.
 *
 * Why so little: emulating an instruction means doing exactly what the CPU
 * would have done, and every form we accept is one more way to get that
 * wrong in ring 0.  A store the decoder does not know is not an attack the
 * hypervisor must stop (the page is read-only, so it simply faults): it is
 * only a guest that does not get the convenience of writable page tables.
 * Refusing by default is always safe; accepting by mistake is not.  That
 * is why a prefix is refused rather than skipped: 0x66 would make the same
 * opcode a 16-bit store, half an entry, which validating a whole 32-bit
 * value would not describe.
 *
 * The encoding, for reading the code below (Intel SDM vol. 2, 2.1):
 *   ModRM = mod(2 bits) reg(3) rm(3).  mod 3 is a register operand, so no
 *   memory store at all; reg is the source register for 89, and must be 0
 *   for C7 (C7 /0 is mov, other values are other instructions).
 *   rm 4 means a SIB byte follows (base + index*scale); a SIB whose base is
 *   5 under mod 0 has no base register but a 32-bit displacement.
 *   rm 5 under mod 0 is an absolute 32-bit address.
 *   mod 1 adds an 8-bit displacement, mod 2 a 32-bit one.
 * Only the length matters here: the address itself came from CR2.
 */
#include "mm/ptwr.h"

/* `avail` is how many of the 16 bytes could be read from the guest: an
 * instruction at the end of a mapped page may have fewer.  Every byte
 * looked at is checked against it first, so a truncated instruction is
 * "not one we emulate", never a read past what was copied. */
uint32_t ptwr_decode(const uint8_t *insn, uint32_t avail, int *reg, uint32_t *imm)
{
    if (avail < 2)
        return 0;
    uint8_t op = insn[0], modrm = insn[1];
    uint32_t mod = modrm >> 6, r = (modrm >> 3) & 7, rm = modrm & 7;
    if (op != 0x89 && !(op == 0xC7 && r == 0))
        return 0;
    if (mod == 3)
        return 0;                       /* register destination: no store */
    uint32_t len = 2;
    if (rm == 4) {                      /* a SIB byte follows */
        if (avail < 3)
            return 0;
        uint8_t sib = insn[2];
        len++;
        if (mod == 0 && (sib & 7) == 5)
            len += 4;                   /* no base register: disp32 */
    } else if (mod == 0 && rm == 5) {
        len += 4;                       /* absolute disp32 */
    }
    if (mod == 1)
        len += 1;
    else if (mod == 2)
        len += 4;
    if (op == 0xC7) {
        if (avail < len + 4)
            return 0;
        *imm = (uint32_t)insn[len] | (uint32_t)insn[len + 1] << 8 |
               (uint32_t)insn[len + 2] << 16 | (uint32_t)insn[len + 3] << 24;
        *reg = -1;
        return len + 4;
    }
    if (avail < len)
        return 0;
    *reg = (int)r;
    return len;
}
