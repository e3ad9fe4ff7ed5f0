/*
 * hv/include/public/device.h — how a front end and a back end find each
 * other: the device store (device_op, hvkit's hypercall 48), the
 * connection states, and the echo device's protocol.
 *
 * Where this sits in the story (course: split drivers): a split device has
 * two halves in two domains -- the front end in the domU that uses it, the
 * back end in the domain that owns the real hardware (dom0) -- and before
 * they can share a ring they must meet: the front end must learn that it
 * has a device, and each must learn the other's domain, the grant of the
 * ring page and the event-channel port.  Xen does this with xenstore, a
 * tree of keys kept by a daemon in dom0 and reached through yet another
 * ring.  hvkit keeps the same idea in a much smaller form, inside the
 * hypervisor: a DEVICE STORE of fixed records, one per device, read and
 * written with one hypercall.
 *
 *   1. The toolstack (dom0) creates a device: type, front-end domain,
 *      back-end domain (DEVOP_create).  Both ends start INITIALISING.
 *   2. Each end finds its devices with DEVOP_get (the nth device it is an
 *      end of) and publishes what the other needs (DEVOP_publish): the
 *      front end the grant of its ring page and an unbound event-channel
 *      port reserved for the back end; the back end what it knows of the
 *      device (info[], e.g. a disk's size).
 *   3. Each end moves through the connection states (DEVOP_set_state),
 *      Xen's XenbusState numbers:
 *
 *         front end: INITIALISING --publish--> INITIALISED ----------> CONNECTED
 *         back end:  INITIALISING -----------> INITWAIT --map ring--> CONNECTED
 *         either:    ... --> CLOSING --> CLOSED (--> INITIALISING again)
 *
 *      The hypervisor refuses a step out of order: the back end connects
 *      only after the front end has published (INITIALISED), the front end
 *      only after the back end is CONNECTED.  Every change is a dev_state
 *      trace record, so a connection's whole life is visible.
 *   4. Each change (a new device, the other end's state or details) raises
 *      VIRQ_DEVICE at the other end, if it bound it: the same role as a
 *      xenstore watch, without polling.
 *   5. A domain that dies leaves its ends CLOSED, and the other end is
 *      told: a back end learns that its front end is gone and unmaps.
 *      When the other end has CLOSED too, the record is freed
 *      (DEV_FLAG_FRONT_DEAD below).
 *
 * Calling convention:  device_op(cmd, arg)   arg: that command's structure.
 *     0 or -HV_Exxx; every command leaves a trace record with its result.
 *
 * Xen has no such hypercall (its numbers 48..55 are for each architecture's
 * own calls, and hvkit is its own architecture); the states and the
 * front/back handshake are Xen's.
 */
#ifndef HVKIT_PUBLIC_DEVICE_H
#define HVKIT_PUBLIC_DEVICE_H

#include <stdint.h>
#include "hvkit.h"

/* Connection states of one end (Xen's XenbusState). */
#define DEV_STATE_UNKNOWN       0
#define DEV_STATE_INITIALISING  1   /* created; setting up */
#define DEV_STATE_INITWAIT      2   /* back end: ready, waiting for the front end's details */
#define DEV_STATE_INITIALISED   3   /* front end: details published, waiting for the back end */
#define DEV_STATE_CONNECTED     4   /* the ring is in use */
#define DEV_STATE_CLOSING       5   /* going away: finish, unmap, close */
#define DEV_STATE_CLOSED        6   /* gone (also: its domain died) */

/* Device types. */
#define DEV_TYPE_ECHO           1   /* the echo device below: the first split device */
#define DEV_TYPE_CONSOLE        2   /* the split console: public/consif.h, DEVOP_console_write */
#define DEV_TYPE_BLOCK          3   /* the split block device: public/blkif.h */
#define DEV_TYPE_NET            4   /* the split network device: public/netif.h */

/* The two ends. */
#define DEV_END_FRONT           0
#define DEV_END_BACK            1

#define DEV_MAX                 32  /* devices in the store */

struct hv_dev_end {
    domid_t  dom;               /* the end's domain */
    uint16_t state;             /* DEV_STATE_* */
    uint32_t ring_ref;          /* published: the grant of the ring page (front end) */
    uint32_t evtchn;            /* published: its event-channel port */
    uint32_t info[4];           /* published: what the type defines */
};
_Static_assert(sizeof(struct hv_dev_end) == 28, "hv_dev_end: 28 bytes");

