/*
 * minios-guest/net/netfront.c — a domU's network front end (netfront.h):
 * meeting dom0, posting receive buffers in advance, sending frames.
 *
 * Where this sits in the story (course: split drivers, "network packets
 * arrive at any time: the guest passes pages for dom0 to write into"):
 *
 *   domU (this file)                                dom0 (workloads/net-back.c)
 *   finds its device; waits for the back end's
 *   details: its IP, gateway, netmask (info[])
 *   grants the ring page, 16 receive pages
 *   (writable) and 8 transmit pages (read-only),
 *   reserves a port, publishes, INITIALISED  ---->  maps the ring, CONNECTED
 *   CONNECTED; posts the 16 receive buffers  ---->  keeps (id, gref) aside
 *                                                   ... a frame for us arrives
 *                                     <---------    copies it into a posted page,
 *                                                   answers that buffer's request
 *   hands the frame to net_input, posts the
 *   same page again
 *   a frame to send: into a free transmit
 *   page, a TX request                       ---->  copies it out, routes it,
 *                                     <---------    answers (status = length)
 *   the transmit page is free again
 *
 * Responses of both kinds come on the one ring in whatever order dom0
 * finishes them (public/netif.h); the id tells which buffer each is.  A
 * response is taken out of the ring first and handled after, so handling
 * a frame (which may send one) never happens in the middle of taking
 * responses.
 */
#include "net/netfront.h"
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "lib/string.h"
#include "workloads/workloads.h"

#define TX_ID(i)  (0x100u + (i))       /* transmit ids; receive ids are 0..15 */

void netfront_wait(struct netfront *nf, uint64_t ns)
{
    /* Ask dom0 for an event at the next response, and look once more
     * (io_ring.h): without it dom0 would suppress every notification. */
    if (io_front_final_check(&nf->ring))
        return;
    uint64_t deadline = ns ? pv_ops.system_ns() + ns : 0;
    int was = pv_ops.irq_enabled();
    pv_ops.irq_disable();
    while (io_events == nf->seen && (!deadline || pv_ops.system_ns() < deadline)) {
        if (deadline)
            proc_sleep_on_until((void *)&io_events, deadline);
        else
            proc_sleep_on((void *)&io_events);
    }
    nf->seen = io_events;
    if (was)
        pv_ops.irq_enable();
}

static void push(struct netfront *nf)
{
    int notify = io_front_push_requests(&nf->ring);
    if (notify) {
        evtchn_send(nf->port);
        nf->notify_sent++;
    } else {
        nf->notify_suppressed++;
    }
    device_ring_pushed(&nf->dev, notify);
}

static void post_rx(struct netfront *nf, uint32_t i)
{
    struct netif_request q = { .id = i, .op = NETIF_OP_RX, .gref = (uint32_t)nf->rx_ref[i] };
    io_front_put_request(&nf->ring, &q, sizeof q);   /* never full: 16 + 8 < 32 */
}

/* Take the responses waiting, without acting on received frames. */
static uint32_t reap(struct netfront *nf)
{
    uint32_t n = 0;
    for (;;) {
        int broken;
        uint32_t avail = io_front_responses(&nf->ring, &broken);
        if (broken || !avail)
            return n;
        struct netif_response p;
        io_front_get_response(&nf->ring, &p, sizeof p);
        n++;
        if (nf->on_response)
            nf->on_response(nf, &p);
        if (p.op == NETIF_OP_TX && p.id >= TX_ID(0) && p.id < TX_ID(NETFRONT_TX)) {
            nf->tx_busy &= ~(1u << (p.id - TX_ID(0)));
            if (p.status > 0)
                nf->tx_ok++;
            else
                nf->tx_refused++;
        } else if (p.op == NETIF_OP_RX && p.id < NETIF_RX_POSTED &&
                   nf->nfilled < NETIF_RX_POSTED) {
            nf->filled_id[nf->nfilled] = p.id;
            nf->filled_len[nf->nfilled++] = p.status > 0 ? (uint32_t)p.status : 0;
        }
    }
}

