/*
 * minios-guest/workloads/net-front.c — a domU on the split network
 * (program `net-front`): a UDP echo service that names its domain, pings
 * and datagrams to another domU, a datagram to an address nobody has, and
 * a datagram to a listener on the host through the gateway.
 *
 * Where this sits in the story (course: split drivers, "a real client no
 * one here wrote talks to a guest"): the domU's whole network is a ring to
 * dom0 (net/netfront.c) and a few hundred lines of IP (net/).  On the host,
 * QEMU's user network forwards a UDP port to this domain's IP; a Python
 * client (tests/io/udp-client.py) sends to it, and each domU answers with
 * its own name, so the client can tell that dom0 put every packet on the
 * right domU's ring.
 *
 * The service, on UDP port 7:
 *   "quit"       -> "dN: bye" once this domain's own tests are done (before:
 *                   "dN: busy"), then the device is closed and we exit
 *   "call PORT"  -> "dN: calling PORT", and a new datagram "dN: hello host,
 *                   via the gateway" from us to 10.0.2.2:PORT, which QEMU
 *                   hands to the host's 127.0.0.1:PORT
 *   anything     -> "dN: " and the same bytes
 * ICMP echo requests are answered (net/ip.c) and ARP too (net/ether.c).
 *
 * Options: peer=IP (udp "hello from dN" to IP:7, checked, and pings=N
 * pings, 3 by default), nobody=IP (one datagram to an address dom0 routes
 * but no domain has: dom0 must drop it), serve=0 (do not wait for "quit":
 * leave when the tests are done), bench=N (N datagrams to the peer, one at
 * a time, each answered: the packets-per-instructions benchmark),
 * quit_peer=1 (when done, send "quit" to the peer until it says bye),
 * host_port=P (with bench: N datagrams to 10.0.2.2:P instead, no answer).
 */
#include "kernel/kernel.h"
#include "kernel/devices.h"
#include "kernel/events.h"
#include "kernel/proc.h"
#include "arch/pvops.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "net/net.h"
#include "net/netfront.h"
#include "workloads/workloads.h"

#define ECHO_PORT   7
#define CLIENT_PORT 1234
#define RETRY_NS    (20 * MS)
#define TRIES       50

static struct netfront nf;
static domid_t me;
static int quit, tests_done;
static uint32_t served;
static uint32_t call_port;             /* a "call" to make, 0: none */

/* The peer's answers. */
static uint32_t peer_ip;
static int peer_udp_ok, peer_bye;
static uint32_t pongs, pong_seq_seen;
static uint32_t bench_answers;

static void fmt(char *buf, uint32_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vformat(buf, size, f, ap);
    va_end(ap);
}

/* Send, retrying while ARP is asked (bounded): 0 or the error. */
static int send_udp(uint32_t dst, uint16_t sport, uint16_t dport, const void *d, uint32_t len)
{
    int r = -EAGAIN;
    for (int i = 0; i < TRIES && r == -EAGAIN; i++) {
        r = net_udp_send(&nf.nif, dst, sport, dport, d, len);
        if (r == -EAGAIN) {
            netfront_wait(&nf, MS);
            netfront_poll(&nf);        /* the ARP reply */
        }
    }
    return r;
}

