/*
 * minios-guest/workloads/net-back.c — dom0's network back end (program
 * `net-back`): the toolstack's network devices, the NE2000 on the wire,
 * and the demultiplexing of every packet by IP.
 *
 * Where this sits in the story (course: split drivers, "guests have
 * virtual IPs and dom0 demultiplexes each packet by IP onto that guest's
 * ring; packets arrive at any time; the back end is isolated in dom0 with
 * direct access to the hardware"):
 *
 *            the wire (QEMU's user network: the host is 10.0.2.2)
 *                 |
 *            NE2000 (drivers/ne2k.c), IRQ 9 -> an event in dom0
 *                 |
 *   dom0:  route() -- by destination IP:
 *            10.0.2.16 -> d1's ring   10.0.2.17 -> d2's ring   (NET_TO_GUEST)
 *            another address of the block, no domU -> dropped   (NET_DROP_NOBODY)
 *            from a domU to another domU -> its ring, not the wire (NET_FORWARD)
 *            from a domU to anything else -> the wire            (NET_TO_WIRE)
 *          and ARP: on the wire dom0 answers for every address of the
 *          block with the NIC's MAC; on a domU's link it answers every
 *          question with the link's MAC (proxy ARP) (NET_ARP_REPLY).
 *
 * A frame for a domU goes into a receive buffer the domU posted in
 * advance (GNTTABOP_copy into its granted page), and that buffer's request
 * is answered; with no buffer posted the frame is dropped (NET_DROP_NOBUF):
 * a slow domU loses its own packets, nobody else's.
 *
 * THE BACK END TRUSTS NOTHING ON A RING.  Each request is copied out of
 * the shared page (io_ring.h) before it is read; a bad op, length or grant
 * is answered with an error; a frame that does not parse, or whose source
 * IP (ARP: sender) is not its domU's own, is dropped (NET_DROP_BAD: no
 * spoofing, a domU speaks only as itself); a front end whose ring indices
 * are impossible is disconnected; each domU gets at most a budget of
 * requests per round, so one that floods its ring cannot starve the
 * others.  Every verdict is counted and, while a trace is recorded, noted
 * as a net_pkt record (DEVOP_io_note).
 *
 * Options: fronts=N (devices for d1..dN, default 2), ip_base=A.B.C.D (d1's
 * address; dN's is ip_base + N - 1; default 10.0.2.16), block=N (how many
 * addresses from ip_base dom0 answers for on the wire: 16), wire=0 (leave
 * the card alone: the guests talk only to each other), vms (make no
 * devices: serve those dom0's toolstack makes for the VMs it creates --
 * xl create with ip=A.B.C.D, the address xl published in our end's info[]
 * -- each taken as it appears if its address is in the block and no other
 * live domU's, at most MAX_FRONTS at once, until xl has quit and the
 * last one has closed).
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "arch/pv/hypercall.h"
#include "drivers/ne2k.h"
#include "net/net.h"
#include "lib/string.h"
#include "public/io_ring.h"
#include "public/netif.h"
#include "workloads/workloads.h"

#define MAX_FRONTS   8
#define BUDGET       8                 /* requests of one domU per round */

static const uint8_t back_mac[ETH_ALEN] = NETIF_BACK_MAC;

struct vif {                           /* dom0's end of one domU's link */
    uint32_t id;                       /* the device */
    domid_t front;
    uint32_t ip;
    uint8_t mac[ETH_ALEN];
    int connected, done;
    void *ring_va;
    grant_handle_t handle;
    evtchn_port_t port;
    struct io_back ring;
    struct hv_device dev;              /* as last read (flags: traced?) */
    uint32_t rx_id[NETIF_RX_POSTED], rx_gref[NETIF_RX_POSTED], nrx;   /* posted buffers */
    int pending;                       /* responses written, not pushed */
    uint32_t tx, rx, refused, sent, suppressed;
};

static struct vif vifs[MAX_FRONTS];
static uint32_t nvifs;                 /* slots in use (vms: all, free ones done) */
static int vms;                        /* serve the devices xl makes (the word vms) */
static uint32_t adopted;               /* vms: devices taken so far */
static uint32_t ip_first, ip_count;    /* the block dom0 routes */
static struct ne2k nic;
static int have_wire;
static struct netif wire;              /* dom0's own address on the wire */
static uint8_t *frame;                 /* the frame being routed (a page) */

