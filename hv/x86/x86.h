/*
 * hv/x86/x86.h — the few machine instructions C cannot say, as inline functions.
 *
 * Everything privileged the hypervisor does to the CPU goes through here:
 * port I/O, control registers, descriptor tables, the time stamp counter.
 * These are exactly the instructions a ring-1 guest kernel may *not* execute
 * (they fault with #GP), which is why the guest asks us with hypercalls.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <stdint.h>

/* Port I/O.  A guest's in/out faults: its EFLAGS.IOPL is 0 and the TSS has
 * no I/O permission bitmap (hv/x86/segments.c), so the only devices a PV
 * guest reaches are the ones the hypervisor offers it as events and
 * hypercalls (the serial console, the timer). */
static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* The time stamp counter.  Not privileged (CR4.TSD is clear), so guests
 * read it too: that is why the shared-info time record gives them the
 * TSC-to-nanoseconds scale rather than a clock to call (hv/time/clock.c). */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The faulting address of the last page fault.  Read it before anything
 * else can fault: a second #PF (say, in copy_guest) overwrites it.  A
 * ring-1 guest cannot read CR2, so a bounced #PF carries it in the shared
 * page instead (public/trap.h). */
static inline uint32_t read_cr2(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint32_t read_cr3(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}

/* Every CR3 load is counted (hv/mm/isolation.c): the benchmarks compare
 * the two isolation modes by them.  And, for the benchmarks' cost model
 * (xen_version(XENVER_hvkit_stats)), the other things an instruction
 * count weighs wrongly: entries into ring 0 (trap(), hv/x86/traps.c),
 * invlpgs (hv/mm/mm_hypercalls.c) and rep iterations (hv/core/lib.c,
 * copy_guest and enter_guest in entry.S, copy_regs, isolation.c). */
extern uint32_t cr3_loads;
extern uint32_t hv_entries, invlpgs, rep_iters;

/* Loading CR3 switches address space and flushes every TLB entry that is
 * not global; reloading the same value is the way to flush the whole TLB
 * (flush_if_needed in the mm code).  Under isolation=classic the
 * hypervisor's own mappings are global (boot.S), so a domain switch costs
 * the guests' entries only; under isolation=paging nothing is global, and
 * every entry and exit pays for a CR3 load (hv/mm/isolation.h). */
static inline void write_cr3(uint32_t v)
{
    cr3_loads++;
    __asm__ __volatile__("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint32_t read_cr0(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline void write_cr0(uint32_t v)
{
    __asm__ __volatile__("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
    return v;
}

static inline void write_cr4(uint32_t v)
{
    __asm__ __volatile__("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* The real interrupt flag.  In ring 1 these fault (IOPL 0): that #GP is
 * where trap & emulate starts (lab 1), and a PV kernel uses the upcall
 * mask in its shared page instead, the virtual interrupt flag. */
static inline void cli(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void sti(void) { __asm__ __volatile__("sti" ::: "memory"); }

/* Enable interrupts and halt in one step: sti takes effect after the next
 * instruction, so no interrupt can slip in between and be missed. */
static inline void sti_hlt(void) { __asm__ __volatile__("sti; hlt" ::: "memory"); }

/* The descriptor-table registers.  Privileged, and only the hypervisor
 * sets them: a guest has no GDT or IDT of its own in hvkit, it uses the
 * hypervisor's selectors and registers a virtual IDT (set_trap_table). */
struct desc_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static inline void lgdt(const struct desc_ptr *p)
{
    __asm__ __volatile__("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct desc_ptr *p)
{
    __asm__ __volatile__("lidt %0" : : "m"(*p));
}

static inline void ltr(uint16_t sel)
{
    __asm__ __volatile__("ltr %0" : : "r"(sel));
}

static inline void lldt(uint16_t sel)
{
    __asm__ __volatile__("lldt %0" : : "r"(sel));
}

#endif
