/*
 * hv/include/public/netif.h — the split network device's protocol
 * (DEV_TYPE_NET): what a front end and dom0's back end put on their ring,
 * and what the device store tells each of them.
 *
 * Where this sits in the story (course: split drivers, "guests have virtual
 * IPs and dom0 demultiplexes each packet by IP onto that guest's ring;
 * network packets arrive at any time, disk data only after a request"): a
 * disk speaks only when spoken to, a network does not.  A packet for a
 * domU can come from the wire, or from another domU, at any moment, and
 * dom0 must then have somewhere to put it.  So the front end POSTS RECEIVE
 * BUFFERS IN ADVANCE: a request that says "here is a page of mine, granted
 * to you, writable: fill it when something comes", answered only when a
 * packet has been copied into it -- maybe much later, and in any order
 * with the transmit requests around it.
 *
 * ONE RING, BOTH DIRECTIONS.  Xen's netif has two rings, one for transmit
 * and one for receive.  hvkit's device store carries one ring per device
 * (hv_dev_end.ring_ref), and our ring (io_ring.h) already lets responses
 * come in any order, matched by id: so both kinds of request share it.
 *
 *   NETIF_OP_TX  gref/offset/len name a frame in a page the front end
 *                granted (read-only is enough); the back end copies it out
 *                (GNTTABOP_copy) at once, looks at it, sends or forwards or
 *                drops it, and answers: status = len, or -HV_Exxx.
 *   NETIF_OP_RX  gref is a whole page granted WRITABLE; the back end keeps
 *                (id, gref) aside and answers only when a frame for this
 *                domain arrives: it copies the frame to offset 0 and the
 *                status is its length.
 *
 * The price of one ring: posted receive buffers hold slots until they are
 * used, so a front end keeps at most NETIF_RX_POSTED of them and leaves
 * the rest of the IO_RING_SLOTS for transmits.  The back end refuses to
 * hold more than that per device (the request is answered -HV_ENOSPC).
 *
 * WHAT IS ON THE RING is whole Ethernet frames (no preamble, no CRC),
 * 14..NETIF_MAX_FRAME bytes.  Each domU's virtual link is a point-to-point
 * Ethernet between it and dom0:
 *   - the domU's MAC is NETIF_MAC_OF(its IP): 02:00 and the IP's 4 bytes
 *     (a locally administered address, unique because the IP is);
 *   - dom0's end of every link has NETIF_BACK_MAC, fe:ff:ff:ff:ff:ff
 *     (Xen's own choice for its back-end interfaces);
 *   - dom0 answers every ARP request a domU sends with NETIF_BACK_MAC
 *     ("proxy ARP": whatever the domU wants to reach, other domU or the
 *     outside, it sends to dom0, which routes by IP).
 * On the real wire dom0 has the NIC's own MAC and answers ARP, with it,
 * for every address of the block it routes to its guests (net-back's
 * choice, e.g. 10.0.2.16 .. 10.0.2.31): the outside sees one machine
 * with many addresses, and a packet for an address of the block that no
 * domU has is dropped by dom0 ("belongs to nobody"), not lost in ARP.
 *
 * THE DEVICE STORE (public/device.h).  The back end publishes, in its
 * end's info[] before it moves to INITWAIT (the toolstack's choice of the
 * domain's address, in network byte order):
 *   info[0]  the domU's IP
 *   info[1]  the gateway's IP (10.0.2.2 under QEMU's user networking)
 *   info[2]  the netmask of the link
 *   info[3]  0 (reserved)
 * The front end publishes ring_ref (the ring page, writable) and evtchn
 * (a port reserved for dom0), as for every device; its info[] is unused.
 *
 * THE BACK END TRUSTS NOTHING ON THE RING.  Every request is copied out
 * before it is looked at (io_ring.h); an op it does not know, a length
 * outside 14..NETIF_MAX_FRAME, a frame past its page, a grant that does
 * not copy, are answered with an error; a frame whose source IP (or ARP
 * sender) is not the domain's own is dropped (a domU may only speak as
 * itself); a front end whose indices run past the ring is disconnected.
 * Every verdict is counted and, while a trace is recorded, noted
 * (DEVOP_io_note, IO_NOTE_PKT).
 */
#ifndef HVKIT_PUBLIC_NETIF_H
#define HVKIT_PUBLIC_NETIF_H

#include <stdint.h>

#define NETIF_OP_TX        1u      /* send the frame at gref/offset/len */
#define NETIF_OP_RX        2u      /* a receive buffer: the page gref, writable */

#define NETIF_MIN_FRAME    14u     /* an Ethernet header */
#define NETIF_MAX_FRAME    1514u   /* 1500 bytes of payload and the header */
#define NETIF_RX_POSTED    16u     /* receive buffers a front end may keep posted */

struct netif_request {
    uint32_t id;                   /* the front end's: comes back in the response */
    uint16_t op;                   /* NETIF_OP_* */
    uint16_t flags;                /* 0 (none defined yet) */
    uint32_t gref;                 /* grant of the page */
    uint16_t offset;               /* TX: where the frame starts; RX: 0 */
    uint16_t len;                  /* TX: the frame's length; RX: 0 */
};
_Static_assert(sizeof(struct netif_request) == 16, "netif_request: 16 bytes");

struct netif_response {
    uint32_t id;                   /* the request's */
    uint16_t op;                   /* the request's op */
    uint16_t pad;
    int32_t  status;               /* TX: bytes taken; RX: the frame's length;
                                      or -HV_Exxx */
};
_Static_assert(sizeof(struct netif_response) == 12, "netif_response: 12 bytes");

/* The MACs of the virtual links (see above). */
#define NETIF_BACK_MAC     { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }
/* A domU's MAC from its IP ip (network byte order, as in memory). */
#define NETIF_MAC_OF(mac, ip) do {                                      \
        const uint8_t *b_ = (const uint8_t *)&(ip);                     \
        (mac)[0] = 0x02; (mac)[1] = 0x00;                               \
        (mac)[2] = b_[0]; (mac)[3] = b_[1]; (mac)[4] = b_[2]; (mac)[5] = b_[3]; \
    } while (0)

#endif
