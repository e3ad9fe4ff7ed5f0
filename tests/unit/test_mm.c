/*
 * tests/unit/test_mm.c — the rules of direct paging (lab 2,
 * labs/lab2/page_type.c) and the operations on top of them
 * (hv/mm/pt_update.c), on the host: a table of allowed and refused updates
 * covering every rule, the type-count transitions (pin, unpin, map, unmap,
 * re-type, devalidation), and M2P/P2M consistency.
 *
 * The machine here is a few frames with fake contents (mm_machine.h:
 * domain 1 owns frames 100..163, domain 2 owns 200..209, frame 300 is the
 * hypervisor's, 400 is free); pt_frame() gives the test's own pages for
 * them.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "mm/page_type.h"
#include "mm/pt_steps.h"
#include "mm_machine.h"

static uint32_t pages[2][64][1024];

uint32_t *pt_frame(uint32_t mfn)
{
    if (mfn >= 100 && mfn < 164)
        return pages[0][mfn - 100];
    if (mfn >= 200 && mfn < 264)
        return pages[1][mfn - 200];
    cr_assert_fail("the core touched frame %u, which is no table of the test", mfn);
    return 0;
}

uint32_t pt_hv_slot_entry(uint32_t slot)
{
    return 0x00C00000u + slot;           /* recognisable, never validated */
}

/* The rule the setup's pin returned: checked by the first test, not in
 * the setup itself (an assertion there reads as a crash in Criterion). */
static int setup_rule;

static void setup(void)
{
    mm_machine_reset();
    memset(pages, 0, sizeof pages);
    pages[0][B - 100][0] = pte(A, PTE_P | PTE_RW | PTE_US);
    setup_rule = pt_pin(D1, B, PGT_L2);
    pt_flush_needed = 0;
}

TestSuite(mm, .init = setup);

Test(mm, pin_validates_the_directory_and_its_l1)
{
    cr_assert_eq(setup_rule, MMRULE_OK, "pinning a good directory was refused (rule %d)", setup_rule);
    cr_assert_eq(frame_table[B].type, PGT_L2);
    cr_assert_eq(frame_table[B].type_count, 1);
    cr_assert_eq(frame_table[B].count, 1);
    cr_assert(frame_table[B].pinned);
    cr_assert_eq(frame_table[A].type, PGT_L1);
    cr_assert_eq(frame_table[A].type_count, 1);
    cr_assert_eq(frame_table[A].count, 1);
    /* The hypervisor's slots were filled in by it. */
    cr_assert_eq(pages[0][B - 100][1008], 0x00C00000u + 1008);
    cr_assert_eq(pages[0][B - 100][HV_M2P_SLOT], 0x00C00000u + HV_M2P_SLOT);
}

/* ---- the table: one update each, on a fresh setup ------------------------ */
struct upd {
    const char *what;
    domid_t d;
    uint32_t ptr, val;
    int rule;
};

