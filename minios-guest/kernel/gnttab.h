/*
 * minios-guest/kernel/gnttab.h — minios's side of grant tables (PV only):
 * its own table, granting and revoking, and mapping other domains' grants
 * into an I/O window of the kernel's address space.
 *
 * Where this sits in the story (course: I/O, "the guest passes a page for
 * dom0 to write into"): granting is a write into our own table, revoking a
 * compare-and-exchange on it (public/grant_table.h says why); mapping,
 * unmapping and copying are grant_table_op hypercalls.  Mappings go into
 * the I/O window, IOMAP_PAGES pages at IOMAP_BASE in the kernel's part of
 * every address space made after gnttab_init: one page table of its own,
 * so the hypervisor always finds a table under the address it maps at.
 */
#ifndef MINIOS_GNTTAB_H
#define MINIOS_GNTTAB_H

#include <stdint.h>
#include "public/grant_table.h"

#define IOMAP_BASE   0xF0000000u      /* one directory slot, below the M2P's */
#define IOMAP_PAGES  1024u

/* Set up the table (one page) and the I/O window.  0 or -errno.  Safe to
 * call again. */
int gnttab_init(void);
/* Our table's entries, as we map them (the attack workload writes them
 * directly, as a cheating granter would). */
extern volatile struct grant_entry_v1 *gnttab_entries;
extern uint32_t gnttab_frame;                 /* its machine frame */

/* Grant machine frame mfn (one of our pages) to domain `to`: the new
 * reference (>= 1), or -HV_ENOSPC. */
int gnttab_grant(domid_t to, uint32_t mfn, int readonly);
/* Revoke: 0, or -HV_EBUSY while the other domain uses the grant (the
 * entry stays as it was: try again after it unmaps). */
int gnttab_end(grant_ref_t ref);

/* A free page of the I/O window (its address), or 0. */
void *iomap_alloc(void);
void iomap_free(void *va);

/* Map grant (dom, ref) at a fresh page of the I/O window: 0 and *va,
 * *handle, or the status (the window page goes back). */
int gnttab_map(domid_t dom, grant_ref_t ref, int readonly, void **va, grant_handle_t *handle);
/* The same at an address of the caller's choice (the attacks). */
int gnttab_map_at(uint32_t va, domid_t dom, grant_ref_t ref, uint32_t flags,
                  grant_handle_t *handle);
/* Unmap what gnttab_map mapped (the window page goes back on success). */
int gnttab_unmap(void *va, grant_handle_t handle);
int gnttab_unmap_at(uint32_t va, grant_handle_t handle);
/* One copy (GNTTABOP_copy): its status. */
int gnttab_copy(struct gnttab_copy *op);

#endif
