/*
 * hv/core/elf.c — checking and describing a guest's ELF image.  The builder
 * (domain_build.c) then copies the segments into the guest's frames.
 *
 * Two entry points can live in one image: e_entry, which the teaching OS
 * sets to its *native* (Multiboot, physical address) entry, and the
 * paravirtualized entry, announced in an ELF note ("HVKIT", type 1) — Xen's
 * XEN_ELFNOTE_ENTRY idea.  A PV guest enters at the note's address.
 * That is how one image of the teaching OS boots both on bare hardware
 * (QEMU -kernel) and under hvkit: the pv-ops table picks the rest at run
 * time (minios-guest/arch/pvops.h).
 *
 * An image is guest input like any hypercall argument: it may come from a
 * student's build, or be crafted.  So every offset and size in it is
 * checked against the file's length before it is used (in_file), with the
 * subtraction written so it cannot overflow, and every address against the
 * memory split, before the builder writes a byte into guest memory.
 */
#include "core/elf.h"
#include "public/hvkit.h"
#include "public/start_info.h"

#ifdef HV
#include "core/lib.h"
#else
#include <string.h>
#endif

/* The parts of the ELF32 format we read (System V ABI). */
struct elf32_ehdr {
    uint8_t  ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD 1
#define PT_NOTE 4
#define ET_EXEC 2
#define EM_386  3

const char *elf_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case ELF_ERR_NOT_ELF: return "not an ELF file";
    case ELF_ERR_WRONG_CLASS: return "not a 32-bit little-endian executable";
    case ELF_ERR_WRONG_MACHINE: return "not built for i386";
    case ELF_ERR_BAD_PHDRS: return "program headers broken or outside the file";
    case ELF_ERR_IN_HOLE: return "loads outside 0xC0000000..0xFBFFFFFF (e.g. into the hypervisor hole)";
    case ELF_ERR_TOO_BIG: return "too big for the domain's memory";
    case ELF_ERR_NO_MEMORY: return "not enough free machine memory";
    case ELF_ERR_BAD_ENTRY: return "entry point not inside a loaded segment";
    case ELF_ERR_NO_SLOT: return "no free domain slot";
    }
    return "unknown error";
}

/* Does [off, off+size) lie inside a file of len bytes?  (No overflow.) */
static int in_file(uint32_t off, uint32_t size, uint32_t len)
{
    return off <= len && size <= len - off;
}

void elf_image_read(const struct elf_image *im, uint32_t off, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    if (im->flat) {
        memcpy(d, im->flat + off, n);
        return;
    }
    while (n) {
        uint32_t in = off & 4095u, k = 4096u - in;
        if (k > n)
            k = n;
        memcpy(d, im->pages[off >> 12] + in, k);
        d += k;
        off += k;
        n -= k;
    }
}

/* Walk the notes of one PT_NOTE segment (already checked to lie inside the
 * file, 4-byte aligned).  A note is a 12-byte header (name size,
 * descriptor size, type), then the name and the descriptor, each padded to
 * 4 bytes.  Sizes above 64 are not ours and end the walk: a note we do not
 * understand is ignored, never a reason to read further than the segment.
 * Every piece is copied out (elf_image_read) before it is looked at: the
 * image may be in pieces. */
static void find_pv_note(const struct elf_image *im, const struct elf32_phdr *ph,
                         struct elf_info *out)
{
    uint32_t pos = ph->offset, end = ph->offset + ph->filesz;
    while (end - pos >= 12) {
        uint32_t h[3];
        elf_image_read(im, pos, h, sizeof h);
        uint32_t namesz = h[0], descsz = h[1], type = h[2];
        uint32_t nalign = (namesz + 3) & ~3u, dalign = (descsz + 3) & ~3u;
        if (namesz > 64 || descsz > 64 || nalign + dalign > end - pos - 12)
            return;
        char name[64];
        elf_image_read(im, pos + 12, name, namesz);
        if (namesz == sizeof(HVKIT_ELFNOTE_NAME) &&
            memcmp(name, HVKIT_ELFNOTE_NAME, namesz) == 0 &&
            type == HVKIT_ELFNOTE_PV_ENTRY && descsz == 4) {
            elf_image_read(im, pos + 12 + nalign, &out->entry, 4);
            out->has_pv_note = 1;
            return;
        }
        pos += 12 + nalign + dalign;
    }
}