static const struct upd table[] = {
    { "map own frame writable",              D1, l1ptr(A, 5), pte(110, PTE_P | PTE_RW), MMRULE_OK },
    { "map own frame read-only",             D1, l1ptr(A, 5), pte(110, PTE_P), MMRULE_OK },
    { "map own frame global",                D1, l1ptr(A, 5), pte(110, PTE_P | PTE_G), MMRULE_GLOBAL_PAGE },
    { "not present: a global bit is no bit", D1, l1ptr(A, 5), pte(110, PTE_G), MMRULE_OK },
    { "not present: anything goes",          D1, l1ptr(A, 5), pte(HVF, PTE_RW), MMRULE_OK },
    { "map a hypervisor frame",              D1, l1ptr(A, 5), pte(HVF, PTE_P), MMRULE_HV_FRAME },
    { "map another domain's frame",          D1, l1ptr(A, 5), pte(200, PTE_P), MMRULE_NOT_OWNER },
    { "map a free frame",                    D1, l1ptr(A, 5), pte(FREEF, PTE_P), MMRULE_BAD_FRAME },
    { "map a frame beyond RAM",              D1, l1ptr(A, 5), pte(MAX_FRAMES + 1, PTE_P), MMRULE_BAD_FRAME },
    { "map its own L1 writable",             D1, l1ptr(A, 5), pte(A, PTE_P | PTE_RW), MMRULE_PT_WRITABLE },
    { "map its own L2 writable",             D1, l1ptr(A, 5), pte(B, PTE_P | PTE_RW), MMRULE_PT_WRITABLE },
    { "map its own L1 read-only",            D1, l1ptr(A, 5), pte(A, PTE_P), MMRULE_OK },
    { "directory entry to a fresh L1",       D1, l1ptr(B, 1), pte(102, PTE_P | PTE_RW | PTE_US), MMRULE_OK },
    { "directory entry to the directory",    D1, l1ptr(B, 1), pte(B, PTE_P | PTE_RW), MMRULE_L2_NEEDS_L1 },
    { "directory entry with a 4 MiB page",   D1, l1ptr(B, 1), pte(102, PTE_P | PTE_PS), MMRULE_LARGE_PAGE },
    { "directory entry to another domain",   D1, l1ptr(B, 1), pte(200, PTE_P), MMRULE_NOT_OWNER },
    { "hypervisor slot 1008",                D1, l1ptr(B, 1008), 0, MMRULE_HV_SLOT },
    { "hypervisor slot 1023",                D1, l1ptr(B, 1023), pte(102, PTE_P), MMRULE_HV_SLOT },
    { "the M2P slot 1007",                   D1, l1ptr(B, 1007), 0, MMRULE_HV_SLOT },
    { "update a frame that is no table",     D1, l1ptr(110, 0), pte(111, PTE_P), MMRULE_NOT_A_PAGE_TABLE },
    { "update another domain's frame",       D1, l1ptr(200, 0), 0, MMRULE_NOT_OWNER },
    { "update a hypervisor frame",           D1, l1ptr(HVF, 0), 0, MMRULE_HV_FRAME },
    { "domain 2 updates domain 1's table",   D2, l1ptr(A, 5), pte(200, PTE_P), MMRULE_NOT_OWNER },
};

Test(mm, table_of_updates)
{
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++) {
        setup();
        const struct upd *u = &table[i];
        struct pt_result res;
        int ours = u->ptr >> 12 >= 100 && u->ptr >> 12 < 264;
        uint32_t before = ours ? pt_frame(u->ptr >> 12)[(u->ptr & 0xFFF) >> 2] : 0;
        int r = pt_update(u->d, u->ptr, u->val, &res);
        cr_expect_eq(r, u->rule, "%s: rule %d, want %d", u->what, r, u->rule);
        if (ours) {
            uint32_t now = pt_frame(u->ptr >> 12)[(u->ptr & 0xFFF) >> 2];
            if (r == MMRULE_OK)
                cr_expect_eq(now, u->val, "%s: entry not written", u->what);
            else
                cr_expect_eq(now, before, "%s: a refused update changed the entry", u->what);
        }
    }
}

Test(mm, refused_update_takes_no_reference)
{
    struct pt_result res;
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(A, PTE_P | PTE_RW), &res), MMRULE_PT_WRITABLE);
    cr_assert_eq(frame_table[A].count, 1);
    cr_assert_eq(frame_table[A].type, PGT_L1);
    cr_assert_eq(frame_table[A].type_count, 1);
}

/* ---- type-count transitions ------------------------------------------------ */
Test(mm, map_and_unmap_writable)
{
    struct pt_result res;
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(110, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(res.level, 1);
    cr_assert_eq(frame_table[110].type, PGT_WRITABLE);
    cr_assert_eq(frame_table[110].type_count, 1);
    cr_assert_eq(frame_table[110].count, 1);
    /* A second writable mapping: two type references. */
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), pte(110, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(frame_table[110].type_count, 2);
    /* Downgrade one to read-only: one type reference left, two mappings. */
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), pte(110, PTE_P), &res), MMRULE_OK);
    cr_assert_eq(res.old, pte(110, PTE_P | PTE_RW));
    cr_assert_eq(frame_table[110].type_count, 1);
    cr_assert_eq(frame_table[110].count, 2);
    /* Unmap both. */
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), 0, &res), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), 0, &res), MMRULE_OK);
    cr_assert_eq(frame_table[110].type_count, 0);
    cr_assert_eq(frame_table[110].type, PGT_NONE);
    cr_assert_eq(frame_table[110].count, 0);
}

Test(mm, accessed_dirty_bits_need_no_new_references)
{
    struct pt_result res;
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(110, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(110, PTE_P | PTE_RW | PTE_A | PTE_D), &res), MMRULE_OK);
    cr_assert_eq(frame_table[110].count, 1);
    cr_assert_eq(frame_table[110].type_count, 1);
}

