/*
 * minios-guest/kernel/consfront.c — the split console's front end: once
 * connected, the kernel's and its programs' output goes into a ring shared
 * with dom0's console back end, and typed input comes out of another
 * (public/consif.h); before that, and for a panic, console_io.
 *
 * Where this sits in the story (course: split drivers, "a simplified front
 * end in every guest"): until now every line minios printed was a
 * console_io hypercall, and the hypervisor drove the serial port for it.
 * With "console=split" on the command line the console becomes a device
 * like the echo device: dom0 (con-back, minios-guest/workloads/console.c)
 * creates it in the device store, this file grants it a page and an event
 * channel, and the back end prints our lines, with our "(dN) " prefix, on
 * the serial line the hypervisor lets it write (DEVOP_console_write).
 *
 *   boot ........ kprintf -> console_io              (the emergency console)
 *   con-front task: device found, page granted, port reserved, published,
 *                   INITIALISED; back end CONNECTED; CONNECTED; only then
 *                   the programs of run= start (so all they print goes
 *                   through the ring; without a back end, after 2 s)
 *   connected ... kprintf -> out ring (+ an event only if dom0 asked)
 *   panic, kernel fault -> console_io again, for good: a kernel in trouble
 *                   trusts neither its ring nor dom0 to get the message out
 *                   (it gives dom0 a short while to print what the ring
 *                   holds, so that the report comes after it)
 *   all programs done: wait (bounded) until dom0 took everything, CLOSING,
 *                   dom0 unmaps, CLOSED, grant revoked
 *
 * A full ring makes the writer wait, yielding the CPU to dom0, a bounded
 * number of times; then the rest is dropped and counted.  If the back end
 * goes away (it disconnects a front end it finds broken), output falls
 * back to console_io: a domain always has a voice.
 *
 * Without "console=split" none of this runs and every line is a
 * console_io call, exactly as before.
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "public/consif.h"

#define CF_OFF        0       /* no split console: console_io */
#define CF_CONNECTING 1
#define CF_CONNECTED  2
#define CF_EMERGENCY  3       /* panic, or the back end left: console_io for good */

#define CF_WAIT_NS     2000000000ull   /* how long to wait for a back end */
#define CF_FULL_YIELDS 2000            /* a full ring: yields before dropping */
#define CF_PANIC_YIELDS 200            /* a panic: yields for dom0 to take the ring */

static struct {
    int state;
    struct hv_device dev;             /* as it was when we connected (its flags) */
    domid_t back;
    struct cons_page *page;
    int ring_ref;
    evtchn_port_t port;
    uint32_t out_pvt;                 /* where we write next in out */
    uint32_t in_pvt;                  /* where we read next in in */
    uint32_t dev_seen;                /* io_events when we last looked at the store */
    uint32_t bytes, sent, suppressed, waits, dropped;
} cf;

/* The trace's note of one push on `out` (a = 1 notified, 0 suppressed),
 * while a trace is recorded. */
static void cf_note_out(uint32_t notified, uint32_t len)
{
    static uint32_t seq;
    if (cf.dev.flags & DEV_FLAG_TRACED)
        device_io_note(&cf.dev, IO_NOTE_REQ, ++seq, IO_OP_CONS_OUT, notified, len, 0);
}

/* A panic or a kernel fault: from now on console_io, which needs nothing
 * but the hypervisor.  What is already in the ring should come out first,
 * so that the report follows the lines before it: give dom0 a short while
 * to take them (bounded; the state changes first, so that anything printed
 * meanwhile, or a fault in here, goes to console_io at once). */
void console_emergency(void)
{
    int was_connected = cf.state == CF_CONNECTED;
    cf.state = CF_EMERGENCY;
    for (int i = 0; was_connected && i < CF_PANIC_YIELDS && cf.page->out_cons != cf.out_pvt; i++)
        pv_ops.yield_machine();
}


/* Is the back end still there?  Only looked at when the device store has
 * said something (VIRQ_DEVICE moved io_events), so it costs nothing
 * usually. */
static int back_still_connected(void)
{
    if (io_events == cf.dev_seen)
        return 1;
    cf.dev_seen = io_events;
    struct hv_device d;
    if (device_find(cf.dev.id, &d) == 0 && d.end[DEV_END_BACK].state == DEV_STATE_CONNECTED)
        return 1;
    cf.state = CF_EMERGENCY;           /* so this kprintf is console_io's */
    kprintf("console: d%u: the back end left: back to console_io\n", boot_info.domid);
    return 0;
}

int console_split(void)
{
    return cf.state == CF_CONNECTED && back_still_connected();
}

