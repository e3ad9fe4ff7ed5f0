/*
 * minios-guest/drivers/ide.c — dom0's IDE/ATA PIO driver for QEMU's
 * primary-channel disk (ide.h has the interface).
 *
 * Where this sits in the story (course: split drivers, "dom0 has direct
 * access to the hardware"): xv6's ide.c, ported to a paravirtualized dom0.
 * The ports are the same (0x1f0-0x1f7, control 0x3f6) and the hypervisor
 * lets dom0's `in` and `out` reach them directly (its TSS I/O bitmap); what
 * changes is the interrupt.  Natively IRQ 14 would enter the kernel through
 * the IDT; under hvkit the hypervisor takes it, acknowledges it at the
 * 8259, and raises the event-channel port dom0 bound to the line
 * (EVTCHNOP_bind_pirq, a `pirq` trace record).  The driver sleeps on that
 * port's counter and then reads the drive's status register, which is
 * what lowers the drive's interrupt line (the PIC is edge-triggered: a
 * line left high would never interrupt again).
 *
 * One ATA command in PIO mode (LBA28), as the drive sees it:
 *
 *   wait !BSY; count -> 0x1f2; LBA bits 0-23 -> 0x1f3..0x1f5;
 *   0xE0 | LBA bits 24-27 -> 0x1f6 (master, LBA mode); command -> 0x1f7
 *   READ SECTORS (0x20):  for each sector: IRQ, status (DRQ), 256 words in
 *   WRITE SECTORS (0x30): for each sector: DRQ, 256 words out, IRQ, status
 *   IDENTIFY (0xEC):      IRQ, status, 256 words in (word 60-61: sectors)
 *
 * PIO moves every byte through the CPU: no DMA, so nothing of the drive
 * ever needs a machine address -- which suits a paravirtualized dom0, whose
 * pseudo-physical addresses are not the machine's.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "drivers/ide.h"
#include "lib/string.h"
#include "lib/x86.h"

#define IDE_IRQ      14
#define IDE_DATA     0x1f0
#define IDE_ERROR    0x1f1
#define IDE_COUNT    0x1f2
#define IDE_LBA0     0x1f3
#define IDE_LBA1     0x1f4
#define IDE_LBA2     0x1f5
#define IDE_DRIVE    0x1f6
#define IDE_STATUS   0x1f7          /* read: status (clears the interrupt) */
#define IDE_CMD      0x1f7          /* write: command */
#define IDE_CTL      0x3f6          /* write: device control; read: alternate status */

#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DF   0x20
#define ST_DRQ  0x08
#define ST_ERR  0x01

#define CMD_READ      0x20
#define CMD_WRITE     0x30
#define CMD_FLUSH     0xE7
#define CMD_IDENTIFY  0xEC

#define POLL_LIMIT 1000000u         /* status reads before we call the drive dead */

struct ide_disk ide_disk;
uint32_t ide_irqs, ide_commands;
static uint32_t irq_base;           /* evtchn_count[port] when we last looked */

/*
 * ONE COMMAND AT A TIME.  The drive has one set of task registers and one
 * interrupt line, and two kernel tasks of dom0 use it: the block back end
 * (workloads/blkback.c, the domUs' disks) and the toolstack
 * (toolstack/vmdisk.c, the inactive VMs' images).  Kernel code is never
 * preempted, but every command sleeps on IRQ 14, and while one task
 * sleeps the other may run: without a lock it would write the task
 * registers of a command still in flight.  So the channel is a sleeping
 * lock, taken by every entry point below for the whole of its command
 * (xv6's idelock, as a sleep lock).  ide_init runs once: a second caller
 * gets the first one's answer (IRQ 14 can be bound only once).
 */
static int channel_busy;
static int init_state;              /* 0: not yet; 1: a disk; < 0: the error */

static void channel_take(void)
{
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    while (channel_busy)
        proc_sleep_on(&channel_busy);
    channel_busy = 1;
    if (was)
        pv_ops.irq_enable();
}

