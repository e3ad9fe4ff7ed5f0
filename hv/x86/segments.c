/*
 * hv/x86/segments.c — the GDT, the TSS and the IDT: how the CPU's protection
 * rings are set up for a hypervisor, a ring-1 guest kernel and ring-3
 * programs.
 *
 * Ring deprivileging (course: "guest OSes run in ring 1, the VMM in ring 0").
 * Four rings exist on x86; an ordinary OS uses 0 and 3.  hvkit uses three:
 *
 *   ring 0  the hypervisor: segments 0x08 / 0x10, flat over all 4 GiB
 *   ring 1  guest kernels:  segments 0x19 / 0x21
 *   ring 3  guest programs: segments 0x2B / 0x33
 *
 * The guest segments are flat from 0 but their *limit* stops at
 * 0xFBFFFFFF.  That is what protects the hypervisor from a ring-1 kernel:
 * for paging, rings 0-2 are all "supervisor", so the U/S bit of a page
 * cannot keep ring 1 out of the hypervisor's pages — but the segment limit
 * check happens first, in every access, and it fails for any address in the
 * top 64 MiB.  The guest kernel is kept from its own programs the ordinary
 * way (ring 3 is "user" for paging), which leaves it the same protection a
 * native kernel has.
 *
 * That is the course's picture and 32-bit Xen's (isolation=classic).  The
 * kit's only platform, QEMU's TCG, does not check the limit on data
 * accesses, so by default (isolation=paging, hv/mm/isolation.h) a running
 * guest's page directory does not map the hypervisor at all, and the
 * limits stay as the barrier hardware gives for free.
 *
 * That is the 0/1/3 arrangement of the course, and it is what avoids ring
 * compression: in the 0/3/3 arrangement (the only one x86-64 allows, which
 * dropped segment limits) the guest kernel would share ring 3 with its
 * programs, and page U/S bits could no longer keep programs out of the
 * kernel.  Here each of the three has a ring of its own.
 *
 * There is no LDT: the LDT register is loaded with the null selector, so
 * that an LDT selector faults instead of reading a table at linear address
 * 0 (the register's reset value), where the guest could write gates.
 *
 * The TSS tells the CPU which stack to use when an interrupt raises the
 * privilege level: esp0 (the hypervisor stack, or the entry stack under
 * isolation=paging) for ring 1/3 -> 0, and
 * esp1 (the guest kernel's stack, set with stack_switch) for the
 * ring 3 -> 1 system-call gate.
 *
 * I/O ports.  Guests run with EFLAGS.IOPL 0, so for every `in`/`out` of
 * ring 1 or 3 the CPU consults the TSS's I/O permission bitmap: a port
 * whose bit is 0 is allowed, anything else (a set bit, or a port past the
 * end of the TSS) is a #GP.  The TSS carries one bitmap, for the ports of
 * the devices dom0 owns (public/hw_devices.def, course: "dom0 has direct
 * access to the hardware"), and its iomap_base field decides at every
 * switch whether the CPU sees it: for dom0 it points at the bitmap, for a
 * domU past the end of the TSS (no port at all).  The bitmap covers ports
 * 0..0x3ff only, where the ISA devices are; a higher port is past the end
 * for dom0 too.  (The bitmap does not know rings: dom0's ring-3 programs
 * could use the same ports.  dom0's kernel is trusted with its programs;
 * a domU's are never given any.)
 */
#include "x86/traps.h"
#include "x86/x86.h"
#include "public/hvkit.h"

#define HV_CS   0x08
#define HV_DS   0x10
#define TSS_SEL 0x38

/* The ports the I/O bitmap covers: the ISA range, where dom0's devices
 * are (public/hw_devices.def). */
#define HW_IO_BITMAP_PORTS 0x400

/* A segment descriptor, built field by field (Intel SDM vol. 3, 3.4.5).
 * The limit is counted in 4 KiB pages (G = 1), which is how a 20-bit field
 * can end a segment at 0xFBFFFFFF: limit 0xFBFFF means "the last byte of
 * page 0xFBFFF". */
