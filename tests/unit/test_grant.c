/*
 * tests/unit/test_grant.c — the life of a grant entry (hv/grant/
 * grant_entry.c) on the host, on top of the rules of direct paging (lab 2):
 * who may use an entry and how, what a use holds, and what the granter can
 * and cannot do while it is held.
 *
 * The machine: domain 1 owns frames 100..163 as its pseudo-physical pages
 * 0..63, and frame 170 as its grant table (a hypervisor-written frame,
 * FRAME_SHARED, outside its memory); domain 2 owns 200..209 as its pages 0..9; frame
 * 300 is the hypervisor's.  Frames 100.. and 200.. have pages (test_mm.c's
 * pt_frame), so one of them can be made a page table.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "grant/grant.h"
#include "mm/page_type.h"
#include "mm/reservation.h"

#define D1 1
#define D2 2
#define D3 3
#define TABLE1 170u
#define HVF 300u

static struct grant_entry_v1 shared1[GNTTAB_ENTRIES_PER_FRAME];
static struct grant_active active1[GNT_ACTIVE_PER_PAGE];
static struct grant_map maptrack2[GNTTAB_MAX_HANDLES];
static struct grant_domain g1, g2;
static uint32_t p2m1[64], p2m2[10];
static struct gnt_granter gr1;

static void setup(void)
{
    memset(frame_table, 0, sizeof frame_table);
    for (uint32_t f = 0; f < MAX_FRAMES; f++)
        m2p[f] = INVALID_PFN;
    for (uint32_t pfn = 0; pfn < 64; pfn++) {
        p2m1[pfn] = 100 + pfn;
        m2p[100 + pfn] = pfn;
        frame_table[100 + pfn] = (struct frame_info){ .owner = D1, .use = FRAME_GUEST };
    }
    for (uint32_t pfn = 0; pfn < 10; pfn++) {
        p2m2[pfn] = 200 + pfn;
        m2p[200 + pfn] = pfn;
        frame_table[200 + pfn] = (struct frame_info){ .owner = D2, .use = FRAME_GUEST };
    }
    frame_table[TABLE1] = (struct frame_info){ .owner = D1, .use = FRAME_SHARED, .type = PGT_WRITABLE,
                                               .type_count = 1, .count = 1 };
    frame_table[HVF].use = FRAME_HV;
    memset(shared1, 0, sizeof shared1);
    memset(active1, 0, sizeof active1);
    memset(maptrack2, 0, sizeof maptrack2);
    memset(&g1, 0, sizeof g1);
    memset(&g2, 0, sizeof g2);
    g1.nr_frames = 1;
    g1.frame[0] = TABLE1;
    g1.shared[0] = shared1;
    g1.active[0] = active1;
    g2.maptrack = maptrack2;
    gr1 = (struct gnt_granter){ D1, &g1, p2m1, 64 };
}

TestSuite(grant, .init = setup);

/* Domain 1 grants its frame to `to`, the way a guest does it. */
static void grant(grant_ref_t ref, domid_t to, uint32_t frame, int readonly)
{
    shared1[ref].domid = to;
    shared1[ref].frame = frame;
    shared1[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}

/* The granter's revoke: one compare-and-exchange, which fails while the
 * hypervisor says the entry is in use. */
static int revoke(grant_ref_t ref)
{
    uint16_t expect = shared1[ref].flags & (uint16_t)~(GTF_reading | GTF_writing);
    return __atomic_compare_exchange_n(&shared1[ref].flags, &expect, 0, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

Test(grant, a_writable_use_holds_a_reference_and_the_writable_type)
{
    grant(5, D2, 105, 0);
    uint32_t frame = 0;
    cr_assert_eq(gnt_acquire(&gr1, 5, D2, 1, &frame), GNTRULE_OK);
    cr_assert_eq(frame, 105);
    cr_assert_eq(frame_table[105].count, 1);
    cr_assert_eq(frame_table[105].type, PGT_WRITABLE);
    cr_assert_eq(frame_table[105].type_count, 1);
    cr_assert_eq(frame_table[105].owner, D1, "a granted frame keeps its owner");
    cr_assert_eq(shared1[5].flags, GTF_permit_access | GTF_reading | GTF_writing);
    cr_assert_eq(active1[5].rw_pins, 1);
    cr_assert_eq(active1[5].domid, D2);
    cr_assert_eq(g1.nr_pinned, 1);

    cr_assert_eq(gnt_release(&g1, 5, 1, &frame), 1, "the last use");
    cr_assert_eq(frame, 105);
    cr_assert_eq(frame_table[105].count, 0);
    cr_assert_eq(frame_table[105].type_count, 0);
    cr_assert_eq(shared1[5].flags, GTF_permit_access, "the hypervisor's bits cleared");
    cr_assert_eq(g1.nr_pinned, 0);
}

Test(grant, a_read_only_use_sets_reading_only)
{
    grant(6, D2, 106, 0);
    uint32_t frame;
    cr_assert_eq(gnt_acquire(&gr1, 6, D2, 0, &frame), GNTRULE_OK);
    cr_assert_eq(shared1[6].flags, GTF_permit_access | GTF_reading);
    cr_assert_eq(frame_table[106].count, 1);
    cr_assert_eq(frame_table[106].type_count, 0, "no type needed to read");
    /* A writable use on top: writing joins; it leaves first. */
    cr_assert_eq(gnt_acquire(&gr1, 6, D2, 1, &frame), GNTRULE_OK);
    cr_assert_eq(shared1[6].flags, GTF_permit_access | GTF_reading | GTF_writing);
    cr_assert_eq(gnt_release(&g1, 6, 1, &frame), 0, "a read-only use is left");
    cr_assert_eq(shared1[6].flags, GTF_permit_access | GTF_reading);
    cr_assert_eq(gnt_release(&g1, 6, 0, &frame), 1);
    cr_assert_eq(shared1[6].flags, GTF_permit_access);
}

Test(grant, refused_uses_and_their_rules)
{
    uint32_t frame;
    cr_assert_eq(gnt_acquire(&gr1, 7, D2, 0, &frame), GNTRULE_NOT_GRANTED, "never granted");
    grant(7, D3, 107, 0);
    cr_assert_eq(gnt_acquire(&gr1, 7, D2, 0, &frame), GNTRULE_NOT_FOR_YOU);
    grant(8, D2, 108, 1);
    cr_assert_eq(gnt_acquire(&gr1, 8, D2, 1, &frame), GNTRULE_READ_ONLY);
    cr_assert_eq(gnt_acquire(&gr1, 8, D2, 0, &frame), GNTRULE_OK);
    cr_assert_eq(gnt_acquire(&gr1, GNTTAB_ENTRIES_PER_FRAME, D2, 0, &frame), GNTRULE_BAD_REF,
                 "one past a one-page table");
    cr_assert_eq(gnt_acquire(&gr1, 0xFFFFFFFFu, D2, 0, &frame), GNTRULE_BAD_REF);
    shared1[9] = (struct grant_entry_v1){ .flags = 2, .domid = D2, .frame = 109 };
    cr_assert_eq(gnt_acquire(&gr1, 9, D2, 0, &frame), GNTRULE_NOT_GRANTED, "a transfer: not in hvkit");
    /* Nothing was taken by any of the refusals. */
    cr_assert_eq(frame_table[107].count, 0);
    cr_assert_eq(frame_table[108].count, 1, "only the one allowed use");
    cr_assert_eq(shared1[7].flags, GTF_permit_access);
}

/* A domain can only grant what is its own memory. */
Test(grant, a_frame_the_granter_does_not_own_is_refused)
{
    uint32_t frame;
    grant(10, D2, 205, 0);                       /* domain 2's own frame */
    cr_assert_eq(gnt_acquire(&gr1, 10, D2, 0, &frame), GNTRULE_BAD_FRAME);
    grant(11, D2, HVF, 0);                       /* the hypervisor's */
    cr_assert_eq(gnt_acquire(&gr1, 11, D2, 0, &frame), GNTRULE_BAD_FRAME);
    grant(12, D2, TABLE1, 0);                    /* its grant table: owned, not memory */
    cr_assert_eq(gnt_acquire(&gr1, 12, D2, 1, &frame), GNTRULE_BAD_FRAME);
    grant(13, D2, 0x7FFFFFFFu, 0);               /* no frame at all */
    cr_assert_eq(gnt_acquire(&gr1, 13, D2, 0, &frame), GNTRULE_BAD_FRAME);
    /* Its table renumbered into its memory (M2P and P2M): still refused. */
    p2m1[3] = TABLE1;
    m2p[TABLE1] = 3;
    cr_assert_eq(gnt_acquire(&gr1, 12, D2, 1, &frame), GNTRULE_BAD_FRAME);
    /* A frame whose M2P says a pfn that the P2M does not agree with. */
    m2p[150] = 7;                                /* p2m1[7] is 107 */
    grant(14, D2, 150, 0);
    cr_assert_eq(gnt_acquire(&gr1, 14, D2, 0, &frame), GNTRULE_BAD_FRAME);
    /* Even an ordinary frame of its memory that is named as its table. */
    frame_table[TABLE1].use = FRAME_GUEST;
    cr_assert_eq(gnt_acquire(&gr1, 12, D2, 1, &frame), GNTRULE_BAD_FRAME);
    cr_assert_eq(frame_table[205].count + frame_table[HVF].count, 0);
    cr_assert_eq(frame_table[TABLE1].count, 1, "only the hypervisor's own reference");
}

/* A page table can be shared only read-only: writable would need the
 * writable type, which a table cannot have. */
Test(grant, a_page_table_is_granted_read_only_at_most)
{
    cr_assert_eq(get_page_type(110, D1, PGT_L1), MMRULE_OK);   /* an empty L1 */
    uint32_t frame;
    grant(15, D2, 110, 0);
    cr_assert_eq(gnt_acquire(&gr1, 15, D2, 1, &frame), GNTRULE_FRAME_TYPE);
    cr_assert_eq(frame_table[110].count, 0, "the refused use took nothing");
    cr_assert_eq(shared1[15].flags, GTF_permit_access);
    cr_assert_eq(gnt_acquire(&gr1, 15, D2, 0, &frame), GNTRULE_OK);
    cr_assert_eq(frame_table[110].type, PGT_L1, "a granted frame keeps its type");
}

/* ... and a frame mapped writable through a grant cannot become one. */
Test(grant, a_writably_granted_frame_cannot_become_a_page_table)
{
    uint32_t frame;
    grant(16, D2, 111, 0);
    cr_assert_eq(gnt_acquire(&gr1, 16, D2, 1, &frame), GNTRULE_OK);
    cr_assert_eq(get_page_type(111, D1, PGT_L1), MMRULE_TYPE_CONFLICT);
    gnt_release(&g1, 16, 1, &frame);
    cr_assert_eq(get_page_type(111, D1, PGT_L1), MMRULE_OK, "free to change once released");
}

/* The granter cannot give back (memory_op) a frame in use: lab 6's rule
 * (hv/mm/reservation.h), tested here on grants (suite reservation). */
Test(reservation, a_granted_frame_cannot_be_given_back, .init = setup)
{
    uint32_t frame, mfn;
    grant(17, D2, 112, 1);
    cr_assert_eq(gnt_acquire(&gr1, 17, D2, 0, &frame), GNTRULE_OK);
    cr_assert_eq(mem_release(D1, 12, p2m1, 64, &mfn), MMRULE_IN_USE);
    gnt_release(&g1, 17, 0, &frame);
    cr_assert_eq(mem_release(D1, 12, p2m1, 64, &mfn), MMRULE_OK);
    cr_assert_eq(mfn, 112);
}

/* Revoking: the granter's compare-and-exchange fails while in use; a
 * granter that writes the entry anyway changes nothing the hypervisor
 * relies on, and new uses are refused. */
Test(grant, an_entry_in_use_cannot_be_revoked)
{
    uint32_t frame;
    grant(18, D2, 113, 0);
    cr_assert_eq(gnt_acquire(&gr1, 18, D2, 1, &frame), GNTRULE_OK);
    cr_assert_eq(revoke(18), 0, "the exchange must fail: GTF_writing is set");
    cr_assert_eq(shared1[18].flags & GTF_permit_access, GTF_permit_access);
    /* The cheat: clear it regardless. */
    shared1[18].flags = 0;
    cr_assert_eq(gnt_acquire(&gr1, 18, D2, 0, &frame), GNTRULE_NOT_GRANTED);
    cr_assert_eq(frame_table[113].count, 1, "the mapping still holds the frame");
    cr_assert_eq(frame_table[113].type_count, 1);
    cr_assert_eq(gnt_release(&g1, 18, 1, &frame), 1);
    cr_assert_eq(frame, 113);
    cr_assert_eq(frame_table[113].count, 0);
    cr_assert_eq(shared1[18].flags, 0, "nothing left to clear");
    /* Revoked for good now: a fresh grant of it works as new. */
    grant(18, D2, 114, 0);
    cr_assert_eq(revoke(18), 1, "not in use: the exchange succeeds");
    cr_assert_eq(gnt_acquire(&gr1, 18, D2, 0, &frame), GNTRULE_NOT_GRANTED);
}

/* The granter changes the frame (or the grantee) while the entry is in
 * use: the hypervisor believes its own record, and refuses new uses. */
Test(grant, an_entry_changed_while_in_use_is_not_believed)
{
    uint32_t frame;
    grant(19, D2, 115, 0);
    cr_assert_eq(gnt_acquire(&gr1, 19, D2, 0, &frame), GNTRULE_OK);
    shared1[19].frame = 205;                     /* someone else's frame */
    cr_assert_eq(gnt_acquire(&gr1, 19, D2, 0, &frame), GNTRULE_CHANGED);
    cr_assert_eq(frame_table[205].count, 0);
    shared1[19].frame = 115;
    cr_assert_eq(gnt_acquire(&gr1, 19, D2, 0, &frame), GNTRULE_OK, "consistent again");
    cr_assert_eq(frame_table[115].count, 2);
    gnt_release(&g1, 19, 0, &frame);
    gnt_release(&g1, 19, 0, &frame);
    cr_assert_eq(frame_table[115].count, 0);
    cr_assert_eq(frame, 115, "the release gives back the frame that was held");
}

Test(grant, at_most_255_uses_of_a_kind)
{
    uint32_t frame;
    grant(20, D2, 116, 0);
    for (int i = 0; i < 255; i++)
        cr_assert_eq(gnt_acquire(&gr1, 20, D2, 0, &frame), GNTRULE_OK, "use %d", i);
    cr_assert_eq(gnt_acquire(&gr1, 20, D2, 0, &frame), GNTRULE_NO_SPACE);
    cr_assert_eq(gnt_acquire(&gr1, 20, D2, 1, &frame), GNTRULE_OK, "the other kind has room");
    cr_assert_eq(frame_table[116].count, 256);
}

/* A table whose memory is gone (its domain died while others held uses):
 * releasing writes nothing into it. */
Test(grant, release_without_a_table_writes_nothing)
{
    uint32_t frame;
    grant(21, D2, 117, 0);
    cr_assert_eq(gnt_acquire(&gr1, 21, D2, 1, &frame), GNTRULE_OK);
    g1.shared[0] = 0;
    memset(shared1, 0x5A, sizeof shared1);
    cr_assert_eq(gnt_release(&g1, 21, 1, &frame), 1);
    cr_assert_eq(shared1[21].flags, 0x5A5A);
    cr_assert_eq(gnt_acquire(&gr1, 21, D2, 0, &frame), GNTRULE_BAD_REF, "and no new use");
}

/* The caller's own side of a copy. */
Test(grant, own_frames_for_a_copy)
{
    cr_assert_eq(gnt_get_own(D2, p2m2, 10, &g2, 205, 1), GNTRULE_OK);
    cr_assert_eq(frame_table[205].count, 1);
    gnt_put_own(205, 1);
    cr_assert_eq(frame_table[205].count, 0);
    cr_assert_eq(frame_table[205].type_count, 0);
    cr_assert_eq(gnt_get_own(D2, p2m2, 10, &g2, 105, 0), GNTRULE_BAD_FRAME, "domain 1's");
    cr_assert_eq(gnt_get_own(D2, p2m2, 10, &g2, HVF, 0), GNTRULE_BAD_FRAME);
    cr_assert_eq(get_page_type(206, D2, PGT_L1), MMRULE_OK);
    cr_assert_eq(gnt_get_own(D2, p2m2, 10, &g2, 206, 1), GNTRULE_FRAME_TYPE,
                 "never write into a page table through the hypervisor");
    cr_assert_eq(gnt_get_own(D2, p2m2, 10, &g2, 206, 0), GNTRULE_OK, "reading it is fine");
}

Test(grant, active_frame_and_handles)
{
    uint32_t frame = 0;
    grant(22, D2, 118, 0);
    cr_assert_eq(gnt_active_frame(&g1, 22, &frame), 0, "not in use");
    gnt_acquire(&gr1, 22, D2, 0, &frame);
    frame = 0;
    cr_assert_eq(gnt_active_frame(&g1, 22, &frame), 1);
    cr_assert_eq(frame, 118);
    cr_assert_eq(gnt_active_frame(&g1, 100000, &frame), 0);

    cr_assert_eq(gnt_handle_alloc(&g2), 0);
    maptrack2[0].flags = GNT_MAP_IN_USE;
    maptrack2[1].flags = GNT_MAP_IN_USE;
    cr_assert_eq(gnt_handle_alloc(&g2), 2);
    for (uint32_t h = 0; h < GNTTAB_MAX_HANDLES; h++)
        maptrack2[h].flags = GNT_MAP_IN_USE;
    cr_assert_eq(gnt_handle_alloc(&g2), GNTTAB_MAX_HANDLES);
}

/* The status a guest gets is the list's errno for the rule. */
Test(grant, each_rule_has_its_errno)
{
    cr_assert_eq(gntrule_errno(GNTRULE_OK), 0);
    cr_assert_eq(gntrule_errno(GNTRULE_BAD_DOMAIN), -HV_ESRCH);
    cr_assert_eq(gntrule_errno(GNTRULE_NOT_GRANTED), -HV_ENOENT);
    cr_assert_eq(gntrule_errno(GNTRULE_NOT_FOR_YOU), -HV_EPERM);
    cr_assert_eq(gntrule_errno(GNTRULE_READ_ONLY), -HV_EACCES);
    cr_assert_eq(gntrule_errno(GNTRULE_BAD_POINTER), -HV_EFAULT);
    cr_assert_eq(gntrule_errno(GNTRULE_BAD_OP), -HV_ENOSYS);
    cr_assert_eq(gntrule_errno(9999), -HV_EINVAL, "no such rule");
}

/* The page-table entry a grant mapping wrote is the hypervisor's: no
 * memory request may change it, and none may write one (rule
 * grant_mapped, hv/mm/pt_update.c). */
Test(grant, an_entry_a_grant_wrote_is_out_of_the_guests_hands)
{
    cr_assert_eq(get_page_type(120, D1, PGT_L1), MMRULE_OK);
    uint32_t *t = pt_frame(120);
    t[3] = (205u << 12) | PTE_P | PTE_RW | PTE_GRANT;          /* as map_grant_ref writes it */
    struct pt_result res;
    cr_assert_eq(pt_update(D1, (120u << 12) | (3 << 2), 0, &res), MMRULE_GRANT_MAPPED, "clearing it");
    cr_assert_eq(pt_update(D1, (120u << 12) | (3 << 2), (105u << 12) | PTE_P, &res),
                 MMRULE_GRANT_MAPPED, "replacing it");
    cr_assert_eq(pt_update(D1, (120u << 12) | (3 << 2), (205u << 12) | PTE_P | PTE_GRANT, &res),
                 MMRULE_GRANT_MAPPED, "even with only its rights changed");
    uint32_t old;
    cr_assert_eq(pt_update_l1e(D1, 120, 3, 0, &old), MMRULE_GRANT_MAPPED, "update_va_mapping's way");
    cr_assert_eq(t[3], (205u << 12) | PTE_P | PTE_RW | PTE_GRANT, "untouched");
    cr_assert_eq(pt_update(D1, (120u << 12) | (4 << 2), (105u << 12) | PTE_P | PTE_GRANT, &res),
                 MMRULE_GRANT_MAPPED, "a guest may not write one");
    cr_assert_eq(pt_update(D1, (120u << 12) | (4 << 2), (105u << 12) | PTE_P, &res), MMRULE_OK,
                 "an ordinary entry next to it");
    cr_assert_eq(mmrule_errno(MMRULE_GRANT_MAPPED), -HV_EPERM);
    t[3] = 0;
}