/* con-flood's attacks (minios-guest/workloads/console.c), as a hostile
 * front end would make them, with an event: out_prod `ahead` bytes past
 * what we wrote (more than the ring holds), or (in = 1) in_cons `ahead`
 * bytes past what dom0 ever put in.  The back end must refuse either. */
int console_attack(int in, uint32_t ahead)
{
    if (cf.state != CF_CONNECTED)
        return -EINVAL;
    /* (Let dom0 print the honest lines first: the scenario reads them.) */
    for (int i = 0; i < CF_FULL_YIELDS && cf.page->out_cons != cf.out_pvt; i++)
        pv_ops.yield_machine();
    if (in)
        cons_store(&cf.page->in_cons, cons_load(&cf.page->in_prod) + ahead);
    else
        cons_store(&cf.page->out_prod, cf.out_pvt + ahead);
    evtchn_send(cf.port);
    return 0;
}

/* console_io had the hypervisor check a program's buffer (SYS_write
 * passes it straight on); the ring is filled by this kernel's own loads,
 * so the check is ours now, with the same answer: a program's own mapped
 * pages, or this kernel's memory, never the hole; else -EFAULT, and the
 * kernel lives on. */
static int readable(const char *buf, uint32_t n)
{
    uint32_t s = (uint32_t)buf, e = s + n;
    if (e < s)
        return 0;                      /* wraps around the top */
    if (s < KERNBASE)
        return e <= KERNBASE && vm_user_mapped(s, n);
    return e <= KERNBASE + boot_info.nr_pages * 4096u && e <= HYPERVISOR_VIRT_START;
}

int console_write(const char *buf, uint32_t n)
{
    if (cf.state != CF_CONNECTED)
        return pv_ops.console_write(buf, n);
    if (!readable(buf, n))
        return -EFAULT;
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();              /* one writer at a time, handlers included */
    struct cons_ring out = cons_out_ring(cf.page);
    uint32_t left = n, yields = 0;
    while (left && back_still_connected()) {
        uint32_t w = cons_write(&out, &cf.out_pvt, buf, left);
        buf += w;
        left -= w;
        cf.bytes += w;
        if (w) {
            int notify = cons_publish(&out, cf.out_pvt);
            if (notify) {
                evtchn_send(cf.port);
                cf.sent++;
            } else {
                cf.suppressed++;
            }
            cf_note_out((uint32_t)notify, w);
            yields = 0;
            continue;
        }
        int broken;
        cons_free(&out, cf.out_pvt, &broken);
        if (broken || ++yields > CF_FULL_YIELDS) {
            cf.dropped += left;        /* dom0 stopped reading us: drop, never hang */
            break;
        }
        cf.waits++;
        pv_ops.yield_machine();        /* full: let dom0 run and drain it */
    }
    if (was)
        pv_ops.irq_enable();
    if (left && cf.state != CF_CONNECTED)
        return pv_ops.console_write(buf, left) < 0 ? -EFAULT : (int)n;
    return (int)n;
}

/* Our ring's port: dom0 put input in `in` (it asked, or we did). */
static void cf_kick(evtchn_port_t port)
{
    (void)port;
    proc_wakeup(&cf);
}

int console_read(char *buf, uint32_t n)
{
    if (cf.state != CF_CONNECTED)
        return -EAGAIN;
    struct cons_ring in = cons_in_ring(cf.page);
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    int r;
    for (;;) {
        uint32_t prod;
        int broken;
        uint32_t avail = cons_avail(&in, cf.in_pvt, &prod, &broken);
        if (broken) {
            r = -EINVAL;               /* dom0 published more than the ring holds */
            break;
        }
        if (avail) {
            r = (int)cons_read(&in, &cf.in_pvt, avail, buf, n);
            cons_consumed(&in, cf.in_pvt);
            break;
        }
        if (!cons_final_check(&in, cf.in_pvt))
            proc_sleep_on(&cf);
        if (cf.state != CF_CONNECTED) {
            r = -EAGAIN;
            break;
        }
    }
    if (was)
        pv_ops.irq_enable();
    return r;
}

/* ---- connecting: a kernel task, so that the programs start meanwhile ------ */

/* Sleep until io_events moves or 1 ms passed. */
static void cf_nap(uint32_t *seen)
{
    if (io_events == *seen)
        proc_sleep_ns(1000000);
    *seen = io_events;
}

static int cf_find_device(void)
{
    return device_find_front(DEV_TYPE_CONSOLE, &cf.dev) == 0;
}

