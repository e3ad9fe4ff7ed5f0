/*
 * hv/include/public/grant_table.h — grant tables: how one domain lets
 * another use one of its pages (grant_table_op, hypercall 20).
 *
 * Where this sits in the story (course: I/O, "the guest passes a page for
 * dom0 to write into"): domains share nothing by default -- direct paging
 * refuses any mapping of a frame the domain does not own.  A grant is the
 * one exception, and it is made by the owner: domain A writes an entry in
 * its GRANT TABLE saying "domain B may use my frame F, read-only or
 * writable".  B then names the grant as (A, ref), the index of the entry,
 * and asks the hypervisor to map that frame into its own address space
 * (map_grant_ref), to unmap it (unmap_grant_ref), or to copy bytes to or
 * from it without mapping it at all (copy).  A takes the grant back
 * (revokes it) by clearing the entry -- which it may do only while nobody
 * uses it.  These are Xen's version-1 grant tables (xen/include/public/
 * grant_table.h), in our own words and with hvkit's 32-bit fields.
 *
 * THE TABLE.  A domain's grant table is up to GNTTAB_MAX_FRAMES pages of
 * struct grant_entry_v1, 512 per page.  The pages are the hypervisor's
 * gift (setup_table): frames owned by the domain but outside its
 * pseudo-physical memory, like the shared-info page, because the
 * hypervisor writes them too (the GTF_reading / GTF_writing bits below).
 * The hypervisor holds its own permanent reference on each, so they can
 * never become a page table or be given back (hv/grant/README.md).  The
 * domain maps them into its address space like any frame of its own
 * (update_va_mapping with the machine frames setup_table returns) and
 * writes its entries there directly: granting costs no hypercall.
 *
 * ONE ENTRY, AS A PROTOCOL BETWEEN TWO WRITERS.
 *
 *   granting:  write domid and frame, then a write barrier, then flags =
 *              GTF_permit_access (| GTF_readonly).  The flags go last, so
 *              that whoever sees permit_access sees the right frame.
 *   using:     the hypervisor reads the entry when B maps or copies; it
 *              checks permit_access, domid == B, readonly against what B
 *              asks, and that frame really is one of A's own pages; then
 *              it sets GTF_reading (and GTF_writing for a writable use)
 *              in the entry for as long as the mapping exists.
 *   revoking:  A may clear the entry only if neither GTF_reading nor
 *              GTF_writing is set, and must do it with ONE atomic
 *              compare-and-exchange of the flags (expect the flags without
 *              those bits, write 0): between A's reading the flags and
 *              writing them, A may be preempted and B may map the grant.
 *              If the exchange fails, the grant is in use: A must wait
 *              until B unmaps.  This is what "an entry in use cannot be
 *              revoked" means -- it is A's side of the protocol, and the
 *              hypervisor makes it safe for A whatever B does.
 *   a granter that cheats (clears or changes an entry in use) changes
 *              nothing that matters: the hypervisor keeps its own record
 *              of every entry in use (the "active" entry: which frame,
 *              for whom, how many mappings), keeps the frame referenced
 *              until the last unmap -- so A cannot give it back or make it
 *              a page table -- and refuses new uses of the entry until it
 *              is consistent again.
 *
 * THE RULES OF MEMORY STILL HOLD.  A granted frame keeps its owner (A),
 * its type and its reference counts: a mapping by B is one more total
 * reference (and, writable, one more "writable" type reference, so a page
 * table can only ever be granted read-only); it pins the frame until the
 * unmap.  The page-table entry that maps it in B's tables is written by
 * the hypervisor, carries PTE_GRANT, and only unmap_grant_ref may change
 * it (memory rule grant_mapped).
 *
 * Calling convention:  grant_table_op(cmd, uop, count)
 *     %ebx = cmd, a GNTTABOP_* below
 *     %ecx = guest address of an array of `count` structures of that command
 *     %edx = count (at most GNTTAB_BATCH_MAX)
 * The operations are done in order; each one's result goes into its own
 * `status` field (0, or -HV_Exxx).  Like mmu_update, a batch STOPS at the
 * first operation that fails and returns its status in %eax (Xen goes on
 * and returns 0: we say why in %eax, so a guest without a trace can tell,
 * and the trace record of that operation carries the same value); the
 * operations after it are not looked at.  All done: 0.  The errors and the
 * rule behind each are the one list public/grant-rules.def (docs/abi.md
 * shows it as a table); every operation leaves one trace record with its
 * status and its rule.
 */
#ifndef HVKIT_PUBLIC_GRANT_TABLE_H
#define HVKIT_PUBLIC_GRANT_TABLE_H

#include <stdint.h>
#include "hvkit.h"

typedef uint32_t grant_ref_t;      /* an index into the granting domain's table */
typedef uint32_t grant_handle_t;   /* a mapping, as the grantee names it to unmap */

/* ---- the table ------------------------------------------------------------ */

struct grant_entry_v1 {
    uint16_t flags;                /* GTF_*: written last when granting */
    domid_t  domid;                /* the domain the grant is for */
    uint32_t frame;                /* the MACHINE frame granted (one of the
                                      granting domain's own pages) */
};
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1: 8 bytes");

/* flags, the granter's part: what it allows. */
#define GTF_invalid         0x0000 /* the entry grants nothing */
#define GTF_permit_access   0x0001 /* domid may map or copy the frame */
#define GTF_type_mask       0x0003 /* (Xen's other types, 2 and 3, are transfers: not in hvkit) */
#define GTF_readonly        0x0004 /* ... but only read it */
/* flags, the hypervisor's part: what is happening now (never write them). */
#define GTF_reading         0x0008 /* mapped (or being copied) by domid */
#define GTF_writing         0x0010 /* mapped writable (or being copied into) */