/* What happened to packets, by verdict (public/device.h's NET_*). */
static uint32_t verdicts[8];

/* ---- the trace ----------------------------------------------------------- */

/* Count a verdict, and note it in the trace (only while one is recorded:
 * the device's DEV_FLAG_TRACED).  `at` is the device the note is about
 * (the sender's, or for the wire the receiver's; any of ours if neither). */
static void verdict(const struct vif *at, const struct net_pkt *p, uint32_t v, const struct vif *to)
{
    verdicts[v < 8 ? v : 0]++;
    if (!at)
        at = to ? to : (nvifs ? &vifs[0] : 0);
    if (!at || !(at->dev.flags & DEV_FLAG_TRACED))
        return;
    uint32_t proto = p->type == ETH_TYPE_ARP ? 0 : p->proto;
    device_io_note(&at->dev, IO_NOTE_PKT, p->src_ip, p->dst_ip, proto << 16 | (p->len & 0xffff),
                   v, to ? to->id : 0);
}

/* ---- a domU's link ------------------------------------------------------- */

static struct vif *vif_of_ip(uint32_t ip)
{
    for (uint32_t i = 0; i < nvifs; i++)
        if (vifs[i].ip == ip && vifs[i].connected)
            return &vifs[i];
    return 0;
}

static int in_block(uint32_t ip)
{
    /* ip_first + k for k < ip_count, in network byte order: the last byte
     * (the high byte of the uint32_t) differs. */
    uint32_t k = (ip >> 24) - (ip_first >> 24);
    return (ip & 0x00ffffffu) == (ip_first & 0x00ffffffu) && k < ip_count;
}

/* The back end's view of a request for the trace: taken (io_req) and
 * answered (io_rsp), so a packet can be followed from ring to ring. */
static void note_req(const struct vif *v, uint32_t id, uint32_t op, uint32_t len)
{
    device_io_note(&v->dev, IO_NOTE_REQ, id, op == NETIF_OP_TX ? IO_OP_TX : IO_OP_RX, 0, len, 0);
}

static void answer(struct vif *v, uint32_t id, uint16_t op, int32_t status)
{
    struct netif_response r = { .id = id, .op = op, .status = status };
    if (io_back_put_response(&v->ring, &r, sizeof r) == 0)
        v->pending = 1;
    device_io_note(&v->dev, IO_NOTE_RSP, id, op == NETIF_OP_RX ? IO_OP_RX : IO_OP_TX,
                   (uint32_t)status, 0, 0);
}

static void push(struct vif *v)
{
    if (!v->pending || !v->connected)
        return;
    v->pending = 0;
    int notify = io_back_push_responses(&v->ring);
    if (notify) {
        evtchn_send(v->port);
        v->sent++;
    } else {
        v->suppressed++;
    }
    device_ring_pushed(&v->dev, notify);
}

/* Put frame[0..len) into one of v's posted buffers: its verdict. */
static uint32_t deliver(struct vif *v, uint32_t len)
{
    if (v->nrx == 0)
        return NET_DROP_NOBUF;
    uint32_t id = v->rx_id[0], gref = v->rx_gref[0];
    v->nrx--;
    for (uint32_t k = 0; k < v->nrx; k++) {
        v->rx_id[k] = v->rx_id[k + 1];
        v->rx_gref[k] = v->rx_gref[k + 1];
    }
    struct gnttab_copy c = {
        .source = { .u.gmfn = pv_ops.pt_mfn(frame), .domid = DOMID_SELF, .offset = 0 },
        .dest = { .u.ref = gref, .domid = v->front, .offset = 0 },
        .len = (uint16_t)len, .flags = GNTCOPY_dest_gref,
    };
    int r = gnttab_copy(&c);
    answer(v, id, NETIF_OP_RX, r < 0 ? r : (int32_t)len);
    push(v);
    if (r < 0)
        return NET_DROP_BAD;           /* its buffer was no good: its loss */
    v->rx++;
    return NET_TO_GUEST;
}

/* Send frame[0..len) from dom0 to v over its link: dom0 speaks as the
 * link's other end. */
