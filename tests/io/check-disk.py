#!/usr/bin/env python3
"""tests/io/check-disk.py — after a block scenario, the host reads the disk
image file and finds each domU's bytes where they belong, and nothing else
changed.

    tests/io/check-disk.py IMAGE PART:KEY:SECTORS ...

Where this sits in the story (course: split drivers, isolation of I/O):
the guests say PASS when they read back what they wrote, but a back end
that wrote every domain to the same place, or one domain's data into
another's partition, would pass that too.  The image file is the real
disk: this check looks at it from outside, with the host's own sfdisk
(--json) for where each partition starts, and demands that

  - the first SECTORS sectors of partition PART hold the pattern the
    front end writes with key KEY (minios-guest/workloads/blkfront.c,
    blk_pattern: the same formula), at byte offset start * 512;
  - every other byte of the image -- the partition table, the gaps, the
    rest of each partition, the partition nobody was given -- is exactly
    as tests/io/make-disk.sh made it (IMAGE.orig).

Exit 0 and one line per partition if so; else what differs, where.
"""
import json
import struct
import os
import subprocess
import sys

SECTOR = 512


def sector_bytes(key, s):
    """Virtual-disk sector s written with key: 128 little-endian 32-bit words,
    word j = blkfront.c's blk_pattern(key, s, j)."""
    m = 0xFFFFFFFF
    return struct.pack("<128I", *(((key * 0x9E3779B1) ^ (s * 0x85EBCA77) ^ (j * 0x01000193)) & m
                                  for j in range(128)))


def partitions(image):
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/sbin:/usr/sbin")
    out = subprocess.run(["sfdisk", "--json", image], check=True, capture_output=True,
                         text=True, env=env).stdout
    parts = json.loads(out)["partitiontable"]["partitions"]
    return [(p["start"], p["size"]) for p in parts]


def main(argv):
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1])
        return 2
    image, specs = argv[0], argv[1:]
    with open(image, "rb") as f:
        now = bytearray(f.read())
    with open(image + ".orig", "rb") as f:
        orig = bytearray(f.read())
    if len(now) != len(orig):
        print(f"check-disk: {image} is {len(now)} bytes, was {len(orig)}")
        return 1
    parts = partitions(image)
    expect = bytearray(orig)
    for spec in specs:
        part, key, sectors = (int(x) for x in spec.split(":"))
        start, size = parts[part - 1]
        if sectors > size:
            print(f"check-disk: partition {part} has {size} sectors, not {sectors}")
            return 1
        base = start * SECTOR
        for s in range(sectors):
            off = base + s * SECTOR
            expect[off:off + SECTOR] = sector_bytes(key, s)
        got = now[base:base + sectors * SECTOR]
        good = sum(got[s * SECTOR:(s + 1) * SECTOR] == expect[base + s * SECTOR:base + (s + 1) * SECTOR]
                   for s in range(sectors))
        print(f"check-disk: partition {part} (sectors {start}..{start + size - 1}, byte {base}): "
              f"{good} of {sectors} sectors hold key {key}'s pattern")
    bad = [s for s in range(len(now) // SECTOR)
           if now[s * SECTOR:(s + 1) * SECTOR] != expect[s * SECTOR:(s + 1) * SECTOR]]
    for n, (start, size) in enumerate(parts, 1):
        if not any(spec.split(":")[0] == str(n) for spec in specs):
            same = now[start * SECTOR:(start + size) * SECTOR] == orig[start * SECTOR:(start + size) * SECTOR]
            print(f"check-disk: partition {n} (sectors {start}..{start + size - 1}): "
                  f"{'untouched' if same else 'CHANGED'}")
    if now[:SECTOR] == orig[:SECTOR]:
        print("check-disk: the partition table: untouched")
    if bad:
        print(f"check-disk: FAIL: {len(bad)} sectors differ from what was expected, "
              f"first ones: {bad[:10]}")
        return 1
    print("check-disk: PASS: every written sector where it belongs, every other one as made")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