Test(mm, adding_only_the_global_bit_is_checked)
{
    struct pt_result res;
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(110, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(110, PTE_P | PTE_RW | PTE_G), &res),
                 MMRULE_GLOBAL_PAGE, "G is not a harmless bit: it must be checked");
    cr_assert_eq(pages[0][A - 100][5], pte(110, PTE_P | PTE_RW), "the refused entry stays");
    cr_assert_eq(frame_table[110].count, 1);
    cr_assert_eq(frame_table[110].type_count, 1);
}

Test(mm, validation_refuses_a_global_entry)
{
    pages[0][103 - 100][7] = pte(110, PTE_P | PTE_G);
    cr_assert_eq(pt_pin(D1, 103, PGT_L1), MMRULE_GLOBAL_PAGE);
    cr_assert_eq(frame_table[103].type_count, 0);
    cr_assert_eq(frame_table[110].count, 0, "nothing taken for the refused table");
}

/* Frame 150 of domain 1 made a hypervisor-written frame (shared info). */
#define SH 150u

Test(mm, a_shared_frame_is_mapped_but_never_a_table)
{
    struct pt_result res;
    frame_make_shared(SH);
    cr_assert_eq(frame_table[SH].use, FRAME_SHARED);
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(SH, PTE_P | PTE_RW), &res), MMRULE_OK,
                 "its domain maps it writable");
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), pte(SH, PTE_P), &res), MMRULE_OK);
    cr_assert_eq(frame_table[SH].count, 3, "the hypervisor's reference and two mappings");
    /* Unmapped again, it keeps the hypervisor's references: never free of
     * its writable type, never a table. */
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), 0, &res), MMRULE_OK);
    cr_assert_eq(pt_update(D1, l1ptr(A, 6), 0, &res), MMRULE_OK);
    cr_assert_eq(frame_table[SH].count, 1);
    cr_assert_eq(frame_table[SH].type_count, 1);
    cr_assert_eq(frame_table[SH].type, PGT_WRITABLE);
    cr_assert_eq(pt_pin(D1, SH, PGT_L1), MMRULE_HV_SHARED);
    cr_assert_eq(pt_pin(D1, SH, PGT_L2), MMRULE_HV_SHARED);
    cr_assert_eq(pt_pin(D2, SH, PGT_L1), MMRULE_NOT_OWNER);
    cr_assert_eq(pt_update(D1, l1ptr(B, 2), pte(SH, PTE_P | PTE_RW), &res), MMRULE_L2_NEEDS_L1,
                 "a directory entry cannot make it an L1 either");
    cr_assert_eq(pt_update(D1, l1ptr(SH, 0), 0, &res), MMRULE_HV_SHARED);
    cr_assert_eq(frame_table[SH].type, PGT_WRITABLE);
}

Test(mm, a_shared_frame_is_never_renumbered_or_given_back)
{
    static uint32_t p2m[64];
    for (uint32_t i = 0; i < 64; i++) {
        p2m[i] = 100 + i;
        m2p[100 + i] = i;
    }
    frame_make_shared(SH);
    cr_assert_eq(m2p_update(D1, SH, 3, p2m, 64), MMRULE_HV_SHARED);
    cr_assert_eq(p2m[3], 103u, "the P2M is untouched");
    /* (nor given back: suite reservation, test_reservation.c) */
    cr_assert_eq(mmrule_errno(MMRULE_HV_SHARED), -HV_EPERM);
}

