/*
 * hv/mm/reservation.h — a domain's memory reservation: the rules of giving
 * a page back and of backing a hole again (memory_op, the balloon's
 * hypervisor half), as pure functions on the frame table, the M2P and a
 * domain's P2M.  Written in lab 6 (labs/lab6/reservation.c); the hypercall
 * that calls them is labs/lab6/memory_op.c.
 *
 * Where this sits in the story (course: pseudo-physical memory, the P2M and
 * M2P tables, ballooning, "separation of mechanism and policy"):
 * a domain sees nr_pages pseudo-physical pages (pfn 0 .. nr_pages-1) and the
 * hypervisor backs each with a machine frame (p2m[pfn] = mfn, and the other
 * way m2p[mfn] = pfn: the two tables are always inverse).  Its RESERVATION
 * is how many of them are backed now (tot_pages), bounded by its maximum
 * (max_pages, the toolstack's DOMCTL_max_mem).  The toolstack's TARGET
 * (DOMCTL_set_target, `xl mem-set`) is only a request to the guest's
 * balloon driver: the hypervisor enforces the maximum, never the target.
 *
 *   giving back (decrease_reservation): the page becomes a HOLE -- p2m[pfn]
 *     and m2p[mfn] both INVALID_PFN -- and the frame goes back on the free
 *     list.  Only if nothing can still reach the frame: a page-table entry
 *     that maps it (even read-only), a grant mapping of it by another domain
 *     (a total reference, hv/grant/), a page-table type, a pin, a CR3.  The
 *     frame table's counts (hv/mm/page_type.h) say all of that; a frame
 *     given back while mapped would be a window into the next owner's
 *     memory.  The hypervisor's own frames and the frames it writes into the
 *     domain (shared info, start info) are never given back.
 *   populating (populate_physmap / increase_reservation): only a hole may be
 *     backed again (so the domain's pseudo-physical size never changes),
 *     never past max_pages, and only while the pool has a free frame.
 *
 * Pure: no hardware, no guest memory, no free list -- the hypercall
 * (memory_op.c) does those -- so tests/unit/test_reservation.c drives these
 * on the host (suite `reservation`).
 */
#ifndef HV_MM_RESERVATION_H
#define HV_MM_RESERVATION_H

#include "mm/page_type.h"

/* May domain d give back its page pfn?  p2m is the hypervisor's copy of d's
 * P2M, nr_pages long.  The rules, first that applies:
 *   bad_pfn     pfn >= nr_pages, or a hole already (p2m[pfn] == INVALID_PFN);
 *   bad_frame / hv_frame / hv_shared / not_owner
 *               the frame behind it is no frame of RAM, the hypervisor's,
 *               one the hypervisor writes into d (shared info, start info:
 *               hv_shared), or another domain's;
 *   in_use      anything still refers to the frame: a total reference
 *               (count: every mapping, grant mapping, CR3), a type
 *               reference (type_count) or a pin.
 * *mfn is the frame tried (INVALID_PFN for bad_pfn).  On MMRULE_OK, and
 * only then, pfn is a hole in p2m and the frame is nobody's page in m2p:
 * the caller puts it back on the free list.  A refusal changes nothing. */
int mem_release(domid_t d, uint32_t pfn, uint32_t *p2m, uint32_t nr_pages, uint32_t *mfn);

/* May a domain holding tot_pages frames, of max_pages at most, with
 * nr_pages pseudo-physical pages (P2M p2m), have pfn backed again, while the
 * pool holds pool_free free frames?  First that applies:
 *   bad_pfn     pfn >= nr_pages, or not a hole (it is backed already);
 *   over_max    tot_pages >= max_pages;
 *   pool_empty  pool_free == 0.
 * Changes nothing. */
int mem_populate_rule(uint32_t pfn, const uint32_t *p2m, uint32_t nr_pages,
                      uint32_t tot_pages, uint32_t max_pages, uint32_t pool_free);

/* The hole pfn is now backed by mfn (a fresh frame of the domain's): the
 * P2M and the M2P name each other again. */
void mem_populate_enter(uint32_t pfn, uint32_t mfn, uint32_t *p2m);

#endif
