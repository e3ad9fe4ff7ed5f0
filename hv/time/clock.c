/*
 * hv/time/clock.c — the hypervisor's clocks and its timer interrupt.
 *
 *  - The 8259 PIC is remapped so hardware interrupts arrive on vectors
 *    32..47 (0..31 are the CPU's exceptions).  Hardware interrupts belong to
 *    the hypervisor: guests never see them, they get events instead.
 *  - The TSC (cycle counter) is calibrated against the PIT, whose input
 *    clock is a known 1.193182 MHz: count TSC cycles over 10 ms of PIT time.
 *    Under QEMU -icount shift=0 the "TSC" advances one per guest instruction
 *    and the PIT runs on the same virtual clock, so everything below is
 *    exact and repeatable.
 *  - System time is nanoseconds since boot, from the TSC.
 *  - The wall clock at boot comes from the CMOS real-time clock.
 *  - The PIT's channel 0 is a one-shot timer (mode 0), re-armed at every
 *    interrupt for whichever comes first: the next HV_TIMER_MS (1 ms)
 *    boundary — the hypervisor's own tick, which ends scheduling slices and
 *    every tick= ms (10 by default) sends the running domain its periodic
 *    timer event — or the earliest one-shot timer a domain set with
 *    set_timer_op.  So a domain's timer fires when it asked (to the PIT's
 *    0.84 us grain), not at the next tick: that is what makes a warped
 *    domain's wake-up latency microseconds rather than a millisecond.
 */
#include "time/time.h"
#include "core/console.h"
#include "core/domain.h"
#include "sched/sched.h"
#include "x86/x86.h"

#define PIT_HZ      1193182u
#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xA0
#define PIC2_DATA   0xA1

/* The three clocks the course names, and where each comes from: cycles
 * (the TSC itself), system time (TSC cycles since boot_tsc, scaled by
 * tsc_mul and tsc_shift), and the wall clock (the RTC's reading at boot,
 * plus system time).  A domain's virtual time is the fourth: its own CPU
 * time, kept by the scheduler (d->cpu_tsc). */
uint32_t tsc_khz;
static uint64_t boot_tsc;
static uint32_t tick_ms;
static uint32_t wc_sec_at_boot;
static uint32_t tsc_mul;
static int8_t tsc_shift;

/* The four initialisation words of each 8259, master then slave.  Vector
 * bases 32 and 40, because the CPU reserves 0..31 for its exceptions: with
 * the BIOS's default (8..15) the timer would arrive as a double fault.
 * Everything starts masked; time_start_ticks lets the timer and the
 * console in, and dom0's bind_pirq any other line. */
static void pic_init(void)
{
    outb(PIC1_CMD, 0x11);  outb(PIC2_CMD, 0x11);    /* init, expect ICW4 */
    outb(PIC1_DATA, 32);   outb(PIC2_DATA, 40);     /* vector bases */
    outb(PIC1_DATA, 4);    outb(PIC2_DATA, 2);      /* cascade on IRQ2 */
    outb(PIC1_DATA, 1);    outb(PIC2_DATA, 1);      /* 8086 mode */
    outb(PIC1_DATA, 0xFF); outb(PIC2_DATA, 0xFF);   /* all masked for now */
}

void irq_unmask(int irq)
{
    if (irq >= 8) {
        outb(PIC2_DATA, inb(PIC2_DATA) & ~(1 << (irq - 8)));
        irq = 2;                    /* the cascade line */
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(1 << irq));
}

void irq_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

/* Count TSC cycles while PIT channel 2 counts down 10 ms (mode 0, gate
 * through port 0x61, output read back in bit 5 of the same port). */
static uint32_t calibrate_tsc_khz(void)
{
    uint32_t count = PIT_HZ / 100;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xB0);                         /* ch 2, lo/hi, mode 0 */
    outb(0x42, count & 0xFF);
    outb(0x42, count >> 8);
    uint64_t t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    uint64_t t1 = rdtsc();
    return (uint32_t)((t1 - t0) / 10);
}

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static uint32_t bcd(uint8_t v) { return (v & 0x0F) + (v >> 4) * 10; }

