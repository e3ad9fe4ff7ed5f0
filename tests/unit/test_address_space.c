/*
 * tests/unit/test_address_space.c — the memory split has one owner,
 * hv/include/public/address_space.h, and everything else agrees with it.
 *
 * Where this sits in the story: the split (where the guest ends and the
 * hypervisor begins, and the read-only M2P slot between them) used to be
 * drawn in several places, and the drawings drifted.  Now the header draws
 * it and defines the numbers; docs/address-space.md shows the same picture
 * for readers of the documentation.  These tests read both files and fail
 * when the two pictures differ, and check that the slot numbers the header
 * derives are the ones its picture (and the hypervisor's rules) name.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "public/hvkit.h"

#define MAX_LINES 64

struct picture {
    char line[MAX_LINES][128];
    int n;
};

/* The picture in a file: from the line whose text starts with "virtual"
 * and names the slot column, to the one with "0xFFFFFFFF +".  `prefix` is
 * what every line starts with in that file (" *" in a C comment, nothing
 * in markdown); it and the picture's common indentation are removed, as
 * are trailing blanks. */
static void read_picture(const char *path, const char *prefix, struct picture *p)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: run the tests from the repository root", path);
    char buf[256];
    int in = 0;
    p->n = 0;
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = 0;
        const char *t = buf;
        if (strncmp(t, prefix, strlen(prefix)) != 0)
            continue;
        t += strlen(prefix);
        const char *text = t + strspn(t, " ");
        if (!in && strncmp(text, "virtual", 7) == 0 && strstr(text, "slot"))
            in = 1;
        if (!in)
            continue;
        cr_assert_lt(p->n, MAX_LINES, "%s: the picture never ends", path);
        snprintf(p->line[p->n], sizeof p->line[0], "%s", t);
        size_t len = strlen(p->line[p->n]);
        while (len && p->line[p->n][len - 1] == ' ')
            p->line[p->n][--len] = 0;
        p->n++;
        if (strstr(text, "0xFFFFFFFF +"))
            break;
    }
    fclose(f);
    cr_assert_gt(p->n, 5, "%s: no picture of the split found", path);
    size_t indent = 1000;
    for (int i = 0; i < p->n; i++) {
        size_t k = strspn(p->line[i], " ");
        if (p->line[i][k] && k < indent)
            indent = k;
    }
    for (int i = 0; i < p->n; i++)
        memmove(p->line[i], p->line[i] + indent, strlen(p->line[i] + indent) + 1);
}

Test(address_space, the_docs_draw_the_headers_picture)
{
    struct picture h, d;
    read_picture("hv/include/public/address_space.h", " *", &h);
    read_picture("docs/address-space.md", "", &d);
    for (int i = 0; i < h.n && i < d.n; i++)
        cr_expect_str_eq(d.line[i], h.line[i],
                         "docs/address-space.md, line %d of the picture:\n  docs:   %s\n  header: %s",
                         i + 1, d.line[i], h.line[i]);
    cr_expect_eq(d.n, h.n, "the docs' picture has %d lines, the header's %d", d.n, h.n);
}

/* The picture's slot column and the derived numbers say the same. */
Test(address_space, slots_follow_from_the_addresses)
{
    cr_expect_eq(GUEST_KERNEL_BASE >> 22, 768u);
    cr_expect_eq(HV_M2P_SLOT, 1007u);
    cr_expect_eq(HV_FIRST_SLOT, 1008u);
    cr_expect_eq(HV_NR_SLOTS, 16u);
    cr_expect_eq(GUEST_NR_SLOTS, 1007u, "the guest writes slots 0..1006");
    /* The M2P slot is the one just below the hole: no gap, no overlap. */
    cr_expect_eq(HV_M2P_VIRT_START + (1u << 22), HYPERVISOR_VIRT_START);
    cr_expect_eq(HYPERVISOR_VIRT_START + (HV_NR_SLOTS << 22) - 1, HYPERVISOR_VIRT_END);
    /* The frame address and the flag bits of an entry do not overlap. */
    uint32_t flags = PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS | PTE_G;
    cr_expect_eq(flags & PTE_ADDR, 0u);
    cr_expect_eq(PTE_ADDR, ~((uint32_t)HV_PAGE_SIZE - 1));
}
