/*
 * tests/unit/test_elf.c — the domain builder's image checks (hv/core/elf.c),
 * on hand-made images: a good one, and one broken in each way the builder
 * must refuse.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "core/elf.h"
#include "hvtrace.h"
#include "public/hvkit.h"

struct ehdr {
    uint8_t  ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

/* A small image: header, 2 program headers (LOAD + NOTE), note, code. */
static uint8_t img[4096];

static struct ehdr *eh(void) { return (struct ehdr *)img; }
static struct phdr *ph(int i) { return (struct phdr *)(img + sizeof(struct ehdr)) + i; }

static void make_image(int with_note)
{
    memset(img, 0, sizeof img);
    memcpy(eh()->ident, "\177ELF\1\1\1", 7);
    eh()->type = 2;
    eh()->machine = 3;
    eh()->version = 1;
    eh()->entry = 0x00100000;                  /* native (physical) entry */
    eh()->phoff = sizeof(struct ehdr);
    eh()->ehsize = sizeof(struct ehdr);
    eh()->phentsize = sizeof(struct phdr);
    eh()->phnum = with_note ? 2 : 1;

    *ph(0) = (struct phdr){ .type = 1, .offset = 0x400, .vaddr = 0xC0100000,
                            .paddr = 0x100000, .filesz = 0x200, .memsz = 0x3000 };
    if (with_note) {
        *ph(1) = (struct phdr){ .type = 4, .offset = 0x300, .filesz = 24 };  /* 12 + name 8 + desc 4 */
        uint32_t *n = (uint32_t *)(img + 0x300);
        n[0] = 6;          /* "HVKIT\0" */
        n[1] = 4;
        n[2] = 1;          /* HVKIT_ELFNOTE_PV_ENTRY */
        memcpy(&n[3], "HVKIT\0\0\0", 8);
        n[5] = 0xC0100010;
    }
}

Test(elf, good_image_with_pv_note)
{
    struct elf_info info;
    make_image(1);
    cr_assert_eq(elf_inspect(img, sizeof img, &info), 0);
    cr_assert(info.has_pv_note);
    cr_assert_eq(info.entry, 0xC0100010);
    cr_assert_eq(info.nsegs, 1);
    cr_assert_eq(info.vstart, 0xC0100000);
    cr_assert_eq(info.vend, 0xC0103000);
    cr_assert_eq(info.seg[0].filesz, 0x200);
}

Test(elf, without_note_the_entry_is_e_entry)
{
    struct elf_info info;
    make_image(0);
    eh()->entry = 0xC0100004;
    cr_assert_eq(elf_inspect(img, sizeof img, &info), 0);
    cr_assert_not(info.has_pv_note);
    cr_assert_eq(info.entry, 0xC0100004);
}

Test(elf, native_entry_without_note_is_refused)
{
    struct elf_info info;
    make_image(0);           /* e_entry 0x100000 is not in a loaded segment */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_ENTRY);
}

Test(elf, not_elf)
{
    struct elf_info info;
    const char text[] = "#!/bin/sh\necho this is not a kernel\n";
    cr_assert_eq(elf_inspect(text, sizeof text, &info), ELF_ERR_NOT_ELF);
    cr_assert_eq(elf_inspect(img, 10, &info), ELF_ERR_NOT_ELF);   /* too short */
    cr_assert_eq(elf_inspect(img, 0, &info), ELF_ERR_NOT_ELF);
}

Test(elf, wrong_class_or_type)
{
    struct elf_info info;
    make_image(1); img[4] = 2;             /* ELFCLASS64 */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_WRONG_CLASS);
    make_image(1); img[5] = 2;             /* big-endian */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_WRONG_CLASS);
    make_image(1); eh()->type = 3;         /* ET_DYN */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_WRONG_CLASS);
}

Test(elf, wrong_machine)
{
    struct elf_info info;
    make_image(1);
    eh()->machine = 62;                    /* x86-64 */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_WRONG_MACHINE);
}

