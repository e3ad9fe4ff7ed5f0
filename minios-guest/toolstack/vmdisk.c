/*
 * minios-guest/toolstack/vmdisk.c — reading the inactive VMs from dom0's
 * disk, and handing one to the hypervisor's builder (vmdisk.h has the
 * layout).
 *
 * Where this sits in the story (course: VM states; separation of
 * mechanism and policy): the disk, its partition table and the store on
 * it are dom0's business -- the hypervisor has no disk driver and knows
 * nothing of files.  So the toolstack reads an image itself, into pages
 * of its own, and asks the hypervisor to build from those pages
 * (DOMCTL_load_frames): the hypervisor checks that every page named is
 * dom0's, checks the ELF exactly as it checks a boot module, and copies
 * the segments into the new domain's memory.  Xen's toolstack goes
 * further and writes the new domain's memory itself, through privileged
 * mappings (libxc); here the builder stays in one place, the hypervisor.
 *
 * The disk is shared with the block back end (both are kernel tasks of
 * dom0): the IDE driver serialises their commands (drivers/ide.c, ONE
 * COMMAND AT A TIME), so nothing here locks.
 */
#include "kernel/kernel.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "drivers/ide.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "public/domctl.h"
#include "toolstack/vmdisk.h"

struct vmdisk vmdisk;
uint32_t vmdisk_read_insns;

#define SECTORS_PER_PAGE (HV_PAGE_SIZE / IDE_SECTOR_SIZE)

/* CRC-32 as zlib computes it (reflected, polynomial 0xEDB88320), a byte
 * at a time through a table made on first use. */
static uint32_t crc_table[256];

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
    if (!crc_table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* A string field from the disk: terminated inside its field, not empty. */
static int good_string(const char *s, uint32_t size)
{
    for (uint32_t i = 0; i < size; i++)
        if (!s[i])
            return i > 0;
    return 0;
}

int vmdisk_open(void)
{
    memset(&vmdisk, 0, sizeof vmdisk);
    int r = ide_init();
    if (r < 0)
        return -HV_ENODEV;
    struct ide_partition part[IDE_MBR_PARTITIONS];
    r = ide_read_partitions(part);
    if (r < 0)
        return r;
    int i;
    for (i = 0; i < IDE_MBR_PARTITIONS && part[i].type != VMDISK_PART_TYPE; i++)
        ;
    if (i == IDE_MBR_PARTITIONS)
        return -HV_ENODEV;
    uint32_t start = part[i].start, sectors = part[i].sectors;

    static uint8_t sec[IDE_SECTOR_SIZE];
    if (sectors < 2 || ide_read(start, 1, sec) < 0)
        return -HV_EIO;
    struct vmdisk_header h;
    memcpy(&h, sec, sizeof h);
    if (strncmp(h.magic, VMDISK_MAGIC, 8) != 0 || h.version != VMDISK_VERSION ||
        h.nr_vms > VMDISK_MAX_VMS || h.table_sector != 1 ||
        h.table_sectors != (h.nr_vms + 3) / 4 || 1 + h.table_sectors > sectors) {
        kprintf("xl: disk: partition %d is no VM store of ours (magic, version or table)\n", i + 1);
        return -HV_EINVAL;
    }
    vmdisk.start = start;
    vmdisk.sectors = sectors;
    for (uint32_t k = 0; k < h.nr_vms; k++) {
        if (k % 4 == 0 && ide_read(start + 1 + k / 4, 1, sec) < 0)
            return -HV_EIO;
        struct vmdisk_entry e;
        memcpy(&e, sec + (k % 4) * sizeof e, sizeof e);
        uint32_t npages = (e.image_bytes + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE;
        /* Inside the partition, past the table, page-aligned, not too big
         * for one load; written so that no sum can overflow. */
        if (!good_string(e.name, sizeof e.name) || !good_string(e.config, sizeof e.config) ||
            e.image_bytes == 0 || npages > DOMCTL_LOAD_MAX_FRAMES ||
            e.image_sector % SECTORS_PER_PAGE || e.image_sector < 1 + h.table_sectors ||
            e.image_sector >= sectors ||
            npages * SECTORS_PER_PAGE > sectors - e.image_sector) {
            kprintf("xl: disk: VM entry %u does not check: skipped\n", k);
            continue;
        }
        vmdisk.vm[vmdisk.nr++] = e;
    }
    vmdisk.present = 1;
    return 0;
}

const struct vmdisk_entry *vmdisk_find(const char *name)
{
    for (uint32_t i = 0; i < vmdisk.nr; i++)
        if (strcmp(vmdisk.vm[i].name, name) == 0)
            return &vmdisk.vm[i];
    return 0;
}

int vmdisk_config_value(const char *s, const char *key, char *out, uint32_t size)
{
    uint32_t k = strlen(key);
    out[0] = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, key, k) == 0) {
            uint32_t n = 0;
            for (s += k; *s && *s != ' ' && n + 1 < size; s++)
                out[n++] = *s;
            out[n] = 0;
            return 1;
        }
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

static uint32_t mfns[DOMCTL_LOAD_MAX_FRAMES];
static void *pages[DOMCTL_LOAD_MAX_FRAMES];

int vmdisk_load(const struct vmdisk_entry *e, domid_t dom, const char *cmdline)
{
    uint32_t n = (e->image_bytes + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE, got = 0;
    int r = 0;
    uint32_t crc = 0, t0 = rdtsc32();
    for (; got < n; got++) {
        if (!(pages[got] = page_alloc())) {
            r = -HV_ENOMEM;
            break;
        }
        /* One IDE command a page: the sectors of the last one that hold
         * the file (its tail is zero, from page_alloc). */
        uint32_t left = e->image_bytes - got * HV_PAGE_SIZE;
        uint32_t bytes = left < HV_PAGE_SIZE ? left : HV_PAGE_SIZE;
        uint32_t count = (bytes + IDE_SECTOR_SIZE - 1) / IDE_SECTOR_SIZE;
        if (ide_read(vmdisk.start + e->image_sector + got * SECTORS_PER_PAGE, count,
                     pages[got]) < 0) {
            r = -HV_EIO;
            got++;
            break;
        }
        memset((uint8_t *)pages[got] + bytes, 0, HV_PAGE_SIZE - bytes);
        crc = crc32_update(crc, pages[got], bytes);
        mfns[got] = pv_ops.pt_mfn(pages[got]);
    }
    vmdisk_read_insns = rdtsc32() - t0;
    if (r == 0 && crc != e->image_crc32) {
        kprintf("xl: disk: %s: image CRC %x, the table says %x: not loaded\n", e->name, crc,
                e->image_crc32);
        r = -HV_EIO;
    }
    if (r == 0) {
        struct hv_domctl c;
        memset(&c, 0, sizeof c);
        c.cmd = DOMCTL_load_frames;
        c.interface_version = HV_DOMCTL_INTERFACE_VERSION;
        c.domain = dom;
        c.u.frames.frames = (uint32_t)mfns;
        c.u.frames.nr_frames = n;
        c.u.frames.len = e->image_bytes;
        uint32_t k = 0;
        for (; cmdline[k] && k + 1 < sizeof c.u.frames.cmdline; k++)
            c.u.frames.cmdline[k] = cmdline[k];
        r = HYPERVISOR_domctl(&c);
    }
    /* Ours again whatever the builder said: it only read them. */
    for (uint32_t i = 0; i < got; i++)
        if (pages[i])
            page_free(pages[i]);
    return r;
}
