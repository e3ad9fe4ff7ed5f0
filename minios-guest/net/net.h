/*
 * minios-guest/net/net.h — just enough IP for the course: Ethernet, ARP,
 * IPv4 (no fragments), ICMP echo and UDP, with their checksums.
 *
 * Where this sits in the story (course: split drivers, "guests have
 * virtual IPs and dom0 demultiplexes each packet by IP"): to show dom0
 * routing packets by IP, both sides must speak IP.  A domU's front end
 * (net-front) hands every frame its ring brings to net_input(), which
 * answers ARP and pings and gives UDP datagrams to the program; dom0's
 * back end (net-back) uses the same parser, net_parse(), to decide where a
 * frame goes, and the same ARP code to answer for its guests on the wire
 * and to find the gateway's MAC.  It is the smallest stack that lets a
 * real client, QEMU's user network on the host, talk to a guest.
 *
 * One `struct netif` is one interface: an address, a way to send a frame,
 * a small ARP cache.  Nothing here allocates or waits: a datagram to an
 * address whose MAC is not yet known asks for it (an ARP request) and is
 * refused with -EAGAIN; the caller tries again after the reply came in
 * (the same "retry" an application on a real stack never sees because
 * the kernel queues for it -- one queue less to read here).
 *
 * Everything arriving is hostile: net_parse checks every length against
 * the frame's real size before anything is read, and refuses IP options
 * it would have to interpret, fragments and bad checksums.
 *
 * Byte order: addresses (uint32_t ip) are kept in NETWORK byte order, as
 * they are in packets and in the ABI (public/netif.h); ports and other
 * numbers are converted with net_htons/net_ntohs where they are read.
 */
#ifndef MINIOS_NET_H
#define MINIOS_NET_H

#include <stdint.h>

#define ETH_ALEN         6
#define ETH_HLEN         14
#define ETH_TYPE_IP      0x0800
#define ETH_TYPE_ARP     0x0806
#define ETH_MIN_FRAME    60          /* without the CRC: shorter frames are padded */

#define IP_PROTO_ICMP    1
#define IP_PROTO_UDP     17

#define ICMP_ECHO_REPLY    0
#define ICMP_ECHO_REQUEST  8

#define ARP_REQUEST      1
#define ARP_REPLY        2

#define NET_ARP_ENTRIES  8
#define NET_FRAME_BUF    1536        /* a whole frame, rounded up */

/* The headers, as they are on the wire (every field big-endian). */
struct eth_hdr {
    uint8_t  dst[ETH_ALEN];
    uint8_t  src[ETH_ALEN];
    uint16_t type;
} __attribute__((packed));

struct arp_pkt {                      /* Ethernet + IPv4 only */
    uint16_t htype, ptype;            /* 1, 0x0800 */
    uint8_t  hlen, plen;              /* 6, 4 */
    uint16_t oper;                    /* ARP_REQUEST / ARP_REPLY */
    uint8_t  sha[ETH_ALEN];
    uint32_t spa;
    uint8_t  tha[ETH_ALEN];
    uint32_t tpa;
} __attribute__((packed));

struct ip_hdr {
    uint8_t  ver_ihl;                 /* 0x45: version 4, 5 words, no options */
    uint8_t  tos;
    uint16_t total_len;
    uint16_t ident;
    uint16_t frag;                    /* flags and fragment offset */
    uint8_t  ttl;
    uint8_t  proto;
    uint16_t csum;
    uint32_t src, dst;
} __attribute__((packed));

struct icmp_hdr {
    uint8_t  type, code;
    uint16_t csum;
    uint16_t ident, seq;
} __attribute__((packed));

struct udp_hdr {
    uint16_t sport, dport, len, csum;
} __attribute__((packed));