Test(mm, retype_only_at_type_count_zero)
{
    struct pt_result res;
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(104, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(pt_pin(D1, 104, PGT_L1), MMRULE_TYPE_CONFLICT);
    cr_assert_eq(frame_table[104].count, 1, "the failed pin must give its reference back");
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(104, PTE_P), &res), MMRULE_OK);
    cr_assert_eq(pt_pin(D1, 104, PGT_L1), MMRULE_OK);
    cr_assert_eq(frame_table[104].type, PGT_L1);
    cr_assert(pt_flush_needed, "a frame that became a table needs a TLB flush");
    /* And back: unpin, then it may be mapped writable again. */
    cr_assert_eq(pt_unpin(D1, 104), MMRULE_OK);
    cr_assert_eq(frame_table[104].type_count, 0);
    cr_assert_eq(pt_update(D1, l1ptr(A, 5), pte(104, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(frame_table[104].type, PGT_WRITABLE);
}

Test(mm, pin_unpin)
{
    cr_assert_eq(pt_pin(D1, 103, PGT_L1), MMRULE_OK);
    cr_assert_eq(frame_table[103].count, 1);
    cr_assert_eq(frame_table[103].type_count, 1);
    cr_assert_eq(pt_pin(D1, 103, PGT_L1), MMRULE_ALREADY_PINNED);
    cr_assert_eq(pt_unpin(D1, 103), MMRULE_OK);
    cr_assert_eq(frame_table[103].count, 0);
    cr_assert_eq(frame_table[103].type, PGT_NONE);
    cr_assert_eq(pt_unpin(D1, 103), MMRULE_NOT_PINNED);
    cr_assert_eq(pt_pin(D1, 200, PGT_L1), MMRULE_NOT_OWNER);
    cr_assert_eq(pt_pin(D1, HVF, PGT_L2), MMRULE_HV_FRAME);
    cr_assert_eq(pt_unpin(D2, B), MMRULE_NOT_OWNER);
}

Test(mm, unpin_in_use_is_refused)
{
    /* A is pinned and also used by B's entry 0. */
    cr_assert_eq(pt_pin(D1, A, PGT_L1), MMRULE_OK);
    cr_assert_eq(frame_table[A].type_count, 2);
    cr_assert_eq(pt_unpin(D1, A), MMRULE_IN_USE);
    cr_assert(frame_table[A].pinned);
    /* B as the base pointer: in use too. */
    uint32_t base = 0;
    cr_assert_eq(pt_new_base(D1, B, &base), MMRULE_OK);
    cr_assert_eq(base, B);
    cr_assert_eq(pt_unpin(D1, B), MMRULE_IN_USE);
    cr_assert_eq(frame_table[B].type_count, 2);
}

Test(mm, new_base_validates_an_unpinned_directory)
{
    uint32_t base = 0;
    cr_assert_eq(pt_new_base(D1, B, &base), MMRULE_OK);
    pages[0][105 - 100][3] = pte(106, PTE_P | PTE_RW);      /* 106: empty page */
    cr_assert_eq(pt_new_base(D1, 105, &base), MMRULE_OK);
    cr_assert_eq(base, 105);
    cr_assert_eq(frame_table[105].type, PGT_L2);
    cr_assert_eq(frame_table[106].type, PGT_L1);
    cr_assert_eq(frame_table[B].type_count, 1, "the old base keeps only its pin");
    cr_assert_eq(pt_new_base(D1, 110, &base), MMRULE_OK, "an empty page is an empty directory");
    cr_assert_eq(frame_table[105].type_count, 0, "the unpinned old base is devalidated");
    cr_assert_eq(frame_table[106].type_count, 0, "and so is its L1");
    cr_assert_eq(pt_new_base(D1, 200, &base), MMRULE_NOT_OWNER);
    cr_assert_eq(base, 110);
}

Test(mm, devalidation_gives_references_back)
{
    struct pt_result res;
    pages[0][102 - 100][7] = pte(110, PTE_P | PTE_RW);
    pages[0][102 - 100][8] = pte(111, PTE_P);
    cr_assert_eq(pt_update(D1, l1ptr(B, 1), pte(102, PTE_P | PTE_RW), &res), MMRULE_OK);
    cr_assert_eq(res.level, 2);
    cr_assert_eq(frame_table[102].type, PGT_L1);
    cr_assert_eq(frame_table[110].type, PGT_WRITABLE);
    cr_assert_eq(frame_table[111].count, 1);
    /* The directory entry goes: the L1 loses its last user. */
    cr_assert_eq(pt_update(D1, l1ptr(B, 1), 0, &res), MMRULE_OK);
    cr_assert_eq(frame_table[102].type_count, 0);
    cr_assert_eq(frame_table[102].count, 0);
    cr_assert_eq(frame_table[110].type_count, 0);
    cr_assert_eq(frame_table[110].count, 0);
    cr_assert_eq(frame_table[111].count, 0);
}

Test(mm, failed_validation_rolls_back)
{
    struct pt_result res;
    pages[0][102 - 100][0] = pte(110, PTE_P | PTE_RW);
    pages[0][102 - 100][1] = pte(HVF, PTE_P);             /* the bad one */
    cr_assert_eq(pt_update(D1, l1ptr(B, 1), pte(102, PTE_P), &res), MMRULE_HV_FRAME);
    cr_assert_eq(frame_table[102].type_count, 0);
    cr_assert_eq(frame_table[102].count, 0);
    cr_assert_eq(frame_table[110].type_count, 0, "entry 0's reference was given back");
    cr_assert_eq(frame_table[110].count, 0);
    cr_assert_eq(pages[0][B - 100][1], 0u);
}

Test(mm, table_mapping_itself_writable_is_refused)
{
    /* An L1 whose own entry maps it writable can never validate. */
    pages[0][103 - 100][0] = pte(103, PTE_P | PTE_RW);
    cr_assert_eq(pt_pin(D1, 103, PGT_L1), MMRULE_PT_WRITABLE);
    cr_assert_eq(frame_table[103].count, 0);
    cr_assert_eq(frame_table[103].type_count, 0);
}

/* ---- M2P / P2M ---------------------------------------------------------- */

Test(mm, m2p_swap_keeps_p2m_consistent)
{
    uint32_t p2m[4] = { 120, 121, 122, 123 };
    for (uint32_t i = 0; i < 4; i++)
        m2p[p2m[i]] = i;
    check_inverse(p2m, 4);
    /* Swap pfns 1 and 2 between their frames, in two updates. */
    cr_assert_eq(m2p_update(D1, 121, 2, p2m, 4), MMRULE_OK);
    cr_assert_eq(m2p_update(D1, 122, 1, p2m, 4), MMRULE_OK);
    cr_assert_eq(p2m[1], 122);
    cr_assert_eq(p2m[2], 121);
    check_inverse(p2m, 4);
    cr_assert_eq(m2p_update(D1, 121, 4, p2m, 4), MMRULE_BAD_PFN);
    cr_assert_eq(m2p_update(D1, 200, 0, p2m, 4), MMRULE_NOT_OWNER);
    cr_assert_eq(m2p_update(D1, HVF, 0, p2m, 4), MMRULE_HV_FRAME);
    check_inverse(p2m, 4);
}

Test(mm, errno_of_each_rule)
{
    cr_assert_eq(mmrule_errno(MMRULE_OK), 0);
    cr_assert_eq(mmrule_errno(MMRULE_NOT_OWNER), -HV_EPERM);
    cr_assert_eq(mmrule_errno(MMRULE_HV_FRAME), -HV_EPERM);
    cr_assert_eq(mmrule_errno(MMRULE_HV_SLOT), -HV_EPERM);
    cr_assert_eq(mmrule_errno(MMRULE_PT_WRITABLE), -HV_EINVAL);
    cr_assert_eq(mmrule_errno(MMRULE_L2_NEEDS_L1), -HV_EINVAL);
    cr_assert_eq(mmrule_errno(MMRULE_LARGE_PAGE), -HV_EINVAL);
    cr_assert_eq(mmrule_errno(MMRULE_IN_USE), -HV_EBUSY);
    cr_assert_eq(mmrule_errno(MMRULE_ALREADY_PINNED), -HV_EBUSY);
    cr_assert_eq(mmrule_errno(MMRULE_BAD_POINTER), -HV_EFAULT);
    cr_assert_eq(mmrule_errno(MMRULE_BAD_OP), -HV_ENOSYS);
}

Test(mm, next_present_skips_absent_entries)
{
    uint32_t t[1024] = { 0 };
    cr_assert_eq(pt_next_present(t, 0, 1024), 1024);
    t[5] = 0x1000;                      /* not present: still skipped */
    t[6] = 0x2001;
    t[1023] = 1;
    cr_assert_eq(pt_next_present(t, 0, 1024), 6);
    cr_assert_eq(pt_next_present(t, 6, 1024), 6);
    cr_assert_eq(pt_next_present(t, 7, 1024), 1023);
    cr_assert_eq(pt_next_present(t, 7, 1007), 1007, "never past n");
    cr_assert_eq(pt_next_present(t, 1023, 1024), 1023);
}

Test(mm, next_present_at_every_distance)
{
    /* One present entry at each position in turn, searched for from every
     * start below it: the 32-, 4- and 1-entry steps must agree. */
    static uint32_t t[1024];
    for (uint32_t p = 0; p < 1024; p += 7) {
        memset(t, 0, sizeof t);
        t[p] = 0x5001;
        for (uint32_t i = 0; i <= p; i += 5)
            cr_assert_eq(pt_next_present(t, i, 1024), p, "from %u to %u", i, p);
        cr_assert_eq(pt_next_present(t, p + 1, 1024), 1024);
        cr_assert_eq(pt_next_present(t, 0, p), p, "n=%u stops the search", p);
    }
}

/* ---- the used map (hv/mm/page_type.h, "THE USED MAP") ------------------------ */
Test(mm, validation_marks_the_used_map)
{
    pages[0][102 - 100][3] = pte(110, PTE_P);
    pages[0][102 - 100][700] = pte(111, PTE_P | PTE_RW);
    pages[0][102 - 100][701] = pte(111, 0);              /* absent: not marked */
    pages[0][102 - 100][900] = 0x7000;                   /* absent too */
    cr_assert_eq(pt_pin(D1, 102, PGT_L1), MMRULE_OK);
    cr_assert_eq(frame_table[102].used, PT_USED_BIT(3) | PT_USED_BIT(700));
    cr_assert_eq(pt_next_used(102, 0, 1024), 3);
    cr_assert_eq(pt_next_used(102, 4, 1024), 700);
    cr_assert_eq(pt_next_used(102, 701, 1024), 1024);
    cr_assert_eq(pt_next_used(102, 4, 700), 700, "never past n");
    /* The directory's map: entry 0 (-> A), nothing else of the guest's. */
    cr_assert_eq(frame_table[B].used, PT_USED_BIT(0));
}

Test(mm, updates_mark_the_used_map_so_devalidation_finds_them)
{
    /* Entries written after validation, in groups validation never saw:
     * unpinning must still give every reference back. */
    static const uint32_t at[] = { 31, 32, 500, 992, 1023 };
    struct pt_result res;
    cr_assert_eq(pt_pin(D1, 102, PGT_L1), MMRULE_OK);
    cr_assert_eq(frame_table[102].used, 0u, "an empty table marks nothing");
    for (unsigned k = 0; k < 5; k++)
        cr_assert_eq(pt_update(D1, l1ptr(102, at[k]), pte(110 + k, PTE_P | PTE_RW), &res),
                     MMRULE_OK);
    for (unsigned k = 0; k < 5; k++)
        cr_assert(frame_table[102].used & PT_USED_BIT(at[k]));
    /* An absent value marks nothing new. */
    uint32_t before = frame_table[102].used;
    cr_assert_eq(pt_update(D1, l1ptr(102, 200), pte(120, 0), &res), MMRULE_OK);
    cr_assert_eq(frame_table[102].used, before);
    cr_assert_eq(pt_unpin(D1, 102), MMRULE_OK);
    for (unsigned k = 0; k < 5; k++) {
        cr_assert_eq(frame_table[110 + k].count, 0, "entry %u kept its reference", at[k]);
        cr_assert_eq(frame_table[110 + k].type_count, 0);
    }
}

Test(mm, update_l1e_checks_the_new_value)
{
    /* pt_update_l1e skips the checks of the TABLE (the caller proved it is
     * an L1 of d), never those of the value. */
    uint32_t old = 99;
    cr_assert_eq(pt_update_l1e(D1, A, 5, pte(110, PTE_P | PTE_RW), &old), MMRULE_OK);
    cr_assert_eq(old, 0u);
    cr_assert_eq(frame_table[110].type, PGT_WRITABLE);
    cr_assert(frame_table[A].used & PT_USED_BIT(5));
    cr_assert_eq(pt_update_l1e(D1, A, 6, pte(HVF, PTE_P), &old), MMRULE_HV_FRAME);
    cr_assert_eq(pt_update_l1e(D1, A, 6, pte(200, PTE_P), &old), MMRULE_NOT_OWNER);
    cr_assert_eq(pt_update_l1e(D1, A, 6, pte(B, PTE_P | PTE_RW), &old), MMRULE_PT_WRITABLE);
    cr_assert_eq(pages[0][A - 100][6], 0u, "refused values are not written");
    cr_assert_eq(pt_update_l1e(D1, A, 5, 0, &old), MMRULE_OK);
    cr_assert_eq(old, pte(110, PTE_P | PTE_RW));
    cr_assert_eq(frame_table[110].count, 0);
}

/* ---- directories in steps (hv/mm/pt_steps.c) ------------------------------
 * Directory 120 names eight tables 121..128; each has all 1024 entries
 * mapping frame 140 read-only.  stop() says "stop" at every chance, the
 * most a hypercall can be cut up: the operation must still end where it
 * would have in one go. */
#define DIR 120u
#define DATA 140u
static int stops;
static int always_stop(void) { stops++; return 1; }
static int never_stop(void) { return 0; }
static struct pt_steps steps;
static uint32_t held_pages[2][GUEST_NR_SLOTS];

static void big_directory(void)
{
    memset(&steps, 0, sizeof steps);
    memset(held_pages, 0, sizeof held_pages);
    steps.held[0] = held_pages[0];
    steps.held[1] = held_pages[1];
    stops = 0;
    for (uint32_t t = 0; t < 8; t++) {
        for (int i = 0; i < 1024; i++)
            pages[0][121 + t - 100][i] = pte(DATA, PTE_P);
        pages[0][DIR - 100][t] = pte(121 + t, PTE_P | PTE_RW | PTE_US);
    }
}

/* Call until it is done; how many calls it took. */
static int run_steps(uint32_t op, uint32_t mfn, uint32_t *base, int *rule)
{
    int calls = 0, resume = 0;
    do {
        *rule = pt_dir_op(D1, &steps, op, mfn, base, pt_dir_op_plan(D1, &steps, op, mfn, *base),
                          resume, always_stop);
        calls++;
        resume = 1;
    } while (*rule == PT_STEPPED && calls < 10000);
    return calls;
}

Test(mm, pin_and_unpin_a_directory_in_steps)
{
    big_directory();
    uint32_t base = 0;
    int rule;
    int calls = run_steps(PT_OP_PIN_L2, DIR, &base, &rule);
    cr_assert_eq(rule, MMRULE_OK);
    cr_assert_geq(calls, 9, "eight tables to validate, one step each: %d calls", calls);
    cr_assert(frame_table[DIR].pinned);
    cr_assert_eq(frame_table[DIR].type, PGT_L2);
    for (uint32_t t = 121; t <= 128; t++)
        cr_assert_eq(frame_table[t].type_count, 1, "table %u: only the directory's reference left", t);
    cr_assert_eq(frame_table[DATA].count, 8 * 1024);
    cr_assert_eq(steps.op, 0, "nothing left in progress");

    calls = run_steps(PT_OP_UNPIN, DIR, &base, &rule);
    cr_assert_eq(rule, MMRULE_OK);
    cr_assert_geq(calls, 9, "eight tables to devalidate, one step each: %d calls", calls);
    cr_assert_eq(frame_table[DIR].type_count, 0);
    for (uint32_t t = 121; t <= 128; t++)
        cr_assert_eq(frame_table[t].type_count, 0);
    cr_assert_eq(frame_table[DATA].count, 0, "every reference given back");
}

Test(mm, a_directory_op_not_continued_gives_its_references_back)
{
    big_directory();
    uint32_t base = 0;
    int rule = pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 1, 0, always_stop);
    rule = pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 1, 1, always_stop);
    cr_assert_eq(rule, PT_STEPPED);
    cr_assert_eq(frame_table[121].type, PGT_L1, "the first tables are held");
    /* The guest does something else instead of continuing. */
    do
        rule = pt_dir_op(D1, &steps, PT_OP_UNPIN, 103, &base, 1, 0, always_stop);
    while (rule == PT_STEPPED);
    cr_assert_eq(rule, MMRULE_NOT_PINNED);
    for (uint32_t t = 121; t <= 128; t++)
        cr_assert_eq(frame_table[t].type_count, 0, "table %u still held", t);
    cr_assert_eq(frame_table[DATA].count, 0);
    cr_assert_eq(frame_table[DIR].type_count, 0, "and the directory was never pinned");
}

