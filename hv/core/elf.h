/*
 * hv/core/elf.h — reading a guest kernel image (ELF32, i386).
 *
 * The domain builder trusts nothing in an image: elf_inspect() checks every
 * header field it uses against the size of the file before the builder
 * touches guest memory, and names the first problem it finds.  Pure C:
 * compiled into the hypervisor and into the host unit tests, which feed it
 * broken images.
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <stdint.h>

/* Error codes: the same numbers as the "elferr" enum in trace-events.def.
 * They are the reasons a boot module is refused (a dom_refused record), so
 * the domain builder's own reasons are here too: TOO_BIG, NO_MEMORY and
 * NO_SLOT are about the domain, not about the file. */
#define ELF_ERR_NOT_ELF        1
#define ELF_ERR_WRONG_CLASS    2
#define ELF_ERR_WRONG_MACHINE  3
#define ELF_ERR_BAD_PHDRS      4
#define ELF_ERR_IN_HOLE        5
#define ELF_ERR_TOO_BIG        6
#define ELF_ERR_NO_MEMORY      7
#define ELF_ERR_BAD_ENTRY      8
#define ELF_ERR_NO_SLOT        9   /* all MAX_DOMAINS domain slots are taken */
#define ELF_ERR_LAST           ELF_ERR_NO_SLOT

#define ELF_MAX_SEGMENTS 8

struct elf_segment {
    uint32_t vaddr, memsz;     /* where it goes, how big in memory */
    uint32_t offset, filesz;   /* where it comes from in the file */
};

/* What the builder needs from an image, and nothing it would have to read
 * from the image again: once elf_inspect() has said yes, every offset and
 * size here is known to be inside the file and every address inside the
 * guest's half of the memory split. */
struct elf_info {
    uint32_t entry;            /* the PV entry (note) or e_entry */
    int      has_pv_note;
    uint32_t vstart, vend;     /* lowest and highest+1 loaded address */
    int      nsegs;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Check `img` (len bytes) and describe its loadable segments.  Guest images
 * must load between GUEST_KERNEL_BASE and HYPERVISOR_VIRT_START.
 * Returns 0, or one of ELF_ERR_* (positive).
 */
int elf_inspect(const void *img, uint32_t len, struct elf_info *out);

/*
 * An image that need not be contiguous: the whole file at one address
 * (flat: a boot module), or page i of the file at pages[i] (an image dom0
 * read from its disk into pages of its own, named frame by frame:
 * DOMCTL_load_frames).  elf_inspect_image checks it exactly as
 * elf_inspect does; elf_image_read copies bytes out of it (the caller has
 * checked that [off, off+n) is inside the file, as elf_inspect's results
 * are).
 */
struct elf_image {
    uint32_t len;
    const uint8_t *flat;                 /* the file, or 0 */
    const uint8_t *const *pages;         /* else: 4096 bytes each */
};
int elf_inspect_image(const struct elf_image *im, struct elf_info *out);
void elf_image_read(const struct elf_image *im, uint32_t off, void *dst, uint32_t n);
const char *elf_strerror(int err);

#endif