uint32_t netfront_poll(struct netfront *nf)
{
    uint32_t n = reap(nf);
    while (nf->nfilled) {
        uint32_t id = nf->filled_id[0], len = nf->filled_len[0];
        nf->nfilled--;
        for (uint32_t k = 0; k < nf->nfilled; k++) {
            nf->filled_id[k] = nf->filled_id[k + 1];
            nf->filled_len[k] = nf->filled_len[k + 1];
        }
        if (len >= NETIF_MIN_FRAME && len <= NETIF_MAX_FRAME) {
            nf->rx_ok++;
            net_input(&nf->nif, nf->rx_page[id], len);
        } else {
            nf->rx_errors++;
        }
        post_rx(nf, id);               /* the page is ours again: offer it again */
        push(nf);
        n += reap(nf);
    }
    return n;
}

int netfront_send_raw(struct netfront *nf, const struct netif_request *q)
{
    if (io_front_free(&nf->ring) == 0)
        return -ENOSPC;
    io_front_put_request(&nf->ring, q, sizeof *q);
    push(nf);
    return 0;
}

int netfront_send(struct netif *nif, const uint8_t *frame, uint32_t len)
{
    struct netfront *nf = nif->priv;
    if (len < NETIF_MIN_FRAME || len > NETIF_MAX_FRAME)
        return -EINVAL;
    uint32_t i;
    for (int tries = 0;; tries++) {
        reap(nf);
        for (i = 0; i < NETFRONT_TX && (nf->tx_busy & (1u << i)); i++)
            ;
        if (i < NETFRONT_TX && io_front_free(&nf->ring) > 0)
            break;                     /* a page and a slot */
        if (tries == 100)
            return -EAGAIN;
        netfront_wait(nf, 1000000);    /* all in flight: wait for dom0, 1 ms at a time */
    }
    memcpy(nf->tx_page[i], frame, len);
    struct netif_request q = {
        .id = TX_ID(i), .op = NETIF_OP_TX, .gref = (uint32_t)nf->tx_ref[i],
        .offset = 0, .len = (uint16_t)len,
    };
    nf->tx_busy |= 1u << i;
    return netfront_send_raw(nf, &q);
}

/* The back end's state, once it is `state` or gave up. */
static uint32_t wait_back(struct netfront *nf, uint32_t state)
{
    for (;;) {
        if (device_find(nf->dev.id, &nf->dev) < 0)
            return DEV_STATE_UNKNOWN;
        uint32_t s = nf->dev.end[DEV_END_BACK].state;
        if (s == state || s == DEV_STATE_CLOSING || s == DEV_STATE_CLOSED)
            return s;
        io_wait(&nf->seen);
    }
}

