/*
 * hv/core/guest_range.c — is a guest-supplied address range really the guest's?
 * See guest_access.h for why this check comes before every copy.
 */
#include "core/guest_access.h"
#include "public/hvkit.h"

int guest_range_ok(uint32_t addr, uint32_t len)
{
    /* Written so that addr + len cannot overflow: the obvious
     * `addr + len <= HYPERVISOR_VIRT_START` wraps to 0 for addr = 0x1000,
     * len = 0xFFFFF000 and says yes to a range covering the hypervisor,
     * exactly what a hostile guest would pass (tests/unit/test_guest_range.c
     * tries it). */
    return addr < HYPERVISOR_VIRT_START && len <= HYPERVISOR_VIRT_START - addr;
}