/* a[0..n) == b[0..n)? (lib/string.c has no memcmp) */
static inline int net_memeq(const void *a, const void *b, uint32_t n)
{
    const uint8_t *x = a, *y = b;
    for (uint32_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

static inline uint16_t net_htons(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }
#define net_ntohs net_htons
/* a.b.c.d as an address in network byte order */
#define NET_IP(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
/* The four bytes of ip, for "%u.%u.%u.%u" */
#define NET_IP_ARGS(ip) \
    (unsigned)((ip) & 0xff), (unsigned)((ip) >> 8 & 0xff), \
    (unsigned)((ip) >> 16 & 0xff), (unsigned)((ip) >> 24)

/* One frame, parsed: pointers into it and the numbers read out of it.
 * A field that the frame does not have is 0. */
struct net_pkt {
    uint8_t  *frame;
    uint32_t  len;
    struct eth_hdr *eth;
    uint16_t  type;                   /* ETH_TYPE_*, host order */
    struct arp_pkt *arp;              /* ETH_TYPE_ARP */
    struct ip_hdr  *ip;               /* ETH_TYPE_IP */
    uint32_t  src_ip, dst_ip;         /* IP: src/dst; ARP: sender/target */
    uint8_t   proto;                  /* IP_PROTO_* */
    uint8_t  *l4;                     /* the IP payload */
    uint32_t  l4_len;                 /* its length (from the IP header) */
    uint16_t  sport, dport;           /* UDP, host order */
    uint8_t  *data;                   /* UDP: the payload */
    uint32_t  data_len;
};

/* Why net_parse refused a frame. */
#define NET_BAD_SHORT     1           /* shorter than its headers say */
#define NET_BAD_HEADER    2           /* not Ethernet/IPv4 as we speak it */
#define NET_BAD_CSUM      3           /* an IP, ICMP or UDP checksum is wrong */
#define NET_BAD_FRAGMENT  4           /* a fragment: we do not reassemble */

/* Parse frame[0..len): 0, or NET_BAD_*.  Another EtherType is not an
 * error (type says which; nothing else is filled in). */
int net_parse(struct net_pkt *p, uint8_t *frame, uint32_t len);

/* The Internet checksum (RFC 1071) of len bytes, starting from sum
 * (0, or a pseudo-header's partial sum): the 16-bit value to store. */
uint16_t net_csum(const void *data, uint32_t len, uint32_t sum);
/* The partial sum of UDP's pseudo-header. */
uint32_t net_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* ---- an interface ---------------------------------------------------- */

struct netif;
typedef int (*net_send_fn)(struct netif *nif, const uint8_t *frame, uint32_t len);
/* A UDP datagram for us. */
typedef void (*net_udp_fn)(struct netif *nif, const struct net_pkt *p);
/* An ICMP echo reply for us (ident, seq). */
typedef void (*net_pong_fn)(struct netif *nif, uint32_t from, uint16_t ident, uint16_t seq);

struct net_arp_entry {
    uint32_t ip;                      /* 0: free */
    uint8_t  mac[ETH_ALEN];
};

struct netif {
    const char *name;                 /* for messages: "d1", "wire" */
    uint8_t  mac[ETH_ALEN];
    uint32_t ip, mask, gw;            /* network order */
    net_send_fn send;
    net_udp_fn on_udp;                /* may be 0 */
    net_pong_fn on_pong;              /* may be 0 */
    void *priv;                       /* the driver's */
    struct net_arp_entry arp[NET_ARP_ENTRIES];
    uint32_t arp_next;                /* the entry to replace next */
    uint16_t ident;                   /* the next IP identification */
    /* counters */
    uint32_t rx_frames, rx_bad, rx_ignored, tx_frames, arp_asked, arp_answered, pings_answered;
};

/* Take one received frame: answer ARP requests for nif->ip and learn
 * from replies, answer ICMP echo requests, pass UDP for us to on_udp and
 * echo replies to on_pong.  0 if used, NET_BAD_* or -1 (not for us). */
int net_input(struct netif *nif, uint8_t *frame, uint32_t len);

/* ARP: the MAC for ip (the next hop: ip itself on the link, else the
 * gateway) if we know it, else 0 after sending a request for it. */
const uint8_t *net_arp_resolve(struct netif *nif, uint32_t ip);
/* Remember ip -> mac (replacing the oldest entry when full). */
void net_arp_learn(struct netif *nif, uint32_t ip, const uint8_t *mac);
const uint8_t *net_arp_lookup(const struct netif *nif, uint32_t ip);
/* Build an ARP packet (a whole frame, padded to ETH_MIN_FRAME) into buf:
 * its length. */
uint32_t net_arp_build(uint8_t *buf, uint16_t oper, const uint8_t *sha, uint32_t spa,
                       const uint8_t *tha, uint32_t tpa, const uint8_t *eth_dst);
/* Ask "who has ip?" (a broadcast). */
int net_arp_request(struct netif *nif, uint32_t ip);

/* Send a UDP datagram from our IP:sport to dst:dport.  0, -EAGAIN (the
 * next hop's MAC was asked for: try again later), or the driver's error. */
int net_udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport,
                 const void *data, uint32_t len);
/* Send an ICMP echo request.  0, -EAGAIN or the driver's error. */
int net_ping(struct netif *nif, uint32_t dst, uint16_t ident, uint16_t seq);

/* Fill in the Ethernet, IP and (for UDP) UDP headers of a frame whose
 * payload is already at buf + ETH_HLEN + 20 (+ 8 for UDP); l4_len is the
 * length of the IP payload including the UDP header.  The frame's length. */
uint32_t net_ip_build(struct netif *nif, uint8_t *buf, const uint8_t *dst_mac, uint32_t dst,
                      uint8_t proto, uint32_t l4_len);

/* "a.b.c.d" at s: the address, and *end after it; 0 if s is not one. */
uint32_t net_parse_ip(const char *s, const char **end);
/* key=a.b.c.d on the command line, or def. */
uint32_t net_cmdline_ip(const char *key, uint32_t def);

#endif
