/*
 * hv/grant/grant.h — a domain's grant state as the hypervisor keeps it:
 * its table, the active entries, the mappings it holds; and the checks
 * every use of a grant goes through.
 *
 * Three tables per domain (Xen has the same three):
 *
 *   the SHARED table   the grant entries the domain itself writes
 *                      (public/grant_table.h): GNTTAB_MAX_FRAMES pages at
 *                      most, frames of the domain outside its
 *                      pseudo-physical memory, mapped by the hypervisor
 *                      through its direct map (shared[]).  Untrusted: the
 *                      domain may change it at any moment.
 *   the ACTIVE table   one struct grant_active per shared entry, in pages
 *                      of the hypervisor's own: for an entry someone is
 *                      using, which frame and for which domain, and how
 *                      many mappings hold it, read-only and writable.
 *                      What the hypervisor believes, whatever the shared
 *                      entry says afterwards.
 *   the MAPTRACK       the mappings this domain holds of other domains'
 *                      grants (or its own): one struct grant_map per
 *                      handle, GNTTAB_MAX_HANDLES of them in one page of
 *                      the hypervisor's.  Unmapping names a handle; the
 *                      hypervisor never takes the guest's word for which
 *                      frame or page-table entry that was.
 *
 * The checks and the reference counting (grant_entry.c) touch no hardware
 * and are unit-tested on the host (tests/unit/test_grant.c); the
 * hypercall, the page-table entries and the frames' lives are
 * grant_table_op.c.
 */
#ifndef HV_GRANT_H
#define HV_GRANT_H

#include <stdint.h>
#include "public/hvkit.h"
#include "public/grant_table.h"

/* The rules: GNTRULE_OK, GNTRULE_BAD_REF, ... from public/grant-rules.def. */
enum gnt_rule {
#define GNT_RULE(sym, number, err, name, what) GNTRULE_##sym = number,
#include "public/grant-rules.def"
#undef GNT_RULE
};

/* The status the guest gets for a rule: 0 or -HV_Exxx. */
int gntrule_errno(int rule);

#define GNT_MAX_PINS  255u     /* mappings of one entry, per kind */

struct grant_active {
    uint32_t frame;            /* the frame in use (valid while pinned) */
    domid_t  domid;            /* who uses it */
    uint8_t  ro_pins;          /* read-only mappings (and copies under way) */
    uint8_t  rw_pins;          /* writable ones */
};
_Static_assert(sizeof(struct grant_active) == 8, "grant_active: 8 bytes");
#define GNT_ACTIVE_PER_PAGE (HV_PAGE_SIZE / sizeof(struct grant_active))   /* 512 */

/* One mapping a domain holds.  flags: GNT_MAP_*. */
struct grant_map {
    domid_t     granter;
    uint16_t    flags;
    grant_ref_t ref;
    uint32_t    l1_mfn;        /* the page table that holds its entry ... */
    uint32_t    va;            /* ... the entry for this address */
};
_Static_assert(sizeof(struct grant_map) == 16, "grant_map: 16 bytes");
#define GNT_MAP_IN_USE  1u
#define GNT_MAP_RW      2u
_Static_assert(GNTTAB_MAX_HANDLES * sizeof(struct grant_map) == HV_PAGE_SIZE,
               "the maptrack is one page");

struct grant_domain {
    uint32_t nr_frames;                              /* table pages */
    uint32_t frame[GNTTAB_MAX_FRAMES];               /* their machine frames */
    struct grant_entry_v1 *shared[GNTTAB_MAX_FRAMES];/* 0 once the domain's memory is gone */
    struct grant_active *active[GNTTAB_MAX_FRAMES];
    struct grant_map *maptrack;                      /* 0 until the first map */
    uint32_t nr_maps;                                /* handles in use */
    uint32_t nr_pinned;                              /* active entries in use */
    uint32_t dead;                                   /* the domain's memory is gone */
};

/* Entries the table holds. */
static inline uint32_t gnt_nr_entries(const struct grant_domain *g)
{
    return g->nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

/*
 * Who the granting domain is, for the checks: its id, its table, and its
 * pseudo-physical memory (the hypervisor's copy of its P2M), which says
 * whether a frame is one of its pages.
 */
struct gnt_granter {
    domid_t id;
    struct grant_domain *g;
    const uint32_t *p2m;
    uint32_t nr_pages;
};

/*
 * Use entry ref of the granter for domain `user`, writable or not: the
 * shared entry must grant it (permit_access, domid == user, not read-only
 * for a writable use) and name a frame of the granter's own memory; the
 * first use records the frame and the user in the active entry, later
 * uses must agree with it (changed).  Then the frame gets its references
 * (one total; one "writable" type reference for a writable use, which a
 * page table refuses: frame_type), the active entry one pin, and the
 * shared entry GTF_reading (and GTF_writing).  *frame = the frame.
 * GNTRULE_OK, or the rule that refused (and nothing changed).
 */
int gnt_acquire(const struct gnt_granter *gr, grant_ref_t ref, domid_t user, int rw,
                uint32_t *frame);

/*
 * Give back one use acquired by gnt_acquire: the pin, the references, and
 * GTF_writing / GTF_reading in the shared entry once no use of that kind
 * is left (unless the granter's table is gone: shared[] = 0).  *frame =
 * the frame; returns 1 if it was the entry's last use.
 */
int gnt_release(struct grant_domain *g, grant_ref_t ref, int rw, uint32_t *frame);

/*
 * Is mfn one of domain d's own pages, usable as one side of a copy
 * (writable: it may not be a page table)?  Takes the same references
 * as a use (gnt_put_own gives them back).  GNTRULE_OK, bad_frame or
 * frame_type.
 */
int gnt_get_own(domid_t d, const uint32_t *p2m, uint32_t nr_pages,
                const struct grant_domain *g, uint32_t mfn, int rw);
void gnt_put_own(uint32_t mfn, int rw);

/* The frame entry ref is in use with (the active entry's), if it is:
 * 1 and *frame, else 0.  Nothing changes. */
int gnt_active_frame(const struct grant_domain *g, grant_ref_t ref, uint32_t *frame);

/* A free handle of g's maptrack (GNTTAB_MAX_HANDLES if none). */
uint32_t gnt_handle_alloc(const struct grant_domain *g);

/* ---- the hypervisor's side (grant_table_op.c) --------------------------- */
struct domain;
/* d is dead and its memory about to go (domain_free_memory): undo the
 * mappings it holds, and keep alive (FRAME_ORPHAN) its frames that others
 * still map, until their last unmap.  Those mappings find d's active
 * entries through d's slot in the domain table: a slot whose grant state
 * still has nr_pinned > 0 must not be given to a new domain (today dead
 * domains keep their slots; a toolstack that reuses them must wait). */
void grant_domain_release(struct domain *d);

#endif