static uint32_t to_link(struct vif *v, uint32_t len)
{
    struct eth_hdr *e = (struct eth_hdr *)frame;
    memcpy(e->dst, v->mac, ETH_ALEN);
    memcpy(e->src, back_mac, ETH_ALEN);
    return deliver(v, len);
}

/* ---- routing ------------------------------------------------------------- */

static uint32_t to_wire(uint32_t len)
{
    if (!have_wire)
        return NET_DROP_NOBODY;
    /* Everything off our guests goes to the gateway, which routes (QEMU's
     * user network answers for the host and the outside). */
    const uint8_t *mac = net_arp_resolve(&wire, wire.gw);
    if (!mac)
        return NET_DROP_NOBUF;         /* asked: the next one will go */
    struct eth_hdr *e = (struct eth_hdr *)frame;
    memcpy(e->dst, mac, ETH_ALEN);
    memcpy(e->src, nic.mac, ETH_ALEN);
    ne2k_send(&nic, frame, len);
    return NET_TO_WIRE;
}

/* A frame from domU v (in `frame`). */
static void from_guest(struct vif *v, uint32_t len)
{
    struct net_pkt p;
    if (net_parse(&p, frame, len) != 0 || (p.type != ETH_TYPE_ARP && p.type != ETH_TYPE_IP)) {
        verdict(v, &p, NET_DROP_BAD, 0);
        return;
    }
    if (p.src_ip != v->ip) {           /* spoofed: a domU may only speak as itself */
        verdict(v, &p, NET_DROP_BAD, 0);
        return;
    }
    if (p.type == ETH_TYPE_ARP) {
        if (net_ntohs(p.arp->oper) != ARP_REQUEST || p.dst_ip == v->ip) {
            verdict(v, &p, NET_DROP_NOBODY, 0);    /* nobody asked it anything */
            return;
        }
        /* Proxy ARP: whoever it asks for, dom0 (the link's other end) is
         * where to send it. */
        uint32_t n = net_arp_build(frame, ARP_REPLY, back_mac, p.dst_ip, v->mac, v->ip, v->mac);
        uint32_t r = deliver(v, n);
        verdict(v, &p, r == NET_TO_GUEST ? NET_ARP_REPLY : r, v);
        return;
    }
    struct vif *to = vif_of_ip(p.dst_ip);
    if (to && to != v) {
        uint32_t r = to_link(to, len);
        verdict(v, &p, r == NET_TO_GUEST ? NET_FORWARD : r, to);
    } else if (in_block(p.dst_ip) || to == v) {
        verdict(v, &p, NET_DROP_NOBODY, 0);
    } else {
        verdict(v, &p, to_wire(len), 0);
    }
}

/* A frame from the wire (in `frame`). */
static void from_wire(uint32_t len)
{
    struct net_pkt p;
    if (net_parse(&p, frame, len) != 0) {
        verdict(0, &p, NET_DROP_BAD, 0);
        return;
    }
    if (p.type == ETH_TYPE_ARP) {
        if (net_ntohs(p.arp->oper) == ARP_REQUEST && in_block(p.dst_ip)) {
            /* "Who has 10.0.2.16?" -- we do, for our guest. */
            net_arp_learn(&wire, p.src_ip, p.arp->sha);
            uint8_t tha[ETH_ALEN];
            memcpy(tha, p.arp->sha, ETH_ALEN);
            uint32_t n = net_arp_build(frame, ARP_REPLY, nic.mac, p.dst_ip, tha, p.src_ip, tha);
            ne2k_send(&nic, frame, n);
            verdict(vif_of_ip(p.dst_ip), &p, NET_ARP_REPLY, 0);
        } else {
            net_input(&wire, frame, len);          /* about dom0 itself: the gateway's reply */
        }
        return;
    }
    if (p.type != ETH_TYPE_IP)
        return;                                    /* not IPv4: nobody here speaks it */
    if (((p.src_ip ^ wire.ip) & wire.mask) == 0)
        net_arp_learn(&wire, p.src_ip, p.eth->src);
    struct vif *to = vif_of_ip(p.dst_ip);
    if (to)
        verdict(to, &p, to_link(to, len), to);
    else if (in_block(p.dst_ip))
        verdict(0, &p, NET_DROP_NOBODY, 0);
    else if (p.dst_ip == wire.ip)
        net_input(&wire, frame, len);              /* a ping to dom0 */
}

