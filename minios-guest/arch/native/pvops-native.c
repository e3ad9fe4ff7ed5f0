/*
 * minios-guest/arch/native/pvops-native.c — minios on bare hardware: the native pv-ops and the
 * native half of boot (everything after boot-native.S turns on paging).
 *
 * Where this sits in the story (course: pv-ops, ring deprivileging): here
 * the kernel is in ring 0 and owns the machine, so each pv-op is the plain
 * privileged instruction -- cli, hlt, lidt, a TSS write, outb.  Compare with
 * pvops-hv.c, where each becomes a hypercall or a write to shared memory.
 * Natively the kernel must also build what the hypervisor otherwise
 * provides: a GDT with ring-0 and ring-3 segments, a TSS (so the CPU knows
 * the kernel stack when a program traps), an IDT, a serial console.
 */
#include <stdint.h>
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "lib/string.h"
#include "kernel/vm.h"
#include "lib/x86.h"
#include "public/exit.h"
#include "public/hvkit.h"
#include "public/sched.h"

/* ---- memory ------------------------------------------------------------ */

/* A boot directory entry: a present, writable, user-accessible 4 MiB page
 * (the entry bits are the CPU's, named once in public/address_space.h). */
#define PDE_BITS (PTE_P | PTE_RW | PTE_US | PTE_PS)

#define NATIVE_MAPPED_MB  16    /* physical memory the boot directory maps */

/*
 * The boot page directory, used from boot-native.S on: virtual 0..16 MiB and
 * 0xC0000000..+16 MiB both map physical 0..16 MiB with 4 MiB pages.  The low
 * alias only exists so the instruction after "enable paging" can still be
 * fetched; native_main removes it.  The U bit is set on purpose: under hvkit
 * the builder maps guest memory user-accessible, and the programs, which
 * are code inside the kernel image, run from that kernel half of every
 * address space (kernel/vm.c); natively we do the same so both modes
 * behave alike.
 */
__attribute__((aligned(4096)))
uint32_t native_boot_pgdir[1024] = {
    [0] = 0x00000000 | PDE_BITS,
    [1] = 0x00400000 | PDE_BITS,
    [2] = 0x00800000 | PDE_BITS,
    [3] = 0x00C00000 | PDE_BITS,
    [KERNBASE >> 22]       = 0x00000000 | PDE_BITS,
    [(KERNBASE >> 22) + 1] = 0x00400000 | PDE_BITS,
    [(KERNBASE >> 22) + 2] = 0x00800000 | PDE_BITS,
    [(KERNBASE >> 22) + 3] = 0x00C00000 | PDE_BITS,
};

/* ---- segments: GDT and TSS ---------------------------------------------- */

/* Our selectors.  Index * 8, plus the RPL in the low two bits. */
#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UCODE  (0x18 | 3)
#define SEL_UDATA  (0x20 | 3)
#define SEL_TSS    0x28

/* The 32-bit task-state segment.  We use it for one thing only: esp0/ss0,
 * the stack the CPU switches to on a trap from ring 3. */
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

static struct tss tss;
static uint64_t gdt[6];

/* One 8-byte segment descriptor: base, 20-bit limit in 4 KiB units,
 * access byte (present, DPL, type). */
static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint64_t d = 0;
    d |= limit & 0xFFFF;
    d |= (uint64_t)(base & 0xFFFFFF) << 16;
    d |= (uint64_t)access << 40;
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)(flags & 0xF) << 52;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

