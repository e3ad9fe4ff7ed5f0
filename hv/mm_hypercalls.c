/*
 * hv/mm_hypercalls.c — the memory hypercalls: mmu_update, update_va_mapping
 * and mmuext_op.  (Placeholder until the memory issue fills it in: each
 * says "not implemented".)
 */
#include "hypercall.h"

int32_t do_mmu_update(uint32_t reqs, uint32_t count, uint32_t done_out,
                      uint32_t domid, uint32_t a5)
{
    (void)reqs; (void)count; (void)done_out; (void)domid; (void)a5;
    return -HV_ENOSYS;
}

int32_t do_update_va_mapping(uint32_t va, uint32_t val_lo, uint32_t val_hi,
                             uint32_t flags, uint32_t a5)
{
    (void)va; (void)val_lo; (void)val_hi; (void)flags; (void)a5;
    return -HV_ENOSYS;
}

int32_t do_mmuext_op(uint32_t ops, uint32_t count, uint32_t done_out,
                     uint32_t domid, uint32_t a5)
{
    (void)ops; (void)count; (void)done_out; (void)domid; (void)a5;
    return -HV_ENOSYS;
}
