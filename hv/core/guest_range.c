/*
 * hv/core/guest_range.c — is a guest-supplied address range really the guest's?
 * See guest_access.h for why this check comes before every copy.
 */
#include "core/guest_access.h"
#include "public/hvkit.h"

int guest_range_ok(uint32_t addr, uint32_t len)
{
    /* Written so that addr + len cannot overflow. */
    return addr < HYPERVISOR_VIRT_START && len <= HYPERVISOR_VIRT_START - addr;
}
