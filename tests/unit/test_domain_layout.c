/*
 * tests/unit/test_domain_layout.c — step 1 of the domain builder
 * (hv/core/domain_layout.c): where the image and the builder's own pages
 * go in a new domain's pseudo-physical memory, and when it does not fit.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include "core/domain_build.h"
#include "core/elf.h"
#include "public/hvkit.h"

/* The teaching OS's image ends just below pfn 301 (its trace says
 * start_info=0xc012d000). */
#define MINIOS_VEND 0xC012C282u

Test(domain_layout, the_teaching_os_in_a_2_mib_domU)
{
    struct domain_layout l;
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 512, &l), 0);
    cr_assert_eq(l.nr_pages, 512);
    cr_assert_eq(l.image_pages, 301);
    cr_assert_eq(l.start_info_pfn, 301);
    cr_assert_eq(dombuild_va(l.start_info_pfn), 0xC012D000u);
    cr_assert_eq(l.p2m_pfn, 302);
    cr_assert_eq(l.p2m_pages, 1);           /* 512 entries of 4 bytes */
    cr_assert_eq(l.pd_pfn, 303);
    cr_assert_eq(l.l1_pfn, 304);
    cr_assert_eq(l.nr_l1, 1);
    cr_assert_eq(l.stack_pfn, 305);
    cr_assert_eq(l.first_free_pfn, 305 + BOOT_STACK_PAGES);
    cr_assert_eq(l.shared_info_va, GUEST_KERNEL_BASE + 512 * 4096);
}

/* The shared-info page is mapped after the last pfn: with exactly 1024
 * pages it needs a second L1 (and a 1024-entry P2M list still fits in one
 * page, 1025 entries do not). */
Test(domain_layout, page_table_and_p2m_counts_at_the_edges)
{
    struct domain_layout l;
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 1023, &l), 0);
    cr_assert_eq(l.nr_l1, 1);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 1024, &l), 0);
    cr_assert_eq(l.nr_l1, 2);
    cr_assert_eq(l.p2m_pages, 1);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 1025, &l), 0);
    cr_assert_eq(l.p2m_pages, 2);
    cr_assert_eq(l.pd_pfn, l.p2m_pfn + 2);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 8192, &l), 0);
    cr_assert_eq(l.nr_l1, 9);
    cr_assert_eq(l.p2m_pages, 8);
}

/* Every page below first_free_pfn belongs to exactly one region, in the
 * order the header draws them, and nothing passes nr_pages. */
Test(domain_layout, regions_tile_the_used_pages_in_order)
{
    static const uint32_t sizes[] = { 16, 309, 400, 1023, 1024, 1025, 3000, 8192 };
    for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        struct domain_layout l;
        if (dombuild_layout(MINIOS_VEND, sizes[k], &l) != 0)
            continue;
        uint32_t next = 0;
        cr_assert_eq(next + l.image_pages, l.start_info_pfn);
        next = l.start_info_pfn + 1;
        cr_assert_eq(l.p2m_pfn, next);
        next += l.p2m_pages;
        cr_assert_eq(l.pd_pfn, next);
        next += 1;
        cr_assert_eq(l.l1_pfn, next);
        next += l.nr_l1;
        cr_assert_eq(l.stack_pfn, next);
        next += BOOT_STACK_PAGES;
        cr_assert_eq(l.first_free_pfn, next);
        cr_assert_leq(l.first_free_pfn, l.nr_pages);
        cr_assert_geq(l.p2m_pages * 1024, l.nr_pages, "P2M list holds every pfn");
        cr_assert_geq(l.nr_l1 * 1024, l.nr_pages + 1, "L1s map every pfn and shared info");
    }
}

Test(domain_layout, too_small_for_the_image_and_the_builders_pages)
{
    struct domain_layout l;
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 309, &l), 0);    /* exactly fits */
    cr_assert_eq(l.first_free_pfn, 309);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 308, &l), ELF_ERR_TOO_BIG);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 16, &l), ELF_ERR_TOO_BIG);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 0, &l), ELF_ERR_TOO_BIG);
}

/* The memory and the shared-info page after it must be mapped below the
 * hypervisor's hole; and huge sizes must not overflow the arithmetic. */
Test(domain_layout, never_reaches_the_hypervisor_hole)
{
    struct domain_layout l;
    uint32_t max = (HYPERVISOR_VIRT_START - GUEST_KERNEL_BASE) / 4096 - 1;
    cr_assert_eq(dombuild_layout(MINIOS_VEND, max, &l), 0);
    cr_assert_eq(l.shared_info_va, HYPERVISOR_VIRT_START - 4096);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, max + 1, &l), ELF_ERR_TOO_BIG);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 0x40000000u, &l), ELF_ERR_TOO_BIG);
    cr_assert_eq(dombuild_layout(MINIOS_VEND, 0xFFFFFFFFu, &l), ELF_ERR_TOO_BIG);
}

Test(domain_layout, image_end_outside_the_guest_range)
{
    struct domain_layout l;
    cr_assert_eq(dombuild_layout(GUEST_KERNEL_BASE - 1, 512, &l), ELF_ERR_IN_HOLE);
    cr_assert_eq(dombuild_layout(HYPERVISOR_VIRT_START + 1, 512, &l), ELF_ERR_IN_HOLE);
    cr_assert_eq(dombuild_layout(GUEST_KERNEL_BASE, 512, &l), 0);   /* empty image */
    cr_assert_eq(l.start_info_pfn, 0);
}
