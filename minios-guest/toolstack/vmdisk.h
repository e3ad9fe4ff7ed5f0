/*
 * minios-guest/toolstack/vmdisk.h — the inactive VMs on dom0's disk: the
 * layout of the VM store and the toolstack's reader of it.
 *
 * Where this sits in the story (course: VM states, "an inactive VM is
 * literally an image and a configuration on disk"): a VM that is not
 * running is no domain at all, only bytes on dom0's disk -- the teaching
 * OS's ELF image and a line of configuration.  `xl create web` reads them
 * with dom0's IDE driver (drivers/ide.c), into pages of dom0's own, and
 * hands the pages to the hypervisor's builder (DOMCTL_load_frames); `xl
 * list` shows the VMs of the store that are not running as `inactive`.
 *
 * The store is one primary partition of dom0's disk, MBR type 0xDA ("non-
 * filesystem data"), made on the host by tests/io/make-vm-disk.py (which
 * writes the same layout with Python's struct; keep the two alike).  No
 * filesystem: a header, a table, the images.  Sectors are counted from the
 * partition's first; all numbers little-endian.
 *
 *   sector 0            struct vmdisk_header  (magic "HVKVMS01")
 *   sectors 1..         the table: nr_vms struct vmdisk_entry, 4 a sector
 *   image_sector..      each image, from a sector that is a multiple of 8
 *                       (a page): read a page at a time
 *
 * Everything read from the disk is checked before it is used, as the
 * partition table is (ide_read_partitions): sizes within the partition,
 * strings terminated, each image's CRC-32 (zlib's) over its bytes.  The
 * ELF checks themselves are the hypervisor's, for any image from anywhere.
 */
#ifndef MINIOS_TOOLSTACK_VMDISK_H
#define MINIOS_TOOLSTACK_VMDISK_H

#include <stdint.h>
#include "public/hvkit.h"

#define VMDISK_PART_TYPE   0xDA
#define VMDISK_MAGIC       "HVKVMS01"
#define VMDISK_VERSION     1
#define VMDISK_MAX_VMS     16
#define VMDISK_NAME_MAX    16
#define VMDISK_CONFIG_MAX  96

struct vmdisk_header {
    char     magic[8];           /* VMDISK_MAGIC, no NUL */
    uint32_t version;            /* VMDISK_VERSION */
    uint32_t nr_vms;             /* entries in the table (<= VMDISK_MAX_VMS) */
    uint32_t table_sector;       /* 1 */
    uint32_t table_sectors;      /* ceil(nr_vms / 4) */
};

struct vmdisk_entry {
    char     name[VMDISK_NAME_MAX];       /* NUL-terminated: `xl create NAME` */
    char     config[VMDISK_CONFIG_MAX];   /* NUL-terminated: "name=web mem=2M weight=256 run=count" */
    uint32_t image_sector;                /* first sector of the image, a multiple of 8 */
    uint32_t image_bytes;                 /* the ELF file's length */
    uint32_t image_crc32;                 /* zlib.crc32 of those bytes */
    uint32_t reserved;
};
_Static_assert(sizeof(struct vmdisk_entry) == 128, "vmdisk_entry: 128 bytes, 4 a sector");

/* The store as xl found it (vmdisk_open). */
struct vmdisk {
    int present;                          /* 1: a store was found and read */
    uint32_t start, sectors;              /* its partition */
    uint32_t nr;
    struct vmdisk_entry vm[VMDISK_MAX_VMS];
};
extern struct vmdisk vmdisk;

/* Find and read the store: the disk (ide_init), its partition table, the
 * first partition of type VMDISK_PART_TYPE, its header and table.  0 and
 * vmdisk filled, or -HV_Exxx (-HV_ENODEV: no disk or no store; -HV_EINVAL:
 * a store that does not check).  Entries that do not check are dropped,
 * with a line each. */
int vmdisk_open(void);

/* The entry called name, or 0. */
const struct vmdisk_entry *vmdisk_find(const char *name);

/* The value of key (e.g. "mem=") in a configuration line, up to the next
 * space, into out (size bytes); 1 if found. */
int vmdisk_config_value(const char *config, const char *key, char *out, uint32_t size);

/* Read e's image into fresh pages of dom0's, check its CRC, and hand the
 * pages to the builder for domain dom (created, empty): DOMCTL_load_frames
 * with cmdline.  The pages are freed whatever the answer.  The domctl's
 * result, or -HV_EIO (the disk failed, or the CRC is wrong), -HV_ENOMEM (no
 * pages in dom0). */
int vmdisk_load(const struct vmdisk_entry *e, domid_t dom, const char *cmdline);
/* What the last vmdisk_load's reading and checking cost (TSC ticks:
 * guest instructions under -icount; bench/ts-create.scn). */
extern uint32_t vmdisk_read_insns;

#endif
