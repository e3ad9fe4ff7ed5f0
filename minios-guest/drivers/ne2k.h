/*
 * minios-guest/drivers/ne2k.h — dom0's driver for the NE2000 network card
 * (QEMU's ne2k_isa at ports 0x300-0x31f, IRQ 9): the interface net-back uses.
 *
 * Where this sits in the story (course: "the back-end driver runs in dom0,
 * with direct access to the hardware"): only dom0 may touch these ports
 * (the hypervisor's I/O bitmap, hv_devices.def) and only dom0 gets the
 * card's interrupt, as an event on a port bound to physical IRQ 9.  The
 * card needs no DMA: frames move between the card's own 16 KiB of memory
 * and ours through its "remote DMA" data port, one byte per `inb`/`outb`,
 * which is why a paravirtualized dom0, whose pseudo-physical addresses
 * mean nothing to a device, can drive it without an IOMMU.
 */
#ifndef MINIOS_NE2K_H
#define MINIOS_NE2K_H

#include <stdint.h>
#include "public/event_channel.h"

#define NE2K_IOBASE 0x300
#define NE2K_IRQ    9

struct ne2k {
    uint16_t io;                /* the first port */
    uint8_t  mac[6];            /* from the card's PROM */
    evtchn_port_t port;         /* the event channel of its IRQ */
    uint8_t  next;              /* the ring page the next frame starts at */
    uint32_t rx, tx, rx_errors, overruns;
    uint32_t interrupts;        /* acks that found the card with news */
};

/* Find and reset the card, read its MAC, set up the receive ring, start
 * it, and bind its IRQ (ne->port; the caller chooses the handler).
 * 0, or -errno (no card answers: -ENOENT; bind_pirq refused: its error). */
int ne2k_init(struct ne2k *ne, uint16_t io, uint32_t irq);
/* The card told us something (its event): read and clear its status.
 * Returns the status bits seen (ISR); frames are read with ne2k_recv. */
uint32_t ne2k_ack(struct ne2k *ne);
/* The next frame received, copied into buf (at most max bytes): its
 * length, or 0 if the ring is empty.  A frame longer than max is dropped
 * (counted) and the next one is tried. */
uint32_t ne2k_recv(struct ne2k *ne, uint8_t *buf, uint32_t max);
/* Send a frame (padded to 60 bytes).  0, or -EINVAL (too long). */
int ne2k_send(struct ne2k *ne, const uint8_t *frame, uint32_t len);

#endif