int netfront_connect(struct netfront *nf, const char *who)
{
    domid_t me = (domid_t)boot_info.domid;
    if (io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("%s: FAIL: no device events or grant table\n", who);
        return -ENOSYS;
    }
    /* 1. The toolstack announces the device; its back end says our address. */
    nf->seen = io_events;
    while (device_find_front(DEV_TYPE_NET, &nf->dev) < 0)
        io_wait(&nf->seen);
    nf->back = nf->dev.end[DEV_END_BACK].dom;
    uint32_t bs = wait_back(nf, DEV_STATE_INITWAIT);
    if (bs != DEV_STATE_INITWAIT) {
        kprintf("%s: FAIL: the back end is not waiting (state %u)\n", who, bs);
        return -EINVAL;
    }
    struct netif *nif = &nf->nif;
    nif->ip = nf->dev.end[DEV_END_BACK].info[0];
    nif->gw = nf->dev.end[DEV_END_BACK].info[1];
    nif->mask = nf->dev.end[DEV_END_BACK].info[2];
    NETIF_MAC_OF(nif->mac, nif->ip);
    nif->send = netfront_send;
    nif->priv = nf;

    /* 2. The ring, the buffers, a port. */
    nf->sring = page_alloc();
    if (!nf->sring)
        return -ENOMEM;
    io_front_init(&nf->ring, nf->sring, 0);
    nf->ring_ref = gnttab_grant(nf->back, pv_ops.pt_mfn(nf->sring), 0);
    int bad = nf->ring_ref < 0;
    for (uint32_t i = 0; i < NETIF_RX_POSTED; i++) {
        nf->rx_page[i] = page_alloc();
        nf->rx_ref[i] = nf->rx_page[i] ? gnttab_grant(nf->back, pv_ops.pt_mfn(nf->rx_page[i]), 0) : -1;
        bad |= nf->rx_ref[i] < 0;
    }
    for (uint32_t i = 0; i < NETFRONT_TX; i++) {
        nf->tx_page[i] = page_alloc();
        nf->tx_ref[i] = nf->tx_page[i] ? gnttab_grant(nf->back, pv_ops.pt_mfn(nf->tx_page[i]), 1) : -1;
        bad |= nf->tx_ref[i] < 0;
    }
    int r = evtchn_alloc_unbound(nf->back, &nf->port);
    if (bad || r < 0 || nf->port >= EVENTS_NR_PORTS) {
        kprintf("%s: FAIL: grants or port (%d)\n", who, r);
        return -ENOSPC;
    }
    io_watch_port(nf->port);
    r = device_publish(nf->dev.id, (uint32_t)nf->ring_ref, nf->port, 0);
    if (r == 0)
        r = device_set_state(nf->dev.id, DEV_STATE_INITIALISED);

    /* 3. Connected once the back end is; then the receive buffers. */
    bs = wait_back(nf, DEV_STATE_CONNECTED);
    if (r < 0 || bs != DEV_STATE_CONNECTED) {
        kprintf("%s: FAIL: not connected (publish %d, back end %u)\n", who, r, bs);
        return -EINVAL;
    }
    r = device_set_state(nf->dev.id, DEV_STATE_CONNECTED);
    for (uint32_t i = 0; i < NETIF_RX_POSTED; i++)
        post_rx(nf, i);
    push(nf);
    kprintf("%s: d%u: device %u, ip %u.%u.%u.%u, mac 02:00:%02x:%02x:%02x:%02x, gateway "
            "%u.%u.%u.%u: connected (%d)\n",
            who, me, nf->dev.id, NET_IP_ARGS(nif->ip), nif->mac[2], nif->mac[3], nif->mac[4],
            nif->mac[5], NET_IP_ARGS(nif->gw), r);
    kprintf("%s: d%u: %u receive buffers posted\n", who, me, NETIF_RX_POSTED);
    return r;
}

void netfront_close(struct netfront *nf, const char *who)
{
    /* Let the last transmits be answered (bounded). */
    for (int i = 0; i < 50 && nf->tx_busy; i++) {
        netfront_poll(nf);
        if (nf->tx_busy)
            netfront_wait(nf, 1000000);
    }
    device_set_state(nf->dev.id, DEV_STATE_CLOSING);
    uint32_t bs = wait_back(nf, DEV_STATE_CLOSED);
    int fails = gnttab_end((grant_ref_t)nf->ring_ref) != 0;
    for (uint32_t i = 0; i < NETIF_RX_POSTED; i++)
        fails += gnttab_end((grant_ref_t)nf->rx_ref[i]) != 0;
    for (uint32_t i = 0; i < NETFRONT_TX; i++)
        fails += gnttab_end((grant_ref_t)nf->tx_ref[i]) != 0;
    evtchn_close(nf->port);
    int r = device_set_state(nf->dev.id, DEV_STATE_CLOSED);
    kprintf("%s: d%u: closed (back end %u, %d), %d grants not revoked\n", who,
            boot_info.domid, bs, r, fails);
    kprintf("%s: d%u: sent %u (%u refused), received %u; notifications %u sent, %u suppressed\n",
            who, boot_info.domid, nf->tx_ok, nf->tx_refused, nf->rx_ok, nf->notify_sent,
            nf->notify_suppressed);
}
