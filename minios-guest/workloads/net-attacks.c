/*
 * minios-guest/workloads/net-attacks.c — a hostile network front end
 * (program `net-attack`): what a malicious domU can put on its ring to
 * dom0's network back end, and what must come of it.
 *
 * Where this sits in the story (course: isolation of I/O, "every guest is
 * hostile"): the back end reads requests that another domain wrote, in a
 * page that domain can still change.  Xen's security advisories on netback
 * are made of exactly these: lengths and offsets that run off a page,
 * grants that are not what they claim, packets in another guest's name,
 * more requests than the ring holds, a flood to keep dom0 busy.  Each
 * attempt here prints "net-attack: <what>: <result>: PASS" when dom0
 * refused or contained it; the scenario (tests/scenarios/net-attacks.scn)
 * checks meanwhile that the other domU keeps talking to a real client on
 * the host, and that none of the attacker's packets reached it.
 *
 *   bad op, zero length, longer than a frame, past the page  -> an error status
 *   a grant that is not ours, one made to another domain     -> an error status
 *   frames with another domain's source IP (UDP and ARP), a frame that
 *   does not parse                                           -> taken, dropped (bad)
 *   more receive buffers than a front end may post           -> -ENOSPC each
 *   a flood of transmits until the host says "quit"          -> all answered, others served
 *   a request index far past the ring                        -> dom0 disconnects us
 *
 * Options: victim=IP (the other domU, 10.0.2.17), flood=N (flood until
 * "quit" arrives on UDP port 7, and at least N transmits: 1000; 0: skip).
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/gnttab.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "arch/pvops.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "net/net.h"
#include "net/netfront.h"
#include "public/netif.h"
#include "workloads/workloads.h"

static struct netfront nf;
static domid_t me;
static struct checks checks = { .who = "net-attack" };
static const uint8_t back_mac[ETH_ALEN] = NETIF_BACK_MAC;

/* The status of the request with id `want_id`, when it comes. */
static uint32_t want_id;
static int got, got_status;
static uint32_t nospc;                 /* -ENOSPC answers to our extra receive posts */
static uint32_t flood_answered;
static int quit;

static void on_response(struct netfront *f, const struct netif_response *p)
{
    (void)f;
    if (p->id == want_id) {
        got = 1;
        got_status = p->status;
    }
    if (p->op == NETIF_OP_RX && p->id >= 100 && p->status == -HV_ENOSPC)
        nospc++;
    if (p->id >= 0x10000)
        flood_answered++;
}

static int flooding;            /* the flood (step 5) has begun */

static void on_udp(struct netif *nif, const struct net_pkt *p)
{
    if (p->dport != 7)
        return;
    char reply[48];
    int q = p->data_len == 4 && net_memeq(p->data, "quit", 4);
    if (q)
        quit = 1;
    uint32_t n = 0;
    /* "flooding" only once the flood runs: the host waits for it before it
     * checks that d2 keeps answering during the flood. */
    const char *what = q ? "bye" : flooding ? "flooding" : "not yet";
    reply[n++] = 'd';
    reply[n++] = (char)('0' + me);
    reply[n++] = ':';
    reply[n++] = ' ';
    while (*what)
        reply[n++] = *what++;
    net_udp_send(nif, p->src_ip, 7, p->sport, reply, n);
}

/* Put one request, wait (bounded) for its answer: its status, or 1 if
 * none came (then the check fails: a back end must answer every request). */
static int ask(struct netif_request q)
{
    static uint32_t next_id = 0x200;
    q.id = want_id = next_id++;
    got = 0;
    if (netfront_send_raw(&nf, &q) < 0)
        return 1;
    for (int i = 0; i < 200 && !got; i++) {
        netfront_poll(&nf);
        if (!got)
            netfront_wait(&nf, MS);
    }
    return got ? got_status : 1;
}

static void expect_refused(const char *what, int status)
{
    check_eq(&checks, what, status < 0 ? -1 : status, -1);
}

/* A UDP frame from `src` to dst:port with payload msg, in tx page 1. */
static uint32_t forge_udp(uint32_t src, uint32_t dst, uint16_t port, const char *msg)
{
    uint8_t *buf = nf.tx_page[1];
    struct udp_hdr *u = (struct udp_hdr *)(buf + ETH_HLEN + sizeof(struct ip_hdr));
    uint32_t len = strlen(msg);
    u->sport = net_htons(7777);
    u->dport = net_htons(port);
    memcpy(u + 1, msg, len);
    uint32_t real = nf.nif.ip;
    nf.nif.ip = src;                   /* lie */
    uint32_t n = net_ip_build(&nf.nif, buf, back_mac, dst, IP_PROTO_UDP, sizeof *u + len);
    nf.nif.ip = real;
    return n;
}

static struct netif_request tx_of(uint32_t page, uint32_t len)
{
    struct netif_request q = { .op = NETIF_OP_TX, .gref = (uint32_t)nf.tx_ref[page],
                               .offset = 0, .len = (uint16_t)len };
    return q;
}