static void on_udp(struct netif *nif, const struct net_pkt *p)
{
    (void)nif;
    if (p->dport == CLIENT_PORT) {     /* an answer to one of ours */
        char want[64];
        fmt(want, sizeof want, "d%u: hello from d%u", (unsigned)((p->src_ip >> 24) - 15), me);
        if (p->src_ip == peer_ip && p->data_len == strlen(want) &&
            net_memeq(p->data, want, p->data_len))
            peer_udp_ok = 1;
        if (p->src_ip == peer_ip && p->data_len >= 3 &&
            net_memeq(p->data + p->data_len - 3, "bye", 3))
            peer_bye = 1;
        bench_answers++;
        return;
    }
    if (p->dport != ECHO_PORT)
        return;
    char reply[NET_FRAME_BUF - 64];
    uint32_t n;
    if (p->data_len == 4 && net_memeq(p->data, "quit", 4)) {
        if (tests_done)
            quit = 1;
        fmt(reply, sizeof reply, "d%u: %s", me, tests_done ? "bye" : "busy");
        n = strlen(reply);
    } else if (p->data_len > 5 && p->data_len < 11 && net_memeq(p->data, "call ", 5)) {
        uint32_t port = 0;
        for (uint32_t i = 5; i < p->data_len && p->data[i] >= '0' && p->data[i] <= '9'; i++)
            port = port * 10 + (uint32_t)(p->data[i] - '0');
        call_port = port;
        fmt(reply, sizeof reply, "d%u: calling %u", me, port);
        n = strlen(reply);
    } else {
        fmt(reply, sizeof reply, "d%u: ", me);
        n = strlen(reply);
        uint32_t k = p->data_len < sizeof reply - n ? p->data_len : sizeof reply - n;
        memcpy(reply + n, p->data, k);
        n += k;
    }
    served++;
    char shown[41];
    uint32_t k = n < 40 ? n : 40;
    memcpy(shown, reply, k);
    shown[k] = 0;
    kprintf("net-front: d%u: udp from %u.%u.%u.%u:%u to port %u, %u bytes: answered '%s'\n",
            me, NET_IP_ARGS(p->src_ip), p->sport, p->dport, p->data_len, shown);
    net_udp_send(&nf.nif, p->src_ip, ECHO_PORT, p->sport, reply, n);
}

static void on_pong(struct netif *nif, uint32_t from, uint16_t ident, uint16_t seq)
{
    (void)nif;
    if (from == peer_ip && ident == me && seq == pong_seq_seen + 1) {
        pongs++;
        pong_seq_seen = seq;
    }
}

/* Wait for *flag (or `count` to reach target), resending with `again`
 * every RETRY_NS, at most TRIES times.  1 if it came. */
static int await(volatile int *flag, volatile uint32_t *count, uint32_t target,
                 void (*again)(void))
{
    for (int t = 0; t < TRIES; t++) {
        again();
        uint64_t end = pv_ops.system_ns() + RETRY_NS;
        while (pv_ops.system_ns() < end) {
            netfront_poll(&nf);
            if ((flag && *flag) || (count && *count >= target))
                return 1;
            netfront_wait(&nf, end - pv_ops.system_ns());
        }
    }
    return 0;
}

static void hello_peer(void)
{
    char msg[32];
    fmt(msg, sizeof msg, "hello from d%u", me);
    send_udp(peer_ip, CLIENT_PORT, ECHO_PORT, msg, strlen(msg));
}

static void quit_peer(void)
{
    send_udp(peer_ip, CLIENT_PORT, ECHO_PORT, "quit", 4);
}

static uint16_t ping_seq;
static void ping_peer(void)
{
    net_ping(&nf.nif, peer_ip, me, ping_seq);
}

/* bench=N: N datagrams one at a time, each waiting for its answer (peer)
 * or for dom0 to take it (host): the instructions per packet, everyone's. */
static void bench(uint32_t n, uint32_t host_port)
{
    char msg[64];
    memset(msg, 'x', sizeof msg);
    uint32_t done = 0, t0 = rdtsc32();
    for (uint32_t i = 0; i < n; i++) {
        if (host_port) {
            if (send_udp(nf.nif.gw, CLIENT_PORT, (uint16_t)host_port, msg, sizeof msg) == 0)
                done++;
            for (int k = 0; k < 100 && nf.tx_busy; k++) {   /* taken by dom0 */
                netfront_poll(&nf);
                if (nf.tx_busy)
                    netfront_wait(&nf, MS);
            }
        } else {
            uint32_t before = bench_answers;
            fmt(msg, sizeof msg, "bench %u", i);
            send_udp(peer_ip, CLIENT_PORT, ECHO_PORT, msg, strlen(msg));
            for (int k = 0; k < 1000 && bench_answers == before; k++) {
                netfront_poll(&nf);
                if (bench_answers == before)
                    netfront_wait(&nf, MS);
            }
            done += bench_answers != before;
        }
    }
    uint32_t insns = rdtsc32() - t0;
    /* Packets per million guest instructions: a round trip is two packets
     * (there and back) to the peer, one to the host. */
    uint32_t pkts = host_port ? done : 2 * done;
    uint32_t per_m10 = insns ? (uint32_t)((uint64_t)pkts * 10000000u / insns) : 0;
    kprintf("bench: net_%s_pkts_per_minsn %u.%u pkts\n", host_port ? "domu_host" : "domu_domu",
            per_m10 / 10, per_m10 % 10);
    kprintf("bench: net_%s_insns_per_pkt %u insns\n", host_port ? "domu_host" : "domu_domu",
            pkts ? insns / pkts : 0);
    kprintf("net-front: d%u: bench: %u of %u %s, %u instructions\n", me, done, n,
            host_port ? "datagrams taken" : "round trips", insns);
}