static void gdt_init(void)
{
    /* access: 0x9A code ring 0, 0x92 data ring 0, 0xFA/0xF2 the same in
     * ring 3; flags 0xC = 4 KiB granularity, 32-bit. */
    gdt[0] = 0;
    gdt[1] = segment(0, 0xFFFFF, 0x9A, 0xC);
    gdt[2] = segment(0, 0xFFFFF, 0x92, 0xC);
    gdt[3] = segment(0, 0xFFFFF, 0xFA, 0xC);
    gdt[4] = segment(0, 0xFFFFF, 0xF2, 0xC);
    /* The TSS descriptor: type 0x89 (32-bit TSS, available), byte limit. */
    gdt[5] = segment((uint32_t)&tss, sizeof tss - 1, 0x89, 0x0);

    tss.ss0 = SEL_KDATA;
    tss.iomap_base = sizeof tss;   /* no I/O bitmap: ring 3 may not use ports */

    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        gdtr = { sizeof gdt - 1, (uint32_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* Reload every segment register, %cs with a far jump. */
    __asm__ volatile("movw %0, %%ds; movw %0, %%es; movw %0, %%ss;"
                     "movw %0, %%fs; movw %0, %%gs;"
                     "ljmp %1, $1f; 1:"
                     : : "r"((uint16_t)SEL_KDATA), "i"(SEL_KCODE));
    __asm__ volatile("ltr %0" : : "r"((uint16_t)SEL_TSS));
}

/* ---- the serial console (COM1, a 16550 UART) ------------------------------ */

#define COM1 0x3F8
static int have_uart;

static void uart_init(void)
{
    outb(COM1 + 2, 0x00);      /* no FIFO */
    outb(COM1 + 3, 0x80);      /* DLAB: set the baud-rate divisor... */
    outb(COM1 + 0, 0x01);      /* ...115200 / 1 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);      /* 8 bits, no parity, one stop bit */
    outb(COM1 + 4, 0x00);
    outb(COM1 + 1, 0x00);      /* no UART interrupts: we poll */
    have_uart = inb(COM1 + 5) != 0xFF;
}

/* The pv-op.  No hypervisor checks our pointers, so we do: only the
 * memory this kernel maps may be read, and never the range a hypervisor
 * would reserve (the hole at HYPERVISOR_VIRT_START) -- the same answer the
 * console_io hypercall gives under hvkit, so programs see no difference. */
static int native_console_write(const char *buf, uint32_t len)
{
    uint32_t start = (uint32_t)buf;
    uint32_t end = start + len;
    int user = start < KERNBASE && vm_user_mapped(start, len);  /* a program's own page */
    if (!user && (end < start || start < KERNBASE || end > HYPERVISOR_VIRT_START ||
                  end > KERNBASE + NATIVE_MAPPED_MB * 1024 * 1024))
        return -EFAULT;
    for (uint32_t i = 0; i < len && have_uart; i++) {
        while ((inb(COM1 + 5) & 0x20) == 0)   /* wait: transmitter empty */
            ;
        outb(COM1, (uint8_t)buf[i]);
    }
    return (int)len;
}

/* ---- the other pv-ops ----------------------------------------------------- */

static void native_irq_disable(void) { cli(); }
static void native_irq_enable(void) { sti(); }
static int native_irq_enabled(void) { return (read_eflags() & EFLAGS_IF) != 0; }

/* hlt waits for the next interrupt (the 100 Hz tick at the latest).  sti
 * takes effect only after the next instruction, so no interrupt can slip in
 * between "enable" and "wait": the wake-up is never lost. */
static void native_idle(void) { sti(); hlt(); cli(); }

/* ---- time and the timer: the 8259 PIC, the 8254 PIT, the CMOS RTC ------- */

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIT_HZ    1193182u
#define TICK_HZ   100u

static uint64_t boot_tsc;
static uint32_t tsc_khz;
static uint32_t wall_at_boot;     /* seconds since 1970 when we calibrated */

static uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Count TSC ticks while PIT channel 2 counts down 10 ms (mode 0, gated
 * through port 0x61; its output shows in bit 5 of the same port). */
static uint32_t calibrate_tsc_khz(void)
{
    uint32_t count = PIT_HZ / 100;
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xB0);
    outb(0x42, (uint8_t)(count & 0xFF));
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc64();
    while (!(inb(0x61) & 0x20))
        ;
    uint64_t t1 = rdtsc64();
    return (uint32_t)((t1 - t0) / 10);
}

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static uint32_t bcd(uint8_t v) { return (v & 0x0F) + (v >> 4) * 10u; }

/* The CMOS clock (BCD, 24-hour: QEMU's defaults), as seconds since 1970. */
static uint32_t rtc_seconds(void)
{
    while (cmos(0x0A) & 0x80)          /* an update is in progress */
        ;
    uint32_t sec = bcd(cmos(0x00)), min = bcd(cmos(0x02)), hour = bcd(cmos(0x04));
    uint32_t day = bcd(cmos(0x07)), mon = bcd(cmos(0x08));
    uint32_t year = 2000 + bcd(cmos(0x09));
    static const uint16_t before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint32_t days = (year - 1970) * 365 + (year - 1969) / 4;   /* leap days up to last year */
    days += before[(mon - 1) % 12] + day - 1;
    if (mon > 2 && year % 4 == 0)
        days++;
    return ((days * 24 + hour) * 60 + min) * 60 + sec;
}

static uint64_t native_system_ns(void)
{
    uint64_t d = rdtsc64() - boot_tsc;
    if (!tsc_khz)
        return 0;
    return (d / tsc_khz) * 1000000ull + ((d % tsc_khz) * 1000000ull) / tsc_khz;
}

/* Alone on the machine, the kernel runs all the time. */
static uint64_t native_virtual_ns(void) { return native_system_ns(); }

static void native_wall_clock(uint32_t *sec, uint32_t *nsec)
{
    uint64_t ns = native_system_ns();
    *sec = wall_at_boot + (uint32_t)(ns / 1000000000u);
    *nsec = (uint32_t)(ns % 1000000000u);
}

static void time_init(void)
{
    boot_tsc = rdtsc64();
    tsc_khz = calibrate_tsc_khz();
    wall_at_boot = rtc_seconds();
}

/* The PIC delivers IRQ 0..15 on vectors 32..47 (the BIOS's 8..15 collide
 * with CPU exceptions); only IRQ 0 is unmasked.  The PIT's channel 0 in
 * mode 2 (rate generator) interrupts TICK_HZ times a second. */
static int native_timer_start(void)
{
    outb(PIC1_CMD, 0x11);  outb(PIC2_CMD, 0x11);    /* init, ICW4 follows */
    outb(PIC1_DATA, 32);   outb(PIC2_DATA, 40);     /* vector bases */
    outb(PIC1_DATA, 4);    outb(PIC2_DATA, 2);      /* cascade on IRQ 2 */
    outb(PIC1_DATA, 1);    outb(PIC2_DATA, 1);      /* 8086 mode */
    outb(PIC1_DATA, 0xFE); outb(PIC2_DATA, 0xFF);   /* IRQ 0 only */
    uint32_t div = PIT_HZ / TICK_HZ;
    outb(0x43, 0x34);                               /* ch 0, lo/hi, mode 2 */
    outb(0x40, (uint8_t)(div & 0xFF));
    outb(0x40, (uint8_t)(div >> 8));
    return 0;
}

static void native_timer_ack(void) { outb(PIC1_CMD, 0x20); }

/* No one-shot timer natively: the periodic tick checks the deadlines. */
static void native_set_timer(uint64_t deadline_ns) { (void)deadline_ns; }

/* There is no other domain on bare hardware. */
static void native_yield_machine(void) { }

/* An IDT gate: handler offset, code selector, type (0x8E interrupt gate,
 * 0x8F trap gate) with the DPL in bits 5-6, present bit. */
static uint64_t idt[256];

static int native_install_traps(const struct trap_info *table)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr;

    memset(idt, 0, sizeof idt);
    for (int i = 0; table && i < 256 && table[i].address != 0; i++) {
        const struct trap_info *t = &table[i];
        /* TI_MASK_EVENTS means "like an interrupt gate": the CPU clears
         * IF on entry.  Without it, a trap gate. */
        uint8_t type = (t->flags & TI_MASK_EVENTS) ? 0x8E : 0x8F;
        type |= (uint8_t)((t->flags & TI_DPL_MASK) << 5);
        uint64_t g = 0;
        g |= t->address & 0xFFFF;
        g |= (uint64_t)t->cs << 16;
        g |= (uint64_t)type << 40;
        g |= (uint64_t)(t->address >> 16) << 48;
        idt[t->vector] = g;
    }
    /* The timer interrupt (vector 32): not in the ABI's trap table, which
     * describes exceptions and system calls, but natively ours to wire. */
    if (table) {
        extern const uint32_t irq_timer_entry;     /* entry.S */
        uint32_t a = irq_timer_entry;
        idt[32] = (a & 0xFFFF) | ((uint64_t)SEL_KCODE << 16) |
                  ((uint64_t)0x8E << 40) | ((uint64_t)(a >> 16) << 48);
    }
    /* No table: an empty IDT.  Any exception then escalates to a triple
     * fault and (with QEMU -no-reboot) the machine stops -- the native
     * equivalent of the hypervisor crashing a domain with no handler. */
    idtr.limit = table ? sizeof idt - 1 : 0;
    idtr.base = (uint32_t)idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    return 0;
}

