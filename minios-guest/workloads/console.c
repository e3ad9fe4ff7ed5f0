/*
 * minios-guest/workloads/console.c — the split console's back end in dom0
 * (con-back) and two programs for a domU's end: con-echo, which echoes
 * what the user typed for it, and con-flood, a hostile front end.
 *
 * Where this sits in the story (course: split drivers, "back-end driver
 * isolated in dom0"): a domU started with "console=split" writes its
 * console into a page it shares with dom0 (public/consif.h; the front end
 * is minios-guest/kernel/consfront.c).  con-back is the other half:
 *
 *   - the toolstack's part: a console device per domU in the device store;
 *     when a front end has published its page and port, map the page, bind
 *     the port, CONNECTED (the echo device's handshake, echo.c);
 *   - OUTPUT: take the bytes of each `out` ring, cut them into lines, and
 *     hand the whole lines to the hypervisor (DEVOP_console_write, as many
 *     as fit in one call), which prints each as "(dN) line": dom0 may not
 *     touch COM1, but the device store says it is dN's console, so it may
 *     speak for dN;
 *   - INPUT: what is typed on the serial line comes to dom0 (VIRQ_CONSOLE,
 *     console_io read); a line "dN: text" goes into dN's `in` ring as
 *     "text\n"; a line "dN:" alone makes dN the FOCUS, and later lines
 *     without a prefix go to it (the role of Xen's Ctrl-A switch).  Input
 *     for a domain that has not connected yet waits in dom0 (a little).
 *
 * Two ways to start: fronts=N makes the consoles of d1..dN itself, as at
 * boot; vms serves the consoles dom0's toolstack makes for the VMs it
 * creates (xl create with console=split), taking each new device as it
 * appears, until xl has quit and the last one has closed.  Then the serial line is xl's:
 * typed lines reach a domU through `xl console ID` (con_back_input).
 *
 * CONTAINING A HOSTILE FRONT END.  Everything in a ring page may be
 * rewritten by the domU at any moment; the back end
 *   - takes at most CB_BUDGET bytes from one domU per pass and goes round
 *     all of them before taking more: a domU flooding its console slows
 *     only itself (its ring stays full, its writer waits), never another
 *     domU's lines or dom0;
 *   - cuts a line at CB_LINE_MAX bytes: the rest, up to the next newline,
 *     is counted and dropped, and dom0 says how much (a domU cannot fill
 *     the serial log with one endless line);
 *   - disconnects a front end whose indices are impossible (out_prod more
 *     than a ring past out_cons, in_cons past in_prod): it prints nothing
 *     of it, unmaps, and goes on serving the others.
 * Every pass that took bytes, and every input push, is noted in the trace
 * (DEVOP_io_note, IO_OP_CONS_OUT / IO_OP_CONS_IN) while a trace is recorded.
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "lib/string.h"
#include "public/console.h"
#include "public/consif.h"
#include "workloads/workloads.h"

#define CB_MAX       8       /* domUs served */
#define CB_LINE_MAX  120     /* longer lines are cut */
#define CB_BUDGET    256     /* bytes from one domU per pass */
#define CB_PEND      256     /* typed input waiting for a domU */

struct conback {
    uint32_t id;
    domid_t front;
    int done, connected;
    struct hv_device dev;
    struct cons_page *page;
    grant_handle_t handle;
    evtchn_port_t port;
    uint32_t out_pvt;                  /* our out_cons */
    uint32_t in_pvt;                   /* our in_prod */
    struct devop_console_write out;    /* whole lines for the serial line */
    char line[CB_LINE_MAX];
    uint32_t len, cutting;             /* the line so far; bytes cut from it */
    char pend[CB_PEND];
    uint32_t npend;
    uint32_t lines, bytes, cut, in_bytes, in_dropped, sent, suppressed;
};

static struct conback cbs[CB_MAX];
static uint32_t nfronts;
static int focus = -1;                 /* where lines without "dN:" go */
static int vms;                        /* serve the consoles xl makes (the word vms) */
static uint32_t adopted;               /* vms: consoles taken so far */
static uint32_t gone_lines, gone_cut;  /* vms: of slots reused since */

