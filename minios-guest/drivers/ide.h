/*
 * minios-guest/drivers/ide.h — dom0's IDE/ATA disk driver: the primary
 * channel's master, in PIO mode, and the MBR partition table on it.
 *
 * Where this sits in the story (course: split drivers, "the back-end
 * driver isolated in dom0 with direct access to the hardware"): this is
 * the one piece of hvkit that talks to a real (QEMU-emulated) disk.  Only
 * dom0 may use the channel's ports (the hypervisor's I/O bitmap,
 * public/hw_devices.def) and only dom0 may bind its interrupt line, IRQ
 * 14, which reaches it as an event (bind_pirq).  The block back end
 * (workloads/blkback.c) calls these functions; the domUs never see the
 * disk, only the region of it their back end lets them reach.
 *
 * Every call is synchronous for its caller: it issues one ATA command and
 * sleeps on the IRQ-14 event until the drive says it is done, so the rest
 * of the system (the other domains) runs while the disk works.
 */
#ifndef MINIOS_DRIVERS_IDE_H
#define MINIOS_DRIVERS_IDE_H

#include <stdint.h>

#define IDE_SECTOR_SIZE  512u
#define IDE_MAX_COUNT    256u     /* sectors in one READ/WRITE SECTORS command */
#define IDE_LBA28_LIMIT  (1u << 28)

/* The drive found by ide_init. */
struct ide_disk {
    uint32_t sectors;             /* IDENTIFY words 60-61: LBA28 sectors */
    char model[41];               /* IDENTIFY words 27-46, trimmed */
    uint32_t port;                /* the event-channel port IRQ 14 arrives on */
};
extern struct ide_disk ide_disk;

/* What the driver has done so far (the bench and the back end's summary). */
extern uint32_t ide_irqs, ide_commands;

/* Bind IRQ 14, enable the drive's interrupt, IDENTIFY the primary
 * master.  0, or -HV_Exxx (-HV_ENODEV: no drive there; bind_pirq's
 * status if the line was refused).  Done once: later calls (the block
 * back end and the toolstack both call it) return the first one's answer.
 *
 * Two kernel tasks of dom0 share the drive (blk-back, xl), so every call
 * below holds the channel for its whole command (a sleeping lock in
 * ide.c): callers need no locking of their own.  Before a successful
 * ide_init they return -HV_ENODEV. */
int ide_init(void);

/* Read or write `count` (1..IDE_MAX_COUNT) sectors at LBA `lba` to or from
 * buf (count * 512 bytes, our own memory).  0, or -HV_EIO if the drive
 * reported an error, -HV_EINVAL for a request past LBA28 or the disk. */
int ide_read(uint32_t lba, uint32_t count, void *buf);
int ide_write(uint32_t lba, uint32_t count, const void *buf);
/* FLUSH CACHE: what was written is on the medium (the image file). */
int ide_flush(void);

/* One primary entry of the MBR partition table (sector 0). */
struct ide_partition {
    uint8_t type;                 /* 0: unused */
    uint32_t start;               /* first sector (LBA) */
    uint32_t sectors;             /* length */
};
#define IDE_MBR_PARTITIONS 4
/* Read sector 0 and its four primary entries.  The number of used
 * entries (type != 0), or -HV_Exxx (-HV_EINVAL: no 0x55AA signature, or an
 * entry that reaches past the disk). */
int ide_read_partitions(struct ide_partition part[IDE_MBR_PARTITIONS]);

#endif
