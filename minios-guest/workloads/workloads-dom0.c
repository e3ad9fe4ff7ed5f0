/*
 * minios-guest/workloads/workloads-dom0.c — dom0-only event sources: console input (VIRQ_CONSOLE)
 * and a physical IRQ line (bind_pirq).
 *
 * Where this sits in the story (course: "hardware interrupts belong to the
 * hypervisor; guests get events"): the serial port's interrupt is taken by
 * the hypervisor, which buffers the bytes and raises VIRQ_CONSOLE in dom0;
 * dom0 then reads them with console_io(read).  Hardware lines that drivers
 * need are bound by dom0 as PIRQs -- only the lines of dom0's own devices
 * (public/hw_devices.def); the ones the hypervisor drives itself (0, the
 * timer; 4, the console; 8, the RTC) are refused even to dom0, and so are
 * the ports of the hypervisor's devices, while those of dom0's answer.  The scenario
 * tests/scenarios/evtchn-dom0.scn feeds the serial port a line of input
 * and checks what this task prints.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "kernel/vm.h"
#include "arch/pv/hypercall.h"
#include "lib/string.h"
#include "workloads/workloads.h"

static struct checks checks = { .who = "dom0-events" };

static void expect(const char *what, int got, int want)
{
    check_eq(&checks, what, got, want);
}

static int bind_pirq(uint32_t pirq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = pirq, .flags = 0 };
    int r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &b);
    if (r == 0)
        *port = b.port;
    return r;
}

static void pirq_checks(void)
{
    evtchn_port_t p = 0, q = 0;
    struct evtchn_status st;

    expect("bind_pirq 14 (the IDE disk's line)", bind_pirq(14, &p), 0);
    expect("status says pirq", evtchn_status(DOMID_SELF, p, &st) == 0 &&
           st.status == EVTCHNSTAT_pirq ? (int)st.u.pirq : -1, 14);
    expect("bind_pirq 14 again", bind_pirq(14, &q), -HV_EEXIST);
    expect("bind_pirq 0 (the hypervisor's timer)", bind_pirq(0, &q), -HV_EBUSY);
    expect("bind_pirq 4 (the hypervisor's console)", bind_pirq(4, &q), -HV_EBUSY);
    expect("bind_pirq 8 (the RTC: the NMI watchdog's)", bind_pirq(8, &q), -HV_EBUSY);
    expect("bind_pirq 3 (COM2's line: no device of dom0's)", bind_pirq(3, &q), -HV_EBUSY);
    expect("bind_pirq 16 (no such line)", bind_pirq(16, &q), -HV_EINVAL);
    expect("close the pirq port", evtchn_close(p), 0);
}

/* The ports of dom0's devices (public/hw_devices.def) answer an `in`; the
 * hypervisor's own devices fault, even for dom0. */
static void port_checks(void)
{
    uint8_t v;
    expect("inb 0x1f7 (IDE status: dom0's device)", vm_probe_inb(0x1f7, &v), 1);
    expect("inb 0x3f6 (IDE control: dom0's device)", vm_probe_inb(0x3f6, &v), 1);
    expect("inb 0x300 (NE2000: dom0's device)", vm_probe_inb(0x300, &v), 1);
    expect("inb 0x21 (the PIC's mask: the hypervisor's)", vm_probe_inb(0x21, &v), 0);
    expect("inb 0x40 (the PIT: the hypervisor's)", vm_probe_inb(0x40, &v), 0);
    expect("inb 0x71 (the CMOS/RTC: the hypervisor's)", vm_probe_inb(0x71, &v), 0);
    expect("inb 0x3fd (COM1: the hypervisor's console)", vm_probe_inb(0x3fd, &v), 0);
    expect("inb 0x1ef (next to the IDE ports)", vm_probe_inb(0x1ef, &v), 0);
    expect("inb 0x320 (just past the NE2000)", vm_probe_inb(0x320, &v), 0);
    expect("inb 0x1000 (past the bitmap)", vm_probe_inb(0x1000, &v), 0);
}

/* Wait for VIRQ_CONSOLE and read until a newline (or 200 bytes). */
static void console_input(void)
{
    evtchn_port_t port = 0;
    char line[201];
    uint32_t n = 0, events = 0;

    expect("bind VIRQ_CONSOLE", evtchn_bind_virq(VIRQ_CONSOLE, &port), 0);
    while (n < sizeof line - 1 && (n == 0 || line[n - 1] != '\n')) {
        evtchn_wait(port, ++events);
        int r;
        while ((r = HYPERVISOR_console_io(CONSOLEIO_read, sizeof line - 1 - n, line + n)) > 0)
            n += (uint32_t)r;
        if (r < 0) {
            expect("console_io read", r, 0);
            return;
        }
    }
    if (n && line[n - 1] == '\n')
        n--;
    line[n] = 0;
    kprintf("dom0-events: console input after %u event(s): '%s'\n", events, line);
}

int dom0_events_main(void)
{
    if (!need_pv("dom0-events"))
        return 0;
    pirq_checks();
    port_checks();
    console_input();
    kprintf("dom0-events: %d passed, %d failed\n", checks.passed, checks.failed);
    return checks.failed;
}
