/*
 * hv/x86/watchdog.c — the NMI watchdog: a heartbeat that interrupts the CPU
 * even when the real interrupt flag is off.
 *
 * Where this sits in the story (course: isolation in time, "the hypervisor
 * always gets the CPU back"): the hypervisor takes the CPU back from a
 * guest with the timer interrupt, and a guest kernel in ring 1 cannot turn
 * interrupts off (cli traps and is emulated, popf ignores IF).  But one
 * way around that exists on the kit's emulator: QEMU's TCG lets a ring-1
 * iret enter virtual-8086 mode, and there, with IOPL 3, cli clears the REAL
 * interrupt flag.  "cli; jmp ." would then hold the CPU forever: no timer
 * interrupt, no hypervisor, no other domain, a hung machine.
 *
 * A non-maskable interrupt (NMI) ignores the interrupt flag.  Linux's old
 * nmi_watchdog made one out of the timer through the I/O APIC; we do the
 * same with the CMOS real-time clock's periodic interrupt (IRQ 8), which
 * the 8259 PIC keeps masked and the I/O APIC delivers to the CPU as an NMI,
 * WATCHDOG_HZ times a second.  At each one:
 *
 *   - interrupted a guest that runs with the real IF off: only virtual-8086
 *     mode with IOPL 3 can do that (and no guest may be in VM86 at all), so
 *     the domain is crashed, and the others go on within a millisecond;
 *   - interrupted the hypervisor, and no timer interrupt has been handled
 *     for WATCHDOG_STUCK_MS: the hypervisor itself is stuck with interrupts
 *     off (a bug, or work no hypercall should do in one piece): a panic
 *     that says where, rather than a silent hang.
 *
 * The RTC keeps its interrupt line raised until register C is read, so
 * every NMI reads it, and the next period can raise the line again.  The
 * I/O APIC is programmed once, at boot, through a temporary mapping of its
 * registers; nothing else of it is used.
 */
#include "x86/watchdog.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/lib.h"
#include "mm/page.h"
#include "trace/trace.h"
#include "x86/x86.h"

#define WATCHDOG_HZ       1024      /* the RTC's rate 6: 32768 Hz >> 5 */
#define WATCHDOG_STUCK_MS 100

#define IOAPIC_PHYS       0xFEC00000u   /* 4 MiB aligned: one large page */
#define IOAPIC_REGSEL     0x00
#define IOAPIC_WINDOW     0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define REDIR_NMI         (4u << 8)     /* delivery mode NMI, physical, edge, unmasked */
#define RTC_IRQ           8

#define PTE_PCD           0x010
#define PTE_PWT           0x008

static int running;
static uint64_t last_tick_tsc, stuck_tsc;
uint32_t watchdog_nmis;

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

static void ioapic_write(volatile uint32_t *base, uint32_t reg, uint32_t v)
{
    base[IOAPIC_REGSEL / 4] = reg;
    base[IOAPIC_WINDOW / 4] = v;
}

void watchdog_init(uint32_t tsc_khz)
{
    /* The I/O APIC's registers, for a moment, as one uncached 4 MiB page
     * at linear 4 MiB (slot 1 of our own directory: empty, and no guest
     * exists yet to have a directory of its own). */
    boot_pgdir[1] = IOAPIC_PHYS | PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
    write_cr3(read_cr3());
    volatile uint32_t *ioapic = (volatile uint32_t *)(1u << 22);
    ioapic_write(ioapic, IOAPIC_REDIR(RTC_IRQ) + 1, 0);        /* to APIC id 0 */
    ioapic_write(ioapic, IOAPIC_REDIR(RTC_IRQ), REDIR_NMI | 2);
    boot_pgdir[1] = 0;
    write_cr3(read_cr3());

    /* The RTC: periodic interrupt at rate 6 (1024 Hz), on. */
    cmos_write(0x0A, (uint8_t)((cmos_read(0x0A) & 0xF0) | 6));
    cmos_write(0x0B, (uint8_t)(cmos_read(0x0B) | 0x40));
    stuck_tsc = (uint64_t)tsc_khz * WATCHDOG_STUCK_MS;
    last_tick_tsc = rdtsc();
    running = 1;
    (void)cmos_read(0x0C);                   /* a clean start: line low */
    printk("watchdog: NMI from the RTC through the I/O APIC, %u Hz\n", WATCHDOG_HZ);
}

void watchdog_tick(void)
{
    last_tick_tsc = rdtsc();
}

void watchdog_nmi(struct cpu_regs *regs, int from_guest)
{
    (void)cmos_read(0x0C);                   /* lets the RTC raise its line again */
    watchdog_nmis++;
    if (!running)
        return;
    struct domain *d = current;
    if (from_guest && d && d->state != DOM_DEAD && !(regs->eflags & EFLAGS_IF)) {
        char msg[120];
        snprintf(msg, sizeof msg, "it ran with the real interrupts off at eip %x%s (watchdog NMI)",
                 regs->eip, (regs->eflags & EFLAGS_VM) ? " in virtual-8086 mode" : "");
        trace4(TRC_TRAP_FATAL, d->id, TRAP_nmi, 0, regs->eip, FATAL_INTERRUPTS_OFF);
        printk("d%u: fatal: interrupts off, its registers:\n", d->id);
        dump_regs(regs);
        domain_crash(d, msg);
        regs->eflags |= EFLAGS_IF;
        return;
    }
    if (!from_guest && rdtsc() - last_tick_tsc > stuck_tsc)
        panic_regs(regs, "watchdog: no timer interrupt for %u ms, the hypervisor is stuck "
                   "with interrupts off at eip %x", WATCHDOG_STUCK_MS, regs->eip);
}
