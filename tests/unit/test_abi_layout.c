/*
 * tests/unit/test_abi_layout.c — every public structure has the byte layout
 * tests/unit/abi_layout.def writes down, on the host and in the 32-bit build.
 *
 * Where this sits in the story: hv/include/public/ is the machine's manual
 * (hvkit.h says so), and a manual is only worth something if every reader
 * sees the same page.  The 32-bit hypervisor and guest and the 64-bit host
 * tools all compile these headers, with compilers that align a uint64_t
 * differently (4 bytes on i386, 8 on x86_64).  Here each offset and size is
 * compared with the list; the same list is compiled by the 32-bit compiler
 * as static asserts (the ABI_LAYOUT_STATIC half at the end, built by
 * mk/abi.mk), so both compilers agree with the list and hence with each
 * other.  Three checks:
 *   - every field is where the list says, and as big;
 *   - the top-level fields of each structure tile it from byte 0 to its
 *     end: no hole or tail padding the compiler put in on its own (on the
 *     other compiler it might not);
 *   - every structure a public header defines is in the list (read from
 *     the headers themselves, so a new one cannot be forgotten).
 */
#include <stddef.h>
#include <stdint.h>
#include "public/hvkit.h"
#include "public/blkif.h"
#include "public/consif.h"
#include "public/device.h"
#include "public/domctl.h"
#include "public/event_channel.h"
#include "public/grant_table.h"
#include "public/io_ring.h"
#include "public/memory.h"
#include "public/mmu.h"
#include "public/netif.h"
#include "public/multicall.h"
#include "public/sched.h"
#include "public/shared_info.h"
#include "public/start_info.h"
#include "public/trace.h"
#include "public/trap.h"
#include "public/version.h"

#ifdef ABI_LAYOUT_STATIC
/* ---- the 32-bit half: each line of the list, a compile-time check ------- */
#define ABI_STRUCT(s, size) \
    _Static_assert(sizeof(struct s) == (size), "struct " #s ": not " #size " bytes");
#define ABI_FIELD(s, f, off, size) \
    _Static_assert(offsetof(struct s, f) == (off) && sizeof(((struct s *)0)->f) == (size), \
                   "struct " #s ": " #f " is not " #size " bytes at " #off);
#define ABI_MEMBER(s, f, off, size) ABI_FIELD(s, f, off, size)
#define ABI_FLEX(s, f, off) \
    _Static_assert(offsetof(struct s, f) == (off), "struct " #s ": " #f " not at " #off);
#include "abi_layout.def"

#else
/* ---- the host half: the list as a table, checked at run time ------------ */
#include <criterion/criterion.h>
#include <glob.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

enum kind { STRUCT, FIELD, MEMBER, FLEX };

struct layout {
    enum kind kind;
    const char *s, *f;          /* structure, field ("" for the structure) */
    size_t off, size;           /* what the compiler made of it */
    size_t want_off, want_size; /* what the list says */
};

#define ABI_STRUCT(s, size) { STRUCT, #s, "", 0, sizeof(struct s), 0, size },
#define ABI_FIELD(s, f, off, size) \
    { FIELD, #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f), off, size },
#define ABI_MEMBER(s, f, off, size) \
    { MEMBER, #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f), off, size },
#define ABI_FLEX(s, f, off) { FLEX, #s, #f, offsetof(struct s, f), 0, off, 0 },
static const struct layout layout[] = {
#include "abi_layout.def"
};
#define NR_LAYOUT (sizeof layout / sizeof layout[0])

Test(abi_layout, every_field_at_its_offset_with_its_size)
{
    for (size_t i = 0; i < NR_LAYOUT; i++) {
        const struct layout *l = &layout[i];
        if (l->kind == STRUCT) {
            cr_expect_eq(l->size, l->want_size, "struct %s: %zu bytes, the ABI says %zu",
                         l->s, l->size, l->want_size);
            continue;
        }
        cr_expect_eq(l->off, l->want_off, "struct %s: %s at %zu, the ABI says %zu",
                     l->s, l->f, l->off, l->want_off);
        if (l->kind != FLEX)
            cr_expect_eq(l->size, l->want_size, "struct %s: %s is %zu bytes, the ABI says %zu",
                         l->s, l->f, l->size, l->want_size);
    }
}

/* Walk each structure's top-level fields in list order: each must start
 * where the one before ended, and the last end where the structure does.
 * A gap is padding the compiler chose, which the other compiler may not. */
Test(abi_layout, fields_tile_each_structure_without_holes)
{
    int structs = 0;
    for (size_t i = 0; i < NR_LAYOUT; i++) {
        if (layout[i].kind != STRUCT)
            continue;
        const struct layout *st = &layout[i];
        size_t end = 0;
        int fields = 0;
        size_t j;
        for (j = i + 1; j < NR_LAYOUT && layout[j].kind != STRUCT; j++) {
            const struct layout *l = &layout[j];
            cr_assert_str_eq(l->s, st->s, "abi_layout.def: %s.%s listed under struct %s",
                             l->s, l->f, st->s);
            if (l->kind == MEMBER)
                continue;
            cr_expect_eq(l->off, end, "struct %s: a hole of %zu bytes before %s",
                         st->s, l->off - end, l->f);
            end = l->off + l->size;
            fields++;
        }
        cr_expect_gt(fields, 0, "struct %s: no field listed", st->s);
        cr_expect_eq(end, st->size, "struct %s: %zu bytes of tail padding (or a field missing)",
                     st->s, st->size - end);
        structs++;
    }
    cr_assert_geq(structs, 20, "only %d structures in the list", structs);
}

static int listed(const char *name)
{
    for (size_t i = 0; i < NR_LAYOUT; i++)
        if (layout[i].kind == STRUCT && strcmp(layout[i].s, name) == 0)
            return 1;
    return 0;
}

/* Every "struct NAME {" at the start of a line of a public header (the
 * definitions; nested anonymous ones are indented, and are checked as
 * members of their structure). */
Test(abi_layout, every_public_structure_is_listed)
{
    glob_t g;
    cr_assert_eq(glob("hv/include/public/*.h", 0, NULL, &g), 0,
                 "no public headers: run the tests from the repository root");
    regex_t re;
    cr_assert_eq(regcomp(&re, "^struct ([a-z_0-9]+) \\{", REG_EXTENDED), 0);
    int found = 0;
    for (size_t h = 0; h < g.gl_pathc; h++) {
        char line[512];
        FILE *f = fopen(g.gl_pathv[h], "r");
        cr_assert_not_null(f, "%s", g.gl_pathv[h]);
        while (fgets(line, sizeof line, f)) {
            regmatch_t m[2];
            if (regexec(&re, line, 2, m, 0) != 0)
                continue;
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
            cr_expect(listed(name), "%s defines struct %s: add its layout to tests/unit/abi_layout.def",
                      g.gl_pathv[h], name);
            found++;
        }
        fclose(f);
    }
    regfree(&re);
    globfree(&g);
    cr_assert_geq(found, 20, "only %d structures found: did the headers change form?", found);
}
#endif
