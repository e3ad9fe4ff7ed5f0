/*
 * minios-guest/drivers/ne2k.c — dom0's NE2000 driver: reset, the MAC from
 * the PROM, a receive ring in the card's memory, transmit, and receive on
 * the card's interrupt (IRQ 9, an event bound with bind_pirq).
 *
 * Where this sits in the story (course: "the back-end driver is isolated
 * in dom0 with direct access to the hardware"): this is the only code in
 * the kit that talks to a network card, and it runs in a guest kernel,
 * ring 1, not in the hypervisor.  The hypervisor only lets dom0's `in` and
 * `out` reach these 32 ports (the TSS I/O bitmap; any other port, or any
 * port from a domU, still faults) and turns the card's interrupt into an
 * event on the port dom0 bound to IRQ 9.  Everything else -- the card's
 * registers, its memory, its quirks -- is dom0's business, as in Xen,
 * where dom0 runs Linux's ordinary driver for the real card.
 *
 * The card (National Semiconductor's DP8390 on Novell's NE2000 board, as
 * QEMU's ne2k_isa emulates it) has 16 KiB of memory of its own, in 256-byte
 * pages 0x40..0x7f.  We give it pages RX_START..RX_STOP-1 as a RECEIVE
 * RING: the card writes each frame it accepts at CURR (its "current page")
 * behind a 4-byte header {status, next page, length}, and moves CURR; we
 * read frames from `next` up to CURR and move BNRY ("boundary": the card
 * never writes past it) behind us.  Transmit uses pages TX_START.. : we put
 * the frame there and say "send".  Frames move between the card's memory
 * and ours through the REMOTE DMA data port: set an address and a count,
 * then `inb`/`outb` that many times.  No DMA into our memory at all --
 * which is why a paravirtualized dom0, whose "physical" addresses are not
 * the machine's, can drive it.
 *
 * Under an event the driver does what the lead's hypervisor asks of every
 * device: the line is edge-triggered and acknowledged by the hypervisor,
 * so the driver clears the card's own status (ISR) -- which drops the line
 * -- BEFORE it empties the ring: a frame arriving meanwhile raises the
 * line again, and so a new event; none is lost.
 */
#include "drivers/ne2k.h"
#include "kernel/kernel.h"
#include "arch/pv/hypercall.h"
#include "lib/x86.h"

/* Registers, page 0 (offsets from the I/O base). */
#define CR      0x00    /* command: page select, remote DMA, start/stop, transmit */
#define PSTART  0x01    /* W: first page of the receive ring */
#define PSTOP   0x02    /* W: one past its last page */
#define BNRY    0x03    /* boundary: the last page we have read */
#define TPSR    0x04    /* W: transmit page */
#define TBCR0   0x05    /* W: transmit length */
#define TBCR1   0x06
#define ISR     0x07    /* interrupt status: write 1s to clear */
#define RSAR0   0x08    /* W: remote DMA address */
#define RSAR1   0x09
#define RBCR0   0x0a    /* W: remote DMA count */
#define RBCR1   0x0b
#define RCR     0x0c    /* W: what to receive */
#define TCR     0x0d    /* W: transmit configuration (loopback) */
#define DCR     0x0e    /* W: data configuration (byte/word) */
#define IMR     0x0f    /* W: interrupt mask */
/* Page 1. */
#define PAR0    0x01    /* our MAC, 6 registers */
#define CURR    0x07    /* the page the card writes the next frame to */
#define MAR0    0x08    /* the multicast filter, 8 registers */
/* The NE2000 board around the chip. */
#define DATA    0x10    /* the remote DMA data port */
#define RESET   0x1f    /* read it: the board resets */

/* CR bits */
#define CR_STP      0x01
#define CR_STA      0x02
#define CR_TXP      0x04
#define CR_RD_READ  0x08
#define CR_RD_WRITE 0x10
#define CR_RD_ABORT 0x20
#define CR_PAGE1    0x40

