/*
 * minios-guest/net/ip.c — IPv4 without fragments, ICMP echo and UDP, and
 * the Internet checksum: parsing a frame that may be hostile, and building
 * the few packets the course's programs send.
 *
 * Where this sits in the story (course: split drivers, demultiplexing by
 * IP): the destination address in the IP header is what dom0 reads to
 * choose a guest's ring, and the source address is what it checks so that
 * a guest may only speak as itself.  net_parse is therefore the code that
 * reads every byte a guest or the wire sends before anyone trusts it: each
 * header's length is checked against what really arrived, an IP header
 * with options or a fragment is refused, and checksums are verified.
 *
 * Checksums (RFC 1071): the ones' complement of the ones' complement sum
 * of 16-bit words.  The IP header has its own; ICMP covers its message;
 * UDP covers a pseudo-header (source, destination, protocol, length) and
 * its datagram, and may be 0 ("none": we always send one).
 */
#include "net/net.h"
#include "kernel/kernel.h"
#include "workloads/workloads.h"
#include "lib/string.h"

uint16_t net_csum(const void *data, uint32_t len, uint32_t sum)
{
    const uint8_t *b = data;
    while (len > 1) {
        sum += (uint32_t)b[0] << 8 | b[1];
        b += 2;
        len -= 2;
    }
    if (len)
        sum += (uint32_t)b[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return net_htons((uint16_t)~sum);   /* stored big-endian */
}

uint32_t net_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    const uint8_t *s = (const uint8_t *)&src, *d = (const uint8_t *)&dst;
    return ((uint32_t)s[0] << 8 | s[1]) + ((uint32_t)s[2] << 8 | s[3]) +
           ((uint32_t)d[0] << 8 | d[1]) + ((uint32_t)d[2] << 8 | d[3]) + proto + len;
}

int net_parse(struct net_pkt *p, uint8_t *frame, uint32_t len)
{
    memset(p, 0, sizeof *p);
    p->frame = frame;
    p->len = len;
    if (len < ETH_HLEN)
        return NET_BAD_SHORT;
    p->eth = (struct eth_hdr *)frame;
    p->type = net_ntohs(p->eth->type);
    if (p->type == ETH_TYPE_ARP) {
        if (len < ETH_HLEN + sizeof(struct arp_pkt))
            return NET_BAD_SHORT;
        p->arp = (struct arp_pkt *)(frame + ETH_HLEN);
        if (net_ntohs(p->arp->htype) != 1 || net_ntohs(p->arp->ptype) != ETH_TYPE_IP ||
            p->arp->hlen != ETH_ALEN || p->arp->plen != 4)
            return NET_BAD_HEADER;
        p->src_ip = p->arp->spa;
        p->dst_ip = p->arp->tpa;
        return 0;
    }
    if (p->type != ETH_TYPE_IP)
        return 0;                       /* not ours to judge */
    if (len < ETH_HLEN + sizeof(struct ip_hdr))
        return NET_BAD_SHORT;
    struct ip_hdr *ip = (struct ip_hdr *)(frame + ETH_HLEN);
    p->ip = ip;
    if (ip->ver_ihl != 0x45)
        return NET_BAD_HEADER;          /* not IPv4, or options */
    uint32_t total = net_ntohs(ip->total_len);
    if (total < sizeof(struct ip_hdr) || total > len - ETH_HLEN)
        return NET_BAD_SHORT;           /* the rest is padding (short frames) */
    if (net_ntohs(ip->frag) & 0x3fff)
        return NET_BAD_FRAGMENT;        /* more-fragments, or an offset */
    if (net_csum(ip, sizeof *ip, 0) != 0)
        return NET_BAD_CSUM;
    p->src_ip = ip->src;
    p->dst_ip = ip->dst;
    p->proto = ip->proto;
    p->l4 = (uint8_t *)(ip + 1);
    p->l4_len = total - sizeof *ip;
    if (p->proto == IP_PROTO_ICMP) {
        if (p->l4_len < sizeof(struct icmp_hdr))
            return NET_BAD_SHORT;
        if (net_csum(p->l4, p->l4_len, 0) != 0)
            return NET_BAD_CSUM;
    } else if (p->proto == IP_PROTO_UDP) {
        if (p->l4_len < sizeof(struct udp_hdr))
            return NET_BAD_SHORT;
        struct udp_hdr *u = (struct udp_hdr *)p->l4;
        uint32_t ulen = net_ntohs(u->len);
        if (ulen < sizeof *u || ulen > p->l4_len)
            return NET_BAD_SHORT;
        if (u->csum != 0 &&
            net_csum(u, ulen, net_pseudo_sum(ip->src, ip->dst, IP_PROTO_UDP, (uint16_t)ulen)) != 0)
            return NET_BAD_CSUM;
        p->sport = net_ntohs(u->sport);
        p->dport = net_ntohs(u->dport);
        p->data = (uint8_t *)(u + 1);
        p->data_len = ulen - sizeof *u;
    }
    return 0;
}