/* The trace's note of one pass (a = lines, or 1/0 notified for input). */
static void cb_note(struct conback *cb, int out, uint32_t a, uint32_t len)
{
    static uint32_t seq;
    if (cb->dev.flags & DEV_FLAG_TRACED)
        device_io_note(&cb->dev, IO_NOTE_REQ, ++seq, out ? IO_OP_CONS_OUT : IO_OP_CONS_IN,
                       a, len, 0);
}

/* The lines waiting in cb->out go to the serial line, as the front end's:
 * one hypercall for as many whole lines as fit in CONS_WRITE_MAX. */
static void cb_flush(struct conback *cb)
{
    if (!cb->out.len)
        return;
    cb->out.id = cb->id;
    int r = HYPERVISOR_device_op(DEVOP_console_write, &cb->out);
    if (r < 0)
        kprintf("con-back: d%u: console_write refused: %d\n", cb->front, r);
    cb->out.len = 0;
}

/* One whole line (a newline added if it has none) into the batch. */
static void cb_print(struct conback *cb, const char *text, uint32_t n)
{
    uint32_t nl = n == 0 || text[n - 1] != '\n';
    if (cb->out.len + n + nl > CONS_WRITE_MAX)
        cb_flush(cb);
    memcpy(cb->out.text + cb->out.len, text, n);
    cb->out.len += n;
    if (nl)
        cb->out.text[cb->out.len++] = '\n';
    cb->lines++;
}

static void cb_byte(struct conback *cb, char c)
{
    if (cb->cutting) {                 /* the rest of a line too long */
        if (c != '\n') {
            cb->cutting++;
            cb->cut++;
            return;
        }
        cb_flush(cb);                  /* the line's first part, then the count */
        kprintf("con-back: d%u: a line of %u bytes: %u cut\n", cb->front,
                CB_LINE_MAX + cb->cutting - 1, cb->cutting - 1);
        cb->cutting = 0;
        return;
    }
    cb->line[cb->len++] = c;
    if (c == '\n') {
        cb_print(cb, cb->line, cb->len);
        cb->len = 0;
    } else if (cb->len == CB_LINE_MAX) {
        cb_print(cb, cb->line, cb->len);   /* the first CB_LINE_MAX bytes, as a line */
        cb->len = 0;
        cb->cutting = 1;
    }
}

static void cb_teardown(struct conback *cb, const char *why)
{
    struct hv_device d;
    uint32_t me = device_find(cb->id, &d) == 0 ? d.end[DEV_END_BACK].state : DEV_STATE_CLOSED;
    if (cb->len) {                      /* a last line without its newline */
        cb_print(cb, cb->line, cb->len);
        cb->len = 0;
    }
    cb_flush(cb);
    int u = cb->page ? gnttab_unmap(cb->page, cb->handle) : 0;
    int c = cb->port ? evtchn_close(cb->port) : 0;
    device_close(cb->id, me);
    cb->page = 0;
    cb->port = 0;
    cb->connected = 0;
    cb->done = 1;
    kprintf("con-back: d%u: %s: unmapped (%d), port closed (%d)\n", cb->front, why, u, c);
    kprintf("con-back: d%u: %u lines, %u bytes out, %u cut; %u bytes in, %u dropped; "
            "input notifications %u sent, %u suppressed\n", cb->front, cb->lines, cb->bytes, cb->cut,
            cb->in_bytes, cb->in_dropped, cb->sent, cb->suppressed);
}

/* Output: at most `budget` bytes of the out ring.  1 if bytes were taken,
 * 0 if it is empty (and we asked to be told of more), -1 if it broke. */