/* Seconds since 1970 from the RTC (assumes BCD, 24-hour: QEMU's default). */
static uint32_t rtc_read_seconds(void)
{
    while (cmos(0x0A) & 0x80)      /* update in progress */
        ;
    uint32_t s = bcd(cmos(0x00)), m = bcd(cmos(0x02)), h = bcd(cmos(0x04));
    uint32_t day = bcd(cmos(0x07)), mon = bcd(cmos(0x08)), year = 2000 + bcd(cmos(0x09));
    static const uint16_t before_month[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint32_t days = (year - 1970) * 365 + (year - 1969) / 4;
    if (mon >= 1 && mon <= 12)
        days += before_month[mon - 1];
    if (mon > 2 && year % 4 == 0)
        days++;
    days += day - 1;
    return days * 86400 + h * 3600 + m * 60 + s;
}

/*
 * TSC cycles to ns with the same scale factor the guests use (see
 * time_init): ns = ((tsc << shift) * mul) >> 32.  The same formula on both
 * sides is what makes the guest's reading of system time (from its time
 * record and its own rdtsc) agree with the hypervisor's.
 * Optimization: the plain version is tsc * 1000000 / tsc_khz, a 64-bit
 * division; this runs on every schedule and timer tick, and a 64-bit
 * division is a libgcc call of a few hundred instructions on x86-32.  The
 * 64 x 32-bit product is done in two halves so that nothing overflows.
 */
uint64_t tsc_to_ns(uint64_t tsc)
{
    uint64_t x = tsc_shift >= 0 ? tsc << tsc_shift : tsc >> -tsc_shift;
    uint64_t hi = (x >> 32) * tsc_mul;                    /* already >> 32 */
    uint64_t lo = ((x & 0xFFFFFFFFull) * tsc_mul) >> 32;
    return hi + lo;
}

/* The next 1 ms boundary, and the time the PIT is armed for. */
static uint64_t next_tick_ns, armed_ns;
/* When the PIT will really interrupt, in TSC cycles (the clamped delta
 * below): what long hypercalls compare with, a few instructions. */
static uint64_t armed_tsc, ns_to_tsc_mul;   /* tsc = (ns * mul) >> 32 */

/* Arm PIT channel 0 to interrupt once, at system time `at` (or at least a
 * few microseconds from now).  Mode 0: count down once, then interrupt. */
static void pit_arm(uint64_t at)
{
    uint64_t now = time_now_ns();
    uint64_t delta = at > now ? at - now : 0;
    if (delta < 5000)
        delta = 5000;                         /* not sooner than 5 us */
    if (delta > HV_TIMER_MS * 1000000ull)
        delta = HV_TIMER_MS * 1000000ull;
    /* PIT counts at 1.193182 MHz: counts = ns * 1251 / 2^20 (0.01% fast),
     * plus one so that we never interrupt before `at`. */
    uint32_t count = (uint32_t)((delta * 1251) >> 20) + 1;
    outb(0x43, 0x30);                         /* ch 0, lo/hi byte, mode 0 */
    outb(0x40, count & 0xFF);
    outb(0x40, count >> 8);
    armed_ns = at;
    armed_tsc = rdtsc() + ((delta * ns_to_tsc_mul) >> 32);
}

/* Every PIT interrupt comes here, whether it was armed for the 1 ms tick
 * or for an earlier deadline (a guest's one-shot timer, a slice's end).
 * Only a tick does the per-tick work (the guests' periodic timer, waking
 * halted domains), so the caller is told which it was. */
int time_timer_interrupt(void)
{
    uint64_t now = time_now_ns();
    if (now < next_tick_ns)
        return 0;
    /* Catch up if we were late (never skip more than one tick's work). */
    while (next_tick_ns <= now)
        next_tick_ns += HV_TIMER_MS * 1000000ull;
    return 1;
}

void time_timer_rearm(uint64_t deadline)
{
    uint64_t at = next_tick_ns;
    if (deadline && deadline < at)
        at = deadline;
    pit_arm(at);
}

void time_timer_sooner(uint64_t deadline)
{
    if (deadline && deadline < armed_ns)
        pit_arm(deadline);
}

int time_timer_due(void)
{
    return rdtsc() >= armed_tsc;
}

uint32_t time_tick_ms(void)
{
    return tick_ms;
}

uint64_t time_now_ns(void)
{
    return tsc_to_ns(rdtsc() - boot_tsc);
}

/* Called once, before any domain exists.  The scale factor computed here
 * (tsc_mul, tsc_shift) is published in every domain's time record; it
 * never changes, because the TSC's rate does not (under QEMU -icount it is
 * one per instruction). */
void time_init(uint32_t tick)
{
    boot_tsc = rdtsc();
    tick_ms = tick;
    pic_init();
    tsc_khz = calibrate_tsc_khz();
    if (!tsc_khz)
        panic("TSC calibration failed");
    wc_sec_at_boot = rtc_read_seconds();

    /* The guest's scale factor: ns = ((delta << shift) * mul) >> 32. */
    uint64_t q = (1000000ull << 32) / tsc_khz;
    tsc_shift = 0;
    while (q >= (1ull << 32)) {
        q >>= 1;
        tsc_shift++;
    }
    tsc_mul = (uint32_t)q;
    ns_to_tsc_mul = ((uint64_t)tsc_khz << 32) / 1000000;

    printk("time: TSC %u kHz, timer %u ms, guest tick %u ms, wall clock %u s since 1970\n",
           tsc_khz, HV_TIMER_MS, tick_ms, wc_sec_at_boot);
}

void time_start_ticks(void)
{
    next_tick_ns = time_now_ns() + HV_TIMER_MS * 1000000ull;
    pit_arm(next_tick_ns);
    outb(PIC1_DATA, 0xEE);   /* IRQ 0, the PIT, and IRQ 4, the serial console */
    outb(PIC2_DATA, 0xFF);
}

/*
 * Publish the time in d's shared-info page.  The version is odd while we
 * write, so a guest reading concurrently knows to retry (a seqlock).
 * Virtual time: the CPU time this domain has consumed.
 *
 * Versioned time records (course: "Xen and time"): the record is several
 * 64-bit fields, and a 32-bit guest cannot read even one of them in a
 * single instruction.  With one CPU the guest cannot run while we write,
 * so the version is never odd when it reads -- but the timer interrupt
 * can stop the guest in the middle of ITS read, and the hypervisor
 * updates the record on that tick before the guest resumes.  The guest
 * copies, then compares the version before and after
 * (minios-guest/arch/pv/pvops-hv.c), and so never uses a mix of two
 * updates.  The compiler barriers keep our stores in the order the
 * protocol needs.
 */
void time_update_shared(struct domain *d)
{
    struct vcpu_time_info *t = &d->shared->vcpu_info[0].time;
    uint64_t now = rdtsc();
    t->version++;
    __asm__ __volatile__("" ::: "memory");
    t->tsc_timestamp = now;
    t->system_time = tsc_to_ns(now - boot_tsc);
    /* Virtual time: what the domain had run when it was last dispatched,
     * plus what it has run since, if it is running now. */
    uint64_t ran = d->cpu_tsc;
    if (d == current)
        ran += now - sched_dispatch_tsc();
    t->virtual_time = tsc_to_ns(ran);
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    __asm__ __volatile__("" ::: "memory");
    t->version++;

    /* The wall clock is the time of day at system time 0, so it is the
     * same for the whole run: written once, the first time the domain's
     * time is published.  The guest adds its system time to it. */
    struct shared_info *s = d->shared;
    if (s->wc_sec == 0) {
        s->wc_version++;
        s->wc_sec = wc_sec_at_boot;
        s->wc_nsec = 0;
        s->wc_version++;
    }
}