Test(mm, a_directory_changed_between_steps_is_covered_again)
{
    big_directory();
    for (int i = 0; i < 1024; i++)
        pages[0][129 - 100][i] = pte(DATA, PTE_P);
    uint32_t base = 0;
    int rule = pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 1, 0, always_stop);
    for (int k = 0; k < 7; k++)
        rule = pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 1, 1, always_stop);
    cr_assert_eq(rule, PT_STEPPED);
    /* Between two pieces the guest points entry 2 at another table (it may:
     * the directory is no table yet, it can map it writable meanwhile). */
    pages[0][DIR - 100][2] = pte(129, PTE_P | PTE_RW | PTE_US);
    do
        rule = pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 1, 1, always_stop);
    while (rule == PT_STEPPED);
    cr_assert_eq(rule, MMRULE_OK);
    cr_assert_eq(frame_table[123].type_count, 0, "the table no longer named is let go");
    cr_assert_eq(frame_table[129].type_count, 1);
    cr_assert_eq(frame_table[DATA].count, 8 * 1024);
}

Test(mm, a_directory_that_fails_validation_in_steps_leaves_nothing)
{
    big_directory();
    pages[0][DIR - 100][5] = pte(200, PTE_P | PTE_RW);    /* domain 2's frame */
    uint32_t base = 0;
    int rule;
    run_steps(PT_OP_PIN_L2, DIR, &base, &rule);
    cr_assert_eq(rule, MMRULE_NOT_OWNER);
    for (uint32_t t = 121; t <= 128; t++)
        cr_assert_eq(frame_table[t].type_count, 0, "table %u", t);
    cr_assert_eq(frame_table[DATA].count, 0);
    cr_assert_eq(frame_table[DIR].type_count, 0);
}