static int wire_send(struct netif *nif, const uint8_t *f, uint32_t len)
{
    (void)nif;
    return ne2k_send(&nic, f, len);
}

/* ---- a domU's requests ------------------------------------------------------ */

/* One request from v's ring (already copied out). */
static void request(struct vif *v, const struct netif_request *q)
{
    note_req(v, q->id, q->op, q->len);
    if (q->op == NETIF_OP_RX) {
        if (v->nrx == NETIF_RX_POSTED) {
            answer(v, q->id, NETIF_OP_RX, -HV_ENOSPC);   /* more than it may post */
            v->refused++;
            return;
        }
        v->rx_id[v->nrx] = q->id;
        v->rx_gref[v->nrx++] = q->gref;
        return;                                    /* answered when a frame comes */
    }
    if (q->op != NETIF_OP_TX) {
        answer(v, q->id, q->op, -HV_ENOSYS);
        v->refused++;
        return;
    }
    if (q->len < NETIF_MIN_FRAME || q->len > NETIF_MAX_FRAME ||
        (uint32_t)q->offset + q->len > 4096u) {
        answer(v, q->id, NETIF_OP_TX, -HV_EINVAL);      /* before any copy */
        v->refused++;
        return;
    }
    struct gnttab_copy c = {
        .source = { .u.ref = q->gref, .domid = v->front, .offset = q->offset },
        .dest = { .u.gmfn = pv_ops.pt_mfn(frame), .domid = DOMID_SELF, .offset = 0 },
        .len = q->len, .flags = GNTCOPY_source_gref,
    };
    int r = gnttab_copy(&c);
    answer(v, q->id, NETIF_OP_TX, r < 0 ? r : (int32_t)q->len);
    if (r < 0) {
        v->refused++;                              /* not granted to us, or the like */
        return;
    }
    v->tx++;
    from_guest(v, q->len);
}

/* A gratuitous ARP on the wire: "v's address is at our NIC", asked by
 * nobody.  Whoever keeps an ARP table (QEMU's user network does) learns it
 * now, instead of asking later -- and a question asked before the card was
 * up, left unanswered, would otherwise hold its packets back for a second
 * (libslirp waits that long before it asks again). */
