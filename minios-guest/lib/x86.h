/*
 * minios-guest/lib/x86.h — the few x86 instructions the teaching OS needs, as tiny inline
 * functions (C cannot express them).
 *
 * Where this sits in the story: some of these instructions are *privileged*
 * (outb, cli, sti, hlt, the %crN moves).  A kernel running on bare hardware in
 * ring 0 may use them directly; the same kernel deprivileged to ring 1 under
 * hvkit may not, so only pvops-native.c and the demo programs call them.  The
 * rest of the kernel goes through the pv-ops table (pvops.h).  Others
 * (reading %cs, pushf/popf, rdtsc) are *not* privileged, which is exactly
 * what makes x86 hard to virtualize classically: see privileged.c.
 */
#ifndef MINIOS_X86_H
#define MINIOS_X86_H

#include <stdint.h>

#define EFLAGS_IF  0x200u    /* interrupt enable flag */

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* The current privilege level is the low two bits of %cs.  Reading %cs is
 * allowed in every ring: the "ring aliasing" problem in one instruction. */
static inline unsigned read_cs(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

/* popf: in ring 0 it may change IF; in ring 1 or 3 (with IOPL 0) the CPU
 * silently keeps the old IF and does NOT trap. */
static inline void write_eflags(uint32_t f)
{
    __asm__ volatile("pushl %0; popfl" : : "r"(f) : "memory", "cc");
}

/* The time stamp counter.  Under QEMU -icount it counts guest instructions. */
static inline uint32_t rdtsc32(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    (void)hi;
    return lo;
}

static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" : : : "memory"); }

static inline uint32_t read_cr2(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint32_t read_cr3(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void write_cr3(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* A compiler barrier: memory shared with the hypervisor must really be
 * written (and re-read) at this point, not kept in a register. */
static inline void barrier(void) { __asm__ volatile("" : : : "memory"); }

#endif
