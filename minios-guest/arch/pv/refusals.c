/*
 * minios-guest/arch/pv/refusals.c — the refusal log: every hypercall result
 * below zero this kernel received, in order.
 *
 * Where this sits in the story (course: isolation; the trace as evidence):
 * the hypervisor's trace says, for each hypercall, what it returned.  That is
 * worth something only if it is what the guest really got in %eax.  So the
 * guest keeps its own account: hypercall() (arch/pv/hypercall.h) notes each
 * refusal here, and the attack workloads print the log at their end,
 *
 *     refusal 1: mmu_update -1
 *     refusal 2: 1000 -38
 *     ...
 *     refusals: 57 in all
 *
 * (a call the hypervisor does not know is printed by its number, as the
 * tracer prints it).  tests/trace-matches-guest.sh then compares the log,
 * line by line, with the refused hypercall records of this domain in the
 * trace.  A multicall's refused entries are noted as the guest reads them
 * back (the entry's result field), in order, before the multicall itself:
 * the order in which the hypervisor traces them.
 *
 * The log is a fixed array (no allocation on this path), filled from boot
 * on.  If it overflows, the count still grows and the print says so; the
 * check then fails rather than compare half a log.
 */
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"

#define REFUSAL_LOG_MAX 512

static struct {
    uint32_t nr;
    int ret;
} refusal_log[REFUSAL_LOG_MAX];
static uint32_t refusal_count;

/* The hypercall's name from the list, as the tracer names it. */
static const char *const hypercall_names[HV_NR_HYPERCALLS] = {
#define HYPERCALL(name, number, lab, file, ...) [number] = #name,
#include "public/hypercalls.def"
#undef HYPERCALL
};

void refusal_note(uint32_t nr, int ret)
{
    /* One locked instruction takes the slot, so an upcall that arrives in
     * the middle and is itself refused takes the next one. */
    uint32_t i = __atomic_fetch_add(&refusal_count, 1, __ATOMIC_RELAXED);
    if (i < REFUSAL_LOG_MAX) {
        refusal_log[i].nr = nr;
        refusal_log[i].ret = ret;
    }
}

void refusal_note_batch(const struct multicall_entry *calls, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (calls[i].result < 0)
            refusal_note(calls[i].op, calls[i].result);
}

void refusals_print(void)
{
    uint32_t n = refusal_count;
    for (uint32_t i = 0; i < n && i < REFUSAL_LOG_MAX; i++) {
        uint32_t nr = refusal_log[i].nr;
        if (nr < HV_NR_HYPERCALLS && hypercall_names[nr])
            kprintf("refusal %u: %s %d\n", i + 1, hypercall_names[nr], refusal_log[i].ret);
        else
            kprintf("refusal %u: %u %d\n", i + 1, nr, refusal_log[i].ret);
    }
    if (n > REFUSAL_LOG_MAX)
        kprintf("refusals: %u in all, the log kept only the first %u: overflowed\n",
                n, REFUSAL_LOG_MAX);
    else
        kprintf("refusals: %u in all\n", n);
}