int net_front_main(void)
{
    if (!need_pv("net-front"))
        return 0;
    me = (domid_t)boot_info.domid;
    if (netfront_connect(&nf, "net-front") < 0)
        return 1;
    nf.nif.name = "net-front";
    nf.nif.on_udp = on_udp;
    nf.nif.on_pong = on_pong;
    peer_ip = net_cmdline_ip("peer", 0);
    uint32_t nobody = net_cmdline_ip("nobody", 0);
    uint32_t npings = (uint32_t)cmdline_int("pings", 3);
    int serve = cmdline_int("serve", 1);
    uint32_t nbench = (uint32_t)cmdline_int("bench", 0);
    uint32_t host_port = (uint32_t)cmdline_int("host_port", 0);
    int fails = 0;

    if (peer_ip && !nbench) {
        int ok = await(&peer_udp_ok, 0, 0, hello_peer);
        kprintf("net-front: d%u: peer %u.%u.%u.%u: udp answer 'd%u: hello from d%u': %s\n", me,
                NET_IP_ARGS(peer_ip), (unsigned)((peer_ip >> 24) - 15), me, ok ? "PASS" : "FAIL");
        fails += !ok;
        for (ping_seq = 1; ping_seq <= npings; ping_seq++)
            if (!await(0, &pongs, ping_seq, ping_peer))
                break;
        kprintf("net-front: d%u: peer %u.%u.%u.%u: %u pings, %u answered: %s\n", me,
                NET_IP_ARGS(peer_ip), npings, pongs, pongs == npings ? "PASS" : "FAIL");
        fails += pongs != npings;
    }
    if (nobody) {
        int r = send_udp(nobody, CLIENT_PORT, ECHO_PORT, "anyone?", 7);
        kprintf("net-front: d%u: a datagram to %u.%u.%u.%u, which nobody has: sent (%d)\n", me,
                NET_IP_ARGS(nobody), r);
    }
    if (nbench)
        bench(nbench, host_port);
    tests_done = 1;
    if (peer_ip && cmdline_int("quit_peer", 0)) {
        int ok = await(&peer_bye, 0, 0, quit_peer);
        kprintf("net-front: d%u: told the peer to quit: %s\n", me, ok ? "it said bye" : "FAIL");
        fails += !ok;
    }

    /* Serve until told to quit (the host's client), events only: no timer. */
    while (serve && !quit) {
        netfront_poll(&nf);
        if (call_port) {
            char msg[64];
            fmt(msg, sizeof msg, "d%u: hello host, via the gateway", me);
            int r = send_udp(nf.nif.gw, CLIENT_PORT, (uint16_t)call_port, msg, strlen(msg));
            kprintf("net-front: d%u: a datagram to the host at %u.%u.%u.%u:%u: sent (%d)\n", me,
                    NET_IP_ARGS(nf.nif.gw), call_port, r);
            call_port = 0;
        }
        if (!quit && !call_port)
            netfront_wait(&nf, 0);
    }
    kprintf("net-front: d%u: %u datagrams answered, %u pings answered, %u ARP answers; %s\n",
            me, served, nf.nif.pings_answered, nf.nif.arp_answered, fails ? "FAIL" : "PASS");
    netfront_close(&nf, "net-front");
    return fails != 0;
}