struct hv_device {
    uint32_t id;                /* names it in every command */
    uint32_t type;              /* DEV_TYPE_* */
    uint32_t flags;             /* DEV_FLAG_* */
    struct hv_dev_end end[2];   /* [DEV_END_FRONT], [DEV_END_BACK] */
};
_Static_assert(sizeof(struct hv_device) == 68, "hv_device: 68 bytes");

/* The hypervisor is recording a trace: ring pushes are worth reporting
 * (DEVOP_ring_push).  Without it a driver saves the hypercall. */
#define DEV_FLAG_TRACED         1u
/* The front (back) end's domain has died.  Its end is CLOSED for good and
 * belongs to nobody: a new domain given the same id later is no end of
 * this record (it can neither see nor reopen it).  Once the other end is
 * CLOSED too the record is freed (a dev_free record) and its id may name
 * a new device: a toolstack that creates and destroys VMs all day never
 * runs out of the store's DEV_MAX records. */
#define DEV_FLAG_FRONT_DEAD     2u
#define DEV_FLAG_BACK_DEAD      4u

/* create: a new device (dom0 only: the toolstack).  Both domains must be
 * alive; front and back may not be the same domain. */
#define DEVOP_create            0
struct devop_create {
    uint32_t type;              /* IN: DEV_TYPE_* */
    domid_t  front;             /* IN */
    domid_t  back;              /* IN */
    uint32_t id;                /* OUT */
};
_Static_assert(sizeof(struct devop_create) == 12, "devop_create: 12 bytes");

/* get: the nth device (0, 1, ...) the caller is an end of (dom0: the nth
 * of all), or -HV_ENOENT past the last. */
#define DEVOP_get               1
struct devop_get {
    uint32_t nth;               /* IN */
    struct hv_device dev;       /* OUT */
};
_Static_assert(sizeof(struct devop_get) == 72, "devop_get: 72 bytes");

/* publish: the caller's end's details, while that end is INITIALISING or
 * INITWAIT (-HV_EBUSY later: the other end may already be using them). */
#define DEVOP_publish           2
struct devop_publish {
    uint32_t id;                /* IN */
    uint32_t ring_ref;          /* IN */
    uint32_t evtchn;            /* IN */
    uint32_t info[4];           /* IN */
};
_Static_assert(sizeof(struct devop_publish) == 28, "devop_publish: 28 bytes");

/* set_state: move the caller's end to state (-HV_EINVAL: not a step the
 * diagram above allows from where it is). */
#define DEVOP_set_state         3
struct devop_set_state {
    uint32_t id;                /* IN */
    uint32_t state;             /* IN: DEV_STATE_* */
};
_Static_assert(sizeof(struct devop_set_state) == 8, "devop_set_state: 8 bytes");

/* ring_push: for the trace only -- the caller (an end of a CONNECTED
 * device) has just published on the device's ring and did, or did not,
 * notify.  The hypervisor reads the ring's four indices itself, from the
 * page the front end granted, and writes one ring_push record: the trace
 * then shows every push, including those no event announced. */
#define DEVOP_ring_push         4
struct devop_ring_push {
    uint32_t id;                /* IN */
    uint32_t notified;          /* IN: 1 an event was sent, 0 suppressed */
};
_Static_assert(sizeof(struct devop_ring_push) == 8, "devop_ring_push: 8 bytes");

/* io_note: for the trace only, like ring_push -- a driver (an end of
 * device `id`) says what it just did with a request or a packet, and the
 * hypervisor writes it as a record of the caller's domain (io_req, io_rsp,
 * net_pkt in public/trace-events.def): the back end's view of the I/O,
 * which the hypervisor cannot see from the ring alone (which request it
 * took, in what order it answered, where a packet went).  Call it only
 * while DEV_FLAG_TRACED is set; 0, or -HV_ENOENT (not an end of it),
 * -HV_EINVAL (no such kind). */
#define DEVOP_io_note           5
struct devop_io_note {
    uint32_t id;                /* IN: the device */
    uint32_t kind;              /* IN: IO_NOTE_* */
    uint32_t arg[5];            /* IN: as the kind says */
};
_Static_assert(sizeof(struct devop_io_note) == 28, "devop_io_note: 28 bytes");

