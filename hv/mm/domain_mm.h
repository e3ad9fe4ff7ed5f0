/*
 * hv/mm/domain_mm.h — a domain's page-table state (struct domain embeds one).
 * The per-frame part (owner, type, counts) is in the frame table
 * (hv/mm/page_type.h); this is what belongs to the domain as a whole.
 */
#ifndef HV_DOMAIN_MM_H
#define HV_DOMAIN_MM_H

#include <stdint.h>
#include "mm/pt_steps.h"

struct domain_mm {
    uint32_t nr_pinned;       /* page tables the domain has pinned */
    uint32_t base_mfn;        /* its page directory (CR3), holding an L2
                                 type reference; 0 before the builder.
                                 That reference is why the table the CPU
                                 walks can never stop being validated. */
    /* Accounting, printed at shutdown: how the guest changed its tables. */
    uint32_t nr_updates;      /* entries changed through mmu_update/update_va_mapping */
    uint32_t nr_ptwr;         /* direct writes trapped and emulated */
    uint32_t nr_refused;      /* requests refused */
    /* A directory operation done in steps, between two pieces of a
     * continued hypercall (hv/mm/pt_steps.h). */
    struct pt_steps steps;
};

#endif