static void channel_give(void)
{
    channel_busy = 0;
    proc_wakeup(&channel_busy);
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
/* 256 words of one sector: `rep insw` / `rep outsw`, one port access each. */
static void in_sector(void *buf)
{
    void *d = buf;
    uint32_t n = IDE_SECTOR_SIZE / 2;
    __asm__ volatile("cld; rep insw" : "+D"(d), "+c"(n) : "d"(IDE_DATA) : "memory");
}
static void out_sector(const void *buf)
{
    const void *s = buf;
    uint32_t n = IDE_SECTOR_SIZE / 2;
    __asm__ volatile("cld; rep outsw" : "+S"(s), "+c"(n) : "d"(IDE_DATA) : "memory");
}

/* Poll the alternate status (which does NOT acknowledge an interrupt)
 * until BSY is clear, and DRQ set if want_drq.  The status, or -1. */
static int poll_status(int want_drq)
{
    for (uint32_t i = 0; i < POLL_LIMIT; i++) {
        uint8_t st = inb(IDE_CTL);
        if (st == 0xff)
            return -1;              /* a floating bus: nothing there */
        if (st & ST_BSY)
            continue;
        if ((st & (ST_ERR | ST_DF)) || !want_drq || (st & ST_DRQ))
            return st;
    }
    return -1;
}

/* Sleep until IRQ 14 has raised our port since we last looked, then read
 * the status register: that acknowledges the drive.  Waits on while the
 * drive is still busy (an interrupt that was not for this step). */
static uint8_t wait_irq(void)
{
    for (;;) {
        evtchn_wait((evtchn_port_t)ide_disk.port, irq_base + 1);
        ide_irqs += evtchn_count[ide_disk.port] - irq_base;
        irq_base = evtchn_count[ide_disk.port];
        uint8_t st = inb(IDE_STATUS);
        if (!(st & ST_BSY))
            return st;
    }
}

/* The task registers, then the command.  irq_base is taken first, so an
 * interrupt that comes at once is not missed. */
static int issue(uint8_t cmd, uint32_t lba, uint32_t count)
{
    if (poll_status(0) < 0)
        return -HV_EIO;
    outb(IDE_COUNT, (uint8_t)count);                 /* 256 is written as 0 */
    outb(IDE_LBA0, (uint8_t)lba);
    outb(IDE_LBA1, (uint8_t)(lba >> 8));
    outb(IDE_LBA2, (uint8_t)(lba >> 16));
    outb(IDE_DRIVE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0f)));
    irq_base = evtchn_count[ide_disk.port];
    outb(IDE_CMD, cmd);
    ide_commands++;
    return 0;
}

static int check_range(uint32_t lba, uint32_t count)
{
    if (count == 0 || count > IDE_MAX_COUNT || lba >= IDE_LBA28_LIMIT ||
        count > ide_disk.sectors || lba > ide_disk.sectors - count)
        return -HV_EINVAL;
    return 0;
}

static int do_read(uint32_t lba, uint32_t count, void *buf)
{
    int r = check_range(lba, count);
    if (r == 0)
        r = issue(CMD_READ, lba, count);
    for (uint32_t i = 0; r == 0 && i < count; i++) {
        uint8_t st = wait_irq();
        if ((st & (ST_ERR | ST_DF)) || !(st & ST_DRQ))
            return -HV_EIO;
        in_sector((uint8_t *)buf + i * IDE_SECTOR_SIZE);
    }
    return r;
}

static int do_write(uint32_t lba, uint32_t count, const void *buf)
{
    int r = check_range(lba, count);
    if (r == 0)
        r = issue(CMD_WRITE, lba, count);
    for (uint32_t i = 0; r == 0 && i < count; i++) {
        /* The first sector's DRQ comes without an interrupt; each later
         * one with the interrupt that ends the sector before it. */
        int st = poll_status(1);
        if (st < 0 || (st & (ST_ERR | ST_DF)) || !(st & ST_DRQ))
            return -HV_EIO;
        out_sector((const uint8_t *)buf + i * IDE_SECTOR_SIZE);
        uint8_t done = wait_irq();
        if (done & (ST_ERR | ST_DF))
            return -HV_EIO;
    }
    return r;
}

