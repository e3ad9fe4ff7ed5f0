/*
 * minios-guest/net/ether.c — the link layer: one frame in (net_input),
 * and ARP, the question "which MAC has this IP?" with a small cache.
 *
 * Where this sits in the story (course: split drivers, "dom0 answers for
 * the guests' IPs on the wire"): an IP packet crosses an Ethernet inside a
 * frame addressed to a MAC, so before the first packet to an address a
 * sender broadcasts "who has 10.0.2.2?" and the owner answers.  ARP is
 * also the lever of dom0's demultiplexing: dom0 answers on the wire for
 * all its guests' addresses with its one NIC's MAC, so every packet for a
 * guest reaches dom0, which then reads the destination IP and picks the
 * guest's ring (workloads/net-back.c).  A domU runs the same code on its
 * point-to-point link to dom0.
 *
 * net.h has the interface; ip.c the layers above.
 */
#include "net/net.h"
#include "kernel/kernel.h"
#include "lib/string.h"

static const uint8_t broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

const uint8_t *net_arp_lookup(const struct netif *nif, uint32_t ip)
{
    for (uint32_t i = 0; i < NET_ARP_ENTRIES; i++)
        if (nif->arp[i].ip == ip && ip)
            return nif->arp[i].mac;
    return 0;
}

void net_arp_learn(struct netif *nif, uint32_t ip, const uint8_t *mac)
{
    if (ip == 0 || ip == 0xffffffffu || (mac[0] & 1))
        return;                           /* no address, or a multicast MAC: never */
    for (uint32_t i = 0; i < NET_ARP_ENTRIES; i++)
        if (nif->arp[i].ip == ip) {
            memcpy(nif->arp[i].mac, mac, ETH_ALEN);
            return;
        }
    struct net_arp_entry *e = &nif->arp[nif->arp_next++ % NET_ARP_ENTRIES];
    e->ip = ip;
    memcpy(e->mac, mac, ETH_ALEN);
}

uint32_t net_arp_build(uint8_t *buf, uint16_t oper, const uint8_t *sha, uint32_t spa,
                       const uint8_t *tha, uint32_t tpa, const uint8_t *eth_dst)
{
    static const uint8_t zero[ETH_ALEN];
    memset(buf, 0, ETH_MIN_FRAME);
    struct eth_hdr *e = (struct eth_hdr *)buf;
    memcpy(e->dst, eth_dst, ETH_ALEN);
    memcpy(e->src, sha, ETH_ALEN);
    e->type = net_htons(ETH_TYPE_ARP);
    struct arp_pkt *a = (struct arp_pkt *)(buf + ETH_HLEN);
    a->htype = net_htons(1);
    a->ptype = net_htons(ETH_TYPE_IP);
    a->hlen = ETH_ALEN;
    a->plen = 4;
    a->oper = net_htons(oper);
    memcpy(a->sha, sha, ETH_ALEN);
    a->spa = spa;
    memcpy(a->tha, tha ? tha : zero, ETH_ALEN);
    a->tpa = tpa;
    return ETH_MIN_FRAME;
}

int net_arp_request(struct netif *nif, uint32_t ip)
{
    uint8_t buf[ETH_MIN_FRAME];
    uint32_t n = net_arp_build(buf, ARP_REQUEST, nif->mac, nif->ip, 0, ip, broadcast);
    nif->arp_asked++;
    nif->tx_frames++;
    return nif->send(nif, buf, n);
}

const uint8_t *net_arp_resolve(struct netif *nif, uint32_t ip)
{
    /* The next hop: on our link the address itself, else the gateway. */
    uint32_t hop = ((ip ^ nif->ip) & nif->mask) == 0 ? ip : nif->gw;
    const uint8_t *mac = net_arp_lookup(nif, hop);
    if (!mac)
        net_arp_request(nif, hop);
    return mac;
}

/* An ARP packet: learn the sender if it talks to us, answer if it asks
 * for us. */
static int arp_input(struct netif *nif, const struct net_pkt *p)
{
    const struct arp_pkt *a = p->arp;
    uint16_t oper = net_ntohs(a->oper);
    if (a->tpa != nif->ip || nif->ip == 0)
        return -1;                        /* not about us */
    net_arp_learn(nif, a->spa, a->sha);
    if (oper == ARP_REQUEST) {
        uint8_t buf[ETH_MIN_FRAME];
        uint32_t n = net_arp_build(buf, ARP_REPLY, nif->mac, nif->ip, a->sha, a->spa, a->sha);
        nif->arp_answered++;
        nif->tx_frames++;
        nif->send(nif, buf, n);
    }
    return 0;
}

int net_icmp_input(struct netif *nif, const struct net_pkt *p);   /* ip.c */

int net_input(struct netif *nif, uint8_t *frame, uint32_t len)
{
    struct net_pkt p;
    nif->rx_frames++;
    int bad = net_parse(&p, frame, len);
    if (bad) {
        nif->rx_bad++;
        return bad;
    }
    int r = -1;
    if (p.type == ETH_TYPE_ARP) {
        r = arp_input(nif, &p);
    } else if (p.type == ETH_TYPE_IP && p.dst_ip == nif->ip) {
        /* Who sent it, on our link, is at the frame's source MAC: no need
         * to ask before answering. */
        if (((p.src_ip ^ nif->ip) & nif->mask) == 0)
            net_arp_learn(nif, p.src_ip, p.eth->src);
        if (p.proto == IP_PROTO_ICMP) {
            r = net_icmp_input(nif, &p);
        } else if (p.proto == IP_PROTO_UDP && nif->on_udp) {
            nif->on_udp(nif, &p);
            r = 0;
        }
    }
    if (r < 0)
        nif->rx_ignored++;
    return r;
}