static void native_set_kernel_stack(uint32_t esp)
{
    tss.esp0 = esp;
}

/* QEMU's isa-debug-exit device: writing v to port 0xf4 ends QEMU with
 * status (v << 1) | 1 (public/exit.h). */
static void native_shutdown(unsigned reason)
{
    outb(HV_DEBUG_EXIT_PORT,
         reason == SHUTDOWN_crash ? HV_EXIT_CRASHED : HV_EXIT_DONE);
    for (;;) {                 /* no such device: just stop */
        cli();
        hlt();
    }
}

static uint32_t native_fault_addr(void) { return read_cr2(); }

/* ---- page tables: we own them, so a change is a store ------------------- */
static uint32_t native_pt_mfn(const void *kva) { return ((uint32_t)kva - KERNBASE) >> 12; }
static uint32_t native_pt_pfn(uint32_t mfn) { return mfn; }

/* A present entry changed: a cached translation may be stale.  We do not
 * know which address the entry maps, so the whole TLB goes, once, at
 * pt_flush (a CR3 load) -- as hvkit does for a batch. */
static int tlb_stale;

static void load_cr3(uint32_t v)
{
    kcounters.cr3_loads++;
    write_cr3(v);
}

static void native_set_pte(uint32_t *table, uint32_t idx, uint32_t val)
{
    uint32_t old = table[idx];
    table[idx] = val;
    if (old & PTE_P)
        tlb_stale = 1;
}