/* ISR bits */
#define ISR_PRX     0x01    /* a frame received */
#define ISR_PTX     0x02    /* a frame sent */
#define ISR_RXE     0x04    /* a receive error */
#define ISR_TXE     0x08
#define ISR_OVW     0x10    /* the ring overflowed */
#define ISR_RDC     0x40    /* remote DMA complete */
#define ISR_RST     0x80    /* in reset */

#define TX_START    0x40    /* 6 pages: one whole frame */
#define RX_START    0x46
#define RX_STOP     0x80

#define MAX_FRAME   1518    /* with a CRC, what the card may store */

static inline void put(struct ne2k *ne, uint8_t reg, uint8_t v) { outb((uint16_t)(ne->io + reg), v); }
static inline uint8_t get(struct ne2k *ne, uint8_t reg) { return inb((uint16_t)(ne->io + reg)); }

/* Start a remote DMA of count bytes at the card's address addr. */
static void remote_start(struct ne2k *ne, uint16_t addr, uint16_t count, uint8_t dir)
{
    put(ne, RBCR0, (uint8_t)count);
    put(ne, RBCR1, (uint8_t)(count >> 8));
    put(ne, RSAR0, (uint8_t)addr);
    put(ne, RSAR1, (uint8_t)(addr >> 8));
    put(ne, CR, (uint8_t)(CR_STA | dir));
}

/* Wait (bounded) for the remote DMA to finish, and clear its bit. */
static void remote_done(struct ne2k *ne)
{
    for (int i = 0; i < 10000 && !(get(ne, ISR) & ISR_RDC); i++)
        ;
    put(ne, ISR, ISR_RDC);
}

static void remote_read(struct ne2k *ne, uint16_t addr, uint8_t *buf, uint16_t count)
{
    remote_start(ne, addr, count, CR_RD_READ);
    for (uint16_t i = 0; i < count; i++)
        buf[i] = get(ne, DATA);
    remote_done(ne);
}

static int bind_pirq(uint32_t irq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = irq, .flags = 0 };
    int r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &b);
    if (r == 0)
        *port = b.port;
    return r;
}

int ne2k_init(struct ne2k *ne, uint16_t io, uint32_t irq)
{
    ne->io = io;
    /* Reset: reading the reset port resets the board, which then says so
     * in ISR.  No card there: the bus reads 0xff everywhere. */
    (void)get(ne, RESET);
    int i;
    for (i = 0; i < 10000 && !(get(ne, ISR) & ISR_RST); i++)
        ;
    if (i == 10000 || get(ne, ISR) == 0xff)
        return -ENOENT;
    put(ne, ISR, 0xff);

    /* Stopped, byte-wide transfers, nothing received yet. */
    put(ne, CR, CR_STP | CR_RD_ABORT);
    put(ne, DCR, 0x48);                /* byte-wide, normal operation, FIFO 8 bytes */
    put(ne, RBCR0, 0);
    put(ne, RBCR1, 0);
    put(ne, RCR, 0x20);                /* monitor mode while we set up */
    put(ne, TCR, 0x02);                /* internal loopback while we set up */
    put(ne, IMR, 0);
    put(ne, ISR, 0xff);

    /* The MAC: the first 6 bytes of the PROM, each stored twice (the PROM
     * is 16 bits wide on the board). */
    uint8_t prom[12];
    remote_read(ne, 0, prom, sizeof prom);
    for (i = 0; i < 6; i++)
        ne->mac[i] = prom[2 * i];

    /* The rings in the card's memory. */
    put(ne, PSTART, RX_START);
    put(ne, PSTOP, RX_STOP);
    put(ne, BNRY, RX_START);
    put(ne, TPSR, TX_START);
    put(ne, CR, CR_PAGE1 | CR_STP | CR_RD_ABORT);
    for (i = 0; i < 6; i++)
        put(ne, (uint8_t)(PAR0 + i), ne->mac[i]);
    for (i = 0; i < 8; i++)
        put(ne, (uint8_t)(MAR0 + i), 0);
    ne->next = RX_START + 1;
    put(ne, CURR, ne->next);           /* BNRY one behind: empty */
    put(ne, CR, CR_STA | CR_RD_ABORT); /* page 0, started */

    put(ne, ISR, 0xff);
    put(ne, IMR, ISR_PRX | ISR_RXE | ISR_OVW);   /* receive only: sending is synchronous */
    put(ne, TCR, 0x00);                /* normal transmit */
    put(ne, RCR, 0x04);                /* our MAC and broadcasts (ARP needs them) */

    return bind_pirq(irq, &ne->port);
}