Test(mm, new_base_pointer_in_steps)
{
    big_directory();
    uint32_t base = 0;
    int rule;
    run_steps(PT_OP_NEW_BASE, DIR, &base, &rule);
    cr_assert_eq(rule, MMRULE_OK);
    cr_assert_eq(base, DIR);
    cr_assert(steps.base_changed, "the caller must load CR3");
    steps.base_changed = 0;
    cr_assert_eq(frame_table[DIR].type_count, 1, "the base pointer's reference");
    /* Back to the pinned directory B: DIR loses its last reference, and
     * its tables go one step at a time. */
    int calls = run_steps(PT_OP_NEW_BASE, B, &base, &rule);
    cr_assert_eq(rule, MMRULE_OK);
    cr_assert_eq(base, B);
    cr_assert_geq(calls, 9, "%d calls", calls);
    cr_assert_eq(frame_table[DIR].type_count, 0);
    for (uint32_t t = 121; t <= 128; t++)
        cr_assert_eq(frame_table[t].type_count, 0);
    cr_assert_eq(frame_table[DATA].count, 0);
}

Test(mm, a_directory_op_without_stops_is_one_call)
{
    big_directory();
    uint32_t base = 0;
    cr_assert_eq(pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 1, 0, never_stop), MMRULE_OK);
    cr_assert_eq(pt_dir_op(D1, &steps, PT_OP_UNPIN, DIR, &base, 1, 0, never_stop), MMRULE_OK);
    cr_assert_eq(frame_table[DATA].count, 0);
}