static uint64_t seg_desc(uint32_t base, uint32_t limit_pages, uint8_t access)
{
    uint64_t d = 0;
    d |= limit_pages & 0xFFFF;
    d |= (uint64_t)(base & 0xFFFFFF) << 16;
    d |= (uint64_t)access << 40;
    d |= (uint64_t)((limit_pages >> 16) & 0xF) << 48;
    d |= (uint64_t)0xC << 52;          /* G = 4 KiB granularity, D = 32-bit */
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

/* Access bytes: present, DPL, code/data, type.  The accessed bit (bit 0)
 * is set from the start: the CPU writes it into the GDT the first time a
 * segment is loaded, and a read-only GDT (isolation=paging) must never
 * need that write -- it would be a page fault in the middle of an iret. */
#define ACC_CODE(dpl) (0x9B | ((dpl) << 5))   /* execute/read, accessed */
#define ACC_DATA(dpl) (0x93 | ((dpl) << 5))   /* read/write, expand-up, accessed */

#define ALL_4G      0xFFFFF                   /* limit in pages: 4 GiB */
#define BELOW_HOLE  ((HYPERVISOR_VIRT_START >> 12) - 1)   /* 0xFBFFF */

struct tss {
    uint32_t link;
    uint32_t esp0, ss0;
    uint32_t esp1, ss1;
    uint32_t esp2, ss2;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
    /* The I/O permission bitmap (see the top of this file): bit p % 8 of
     * byte p / 8 is port p, 0 = allowed.  The CPU reads two bytes for any
     * port, so one more byte, all ones, ends the map. */
    uint8_t io_bitmap[HW_IO_BITMAP_PORTS / 8];
    uint8_t io_bitmap_end;
} __attribute__((packed));

#define IOMAP_DOM0  __builtin_offsetof(struct tss, io_bitmap)
#define IOMAP_NONE  sizeof(struct tss)      /* past the limit: no port */

/* One GDT and one TSS for the whole machine: there is one CPU, and guests
 * never get descriptor tables of their own.  What differs per domain (its
 * ring-1 stack, its system-call gate) is rewritten in place at each switch. */
/* The entry trampoline's data page (see the top of this file). */
#define ENTRY_DATA __attribute__((section(".data.entry")))

static uint64_t gdt[8] ENTRY_DATA;
static struct tss tss ENTRY_DATA;

struct gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
} __attribute__((packed));

static struct gate idt[256] ENTRY_DATA;

/* Gate types: an interrupt gate clears IF on entry (the hypervisor runs with
 * interrupts off); a trap gate leaves it (used for the guest's syscalls).
 * Interrupts off in the hypervisor is what lets it have a single stack and
 * no locks: nothing but an NMI can enter it while it is already inside.  A gate's DPL
 * is the least privileged ring that may reach it with "int n"; hardware
 * interrupts and exceptions ignore it. */
#define GATE_INTR 0x8E
#define GATE_TRAP 0x8F

static void set_gate(int vec, uint32_t handler, uint16_t sel, uint8_t type, int dpl)
{
    idt[vec].offset_lo = handler & 0xFFFF;
    idt[vec].offset_hi = handler >> 16;
    idt[vec].selector = sel;
    idt[vec].zero = 0;
    idt[vec].type_attr = (uint8_t)(type | (dpl << 5));
}

extern char hv_stack_top[];
static void io_bitmap_init(void);
/* The entry stub of every vector (hv/x86/entry.S, made by one loop). */
extern void (*const trap_stubs[256])(void);