static void announce(const struct vif *v)
{
    static const uint8_t everyone[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (!have_wire)
        return;
    uint32_t n = net_arp_build(frame, ARP_REQUEST, nic.mac, v->ip, 0, v->ip, everyone);
    ne2k_send(&nic, frame, n);
    struct net_pkt p = { .type = ETH_TYPE_ARP, .src_ip = v->ip, .dst_ip = v->ip, .len = n };
    verdict(v, &p, NET_ARP_REPLY, 0);  /* an answer before the question */
}

static void teardown(struct vif *v, uint32_t my_state, const char *why)
{
    int u = v->ring_va ? gnttab_unmap(v->ring_va, v->handle) : 0;
    int c = v->port ? evtchn_close(v->port) : 0;
    device_close(v->id, my_state);
    v->ring_va = 0;
    v->port = 0;
    v->connected = 0;
    v->done = 1;
    v->nrx = 0;
    kprintf("net-back: d%u: %s: unmapped (%d), port closed (%d)\n", v->front, why, u, c);
    kprintf("net-back: d%u: %u sent, %u received, %u refused; notifications %u sent, "
            "%u suppressed\n", v->front, v->tx, v->rx, v->refused, v->sent, v->suppressed);
}

/* Up to BUDGET requests from v's ring.  1 if any. */
static int serve(struct vif *v)
{
    int did = 0;
    for (uint32_t k = 0; k < BUDGET; k++) {
        int broken;
        uint32_t n = io_back_requests(&v->ring, &broken);
        if (broken) {
            kprintf("net-back: d%u: req_prod %u is impossible (we answered up to %u): "
                    "disconnected\n", v->front, v->ring.s->req_prod, v->ring.rsp_prod_pvt);
            teardown(v, DEV_STATE_CONNECTED, "front end broken");
            return 1;
        }
        if (n == 0) {
            if (io_back_final_check(&v->ring))
                continue;              /* one slipped in (or it broke): look again */
            break;                     /* asked for an event at the next request */
        }
        struct netif_request q;
        io_back_get_request(&v->ring, &q, sizeof q);
        request(v, &q);
        did = 1;
    }
    push(v);
    return did;
}

/* One device: whatever its state asks.  1 if anything changed. */
static int step(struct vif *v)
{
    if (v->done || device_find(v->id, &v->dev) < 0)
        return 0;
    uint32_t me = v->dev.end[DEV_END_BACK].state, fe = v->dev.end[DEV_END_FRONT].state;
    if (me == DEV_STATE_INITIALISING) {
        device_set_state(v->id, DEV_STATE_INITWAIT);
        return 1;
    }
    if (fe == DEV_STATE_CLOSING || fe == DEV_STATE_CLOSED) {
        teardown(v, me, fe == DEV_STATE_CLOSED ? "front end closed" : "front end closing");
        return 1;
    }
    if (me == DEV_STATE_INITWAIT && fe == DEV_STATE_INITIALISED) {
        const struct hv_dev_end *f = &v->dev.end[DEV_END_FRONT];
        int r = device_back_connect(&v->dev, &v->ring_va, &v->handle, &v->port, &v->ring);
        if (r < 0) {
            kprintf("net-back: d%u: cannot connect: ring grant %u, port %u: %d\n", v->front,
                    f->ring_ref, f->evtchn, r);
            teardown(v, me, "not connected");
            return 1;
        }
        r = device_set_state(v->id, DEV_STATE_CONNECTED);
        v->connected = r == 0;
        announce(v);
        kprintf("net-back: d%u: ring mapped, port %u bound: connected (%d)\n", v->front,
                v->port, r);
        return 1;
    }
    if (me == DEV_STATE_CONNECTED && v->connected)
        return serve(v);
    return 0;
}

/* The wire: whatever the card has received (at most a budget). */
static int serve_wire(void)
{
    if (!have_wire)
        return 0;
    int did = 0;
    ne2k_ack(&nic);                    /* first: a frame from now on raises a new event */
    for (uint32_t k = 0; k < 4 * BUDGET; k++) {
        uint32_t n = ne2k_recv(&nic, frame, NETIF_MAX_FRAME);
        if (!n)
            break;
        from_wire(n);
        did = 1;
    }
    return did;
}

/* vms: take the network devices xl made since we last looked, into free
 * slots; refuse (close) one whose address is not ours to give.  1 if any. */
static int adopt(void)
{
    uint32_t live[MAX_FRONTS], n = 0;  /* the devices we serve */
    for (uint32_t i = 0; i < nvifs; i++)
        if (!vifs[i].done)
            live[n++] = vifs[i].id;
    int did = device_close_untaken(DEV_TYPE_NET, live, n) > 0;
    for (uint32_t s = 0; s < nvifs; s++) {
        if (!vifs[s].done)
            continue;
        struct hv_device dev;
        if (device_find_new_back(DEV_TYPE_NET, live, n, &dev) < 0)
            break;
        uint32_t ip = dev.end[DEV_END_BACK].info[0];
        if (ip == 0)
            break;                     /* xl has not published the address yet */
        domid_t front = dev.end[DEV_END_FRONT].dom;
        const char *why = in_block(ip) ? 0 : "not in the block dom0 routes";
        for (uint32_t i = 0; !why && i < nvifs; i++)
            if (!vifs[i].done && vifs[i].ip == ip)
                why = "another domU's";
        adopted++;
        did = 1;
        if (why) {
            kprintf("net-back: device %u for d%u: ip %u.%u.%u.%u: %s: refused\n", dev.id, front,
                    NET_IP_ARGS(ip), why);
            device_close(dev.id, DEV_STATE_INITIALISING);
            s--;                       /* the slot is still free */
            continue;
        }
        live[n++] = dev.id;
        struct vif *v = &vifs[s];
        memset(v, 0, sizeof *v);
        v->id = dev.id;
        v->front = front;
        v->ip = ip;
        NETIF_MAC_OF(v->mac, v->ip);
        kprintf("net-back: device %u for d%u, ip %u.%u.%u.%u (taken: %u so far)\n", v->id,
                v->front, NET_IP_ARGS(v->ip), adopted);
    }
    return did;
}

int net_back_main(void)
{
    if (!need_pv("net-back"))
        return 0;
    vms = cmdline_has("vms");
    nvifs = vms ? MAX_FRONTS : (uint32_t)cmdline_int("fronts", 2);
    ip_first = net_cmdline_ip("ip_base", NET_IP(10, 0, 2, 16));
    ip_count = (uint32_t)cmdline_int("block", 16);
    frame = page_alloc();
    if (nvifs < 1 || nvifs > MAX_FRONTS || nvifs > ip_count || !frame ||
        io_events_init() < 0 || gnttab_init() < 0) {
        kprintf("net-back: FAIL: cannot start (%u front ends)\n", nvifs);
        return 1;
    }

    /* The card.  Without one (no -device ne2k_isa) the guests still talk
     * to each other. */
    int r = cmdline_int("wire", 1) ? ne2k_init(&nic, NE2K_IOBASE, NE2K_IRQ) : -ENOENT;
    have_wire = r == 0;
    if (have_wire) {
        io_watch_port(nic.port);
        wire.name = "wire";
        memcpy(wire.mac, nic.mac, ETH_ALEN);
        wire.ip = NET_IP(10, 0, 2, 15);
        wire.mask = NET_IP(255, 255, 255, 0);
        wire.gw = NET_IP(10, 0, 2, 2);
        wire.send = wire_send;
        net_arp_request(&wire, wire.gw);           /* the gateway's MAC, before it is needed */
    }
    kprintf("net-back: NE2000 at 0x%x, IRQ %u: %s (%d), mac %02x:%02x:%02x:%02x:%02x:%02x, "
            "event port %u\n", NE2K_IOBASE, NE2K_IRQ, have_wire ? "up" : "absent", r,
            nic.mac[0], nic.mac[1], nic.mac[2], nic.mac[3], nic.mac[4], nic.mac[5], nic.port);

    /* The toolstack's part: a device per domU, and its address. */
    for (uint32_t i = 0; i < nvifs; i++) {
        struct vif *v = &vifs[i];
        if (vms) {
            v->done = 1;               /* a free slot, for a device xl makes */
            continue;
        }
        v->front = (domid_t)(i + 1);
        v->ip = ip_first + (i << 24);              /* the last byte, in network order */
        NETIF_MAC_OF(v->mac, v->ip);
        r = device_create(DEV_TYPE_NET, v->front, (domid_t)boot_info.domid, &v->id);
        uint32_t info[4] = { v->ip, NET_IP(10, 0, 2, 2), NET_IP(255, 255, 255, 0), 0 };
        if (r == 0)
            r = device_publish(v->id, 0, 0, info);
        kprintf("net-back: device %u for d%u, ip %u.%u.%u.%u (%d)\n", v->id, v->front,
                NET_IP_ARGS(v->ip), r);
        if (r < 0)
            v->done = 1;
    }

    uint32_t seen = io_events;
    for (;;) {
        uint32_t before = io_events;
        int progress = serve_wire() | (vms ? adopt() : 0), left = 0;
        for (uint32_t i = 0; i < nvifs; i++) {
            progress |= step(&vifs[i]);
            left += !vifs[i].done;
        }
        if (!left && (!vms || toolstack_quit))
            break;
        if (!progress) {
            seen = before;
            io_wait(&seen);
        }
    }
    kprintf("net-back: all %u devices closed\n", vms ? adopted : nvifs);
    kprintf("net-back: packets: %u to guests, %u forwarded, %u to the wire, %u ARP replies\n",
            verdicts[NET_TO_GUEST], verdicts[NET_FORWARD], verdicts[NET_TO_WIRE],
            verdicts[NET_ARP_REPLY]);
    kprintf("net-back: dropped: %u for nobody, %u without a buffer, %u bad\n",
            verdicts[NET_DROP_NOBODY], verdicts[NET_DROP_NOBUF], verdicts[NET_DROP_BAD]);
    if (have_wire)
        kprintf("net-back: NE2000: %u frames received, %u sent, %u interrupts, %u errors, "
                "%u overruns\n", nic.rx, nic.tx, nic.interrupts, nic.rx_errors, nic.overruns);
    return 0;
}