static int cb_drain(struct conback *cb, uint32_t budget)
{
    struct cons_ring out = cons_out_ring(cb->page);
    uint32_t prod;
    int broken;
    uint32_t avail = cons_avail(&out, cb->out_pvt, &prod, &broken);
    if (broken) {
        kprintf("con-back: d%u: out_prod %u is %u past out_cons %u: more than the ring "
                "holds\n", cb->front, prod, prod - cb->out_pvt, cb->out_pvt);
        return -1;
    }
    if (!avail)
        return cons_final_check(&out, cb->out_pvt) ? 1 : 0;   /* 1: look again */
    char chunk[CB_BUDGET];
    uint32_t lines0 = cb->lines;
    uint32_t n = cons_read(&out, &cb->out_pvt, avail, chunk, budget < sizeof chunk ? budget : sizeof chunk);
    cons_consumed(&out, cb->out_pvt);
    for (uint32_t i = 0; i < n; i++)
        cb_byte(cb, chunk[i]);
    cb_flush(cb);
    cb->bytes += n;
    cb_note(cb, 1, cb->lines - lines0, n);
    return 1;
}

/* Input: what waits for this domU, into its in ring.  1 if any went in,
 * -1 if the ring broke. */
static int cb_feed(struct conback *cb)
{
    struct cons_ring in = cons_in_ring(cb->page);
    int broken;
    uint32_t seen = cons_load(&cb->page->in_cons);
    cons_free(&in, cb->in_pvt, &broken);
    if (broken) {                      /* looked at every pass, input or not */
        kprintf("con-back: d%u: in_cons %u is not within a ring behind in_prod %u\n",
                cb->front, seen, cb->in_pvt);
        return -1;
    }
    if (!cb->npend)
        return 0;
    uint32_t w = cons_write(&in, &cb->in_pvt, cb->pend, cb->npend);
    if (!w)
        return 0;                      /* full: it reads slowly; keep it */
    for (uint32_t i = w; i < cb->npend; i++)      /* what did not fit moves up */
        cb->pend[i - w] = cb->pend[i];
    cb->npend -= w;
    cb->in_bytes += w;
    int notify = cons_publish(&in, cb->in_pvt);
    if (notify) {
        evtchn_send(cb->port);
        cb->sent++;
    } else {
        cb->suppressed++;
    }
    cb_note(cb, 0, (uint32_t)notify, w);
    return 1;
}

/* One device: whatever its state asks.  1 if anything was done. */
static int cb_step(struct conback *cb)
{
    struct hv_device dev;
    if (cb->done || device_find(cb->id, &dev) < 0)
        return 0;
    uint32_t me = dev.end[DEV_END_BACK].state, fe = dev.end[DEV_END_FRONT].state;
    if (me == DEV_STATE_INITIALISING) {
        device_set_state(cb->id, DEV_STATE_INITWAIT);
        return 1;
    }
    if (fe == DEV_STATE_CLOSING || fe == DEV_STATE_CLOSED) {
        /* What it wrote before it went (even a crashed domU's last words:
         * its page is kept while we map it) is printed first. */
        for (int i = 0; cb->connected && i < (int)(CONS_OUT_SIZE / CB_BUDGET); i++)
            if (cb_drain(cb, CB_BUDGET) <= 0)
                break;
        cb_teardown(cb, fe == DEV_STATE_CLOSED ? "front end closed" : "front end closing");
        return 1;
    }
    if (me == DEV_STATE_INITWAIT && fe == DEV_STATE_INITIALISED) {
        const struct hv_dev_end *f = &dev.end[DEV_END_FRONT];
        void *va = 0;
        int r = gnttab_map(cb->front, f->ring_ref, 0, &va, &cb->handle);
        if (r == 0)
            cb->page = va;
        if (r == 0)
            r = evtchn_bind_interdomain(cb->front, f->evtchn, &cb->port);
        if (r == 0 && cb->port >= EVENTS_NR_PORTS)
            r = -HV_ENOSPC;
        if (r < 0) {
            kprintf("con-back: d%u: cannot connect: ring grant %u, port %u: %d\n", cb->front,
                    f->ring_ref, f->evtchn, r);
            cb_teardown(cb, "not connected");
            return 1;
        }
        io_watch_port(cb->port);
        /* Start where the front end's indices are (an honest one: all
         * equal).  Nothing it wrote later is believed without a check. */
        cb->out_pvt = cons_load(&cb->page->out_cons);
        cb->in_pvt = cons_load(&cb->page->in_prod);
        cb->dev = dev;
        r = device_set_state(cb->id, DEV_STATE_CONNECTED);
        cb->connected = r == 0;
        kprintf("con-back: d%u: console ring mapped, port %u bound: connected (%d)\n",
                cb->front, cb->port, r);
        return 1;
    }
    if (me != DEV_STATE_CONNECTED || !cb->connected)
        return 0;
    int a = cb_feed(cb);
    int b = a < 0 ? 0 : cb_drain(cb, CB_BUDGET);
    if (a < 0 || b < 0) {
        cb_teardown(cb, "front end broken, disconnected");
        return 1;
    }
    return a | b;
}