static int do_flush(void)
{
    if (poll_status(0) < 0)
        return -HV_EIO;
    outb(IDE_DRIVE, 0xE0);
    irq_base = evtchn_count[ide_disk.port];
    outb(IDE_CMD, CMD_FLUSH);
    ide_commands++;
    return (wait_irq() & (ST_ERR | ST_DF)) ? -HV_EIO : 0;
}

int ide_read(uint32_t lba, uint32_t count, void *buf)
{
    if (init_state != 1)
        return -HV_ENODEV;
    channel_take();
    int r = do_read(lba, count, buf);
    channel_give();
    return r;
}

int ide_write(uint32_t lba, uint32_t count, const void *buf)
{
    if (init_state != 1)
        return -HV_ENODEV;
    channel_take();
    int r = do_write(lba, count, buf);
    channel_give();
    return r;
}

int ide_flush(void)
{
    if (init_state != 1)
        return -HV_ENODEV;
    channel_take();
    int r = do_flush();
    channel_give();
    return r;
}

static int do_init(void);

int ide_init(void)
{
    channel_take();
    if (init_state == 0) {
        int r = do_init();
        init_state = r < 0 ? r : 1;
    }
    channel_give();
    return init_state < 0 ? init_state : 0;
}

static int do_init(void)
{
    struct evtchn_bind_pirq b = { .pirq = IDE_IRQ, .flags = 0 };
    int r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &b);
    if (r < 0)
        return r;
    if (b.port >= EVENTS_NR_PORTS)
        return -HV_ENOSPC;
    ide_disk.port = b.port;
    outb(IDE_CTL, 0x00);                             /* nIEN = 0: interrupts on */
    outb(IDE_DRIVE, 0xA0);                           /* the master */
    if (inb(IDE_CTL) == 0xff || poll_status(0) < 0)
        return -HV_ENODEV;                           /* nothing on the channel */

    irq_base = evtchn_count[ide_disk.port];
    outb(IDE_CMD, CMD_IDENTIFY);
    ide_commands++;
    if (inb(IDE_CTL) == 0)
        return -HV_ENODEV;                           /* no drive answers */
    uint8_t st = wait_irq();
    if ((st & ST_ERR) || !(st & ST_DRQ))
        return -HV_ENODEV;                           /* e.g. an ATAPI CD-ROM */
    uint16_t id[256];
    in_sector(id);
    ide_disk.sectors = (uint32_t)id[60] | ((uint32_t)id[61] << 16);
    /* The model string: big-endian byte pairs, space-padded. */
    for (int i = 0; i < 20; i++) {
        ide_disk.model[2 * i] = (char)(id[27 + i] >> 8);
        ide_disk.model[2 * i + 1] = (char)(id[27 + i] & 0xff);
    }
    int n = 40;
    while (n > 0 && ide_disk.model[n - 1] == ' ')
        n--;
    ide_disk.model[n] = 0;
    return ide_disk.sectors ? 0 : -HV_ENODEV;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int ide_read_partitions(struct ide_partition part[IDE_MBR_PARTITIONS])
{
    uint8_t mbr[IDE_SECTOR_SIZE];      /* on the stack: two tasks may ask at once */
    int r = ide_read(0, 1, mbr);
    if (r < 0)
        return r;
    if (mbr[510] != 0x55 || mbr[511] != 0xAA)
        return -HV_EINVAL;
    int used = 0;
    for (int i = 0; i < IDE_MBR_PARTITIONS; i++) {
        const uint8_t *e = mbr + 446 + 16 * i;
        part[i].type = e[4];
        part[i].start = le32(e + 8);
        part[i].sectors = le32(e + 12);
        if (!part[i].type)
            continue;
        /* Believe nothing read from a disk either: it must fit the disk. */
        if (part[i].start == 0 || part[i].sectors > ide_disk.sectors ||
            part[i].start > ide_disk.sectors - part[i].sectors)
            return -HV_EINVAL;
        used++;
    }
    return used;
}