uint32_t net_ip_build(struct netif *nif, uint8_t *buf, const uint8_t *dst_mac, uint32_t dst,
                      uint8_t proto, uint32_t l4_len)
{
    struct eth_hdr *e = (struct eth_hdr *)buf;
    memcpy(e->dst, dst_mac, ETH_ALEN);
    memcpy(e->src, nif->mac, ETH_ALEN);
    e->type = net_htons(ETH_TYPE_IP);
    struct ip_hdr *ip = (struct ip_hdr *)(buf + ETH_HLEN);
    ip->ver_ihl = 0x45;
    ip->tos = 0;
    ip->total_len = net_htons((uint16_t)(sizeof *ip + l4_len));
    ip->ident = net_htons(nif->ident++);
    ip->frag = net_htons(0x4000);       /* don't fragment: we could not */
    ip->ttl = 64;
    ip->proto = proto;
    ip->csum = 0;
    ip->src = nif->ip;
    ip->dst = dst;
    ip->csum = net_csum(ip, sizeof *ip, 0);
    if (proto == IP_PROTO_UDP) {
        struct udp_hdr *u = (struct udp_hdr *)(ip + 1);
        u->len = net_htons((uint16_t)l4_len);
        u->csum = 0;
        u->csum = net_csum(u, l4_len, net_pseudo_sum(ip->src, dst, IP_PROTO_UDP, (uint16_t)l4_len));
        if (u->csum == 0)
            u->csum = 0xffff;           /* 0 would mean "no checksum" */
    }
    uint32_t n = ETH_HLEN + sizeof *ip + l4_len;
    if (n < ETH_MIN_FRAME) {
        memset(buf + n, 0, ETH_MIN_FRAME - n);
        n = ETH_MIN_FRAME;
    }
    return n;
}

#define L4_OFF (ETH_HLEN + sizeof(struct ip_hdr))

int net_udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, uint32_t len)
{
    uint8_t buf[NET_FRAME_BUF];
    if (len > sizeof buf - L4_OFF - sizeof(struct udp_hdr))
        return -EINVAL;
    const uint8_t *mac = net_arp_resolve(nif, dst);
    if (!mac)
        return -EAGAIN;
    struct udp_hdr *u = (struct udp_hdr *)(buf + L4_OFF);
    u->sport = net_htons(sport);
    u->dport = net_htons(dport);
    memcpy(u + 1, data, len);
    uint32_t n = net_ip_build(nif, buf, mac, dst, IP_PROTO_UDP, sizeof *u + len);
    nif->tx_frames++;
    return nif->send(nif, buf, n);
}

int net_ping(struct netif *nif, uint32_t dst, uint16_t ident, uint16_t seq)
{
    uint8_t buf[ETH_MIN_FRAME + 64];
    const uint8_t *mac = net_arp_resolve(nif, dst);
    if (!mac)
        return -EAGAIN;
    struct icmp_hdr *h = (struct icmp_hdr *)(buf + L4_OFF);
    uint32_t n = sizeof *h + 32;        /* 32 bytes of pattern, like ping -s 32 */
    h->type = ICMP_ECHO_REQUEST;
    h->code = 0;
    h->ident = net_htons(ident);
    h->seq = net_htons(seq);
    for (uint32_t i = 0; i < 32; i++)
        ((uint8_t *)(h + 1))[i] = (uint8_t)('a' + i % 26);
    h->csum = 0;
    h->csum = net_csum(h, n, 0);
    nif->tx_frames++;
    return nif->send(nif, buf, net_ip_build(nif, buf, mac, dst, IP_PROTO_ICMP, n));
}

/* ICMP for us (ether.c): answer an echo request with the same message,
 * type 0; report an echo reply. */
int net_icmp_input(struct netif *nif, const struct net_pkt *p)
{
    const struct icmp_hdr *h = (const struct icmp_hdr *)p->l4;
    if (h->type == ICMP_ECHO_REPLY) {
        if (nif->on_pong)
            nif->on_pong(nif, p->src_ip, net_ntohs(h->ident), net_ntohs(h->seq));
        return 0;
    }
    if (h->type != ICMP_ECHO_REQUEST || p->l4_len > NET_FRAME_BUF - L4_OFF)
        return -1;
    uint8_t buf[NET_FRAME_BUF];
    struct icmp_hdr *r = (struct icmp_hdr *)(buf + L4_OFF);
    memcpy(r, h, p->l4_len);
    r->type = ICMP_ECHO_REPLY;
    r->csum = 0;
    r->csum = net_csum(r, p->l4_len, 0);
    nif->pings_answered++;
    nif->tx_frames++;
    nif->send(nif, buf, net_ip_build(nif, buf, p->eth->src, p->src_ip, IP_PROTO_ICMP, p->l4_len));
    return 0;
}

uint32_t net_parse_ip(const char *s, const char **end)
{
    uint32_t ip = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (uint32_t)(*s++ - '0');
            digits++;
        }
        if (!digits || v > 255 || (i < 3 && *s != '.'))
            return 0;
        if (i < 3)
            s++;
        ip |= v << (8 * i);
    }
    if (end)
        *end = s;
    return ip;
}

uint32_t net_cmdline_ip(const char *key, uint32_t def)
{
    const char *s = cmdline_value(key);
    uint32_t ip = s ? net_parse_ip(s, 0) : 0;
    return ip ? ip : def;
}