/* ---- typed input ----------------------------------------------------------- */

static char typed[128];
static uint32_t ntyped;

/* The console we serve for dom (not one closed: with vms a slot may
 * still name an earlier domain of the same id), or 0. */
static struct conback *cb_of(uint32_t dom)
{
    for (uint32_t i = 0; i < nfronts; i++)
        if (cbs[i].front == dom && !cbs[i].done)
            return &cbs[i];
    return 0;
}

/* A line for dom (-1: nobody), as "text\n", waiting for its in ring:
 * 0, -HV_ENOENT (no console of dom), -HV_ENOSPC (too much waits). */
static int cb_queue(int dom, const char *text)
{
    struct conback *cb = dom >= 0 ? cb_of((uint32_t)dom) : 0;
    if (!cb)
        return -HV_ENOENT;
    uint32_t len = strlen(text);
    if (cb->npend + len + 1 > CB_PEND) {
        cb->in_dropped += len + 1;
        kprintf("con-back: d%u reads too slowly: '%s' dropped\n", cb->front, text);
        return -HV_ENOSPC;
    }
    memcpy(cb->pend + cb->npend, text, len);
    cb->pend[cb->npend + len] = '\n';
    cb->npend += len + 1;
    kprintf("con-back: input for d%u: '%s'\n", cb->front, text);
    return 0;
}

/* A whole line typed: "dN: text", "dN:" (focus), or text for the focus. */
static void cb_route(char *s, uint32_t n)
{
    const char *text = s;
    int to = focus;
    if (n >= 3 && s[0] == 'd' && s[1] >= '0' && s[1] <= '9') {
        uint32_t i = 1, dom = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            dom = dom * 10 + (uint32_t)(s[i++] - '0');
        if (i < n && s[i] == ':') {
            to = (int)dom;
            text = s + i + 1;
            if (*text == ' ')
                text++;
            if (*text == '\0') {
                focus = (int)dom;
                kprintf("con-back: input now goes to d%d\n", focus);
                return;
            }
        }
    }
    if (cb_queue(to, text) == -HV_ENOENT)
        kprintf("con-back: input for nobody (type \"dN: text\"): '%s'\n", s);
}

int con_back_input(domid_t dom, const char *text)
{
    int r = cb_queue(dom, text);
    if (r == 0)
        io_poke();                     /* con-back is another task: wake it */
    return r;
}

/* Read what the hypervisor has buffered; route every whole line.  1 if
 * anything was read. */
static int cb_input(void)
{
    char buf[64];
    int r, any = 0;
    while ((r = HYPERVISOR_console_io(CONSOLEIO_read, sizeof buf, buf)) > 0) {
        any = 1;
        for (int i = 0; i < r; i++) {
            char c = buf[i];
            if (c == '\r' || c == '\n') {
                if (ntyped) {
                    typed[ntyped] = '\0';
                    cb_route(typed, ntyped);
                }
                ntyped = 0;
            } else if (ntyped < sizeof typed - 1) {
                typed[ntyped++] = c;
            }
        }
    }
    return any;
}

/* vms: take the console devices xl made since we last looked, into
 * free slots.  1 if any was taken. */
