/*
 * minios-guest/workloads/workloads-dom0.c — dom0-only event sources: console input (VIRQ_CONSOLE)
 * and a physical IRQ line (bind_pirq).
 *
 * Where this sits in the story (course: "hardware interrupts belong to the
 * hypervisor; guests get events"): the serial port's interrupt is taken by
 * the hypervisor, which buffers the bytes and raises VIRQ_CONSOLE in dom0;
 * dom0 then reads them with console_io(read).  Hardware lines that drivers
 * need are bound by dom0 as PIRQs; the two the hypervisor drives itself
 * (0, the timer; 4, the console) are refused even to dom0.  The scenario
 * tests/scenarios/evtchn-dom0.scn feeds the serial port a line of input
 * and checks what this task prints.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
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

    expect("bind_pirq 3 (COM2's line)", bind_pirq(3, &p), 0);
    expect("status says pirq", evtchn_status(DOMID_SELF, p, &st) == 0 &&
           st.status == EVTCHNSTAT_pirq ? (int)st.u.pirq : -1, 3);
    expect("bind_pirq 3 again", bind_pirq(3, &q), -HV_EEXIST);
    expect("bind_pirq 0 (the hypervisor's timer)", bind_pirq(0, &q), -HV_EBUSY);
    expect("bind_pirq 4 (the hypervisor's console)", bind_pirq(4, &q), -HV_EBUSY);
    expect("bind_pirq 16 (no such line)", bind_pirq(16, &q), -HV_EINVAL);
    expect("close the pirq port", evtchn_close(p), 0);
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
    console_input();
    kprintf("dom0-events: %d passed, %d failed\n", checks.passed, checks.failed);
    return checks.failed;
}