/* Here we know the address: drop just its translation (invlpg). */
static void native_set_pte_va(uint32_t va, uint32_t *table, uint32_t idx, uint32_t val)
{
    uint32_t old = table[idx];
    table[idx] = val;
    if (old & PTE_P) {
        kcounters.invlpgs++;
        __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    }
}

static void native_make_pt(void *page, int level) { (void)page; (void)level; }
static void native_release_pt(void *page, int level) { (void)page; (void)level; }
static void native_load_pgdir(uint32_t *pd)
{
    load_cr3((uint32_t)pd - KERNBASE);
    tlb_stale = 0;               /* that flushed it */
}

static void native_pt_flush(void)
{
    if (tlb_stale) {
        tlb_stale = 0;
        load_cr3(read_cr3());
    }
}

const struct pv_ops native_pv_ops = {
    .name = "native",
    .paravirt = 0,
    .kernel_cs = SEL_KCODE,
    .kernel_ds = SEL_KDATA,
    .user_cs = SEL_UCODE,
    .user_ds = SEL_UDATA,
    .console_write = native_console_write,
    .irq_disable = native_irq_disable,
    .irq_enable = native_irq_enable,
    .irq_enabled = native_irq_enabled,
    .idle = native_idle,
    .system_ns = native_system_ns,
    .virtual_ns = native_virtual_ns,
    .wall_clock = native_wall_clock,
    .timer_start = native_timer_start,
    .set_timer = native_set_timer,
    .timer_ack = native_timer_ack,
    .yield_machine = native_yield_machine,
    .install_traps = native_install_traps,
    .set_kernel_stack = native_set_kernel_stack,
    .shutdown = native_shutdown,
    .fault_addr = native_fault_addr,
    .pt_mfn = native_pt_mfn,
    .pt_pfn = native_pt_pfn,
    .set_pte = native_set_pte,
    .set_pte_va = native_set_pte_va,
    .make_pt = native_make_pt,
    .release_pt = native_release_pt,
    .load_pgdir = native_load_pgdir,
    .pt_flush = native_pt_flush,
};

/* ---- native boot ---------------------------------------------------------- */

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MB_INFO_MEMORY   0x1
#define MB_INFO_CMDLINE  0x4

/* The start of the Multiboot information structure. */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;    /* KiB below 1 MiB */
    uint32_t mem_upper;    /* KiB above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;      /* physical address of a C string */
};

/* Called from boot-native.S, paging on, running high, on the boot stack. */
void native_main(uint32_t magic, uint32_t mbi_phys)
{
    pv_ops = native_pv_ops;

    /* The low alias of the boot mapping is not needed any more: drop it,
     * so that a NULL pointer faults natively just as it does under hvkit. */
    for (int i = 0; i < NATIVE_MAPPED_MB / 4; i++)
        native_boot_pgdir[i] = 0;
    write_cr3(read_cr3());     /* flush the TLB */

    gdt_init();
    uart_init();
    /* The BIOS leaves the PIC delivering the timer on vector 8 (the double-
     * fault vector!).  Mask everything until native_timer_start remaps it. */
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    pv_ops.irq_disable();
    time_init();

    boot_info.domid = -1;
    boot_info.cmdline = "";
    boot_info.nr_pages = 0;
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("minios: not started by a Multiboot loader (magic 0x%x)\n", magic);
    } else {
        struct multiboot_info *mbi = P2V(mbi_phys);
        if (mbi->flags & MB_INFO_MEMORY) {
            uint32_t kib = 1024 + mbi->mem_upper;
            if (kib > NATIVE_MAPPED_MB * 1024)
                kib = NATIVE_MAPPED_MB * 1024;   /* all we map */
            boot_info.nr_pages = kib / 4;
        }
        if (mbi->flags & MB_INFO_CMDLINE) {
            /* QEMU passes "<kernel path> <-append text>": skip the path. */
            const char *s = P2V(mbi->cmdline);
            while (*s && *s != ' ')
                s++;
            while (*s == ' ')
                s++;
            boot_info.cmdline = s;
        }
    }
    kernel_main();
}
