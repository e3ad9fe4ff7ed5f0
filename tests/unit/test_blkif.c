/*
 * tests/unit/test_blkif.c — the split block device's one bounds check
 * (hv/include/public/blkif.h, blkif_in_disk) on the host.
 *
 * What must hold (course: isolation of I/O): a request reaches exactly
 * the sectors [sector, sector + count) of its own virtual disk or is
 * refused -- at the disk's last sector, one past it, across its end, and
 * for the sector numbers a hostile front end picks so that sector + count
 * wraps round 2^64 (or 2^32, for a back end that would compute in 32
 * bits) to something small.  A back end that got this wrong would let a
 * domU write the next domU's partition (block-attacks checks the image
 * file for that; this checks the arithmetic itself).
 */
#include <criterion/criterion.h>
#include "public/blkif.h"

#define SIZE 4096u

Test(blkif, inside_the_disk)
{
    cr_expect(blkif_in_disk(0, 1, SIZE));
    cr_expect(blkif_in_disk(0, BLKIF_MAX_SECTORS, SIZE));
    cr_expect(blkif_in_disk(SIZE - 1, 1, SIZE), "the last sector");
    cr_expect(blkif_in_disk(SIZE - 8, 8, SIZE), "up to the end exactly");
}

Test(blkif, past_the_end)
{
    cr_expect(!blkif_in_disk(SIZE, 1, SIZE), "the first sector past the disk");
    cr_expect(!blkif_in_disk(SIZE - 1, 2, SIZE), "across the end");
    cr_expect(!blkif_in_disk(SIZE - 7, 8, SIZE), "one sector across");
    cr_expect(!blkif_in_disk(1ull << 63, 1, SIZE));
}

Test(blkif, no_wrap_around)
{
    cr_expect(!blkif_in_disk(~0ull, 8, SIZE), "2^64 - 1 + 8 wraps to 7");
    cr_expect(!blkif_in_disk(~0ull - 3, 8, SIZE));
    cr_expect(!blkif_in_disk(1ull << 32, 1, SIZE), "2^32: sector 0 in 32 bits");
    cr_expect(!blkif_in_disk((1ull << 32) + 5, 1, SIZE));
    cr_expect(!blkif_in_disk(0xffffffffull, 8, SIZE), "wraps 32 bits");
}

Test(blkif, counts)
{
    cr_expect(!blkif_in_disk(0, 0, SIZE), "count 0");
    cr_expect(!blkif_in_disk(0, BLKIF_MAX_SECTORS + 1, SIZE), "more than 11 pages");
    cr_expect(!blkif_in_disk(0, 1, 0), "an empty disk holds nothing");
    cr_expect(blkif_in_disk(0, 1, 1));
}

Test(blkif, layout_fits_a_slot)
{
    cr_expect(sizeof(struct blkif_request) <= IO_RING_SLOT_BYTES);
    cr_expect(sizeof(struct blkif_response) <= IO_RING_SLOT_BYTES);
    cr_expect_eq(BLKIF_MAX_SECTORS, BLKIF_MAX_PAGES * BLKIF_SECTORS_PER_PAGE);
}