Test(mm, the_plan_steps_only_a_big_cascade)
{
    big_directory();
    uint32_t base = 0;
    cr_assert(pt_dir_op_plan(D1, &steps, PT_OP_PIN_L2, DIR, base),
              "eight tables to validate: steps");
    cr_assert_not(pt_dir_op_plan(D1, &steps, PT_OP_PIN_L2, 110, base),
                  "an empty directory: one go");
    cr_assert_eq(pt_dir_op(D1, &steps, PT_OP_PIN_L2, DIR, &base, 0, 0, never_stop), MMRULE_OK);
    cr_assert(pt_dir_op_plan(D1, &steps, PT_OP_UNPIN, DIR, base),
              "its tables would go with it: steps");
    /* A second directory naming the same tables: unpinning either one
     * devalidates nothing. */
    for (uint32_t t = 0; t < 8; t++)
        pages[0][111 - 100][t] = pte(121 + t, PTE_P | PTE_RW | PTE_US);
    cr_assert_eq(pt_pin(D1, 111, PGT_L2), MMRULE_OK);
    cr_assert_not(pt_dir_op_plan(D1, &steps, PT_OP_UNPIN, DIR, base),
                  "the tables stay validated: one go");
    /* Two entries of one directory naming the same table, and nothing
     * else: that table goes with the directory. */
    cr_assert_eq(pt_unpin(D1, 111), MMRULE_OK);
    pages[0][DIR - 100][9] = pte(121, PTE_P | PTE_RW | PTE_US);
    cr_assert_eq(pt_unpin(D1, DIR), MMRULE_OK);
    cr_assert_eq(pt_pin(D1, DIR, PGT_L2), MMRULE_OK);
    cr_assert_eq(frame_table[121].type_count, 2);
    cr_assert(pt_dir_op_plan(D1, &steps, PT_OP_UNPIN, DIR, base),
              "a table named twice still goes: counted exactly");
}