/* The kinds, and their arg[]:
 *   REQ  {request id, IO_OP_*, sector (or 0), count (or length), 0}
 *   RSP  {request id, IO_OP_*, status (bytes done or -HV_Exxx), 0, 0}
 *   PKT  {source IP, destination IP, protocol << 16 | length, NET_*,
 *         the device it was put on (0: none)}   -- addresses in network
 *         byte order, as they are in the packet */
#define IO_NOTE_REQ             1
#define IO_NOTE_RSP             2
#define IO_NOTE_PKT             3

#define IO_OP_READ              1   /* a disk's */
#define IO_OP_WRITE             2
#define IO_OP_TX                3   /* a network device's: domU -> dom0 */
#define IO_OP_RX                4   /*                     dom0 -> domU */
#define IO_OP_CONS_OUT          5   /* a console's: what the domain wrote */
#define IO_OP_CONS_IN           6   /*              what was typed to it */

/* Where the network back end sent a packet (course: "dom0 demultiplexes
 * each packet by IP onto that guest's ring"). */
#define NET_TO_GUEST            1   /* put on a domU's receive ring */
#define NET_TO_WIRE             2   /* sent out of the real NIC */
#define NET_FORWARD             3   /* domU to domU, never on the wire */
#define NET_DROP_NOBODY         4   /* for an address no domain has */
#define NET_DROP_NOBUF          5   /* its domain had no receive buffer posted */
#define NET_DROP_BAD            6   /* malformed, or a forged source address */
#define NET_ARP_REPLY           7   /* dom0 answered ARP for a domU's address */
/* console_write: the back end of a console device (DEV_TYPE_CONSOLE,
 * public/consif.h) prints text on its front end's behalf.  The domU's
 * console is a ring to dom0, but the serial line is the hypervisor's
 * (dom0 has no right to COM1's ports), so dom0's back end hands each whole
 * line here and the hypervisor prints it as the front end's own: "(dN) "
 * and the line, the same prefix console_io gives dN, so a reader of the
 * serial log finds a domain's lines the same way whichever path they took
 * (the trace tells them apart: a cons_write record names the back end that
 * wrote and the front end it wrote for).  Only that back end may, and only
 * while its end is not CLOSED: -HV_EPERM for anyone else (dom0 included,
 * if it is not the device's back end), -HV_EINVAL for a device that is
 * not a console or len > CONS_WRITE_MAX.  Each '\n' ends a line; text
 * without one is printed as one line.  Returns len.
 *
 * Why a device_op command and not a console_io one: console_io is lab 1's
 * handler (a student writes it), and the right to speak for dN is a fact
 * of the device store -- "d0 is the back end of dN's console" -- which is
 * narrower than "dom0 may write as anybody". */
#define DEVOP_console_write     6
#define CONS_WRITE_MAX          248
struct devop_console_write {
    uint32_t id;                /* IN: the console device */
    uint32_t len;               /* IN: bytes of text */
    char     text[CONS_WRITE_MAX];  /* IN */
};
_Static_assert(sizeof(struct devop_console_write) == 256, "devop_console_write: 256 bytes");

/* ------------------------------------------------------------------------
 * The echo device (DEV_TYPE_ECHO): the smallest device that uses
 * everything a real one does.  The front end grants a data page to the
 * back end, writable; each request names a piece of it; the back end
 * copies the bytes in (GNTTABOP_copy), reverses them, copies them back
 * and answers with the length -- out of order: it takes every request
 * waiting and answers the last first.  The front end matches each
 * response to its request by id and checks the bytes.
 * ------------------------------------------------------------------------ */
#define ECHO_OP_REVERSE         1

struct echo_request {
    uint32_t id;                /* the front end's: comes back in the response */
    uint32_t op;                /* ECHO_OP_* */
    uint32_t gref;              /* grant of the data page */
    uint16_t offset;            /* where in it */
    uint16_t len;               /* how many bytes (offset + len <= 4096) */
};
_Static_assert(sizeof(struct echo_request) == 16, "echo_request: 16 bytes");

struct echo_response {
    uint32_t id;                /* the request's */
    int32_t  status;            /* bytes done, or -HV_Exxx */
};
_Static_assert(sizeof(struct echo_response) == 8, "echo_response: 8 bytes");

#endif