#define GNTTAB_ENTRIES_PER_FRAME  (HV_PAGE_SIZE / 8)     /* 512 */
#define GNTTAB_MAX_FRAMES         4                      /* 2048 entries */
#define GNTTAB_BATCH_MAX          64                     /* operations per call */
#define GNTTAB_MAX_HANDLES        256                    /* mappings one domain may hold */

/* The bit the hypervisor sets in every page-table entry a grant mapping
 * wrote: one of the three the CPU leaves to software (address_space.h has
 * the others).  Such an entry maps another domain's frame, which no entry
 * the guest writes may; the memory hypercalls refuse to change it or to
 * write one (rule grant_mapped): only unmap_grant_ref removes it. */
#define PTE_GRANT           0x200

/* ---- the commands, each next to its structure (Xen's numbers) ------------- */

/*
 * map_grant_ref: map the frame of grant (dom, ref) at host_addr in the
 * caller's CURRENT address space.  host_addr must be page-aligned, below
 * the M2P slot, covered by a page table the current directory points to,
 * and not mapped yet.  flags: GNTMAP_host_map (required), GNTMAP_readonly
 * for a read-only mapping (required when the grant is read-only), and
 * GNTMAP_application_map to let ring 3 reach it (otherwise only the
 * kernel, rings 0-2, may).  OUT: handle, to unmap with; frame, the machine
 * frame now mapped.
 */
#define GNTTABOP_map_grant_ref    0
struct gnttab_map_grant_ref {
    uint32_t       host_addr;      /* IN */
    uint32_t       flags;          /* IN: GNTMAP_* */
    grant_ref_t    ref;            /* IN */
    domid_t        dom;            /* IN: the granting domain */
    uint16_t       pad;
    int32_t        status;         /* OUT: 0 or -HV_Exxx */
    grant_handle_t handle;         /* OUT */
    uint32_t       frame;          /* OUT: the machine frame mapped */
};
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 28, "gnttab_map_grant_ref: 28 bytes");

#define GNTMAP_host_map           (1u << 1)
#define GNTMAP_readonly           (1u << 2)
#define GNTMAP_application_map    (1u << 3)

/* unmap_grant_ref: undo one mapping: host_addr and handle must be the
 * pair map_grant_ref gave.  The TLB is flushed before the call returns:
 * after it, the caller can no longer touch the frame. */
#define GNTTABOP_unmap_grant_ref  1
struct gnttab_unmap_grant_ref {
    uint32_t       host_addr;      /* IN */
    grant_handle_t handle;         /* IN */
    int32_t        status;         /* OUT */
};
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 12, "gnttab_unmap_grant_ref: 12 bytes");

/* setup_table: make the caller's table nr_frames pages long (it only ever
 * grows; asking for fewer than it has is fine and changes nothing) and
 * say which machine frames hold it, in frame_list[0 .. nr_frames-1].  dom:
 * DOMID_SELF or the caller's own id. */
#define GNTTABOP_setup_table      2
struct gnttab_setup_table {
    domid_t        dom;            /* IN */
    uint16_t       pad;
    uint32_t       nr_frames;      /* IN: 1 .. GNTTAB_MAX_FRAMES */
    int32_t        status;         /* OUT */
    uint32_t       frame_list[GNTTAB_MAX_FRAMES];   /* OUT: machine frames */
};
_Static_assert(sizeof(struct gnttab_setup_table) == 28, "gnttab_setup_table: 28 bytes");

/*
 * copy: the hypervisor copies len bytes from source to dest, so that
 * neither side maps the other's page (the usual way a back end moves data:
 * one hypercall, no page-table change, no TLB flush).  Each side is either
 * a grant (flag GNTCOPY_source_gref / GNTCOPY_dest_gref: u.ref of domain
 * domid, which must grant it to the caller -- writable, for dest) or one
 * of the caller's own pages (u.gmfn, its machine frame; domid DOMID_SELF;
 * a page table is never a destination).  offset + len may not pass the end
 * of either page.  Source and dest may overlap.
 */
#define GNTTABOP_copy             5
struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;
        uint32_t    gmfn;
    } u;
    domid_t        domid;
    uint16_t       offset;
};
struct gnttab_copy {
    struct gnttab_copy_ptr source; /* IN */
    struct gnttab_copy_ptr dest;   /* IN */
    uint16_t       len;            /* IN: bytes */
    uint16_t       flags;          /* IN: GNTCOPY_* */
    int32_t        status;         /* OUT */
};
_Static_assert(sizeof(struct gnttab_copy_ptr) == 8, "gnttab_copy_ptr: 8 bytes");
_Static_assert(sizeof(struct gnttab_copy) == 24, "gnttab_copy: 24 bytes");

#define GNTCOPY_source_gref       (1u << 0)
#define GNTCOPY_dest_gref         (1u << 1)

/* query_size: how long the caller's table is, and may become. */
#define GNTTABOP_query_size       6
struct gnttab_query_size {
    domid_t        dom;            /* IN: DOMID_SELF or the caller */
    uint16_t       pad;
    uint32_t       nr_frames;      /* OUT */
    uint32_t       max_nr_frames;  /* OUT: GNTTAB_MAX_FRAMES */
    int32_t        status;         /* OUT */
};
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size: 16 bytes");

#endif