Test(elf, broken_program_headers)
{
    struct elf_info info;
    make_image(1); eh()->phoff = sizeof img - 8;
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
    make_image(1); eh()->phoff = 0xFFFFFFF0;          /* would wrap */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
    make_image(1); eh()->phnum = 0;
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
    make_image(1); eh()->phentsize = 16;
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
    make_image(1); ph(0)->filesz = 0x4000;            /* more file than memory */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
    make_image(1); ph(0)->offset = 0xFFFFFF00;        /* data outside the file */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
    make_image(1); ph(0)->type = 6;                   /* no PT_LOAD at all */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_BAD_PHDRS);
}

Test(elf, segments_outside_the_guest_kernel_area)
{
    struct elf_info info;
    make_image(1); ph(0)->vaddr = 0x00100000;         /* a native, low image */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_IN_HOLE);
    make_image(1); ph(0)->vaddr = HYPERVISOR_VIRT_START;
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_IN_HOLE);
    make_image(1); ph(0)->vaddr = HYPERVISOR_VIRT_START - 0x1000;   /* runs into the hole */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_IN_HOLE);
    make_image(1); ph(0)->vaddr = 0xFFFFF000;         /* would wrap around */
    cr_assert_eq(elf_inspect(img, sizeof img, &info), ELF_ERR_IN_HOLE);
}

Test(elf, malformed_note_is_ignored_not_followed)
{
    struct elf_info info;
    make_image(1);
    uint32_t *n = (uint32_t *)(img + 0x300);
    n[0] = 0xFFFFFFF0;                                 /* absurd name size */
    eh()->entry = 0xC0100000;
    cr_assert_eq(elf_inspect(img, sizeof img, &info), 0);
    cr_assert_not(info.has_pv_note);
    cr_assert_eq(info.entry, 0xC0100000);
}

Test(elf, every_error_has_a_message)
{
    for (int e = 1; e <= ELF_ERR_LAST; e++)
        cr_assert(strcmp(elf_strerror(e), "unknown error") != 0, "error %d", e);
}

/* The dom_refused record's "why" is an elferr: the tracer must name every
 * reason the builder can give (trace-events.def keeps the names). */
Test(elf, every_error_has_a_trace_name)
{
    for (int e = 1; e <= ELF_ERR_LAST; e++)
        cr_assert(hvt_enum_name("elferr", (uint32_t)e) != NULL, "error %d", e);
    cr_assert_str_eq(hvt_enum_name("elferr", ELF_ERR_NO_SLOT), "no_domain_slot");
}

/* An image in pieces (dom0's pages, DOMCTL_load_frames) is checked exactly
 * as the same bytes in one piece: here a two-page image whose note and
 * segment lie on the second page, with the note across the page boundary. */
Test(elf, paged_image_is_checked_like_a_flat_one)
{
    static uint8_t flat[8192], p0[4096], p1[4096];
    make_image(1);
    memset(flat, 0, sizeof flat);
    memcpy(flat, img, sizeof img);
    /* Move the note to 0xff8 (it crosses into page 1) and the segment to 0x1400. */
    memcpy(flat + 0xff8, img + 0x300, 24);
    memset(flat + 0x300, 0, 24);
    struct phdr *f0 = (struct phdr *)(flat + sizeof(struct ehdr));
    f0[0].offset = 0x1400;
    f0[1].offset = 0xff8;
    memcpy(p0, flat, 4096);
    memcpy(p1, flat + 4096, 4096);
    const uint8_t *pages[2] = { p0, p1 };
    struct elf_image im = { sizeof flat, 0, pages };
    struct elf_info a, b;
    cr_assert_eq(elf_inspect(flat, sizeof flat, &a), 0);
    cr_assert_eq(elf_inspect_image(&im, &b), 0);
    cr_assert(b.has_pv_note);
    cr_assert_eq(b.entry, 0xC0100010);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    uint8_t got[24];
    elf_image_read(&im, 0xff8, got, sizeof got);
    cr_assert_eq(memcmp(got, flat + 0xff8, sizeof got), 0);
    /* And a broken one is refused the same way: phdrs beyond the file. */
    ((struct ehdr *)p0)->phoff = 8192 - 16;
    cr_assert_eq(elf_inspect_image(&im, &b), ELF_ERR_BAD_PHDRS);
}