uint32_t ne2k_ack(struct ne2k *ne)
{
    uint8_t isr = get(ne, ISR);
    put(ne, ISR, isr & (uint8_t)~ISR_RDC);     /* the line drops here */
    if (isr & (ISR_PRX | ISR_RXE | ISR_OVW))
        ne->interrupts++;                      /* something the card had to say */
    if (isr & ISR_OVW)
        ne->overruns++;
    if (isr & ISR_RXE)
        ne->rx_errors++;
    return isr;
}

static uint8_t current_page(struct ne2k *ne)
{
    put(ne, CR, CR_PAGE1 | CR_STA | CR_RD_ABORT);
    uint8_t c = get(ne, CURR);
    put(ne, CR, CR_STA | CR_RD_ABORT);
    return c;
}

/* We have read up to (not including) page `next`: the card may write
 * everything before it again. */
static void release(struct ne2k *ne, uint8_t next)
{
    ne->next = next;
    put(ne, BNRY, (uint8_t)(next == RX_START ? RX_STOP - 1 : next - 1));
}

uint32_t ne2k_recv(struct ne2k *ne, uint8_t *buf, uint32_t max)
{
    for (;;) {
        uint8_t curr = current_page(ne);
        if (ne->next == curr)
            return 0;                  /* empty */
        uint8_t h[4];                  /* status, next page, length (with these 4) */
        remote_read(ne, (uint16_t)(ne->next << 8), h, 4);
        uint32_t len = (uint32_t)(h[2] | h[3] << 8);
        if (h[1] < RX_START || h[1] >= RX_STOP || len < 4 + 14 || len > 4 + MAX_FRAME) {
            /* The ring makes no sense (an overrun): start again at CURR. */
            ne->rx_errors++;
            release(ne, curr);
            return 0;
        }
        len -= 4;
        if (len > max) {
            ne->rx_errors++;           /* too long for the caller: skip it */
            release(ne, h[1]);
            continue;
        }
        /* The card wraps the remote address from RX_STOP to RX_START by
         * itself, so a frame that runs past the end is one read. */
        remote_read(ne, (uint16_t)((ne->next << 8) + 4), buf, (uint16_t)len);
        release(ne, h[1]);
        ne->rx++;
        return len;
    }
}

int ne2k_send(struct ne2k *ne, const uint8_t *frame, uint32_t len)
{
    if (len > 1514)
        return -EINVAL;
    uint32_t n = len < 60 ? 60 : len;   /* the minimum frame: pad with zeros */
    for (int i = 0; i < 100000 && (get(ne, CR) & CR_TXP); i++)
        ;                              /* the previous frame is still going */
    remote_start(ne, TX_START << 8, (uint16_t)n, CR_RD_WRITE);
    for (uint32_t i = 0; i < n; i++)
        put(ne, DATA, i < len ? frame[i] : 0);
    remote_done(ne);
    put(ne, TBCR0, (uint8_t)n);
    put(ne, TBCR1, (uint8_t)(n >> 8));
    put(ne, CR, CR_STA | CR_TXP | CR_RD_ABORT);
    ne->tx++;
    return 0;
}