void segments_init(void)
{
    gdt[0] = 0;
    gdt[1] = seg_desc(0, ALL_4G, ACC_CODE(0));       /* 0x08 hypervisor code */
    gdt[2] = seg_desc(0, ALL_4G, ACC_DATA(0));       /* 0x10 hypervisor data */
    gdt[3] = seg_desc(0, BELOW_HOLE, ACC_CODE(1));   /* 0x19 guest kernel code */
    gdt[4] = seg_desc(0, BELOW_HOLE, ACC_DATA(1));   /* 0x21 guest kernel data */
    gdt[5] = seg_desc(0, BELOW_HOLE, ACC_CODE(3));   /* 0x2B guest user code */
    gdt[6] = seg_desc(0, BELOW_HOLE, ACC_DATA(3));   /* 0x33 guest user data */

    /* The TSS descriptor: a system segment, type 9 (available 32-bit TSS),
     * byte granularity. */
    uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
    gdt[7] = (limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
             ((uint64_t)0x89 << 40) | ((uint64_t)(base >> 24) << 56);

    /* Every entry from ring 1 or 3 lands at the top of this one stack,
     * which is what puts a guest's registers always at the same address
     * (guest_regs(), hv/x86/traps.c). */
    tss.ss0 = HV_DS;
    tss.esp0 = (uint32_t)hv_stack_top;  /* isolation=paging: tss_set_entry_stack */
    tss.iomap_base = IOMAP_NONE;        /* until dom0 runs: no port */
    io_bitmap_init();

    /* A new GDT takes effect for a segment register only when the register
     * is loaded again: the far jump reloads CS, the moves the data
     * segments.  Until then the CPU keeps using the boot loader's. */
    struct desc_ptr gp = { sizeof(gdt) - 1, (uint32_t)gdt };
    lgdt(&gp);
    __asm__ __volatile__(
        "ljmp $0x08, $1f\n1:\n"
        "mov $0x10, %%ax\n mov %%ax, %%ds\n mov %%ax, %%es\n mov %%ax, %%ss\n"
        "xor %%ax, %%ax\n mov %%ax, %%fs\n mov %%ax, %%gs\n" ::: "eax", "memory");
    ltr(TSS_SEL);
    /* A null LDT.  hvkit gives guests no LDT, but an LDT selector (bit 2
     * set) is looked up through the LDT register whatever we intend, and
     * its reset value is base 0, limit 0xFFFF: a table at linear address 0,
     * in the guest's own memory, where a guest kernel could write a flat
     * segment or a call gate to our code segment (ring 0 for the asking).
     * With a null LDTR every LDT selector is a #GP at the load, in the
     * guest's own ring. */
    lldt(0);

    /* Exceptions: interrupt gates, DPL 0 — except int3 and into, which a
     * program may raise on purpose (DPL 3), and are then bounced. */
    for (int v = 0; v < 20; v++)
        set_gate(v, (uint32_t)trap_stubs[v], HV_CS, GATE_INTR,
                 (v == 3 || v == 4) ? 3 : 0);
    /* The 16 lines of the two 8259 PICs, remapped to 32..47. */
    for (int v = 32; v < 48; v++)
        set_gate(v, (uint32_t)trap_stubs[v], HV_CS, GATE_INTR, 0);
    /* Hypercalls: int $0x82, allowed from ring 1 only (DPL 1).  A ring-3
     * program that tries it gets #GP, which goes to its own kernel. */
    set_gate(HYPERCALL_VECTOR, (uint32_t)trap_stubs[HYPERCALL_VECTOR], HV_CS, GATE_INTR, 1);
    idt_set_syscall_gate(0);

    struct desc_ptr ip = { sizeof(idt) - 1, (uint32_t)idt };
    lidt(&ip);
}

/*
 * The fast system-call path (course: "xen allows the guest os to register
 * handlers and then has very light overhead").  When the running guest has
 * registered a handler for int $0x80 that ring 3 may call, the IDT gate for
 * 0x80 points *directly* at it, with the guest's ring-1 code selector: the
 * CPU goes from ring 3 to ring 1 on the stack in TSS.ss1:esp1 and the
 * hypervisor never runs.  The gate is rewritten at every domain switch.
 * handler == 0 puts back the hypervisor's own gate (DPL 0, so int $0x80
 * from a guest without a handler is a #GP, bounced or fatal like any other).
 */
void idt_set_syscall_gate(uint32_t handler)
{
    if (handler)
        set_gate(SYSCALL_VECTOR, handler, FLAT_RING1_CS, GATE_TRAP, 3);
    else
        set_gate(SYSCALL_VECTOR, (uint32_t)trap_stubs[SYSCALL_VECTOR], HV_CS, GATE_INTR, 0);
}

/* Under isolation=paging a guest's entry pushes its registers on the entry
 * stack, part of the trampoline, instead of the hypervisor stack, which is
 * not mapped while a guest runs (hv/mm/isolation.c). */
/* dom0's bitmap: every port denied, then the ports of each of its devices
 * allowed, from the one list of them. */
static void io_bitmap_init(void)
{
    for (unsigned i = 0; i < sizeof tss.io_bitmap; i++)
        tss.io_bitmap[i] = 0xFF;
    tss.io_bitmap_end = 0xFF;
#define HW_DEVICE(name, irq, first, count)                              \
    for (uint32_t p = (first); p < (uint32_t)(first) + (count); p++)    \
        if (p < HW_IO_BITMAP_PORTS)                                     \
            tss.io_bitmap[p / 8] &= (uint8_t)~(1u << (p % 8));
#include "public/hw_devices.def"
#undef HW_DEVICE
}

/* At every switch (load_domain, hv/sched/sched.c): does the domain about
 * to run see dom0's ports?  One 16-bit store; the bitmap never changes. */
void tss_set_io_ports(int dom0_ports)
{
    tss.iomap_base = dom0_ports ? IOMAP_DOM0 : IOMAP_NONE;
}

void tss_set_entry_stack(uint32_t esp0)
{
    tss.esp0 = esp0;
}

/* The ring-1 stack the CPU switches to when a ring-3 program traps or
 * makes a system call: the running process's kernel stack, which the
 * guest names with stack_switch.  Each domain has its own, so the
 * scheduler loads it at every switch (load_domain, hv/sched/sched.c). */
void tss_set_guest_stack(uint32_t ss1, uint32_t esp1)
{
    tss.ss1 = ss1;
    tss.esp1 = esp1;
}
