#!/usr/bin/env python3
# tests/io/make-vm-disk.py — dom0's disk with inactive VMs on it: an MBR
# disk (made by the host's sfdisk) whose fourth partition is the VM store
# xl reads (minios-guest/toolstack/vmdisk.h has the layout, the same one
# this script writes with struct).
#
#   tests/io/make-vm-disk.py IMAGE [--mib N] [--domu-parts] \
#       --vm 'build/guest/minios.elf:name=web mem=2M weight=256 run=count' ...
#       [--corrupt NAME]     (flip a byte of NAME's image: its CRC no longer holds)
#       [--not-elf NAME]     (store NAME's image as text: the hypervisor refuses it)
#
# Where this sits in the story (course: VM states, "an inactive VM is
# literally an image and a configuration on disk"): each --vm is one
# inactive VM -- the ELF file, copied byte for byte, and its configuration
# line.  With --domu-parts, partitions 1-3 are also made, as
# tests/io/make-disk.sh makes them, for blk-back to give to domUs: the disk
# is then shared by the block back end and the toolstack.
# Prints one line per VM (name, first sector on the disk, bytes, CRC-32),
# which after_run checks can compare with what xl said.
import argparse
import shutil
import struct
import subprocess
import sys
import zlib

SECTOR = 512
MAGIC = b"HVKVMS01"
VERSION = 1
MAX_VMS = 16
PART_TYPE = "da"
STORE_START = 14336                 # after make-disk.sh's three partitions
ENTRY = struct.Struct("<16s96sIIII")   # struct vmdisk_entry: 128 bytes
HEADER = struct.Struct("<8sIIII")      # struct vmdisk_header


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--mib", type=int, default=16)
    ap.add_argument("--domu-parts", action="store_true")
    ap.add_argument("--vm", action="append", default=[], help="FILE:CONFIG")
    ap.add_argument("--corrupt", action="append", default=[])
    ap.add_argument("--not-elf", action="append", default=[])
    a = ap.parse_args()
    if not shutil.which("sfdisk"):
        sys.exit("make-vm-disk: sfdisk not found (apt-get install fdisk)")
    if len(a.vm) > MAX_VMS:
        sys.exit("make-vm-disk: at most %d VMs" % MAX_VMS)

    total = a.mib * 2048
    store_sectors = total - STORE_START
    with open(a.image, "wb") as f:
        f.truncate(total * SECTOR)
    layout = ["label: dos", "label-id: 0x6876686c", "unit: sectors"]
    if a.domu_parts:
        layout += ["start=2048, size=4096, type=83", "start=6144, size=4096, type=83",
                   "start=10240, size=4096, type=83"]
    layout.append("start=%d, size=%d, type=%s" % (STORE_START, store_sectors, PART_TYPE))
    subprocess.run(["sfdisk", "--quiet", a.image], input="\n".join(layout) + "\n",
                   text=True, check=True)

    table_sectors = (len(a.vm) + 3) // 4
    next_sector = 8                     # images from the second page of the store on
    entries, blobs = [], []
    for spec in a.vm:
        path, _, config = spec.partition(":")
        words = dict(w.split("=", 1) for w in config.split() if "=" in w)
        name = words.get("name")
        if not name or len(name) >= 16 or len(config) >= 96:
            sys.exit("make-vm-disk: %r: needs name= (< 16 bytes), config < 96 bytes" % spec)
        data = open(path, "rb").read()
        if name in a.not_elf:
            data = b"this is not an ELF image, only text on a disk\n" * 64
        crc = zlib.crc32(data) & 0xffffffff
        if name in a.corrupt:
            data = bytearray(data)
            data[len(data) // 2] ^= 0xff
            data = bytes(data)
        entries.append(ENTRY.pack(name.encode(), config.encode(), next_sector, len(data), crc, 0))
        blobs.append((next_sector, data))
        print("%s sector=%d bytes=%d crc=%08x" % (name, STORE_START + next_sector, len(data), crc))
        next_sector += (len(data) + 4095) // 4096 * 8
    if next_sector > store_sectors:
        sys.exit("make-vm-disk: the images do not fit in %d MiB" % a.mib)

    with open(a.image, "r+b") as f:
        f.seek(STORE_START * SECTOR)
        f.write(HEADER.pack(MAGIC, VERSION, len(a.vm), 1, table_sectors))
        f.seek((STORE_START + 1) * SECTOR)
        f.write(b"".join(entries))
        for sector, data in blobs:
            f.seek((STORE_START + sector) * SECTOR)
            f.write(data)


if __name__ == "__main__":
    main()
