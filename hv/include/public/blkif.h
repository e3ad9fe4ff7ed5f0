/*
 * hv/include/public/blkif.h — the split block device's protocol: the
 * requests a front end puts on its ring and the responses the back end
 * puts back (DEV_TYPE_BLOCK in public/device.h).
 *
 * Where this sits in the story (course: split drivers, "the guest passes a
 * page for dom0 to write into"; "disk data arrives only after a request";
 * "requests and responses can happen in any order"): each domU gets a
 * virtual disk, which is a region of dom0's real IDE disk.  The front end
 * never sees the disk: it grants dom0 the pages of its buffer and asks,
 * "read (or write) COUNT sectors at SECTOR of my disk, the data in these
 * pages"; the back end checks the request against the domU's region,
 * copies the data in or out of the granted pages (GNTTABOP_copy), drives
 * the IDE disk, and answers with the request's id and a status.  It may
 * take several requests at once and answer them in any order -- in
 * elevator order, by sector, is what a disk likes -- so the front end
 * matches each response to its request by id, never by position.
 *
 * One request:
 *
 *   id        the front end's, comes back in the response
 *   op        BLKIF_OP_READ (disk -> pages) or BLKIF_OP_WRITE (pages -> disk)
 *   count     sectors, 1 .. BLKIF_MAX_SECTORS
 *   sector    the first sector, counted from the start of THIS virtual
 *             disk (sector 0 is the region's first, whatever it is on the
 *             real disk)
 *   gref[i]   the grant of the i-th page of the buffer: sector k of the
 *             request is at byte (k % 8) * 512 of page k / 8.  A read needs
 *             writable grants (dom0 writes into them), a write only
 *             read-only ones.
 *
 * How a front end learns the disk: the back end publishes, in its end's
 * info[] in the device store, BLKIF_INFO_SECTORS (the virtual disk's size
 * in sectors), BLKIF_INFO_SECTOR_SIZE (512) and BLKIF_INFO_MAX_SECTORS
 * (the most one request may ask for).  When the toolstack made the device
 * for a VM it creates (xl's disk=N), it first publishes
 * BLKIF_INFO_PARTITION, the partition the VM's configuration names, in the
 * same info[]: that is how the back end learns which region to serve.
 *
 * Xen's blkif (xen/include/public/io/blkif.h) is the same idea with
 * segments (a grant and a first and last sector inside that page, up to
 * 11 per request) and 64-bit ids; here a request's data always starts at
 * the beginning of its first page, which is all a teaching front end
 * needs.  The numbering of op is hvkit's: 0 is no operation, so a zeroed
 * slot is never a valid request.
 */
#ifndef HVKIT_PUBLIC_BLKIF_H
#define HVKIT_PUBLIC_BLKIF_H

#include <stdint.h>
#include "io_ring.h"

#define BLKIF_SECTOR_SIZE       512u
#define BLKIF_SECTORS_PER_PAGE  8u
#define BLKIF_MAX_PAGES         11u      /* grants in one request (Xen's 11 segments) */
#define BLKIF_MAX_SECTORS       (BLKIF_MAX_PAGES * BLKIF_SECTORS_PER_PAGE)   /* 88: 44 KiB */

#define BLKIF_OP_READ           1        /* = IO_OP_READ in the trace */
#define BLKIF_OP_WRITE          2        /* = IO_OP_WRITE */

struct blkif_request {
    uint32_t id;                         /* the front end's */
    uint16_t op;                         /* BLKIF_OP_* */
    uint16_t count;                      /* sectors */
    uint64_t sector;                     /* first sector of the virtual disk (at offset
                                            8: aligned for both i386 and x86_64) */
    uint32_t gref[BLKIF_MAX_PAGES];      /* the buffer's pages */
    uint32_t pad;                        /* to 64: x86_64 rounds up to its 8-byte alignment */
};
_Static_assert(sizeof(struct blkif_request) == 64, "blkif_request: 64 bytes");
_Static_assert(sizeof(struct blkif_request) <= IO_RING_SLOT_BYTES, "blkif_request: fits a slot");

struct blkif_response {
    uint32_t id;                         /* the request's */
    uint16_t op;                         /* the request's */
    uint16_t pad;
    int32_t  status;                     /* BLKIF_RSP_OKAY (0), or -HV_Exxx: why not */
};
_Static_assert(sizeof(struct blkif_response) == 12, "blkif_response: 12 bytes");

#define BLKIF_RSP_OKAY          0

/* The one check that keeps a front end inside its disk: may a request of
 * `count` sectors from `sector` go to a virtual disk of `size` sectors?
 * Compared in 64 bits without ever forming sector + count, which a
 * hostile sector near 2^64 would wrap round to something small.  The back
 * end (minios-guest/workloads/blkback.c) and tests/unit/test_blkif.c use
 * it. */
static inline int blkif_in_disk(uint64_t sector, uint32_t count, uint32_t size)
{
    return count >= 1 && count <= BLKIF_MAX_SECTORS &&
           sector < size && (uint64_t)count <= (uint64_t)size - sector;
}

/* The back end's info[] in the device store. */
#define BLKIF_INFO_SECTORS      0        /* the virtual disk's size */
#define BLKIF_INFO_SECTOR_SIZE  1        /* 512 */
#define BLKIF_INFO_MAX_SECTORS  2        /* per request */
#define BLKIF_INFO_PARTITION    3        /* which partition of dom0's disk (1..4): the
                                            toolstack's choice (xl's disk=N), published
                                            before the back end takes the device */

#endif