int elf_inspect(const void *image, uint32_t len, struct elf_info *out)
{
    struct elf_image im = { len, image, 0 };
    return elf_inspect_image(&im, out);
}

int elf_inspect_image(const struct elf_image *im, struct elf_info *out)
{
    uint32_t len = im->len;
    struct elf32_ehdr ehdr;
    const struct elf32_ehdr *eh = &ehdr;

    memset(out, 0, sizeof *out);
    if (len < sizeof ehdr)
        return ELF_ERR_NOT_ELF;
    elf_image_read(im, 0, &ehdr, sizeof ehdr);
    const uint8_t *img = ehdr.ident;
    if (memcmp(img, "\177ELF", 4) != 0)
        return ELF_ERR_NOT_ELF;
    if (img[4] != 1 /* ELFCLASS32 */ || img[5] != 1 /* little-endian */ ||
        eh->type != ET_EXEC)
        return ELF_ERR_WRONG_CLASS;
    if (eh->machine != EM_386)
        return ELF_ERR_WRONG_MACHINE;
    if (eh->phentsize != sizeof(struct elf32_phdr) || eh->phnum == 0 ||
        eh->phnum > 64 || !in_file(eh->phoff, eh->phnum * sizeof(struct elf32_phdr), len) ||
        (eh->phoff & 3))
        return ELF_ERR_BAD_PHDRS;

    out->entry = eh->entry;
    out->vstart = 0xFFFFFFFFu;
    for (int i = 0; i < eh->phnum; i++) {
        struct elf32_phdr phdr, *ph = &phdr;
        elf_image_read(im, eh->phoff + (uint32_t)i * sizeof phdr, &phdr, sizeof phdr);
        if (ph->type == PT_NOTE && in_file(ph->offset, ph->filesz, len) &&
            !(ph->offset & 3))
            find_pv_note(im, ph, out);
        if (ph->type != PT_LOAD || ph->memsz == 0)
            continue;
        if (out->nsegs == ELF_MAX_SEGMENTS || ph->filesz > ph->memsz ||
            !in_file(ph->offset, ph->filesz, len))
            return ELF_ERR_BAD_PHDRS;
        /* The builder loads a segment at pseudo-physical vaddr -
         * GUEST_KERNEL_BASE: one that starts below the kernel base, or
         * reaches the hypervisor's 64 MiB, has no place in the guest. */
        uint32_t start = ph->vaddr, size = ph->memsz;
        if (start < GUEST_KERNEL_BASE || start >= HYPERVISOR_VIRT_START ||
            size > HYPERVISOR_VIRT_START - start)
            return ELF_ERR_IN_HOLE;
        struct elf_segment *s = &out->seg[out->nsegs++];
        s->vaddr = start;
        s->memsz = size;
        s->offset = ph->offset;
        s->filesz = ph->filesz;
        if (start < out->vstart)
            out->vstart = start;
        if (start + size > out->vend)
            out->vend = start + size;
    }
    if (out->nsegs == 0)
        return ELF_ERR_BAD_PHDRS;

    /* The entry must be code we are about to load: the guest's first
     * instruction would otherwise be wherever the address happens to
     * point, most likely a page fault with no handler yet, a crash with no
     * explanation.  Refusing here names the problem. */
    for (int i = 0; i < out->nsegs; i++)
        if (out->entry >= out->seg[i].vaddr &&
            out->entry - out->seg[i].vaddr < out->seg[i].memsz)
            return 0;
    return ELF_ERR_BAD_ENTRY;
}
