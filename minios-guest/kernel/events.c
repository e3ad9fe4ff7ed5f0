/*
 * minios-guest/kernel/events.c — the guest half of event delivery: the upcall and the ports.
 *
 * Where this sits in the story (course: event channels; see events.h):
 * the hypervisor only sets bits and bounces into hypervisor_callback
 * (entry.S).  Everything after that is the guest kernel's job, as it would
 * be for an interrupt controller's vector: find out which lines fired
 * (lab 4's evtchn_do_upcall in upcall.c), run their handlers, maybe switch
 * process, then turn events back on -- carefully, because one may have
 * arrived in the meantime.
 */
#include "kernel/kernel.h"
#include "kernel/events.h"
#include "arch/pv/hypercall.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/pvops-hv.h"
#include "kernel/trap.h"
#include "lib/x86.h"

evtchn_port_t events_timer_port;
volatile uint32_t evtchn_count[EVENTS_NR_PORTS];
volatile uint32_t events_upcalls, events_stray;
static void (*handlers[EVENTS_NR_PORTS])(evtchn_port_t);

extern void hypervisor_callback(void);      /* entry.S */
extern void failsafe_callback(void);        /* entry.S */
volatile uint32_t failsafe_calls;           /* counted by failsafe_callback */

int events_init(void)
{
    /* The event upcall, and the failsafe callback (a segment register
     * the hypervisor could not restore on its way back to us). */
    int r = HYPERVISOR_set_callbacks(FLAT_RING1_CS, (uint32_t)hypervisor_callback,
                                     FLAT_RING1_CS, (uint32_t)failsafe_callback);
    if (r < 0)
        return r;
    evtchn_port_t port = 0;
    r = evtchn_bind_virq(VIRQ_TIMER, &port);
    if (r < 0)
        return r;
    if (port >= EVENTS_NR_PORTS)
        return -ENOSPC;
    events_timer_port = port;
    return 0;
}

void evtchn_set_handler(evtchn_port_t port, void (*fn)(evtchn_port_t))
{
    if (port < EVENTS_NR_PORTS)
        handlers[port] = fn;
}

int evtchn_has_handler(evtchn_port_t port)
{
    return port < EVENTS_NR_PORTS && handlers[port] != 0;
}

/* One pending port.  The timer drives the process scheduler; every port
 * counts, and wakes whoever waits on its counter. */
void evtchn_dispatch(evtchn_port_t port)
{
    if (port >= EVENTS_NR_PORTS) {
        events_stray++;
        return;
    }
    evtchn_count[port]++;
    if (port == events_timer_port && port != 0)
        proc_timer_tick();
    if (handlers[port])
        handlers[port](port);
    proc_wakeup((void *)&evtchn_count[port]);
}

/*
 * The upcall, events masked (the hypervisor set evtchn_upcall_mask before
 * entering, as an interrupt gate clears IF).
 *
 *   1. scan and dispatch (lab 4);
 *   2. if we interrupted a ring-3 program and its time is up, switch
 *      process now -- still masked, like xv6 calling yield() from its
 *      timer interrupt; the process finishes this handler when it runs
 *      again;
 *   3. unmask, then look at evtchn_upcall_pending once more: an event that
 *      arrived after the scan set it, and the hypervisor will not bounce us
 *      again for it (it already saw the mask set).  If so, mask and go
 *      round again.  Only then return (iret, in entry.S).
 *
 * A guard against a handler that dispatches nothing while the pending flag
 * stays set (the lab-4 stub): 1000 empty rounds in a row is a bug, not bad
 * luck, and ends the domain with a message instead of spinning forever.
 */
void events_upcall(struct trapframe *tf)
{
    struct vcpu_info *v = &shared_info->vcpu_info[0];
    int empty = 0;

    events_upcalls++;
    for (;;) {
        if (evtchn_do_upcall(shared_info) > 0)
            empty = 0;
        else if (++empty >= 1000)
            panic("1000 empty upcalls: is evtchn_do_upcall (lab 4) written?");
        if ((tf->cs & 3) == 3)
            proc_preempt();
        v->evtchn_upcall_mask = 0;
        barrier();
        if (!v->evtchn_upcall_pending)
            break;
        v->evtchn_upcall_mask = 1;
        barrier();
    }
}

/* Wait for the port's counter.  Events are masked between the test and
 * the sleep, so the wake-up cannot slip in between (a lost wake-up). */
void evtchn_wait(evtchn_port_t port, uint32_t target)
{
    if (port >= EVENTS_NR_PORTS)
        panic("evtchn_wait: port %u is beyond minios's %d", port, EVENTS_NR_PORTS);
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    while (evtchn_count[port] < target)
        proc_sleep_on((void *)&evtchn_count[port]);
    if (was)
        pv_ops.irq_enable();
}

/* ---- event_channel_op wrappers ------------------------------------------ */

int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    int r = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    if (r == 0)
        *port = a.port;
    return r;
}

int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                            evtchn_port_t *port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = remote_port };
    int r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
    if (r == 0)
        *port = b.local_port;
    return r;
}

int evtchn_bind_virq(uint32_t virq, evtchn_port_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    int r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);
    if (r == 0)
        *port = b.port;
    return r;
}

int evtchn_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

int evtchn_close(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

int evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

int evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    st->dom = dom;
    st->port = port;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}