static int cf_connect(void)
{
    domid_t me = (domid_t)boot_info.domid;
    if (io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("console: d%u: no device events or grant table: console_io only\n", me);
        return 1;
    }
    uint64_t deadline = pv_ops.system_ns() + CF_WAIT_NS;
    uint32_t seen = io_events;
    while (!cf_find_device()) {
        if (pv_ops.system_ns() > deadline) {
            kprintf("console: d%u: no console device: console_io only\n", me);
            return 1;
        }
        cf_nap(&seen);
    }
    cf.back = cf.dev.end[DEV_END_BACK].dom;
    cf.page = page_alloc();
    if (cf.page)
        cons_page_init(cf.page, 0);
    cf.ring_ref = cf.page ? gnttab_grant(cf.back, pv_ops.pt_mfn(cf.page), 0) : -ENOMEM;
    int r = cf.ring_ref < 0 ? cf.ring_ref : evtchn_alloc_unbound(cf.back, &cf.port);
    if (r == 0 && cf.port >= EVENTS_NR_PORTS)
        r = -ENOSPC;
    if (r == 0)
        r = device_publish(cf.dev.id, (uint32_t)cf.ring_ref, cf.port, 0);
    if (r == 0)
        r = device_set_state(cf.dev.id, DEV_STATE_INITIALISED);
    if (r < 0) {
        kprintf("console: d%u: cannot offer the console ring: %d: console_io only\n", me, r);
        return 1;
    }
    evtchn_set_handler(cf.port, cf_kick);
    cf.state = CF_CONNECTING;
    struct hv_device d;
    uint32_t bs = DEV_STATE_UNKNOWN;
    while (pv_ops.system_ns() <= deadline) {
        if (device_find(cf.dev.id, &d) == 0)
            bs = d.end[DEV_END_BACK].state;
        if (bs == DEV_STATE_CONNECTED || bs == DEV_STATE_CLOSING || bs == DEV_STATE_CLOSED)
            break;
        cf_nap(&seen);
    }
    if (bs != DEV_STATE_CONNECTED || device_set_state(cf.dev.id, DEV_STATE_CONNECTED) < 0) {
        cf.state = CF_OFF;
        kprintf("console: d%u: the back end did not connect (state %u): console_io only\n", me, bs);
        return 1;
    }
    cf.dev_seen = io_events;
    if (cf.state == CF_CONNECTING)     /* not if a panic came meanwhile */
        cf.state = CF_CONNECTED;
    kprintf("console: d%u: split console on device %u, back end d%u, ring grant %d, port %u\n",
            me, cf.dev.id, cf.back, cf.ring_ref, cf.port);
    return 0;
}

static void (*cf_then)(void);

/* Connect, then start the programs: all they print goes through the ring
 * (or, if no back end connected in CF_WAIT_NS, through console_io). */
static int con_front_main(void)
{
    int r = cf_connect();
    cf_then();
    return r;
}

static const struct program con_front = { "con-front", 0, 1, con_front_main };

int console_split_start(void (*then)(void))
{
    if (!pv_ops.paravirt || !cmdline_has("console=split"))
        return 0;
    cf_then = then;
    if (proc_spawn(&con_front) < 0) {
        kprintf("console: no process for the split console: console_io only\n");
        return 0;
    }
    return 1;
}

/* All programs are done, the domain is about to power off: let dom0 print
 * what is still in the ring, then close the device properly.  Bounded:
 * a back end that does not answer only delays the power-off a little. */
void console_close(void)
{
    if (cf.state != CF_CONNECTED && !(cf.state == CF_EMERGENCY && cf.port))
        return;                        /* never connected, or a panic: nothing to close */
    kprintf("console: d%u: %u bytes out, notifications %u sent, %u suppressed; "
            "%u waits for room, %u bytes dropped\n", boot_info.domid, cf.bytes, cf.sent,
            cf.suppressed, cf.waits, cf.dropped);
    for (int i = 0; cf.state == CF_CONNECTED && i < CF_FULL_YIELDS &&
                    cf.page->out_cons != cf.out_pvt; i++)
        pv_ops.yield_machine();
    cf.state = CF_OFF;                 /* from here on: console_io */
    device_set_state(cf.dev.id, DEV_STATE_CLOSING);
    struct hv_device d;
    uint32_t bs = DEV_STATE_UNKNOWN;
    for (int i = 0; i < CF_FULL_YIELDS; i++) {
        if (device_find(cf.dev.id, &d) == 0)
            bs = d.end[DEV_END_BACK].state;
        if (bs == DEV_STATE_CLOSED)
            break;
        pv_ops.yield_machine();
    }
    int e = gnttab_end((grant_ref_t)cf.ring_ref);
    evtchn_close(cf.port);
    device_set_state(cf.dev.id, DEV_STATE_CLOSED);
    kprintf("console: d%u: split console closed (back end %u), grant revoked: %d\n",
            boot_info.domid, bs, e);
}