int net_attack_main(void)
{
    if (!need_pv("net-attack"))
        return 0;
    me = (domid_t)boot_info.domid;
    nf.on_response = on_response;
    if (netfront_connect(&nf, "net-attack") < 0)
        return 1;
    nf.nif.on_udp = on_udp;
    uint32_t victim = net_cmdline_ip("victim", NET_IP(10, 0, 2, 17));
    uint32_t gateway = nf.nif.gw;
    /* tx pages 1 and 2 are ours to forge in (netfront_send uses the free
     * ones; we take 1 and 2 off its hands). */
    nf.tx_busy |= 1u << 1 | 1u << 2;

    /* 1. Requests that make no sense. */
    struct netif_request q = tx_of(1, 60);
    q.op = 99;
    check_eq(&checks, "an unknown op", ask(q), -HV_ENOSYS);
    q = tx_of(1, 0);
    check_eq(&checks, "a frame of 0 bytes", ask(q), -HV_EINVAL);
    q = tx_of(1, 4000);
    check_eq(&checks, "a frame of 4000 bytes", ask(q), -HV_EINVAL);
    q = tx_of(1, 200);
    q.offset = 4000;
    check_eq(&checks, "a frame running past its page", ask(q), -HV_EINVAL);

    /* 2. Grants that are not what they claim. */
    q = tx_of(1, 60);
    q.gref = 4000;
    expect_refused("a grant reference we never made", ask(q));
    int to_victim = gnttab_grant((domid_t)2, pv_ops.pt_mfn(nf.tx_page[2]), 1);
    q = tx_of(1, 60);
    q.gref = (uint32_t)to_victim;
    expect_refused("a grant made to d2, not to dom0", ask(q));
    gnttab_end((grant_ref_t)to_victim);

    /* 3. Frames in someone else's name: dom0 takes them (the copy is
     * fine) and drops them; none reaches the victim or the wire. */
    uint32_t n = forge_udp(victim, gateway, 9, "spoofed: d2 speaking?");
    check_eq(&checks, "udp with d2's source address: taken", ask(tx_of(1, n)), (int)n);
    n = forge_udp(gateway, victim, 7, "spoofed: the host speaking?");
    check_eq(&checks, "udp to d2 with the host's address: taken", ask(tx_of(1, n)), (int)n);
    n = net_arp_build(nf.tx_page[1], ARP_REPLY, nf.nif.mac, victim, back_mac, gateway, back_mac);
    check_eq(&checks, "an ARP reply claiming d2's address: taken", ask(tx_of(1, n)), (int)n);
    memset(nf.tx_page[1], 0xff, 20);
    nf.tx_page[1][12] = 0x08;          /* "IPv4", then garbage */
    nf.tx_page[1][13] = 0x00;
    check_eq(&checks, "a frame that does not parse: taken", ask(tx_of(1, 20)), 20);

    /* 4. More receive buffers than a front end may keep posted. */
    for (uint32_t i = 0; i < 4; i++) {
        struct netif_request r = { .id = 100 + i, .op = NETIF_OP_RX,
                                   .gref = (uint32_t)nf.rx_ref[0] };
        netfront_send_raw(&nf, &r);
    }
    for (int i = 0; i < 200 && nospc < 4; i++) {
        netfront_poll(&nf);
        if (nospc < 4)
            netfront_wait(&nf, MS);
    }
    check_eq(&checks, "4 receive buffers past the 16 allowed: refused", (int)nospc, 4);

    /* 5. A flood: transmits to an address nobody has, as fast as the ring
     * takes them (8 in flight: room is left for our answers to the host),
     * answering the host meanwhile, until it says quit. */
    uint32_t flooded = 0;
    uint32_t at_least = (uint32_t)cmdline_int("flood", 1000);
    if (at_least) {
        n = forge_udp(nf.nif.ip, NET_IP(10, 0, 2, 20), 9, "flood");
        kprintf("net-attack: d%u: flooding until the host says quit\n", me);
        flooding = 1;
        uint32_t id = 0x10000;
        while ((!quit || flooded < at_least) && flooded < 2000000) {
            while (io_front_free(&nf.ring) > 0 && flooded - flood_answered < 8) {
                struct netif_request f = tx_of(1, n);
                f.id = id++;
                io_front_put_request(&nf.ring, &f, sizeof f);
                flooded++;
            }
            int notify = io_front_push_requests(&nf.ring);
            if (notify)
                evtchn_send(nf.port);
            netfront_poll(&nf);
            if (flooded - flood_answered >= 8)
                netfront_wait(&nf, MS);
        }
        for (int i = 0; i < 200 && flood_answered < flooded; i++) {
            netfront_poll(&nf);
            if (flood_answered < flooded)
                netfront_wait(&nf, MS);
        }
        for (int i = 0; i < 200 && (nf.tx_busy & ~(1u << 1 | 1u << 2)); i++) {
            netfront_poll(&nf);        /* our "bye" to the host: out before we break the ring */
            netfront_wait(&nf, MS);
        }
        kprintf("net-attack: d%u: flood: %u transmits, %u answered\n", me, flooded,
                flood_answered);
        check_eq(&checks, "a flood: every transmit answered", (int)(flooded - flood_answered), 0);
    }

    /* 6. Last: a request index far past the ring.  dom0 must stop reading
     * our ring and disconnect us -- not read 1000 slots of garbage. */
    io_ring_store(&nf.sring->req_prod, nf.ring.req_prod_pvt + 1000);
    evtchn_send(nf.port);
    uint32_t bs = 0;
    for (int i = 0; i < 200; i++) {
        device_find(nf.dev.id, &nf.dev);
        bs = nf.dev.end[DEV_END_BACK].state;
        if (bs == DEV_STATE_CLOSING || bs == DEV_STATE_CLOSED)
            break;
        netfront_wait(&nf, MS);
    }
    check_eq(&checks, "req_prod 1000 past the ring: dom0 closed the device",
             bs == DEV_STATE_CLOSED || bs == DEV_STATE_CLOSING, 1);
    nf.tx_busy = 0;
    netfront_close(&nf, "net-attack");
    kprintf("net-attack: %d passed, %d failed\n", checks.passed, checks.failed);
    return checks.failed != 0;
}