static int cb_adopt(void)
{
    uint32_t live[CB_MAX], n = 0;      /* the devices we serve */
    for (uint32_t i = 0; i < nfronts; i++)
        if (!cbs[i].done)
            live[n++] = cbs[i].id;
    int did = device_close_untaken(DEV_TYPE_CONSOLE, live, n) > 0;
    for (uint32_t s = 0; s < nfronts; s++) {
        if (!cbs[s].done)
            continue;
        struct hv_device dev;
        if (device_find_new_back(DEV_TYPE_CONSOLE, live, n, &dev) < 0)
            break;
        live[n++] = dev.id;
        gone_lines += cbs[s].lines;
        gone_cut += cbs[s].cut;
        memset(&cbs[s], 0, sizeof cbs[s]);
        cbs[s].id = dev.id;
        cbs[s].front = dev.end[DEV_END_FRONT].dom;
        adopted++;
        did = 1;
        kprintf("con-back: console device %u for d%u (taken: %u so far)\n", dev.id,
                cbs[s].front, adopted);
    }
    return did;
}

int con_back_main(void)
{
    if (!need_pv("con-back"))
        return 0;
    vms = cmdline_has("vms");
    nfronts = vms ? CB_MAX : (uint32_t)cmdline_int("fronts", 1);
    evtchn_port_t cport = 0;
    if (nfronts < 1 || nfronts > CB_MAX || io_events_init() < 0 || gnttab_init() < 0 ||
        (!vms && evtchn_bind_virq(VIRQ_CONSOLE, &cport) < 0)) {
        kprintf("con-back: FAIL: cannot start (%u front ends)\n", nfronts);
        return 1;
    }
    if (!vms)
        io_watch_port(cport);          /* typed input wakes us too */
    for (uint32_t i = 0; i < nfronts; i++) {
        struct conback *cb = &cbs[i];
        if (vms) {
            cb->done = 1;              /* a free slot, for a device xl makes */
            continue;
        }
        cb->front = (domid_t)(i + 1);
        int r = device_create(DEV_TYPE_CONSOLE, cb->front, (domid_t)boot_info.domid, &cb->id);
        kprintf("con-back: console device %u for d%u (%d)\n", cb->id, cb->front, r);
        if (r < 0)
            cb->done = 1;
    }
    uint32_t seen = io_events;
    for (;;) {
        uint32_t before = io_events;
        int progress = vms ? cb_adopt() : cb_input(), left = 0;
        for (uint32_t i = 0; i < nfronts; i++) {
            progress |= cb_step(&cbs[i]);
            left += !cbs[i].done;
        }
        if (!left && (!vms || toolstack_quit))
            break;
        if (!progress) {
            seen = before;
            io_wait(&seen);
        }
    }
    uint32_t lines = gone_lines, cut = gone_cut;
    for (uint32_t i = 0; i < nfronts; i++) {
        lines += cbs[i].lines;
        cut += cbs[i].cut;
    }
    kprintf("con-back: all %u consoles closed: %u lines printed, %u bytes cut\n",
            vms ? adopted : nfronts, lines, cut);
    return 0;
}

/* ---- a domU's programs ----------------------------------------------------- */

/* Wait (a little) for the split console to connect. */
static int wait_split(const char *who)
{
    for (int i = 0; i < 3000 && !console_split(); i++)
        proc_sleep_ns(1000000);
    if (!console_split()) {
        kprintf("%s: d%d: FAIL: no split console (run with console=split)\n", who,
                boot_info.domid);
        return 0;
    }
    return 1;
}

/* con-echo lines=N ticks=T: print T numbered lines, a millisecond apart
 * (to show the console alive while another domU floods its own), echo
 * the first N lines typed for this domain, and say PASS.  crash=1: then
 * a kernel page fault, whose report must go to console_io (the
 * console-split-crash scenario). */
