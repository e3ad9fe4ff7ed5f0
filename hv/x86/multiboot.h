/*
 * hv/x86/multiboot.h — the parts of the Multiboot v1 information structure the
 * hypervisor reads (what QEMU -kernel/-initrd/-append tell us at boot).
 *
 * The boot loader leaves this structure somewhere in low memory and passes
 * its physical address in %ebx; every address inside it is physical too.
 * The hypervisor reads it through the direct map (maddr_to_virt).  QEMU
 * puts it below 1 MiB, which the frame allocator never hands out, so it
 * stays intact; the modules themselves, above 1 MiB, are given back to the
 * allocator once every domain is built (mm_release_modules).  A field is
 * valid only if its bit is set in `flags`, so each reader checks the
 * MBI_FLAG_* bit first.
 */
#ifndef HV_MULTIBOOT_H
#define HV_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MBI_FLAG_CMDLINE  (1u << 2)
#define MBI_FLAG_MODS     (1u << 3)
#define MBI_FLAG_MMAP     (1u << 6)

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;          /* physical address of a C string */
    uint32_t mods_count;
    uint32_t mods_addr;        /* physical address of struct multiboot_module[] */
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
};

/* One -initrd file.  hvkit makes a domain of each, in order: module 0 is
 * dom0.  The string is the file name followed by its arguments, which
 * become the domain's start_info.cmd_line. */
struct multiboot_module {
    uint32_t mod_start, mod_end;   /* physical, [start, end) */
    uint32_t string;               /* "path args..." from -initrd */
    uint32_t reserved;
};

/* The memory map: which physical ranges are RAM.  Entries are variable in
 * size and `size` does not count itself, so the next entry is at
 * (char *)e + e->size + 4 (hv/mm/mm.c walks it that way).  Packed: the
 * 64-bit fields sit at offset 4, not at the 8 a compiler would choose. */
struct multiboot_mmap_entry {
    uint32_t size;                 /* of the rest of this entry */
    uint64_t addr, len;
    uint32_t type;                 /* 1 = usable RAM */
} __attribute__((packed));

#endif
