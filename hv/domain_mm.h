/*
 * hv/domain_mm.h — what a domain's memory bookkeeping needs per domain
 * (struct domain embeds one).  Placeholder until the memory issue.
 */
#ifndef HV_DOMAIN_MM_H
#define HV_DOMAIN_MM_H

#include <stdint.h>

struct domain_mm {
    uint32_t nr_pinned;       /* page tables the domain has pinned */
};

#endif