int con_echo_main(void)
{
    if (!need_pv("con-echo") || !wait_split("con-echo"))
        return 1;
    int me = boot_info.domid;
    uint32_t want = (uint32_t)cmdline_int("lines", 1), ticks = (uint32_t)cmdline_int("ticks", 0);
    kprintf("con-echo: d%d: reading %u lines from the split console\n", me, want);
    for (uint32_t t = 1; t <= ticks; t++) {
        kprintf("con-echo: d%d: tick %u of %u\n", me, t, ticks);
        proc_sleep_ns(1000000);
    }
    char line[128];
    uint32_t n = 0, got = 0;
    while (got < want) {
        char buf[64];
        int r = console_read(buf, sizeof buf);
        if (r < 0) {
            kprintf("con-echo: d%d: FAIL: read %d after %u lines\n", me, r, got);
            return 1;
        }
        for (int i = 0; i < r && got < want; i++) {
            if (buf[i] != '\n') {
                if (n < sizeof line - 1)
                    line[n++] = buf[i];
                continue;
            }
            line[n] = '\0';
            kprintf("con-echo: d%d: got '%s'\n", me, line);
            n = 0;
            got++;
        }
    }
    kprintf("con-echo: d%d: %u lines echoed: PASS\n", me, got);
    if (cmdline_int("crash", 0)) {
        kprintf("con-echo: d%d: crashing on purpose, split console connected\n", me);
        *(volatile uint32_t *)0 = 0;   /* a kernel page fault: minios gives up */
    }
    return 0;
}

/* con-flood: a front end that floods its console, then lies about its
 * indices.  burst=B bytes in one line (no newline until the end), lines=L
 * short lines as fast as it can, then out_prod far past the ring (or,
 * with attack=in, in_cons past what dom0 ever put in its input ring). */
int con_flood_main(void)
{
    if (!need_pv("con-flood") || !wait_split("con-flood"))
        return 1;
    int me = boot_info.domid;
    uint32_t burst = (uint32_t)cmdline_int("burst", 65536), lines = (uint32_t)cmdline_int("lines", 100);
    /* First the hypervisor's rule: only a console's back end may print for
     * its front end -- not the front end itself, not another domU. */
    struct hv_device dev;
    for (uint32_t nth = 0; device_get(nth, &dev) == 0; nth++) {
        struct devop_console_write w = { .id = dev.id, .len = 6 };
        memcpy(w.text, "forged", 6);
        int r = HYPERVISOR_device_op(DEVOP_console_write, &w);
        kprintf("con-flood: d%d: console_write on my own console: %d: %s\n", me, r,
                r == -HV_EPERM ? "PASS" : "FAIL");
    }
    struct devop_console_write w = { .id = 1, .len = 6 };
    memcpy(w.text, "forged", 6);
    int r = HYPERVISOR_device_op(DEVOP_console_write, &w);
    kprintf("con-flood: d%d: console_write on device 1 (d1's console): %d: %s\n", me, r,
            r == -HV_EPERM ? "PASS" : "FAIL");
    kprintf("con-flood: d%d: a line of %u bytes, then %u lines\n", me, burst, lines);
    char x[256];
    memset(x, 'x', sizeof x);
    for (uint32_t done = 0; done < burst;) {
        uint32_t k = burst - done < sizeof x ? burst - done : sizeof x;
        console_write(x, k);
        done += k;
    }
    if (burst)
        console_write("\n", 1);
    for (uint32_t i = 1; i <= lines; i++)
        kprintf("con-flood: d%d: flood line %u of %u\n", me, i, lines);
    int in = cmdline_has("attack=in");
    kprintf("con-flood: d%d: now %s\n", me, in ? "in_cons 4096 bytes past what dom0 put in"
                                             : "out_prod a megabyte past the ring");
    if (console_attack(in, in ? 4096u : 1u << 20) < 0) {
        kprintf("con-flood: d%d: FAIL: no ring to attack\n", me);
        return 1;
    }
    for (int i = 0; i < 3000 && console_split(); i++)
        proc_sleep_ns(1000000);
    if (console_split()) {
        kprintf("con-flood: d%d: FAIL: the back end still listens to a broken ring\n", me);
        return 1;
    }
    kprintf("con-flood: d%d: disconnected by the back end: back on console_io: PASS\n", me);
    return 0;
}
