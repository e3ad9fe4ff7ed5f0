/*
 * minios-guest/net/netfront.h — a domU's network front end: the device,
 * its ring, its posted receive buffers, as one `struct netif` for net.h.
 *
 * Where this sits in the story (course: split drivers, "a simplified
 * front-end in every guest"): the domU has no network card, only a ring
 * to dom0 (public/netif.h).  This is its whole driver: it meets dom0
 * through the device store, learns its IP from it, posts receive buffers
 * in advance, sends frames as transmit requests, and hands each filled
 * buffer to net_input.  The programs above it (workloads/net-front.c,
 * workloads/net-attacks.c) only see a netif.
 */
#ifndef MINIOS_NETFRONT_H
#define MINIOS_NETFRONT_H

#include <stdint.h>
#include "net/net.h"
#include "public/device.h"
#include "public/event_channel.h"
#include "public/io_ring.h"
#include "public/netif.h"

#define NETFRONT_TX   8                /* transmit pages (one frame each) */

struct netfront {
    struct hv_device dev;
    domid_t back;
    evtchn_port_t port;
    struct io_sring *sring;
    struct io_front ring;
    int ring_ref;
    uint8_t *rx_page[NETIF_RX_POSTED];
    int rx_ref[NETIF_RX_POSTED];
    uint8_t *tx_page[NETFRONT_TX];
    int tx_ref[NETFRONT_TX];
    uint32_t tx_busy;                  /* bit i: tx page i is in flight */
    /* receive buffers dom0 has filled, not yet handed to net_input */
    uint32_t filled_id[NETIF_RX_POSTED], filled_len[NETIF_RX_POSTED], nfilled;
    uint32_t seen;                     /* io_events already looked at */
    struct netif nif;
    /* Called for every response taken, before it is acted on (the attacks
     * read the statuses of their requests); may be 0. */
    void (*on_response)(struct netfront *nf, const struct netif_response *p);
    /* counters */
    uint32_t tx_ok, tx_refused, rx_ok, rx_errors, notify_sent, notify_suppressed;
};

/* Find our network device, learn the address dom0 gave us, grant and
 * publish the ring, connect, post the receive buffers.  `who` names the
 * program in messages.  0, or -errno after printing why. */
int netfront_connect(struct netfront *nf, const char *who);
/* Put a frame on the ring (nif->send): 0 or -errno.  Waits (bounded) for
 * a transmit page when all are in flight. */
int netfront_send(struct netif *nif, const uint8_t *frame, uint32_t len);
/* A frame exactly as given, even one dom0 should refuse: the attacks. */
int netfront_send_raw(struct netfront *nf, const struct netif_request *q);
/* Take every response waiting; give received frames to net_input and post
 * their buffers again.  How many responses were taken. */
uint32_t netfront_poll(struct netfront *nf);
/* Sleep until an event or `ns` of system time have passed (0: no limit);
 * asks dom0 for the event first (io_front_final_check). */
void netfront_wait(struct netfront *nf, uint64_t ns);
/* Close the device and revoke the grants. */
void netfront_close(struct netfront *nf, const char *who);

#endif
