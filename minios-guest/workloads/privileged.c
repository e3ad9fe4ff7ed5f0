/*
 * minios-guest/workloads/privileged.c — a kernel task that shows why classic x86 could not be
 * virtualized by trap & emulate alone, and what hvkit does about it.
 *
 * Where this sits in the story (course: trap & emulate vs paravirtualization,
 * ring aliasing): Popek and Goldberg's condition says every *sensitive*
 * instruction must be *privileged* (must trap outside ring 0), so a VMM gets
 * control whenever it matters.  On x86 before VT-x some are not:
 *
 *   1. mov %cs, %eax   -- reads the current ring.  Never traps: a kernel in
 *                         ring 1 can see it is not in ring 0 (ring aliasing).
 *   2. popf            -- in ring 1 it silently keeps IF as it was.  No trap:
 *                         a VMM never learns the kernel wanted interrupts off.
 *   3. cli / sti       -- privileged: in ring 1 they raise #GP, and hvkit
 *                         emulates them (a write to the upcall mask) and
 *                         counts them in shared_info->emulated_cli/sti.
 *   4. hlt             -- privileged too: hvkit emulates it as "block".
 *
 * Because of 1 and 2, a PV kernel does not rely on trapping: it calls
 * pv_ops.irq_disable(), which writes the mask itself.  Natively (ring 0)
 * everything simply works, and this program says what it sees.
 */
#include "kernel/kernel.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "lib/x86.h"

static int unexpected;

static void expect(const char *what, uint32_t got, uint32_t want)
{
    if (got != want) {
        kprintf("privileged: FAIL: %s (got %u, want %u)\n", what, got, want);
        unexpected++;
    }
}

static void demo_ring(void)
{
    unsigned cs = read_cs();
    kprintf("privileged: %%cs = 0x%x, so this kernel runs in ring %u\n", cs, cs & 3);
    if (pv_ops.paravirt)
        kprintf("privileged: (ring aliasing: reading %%cs does not trap, the deprivileging shows)\n");
}

static void demo_popf(void)
{
    uint32_t saved = read_eflags();
    uint32_t cli_before = pv_ops.paravirt ? shared_info->emulated_cli : 0;

    write_eflags(saved & ~EFLAGS_IF);          /* popf with IF = 0 */
    uint32_t now = read_eflags();              /* pushf: what happened? */
    write_eflags(saved);
    uint32_t if_now = (now & EFLAGS_IF) ? 1 : 0;

    if (!pv_ops.paravirt) {
        kprintf("privileged: popf cleared IF (IF=%u): ring 0, the CPU obeys\n", if_now);
        expect("popf in ring 0 clears IF", if_now, 0);
        return;
    }
    uint32_t cli_after = shared_info->emulated_cli;
    if (if_now == 1 && cli_after == cli_before)
        kprintf("privileged: popf left IF=1, no trap (emulated_cli still %u)\n", cli_after);
    else
        kprintf("privileged: popf: IF=%u, emulated_cli %u -> %u\n",
                if_now, cli_before, cli_after);
    kprintf("privileged: a trap-and-emulate VMM would never learn we wanted interrupts off\n");
    expect("popf in ring 1 leaves IF alone", if_now, 1);
    expect("popf in ring 1 does not trap", cli_after, cli_before);
}

static void demo_cli_sti(void)
{
    if (!pv_ops.paravirt) {
        uint32_t saved = read_eflags();
        cli();
        uint32_t a = (read_eflags() & EFLAGS_IF) ? 1 : 0;
        sti();          /* safe: every interrupt line is masked at the PIC */
        uint32_t b = (read_eflags() & EFLAGS_IF) ? 1 : 0;
        write_eflags(saved);
        kprintf("privileged: cli ran directly in ring 0: IF=%u\n", a);
        kprintf("privileged: sti ran directly in ring 0: IF=%u\n", b);
        expect("cli clears IF", a, 0);
        expect("sti sets IF", b, 1);
        return;
    }

    struct vcpu_info *v = &shared_info->vcpu_info[0];
    pv_ops.irq_enable();                       /* the PV way: mask = 0, no trap */

    uint32_t n0 = shared_info->emulated_cli;
    uint32_t m0 = v->evtchn_upcall_mask;
    cli();                                     /* #GP in ring 1 -> emulated */
    barrier();
    uint32_t n1 = shared_info->emulated_cli;
    uint32_t m1 = v->evtchn_upcall_mask;
    kprintf("privileged: cli trapped and was emulated: emulated_cli %u -> %u, upcall mask %u -> %u\n",
            n0, n1, m0, m1);
    expect("cli is counted", n1, n0 + 1);
    expect("cli sets the upcall mask", m1, 1);

    n0 = shared_info->emulated_sti;
    m0 = v->evtchn_upcall_mask;
    sti();
    barrier();
    n1 = shared_info->emulated_sti;
    m1 = v->evtchn_upcall_mask;
    kprintf("privileged: sti trapped and was emulated: emulated_sti %u -> %u, upcall mask %u -> %u\n",
            n0, n1, m0, m1);
    expect("sti is counted", n1, n0 + 1);
    expect("sti clears the upcall mask", m1, 0);

    pv_ops.irq_disable();                      /* back to how the kernel runs */
}

static void demo_hlt(void)
{
    if (!pv_ops.paravirt) {
        kprintf("privileged: hlt skipped natively: no timer interrupt is programmed to wake us\n");
        return;
    }
    uint32_t n0 = shared_info->emulated_hlt;
    hlt();                                     /* #GP -> emulated as SCHEDOP_block */
    barrier();
    uint32_t n1 = shared_info->emulated_hlt;
    kprintf("privileged: hlt trapped and was emulated as block: emulated_hlt %u -> %u, and we resumed\n",
            n0, n1);
    expect("hlt is counted", n1, n0 + 1);
}

int privileged_main(void)
{
    unexpected = 0;
    demo_ring();
    demo_popf();
    demo_cli_sti();
    demo_hlt();
    kprintf("privileged: done, %d unexpected\n", unexpected);
    return unexpected;
}
