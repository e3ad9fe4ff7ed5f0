/*
 * minios-guest/arch/pv/pvops-hv.h — what the paravirtualized side exports to the rest of minios:
 * the start-info and shared-info pages, and giving a page back.  Besides
 * the PV-only parts of the kernel (events.c, which scans the shared page,
 * and vm.c's PV start, which reads start_info) only the PV-aware workloads
 * (workloads/) look at these; the rest of the kernel uses pv_ops.
 */
#ifndef MINIOS_PVOPS_HV_H
#define MINIOS_PVOPS_HV_H

#include "public/start_info.h"
#include "public/shared_info.h"

extern struct start_info *start_info;     /* 0 when running natively */
extern struct shared_info *shared_info;   /* 0 when running natively */

/* Give one page (a kernel address) back to the hypervisor: memory_op
 * XENMEM_decrease_reservation (pvops-hv.c).  1, or -errno.  PV only. */
int hv_give_back_page(void *kva);
/* Ask for a frame for hole pfn again (memory_op XENMEM_populate_physmap)
 * and map it back at its kernel address.  1, or -errno.  PV only. */
int hv_reclaim_page(uint32_t pfn);

#endif
