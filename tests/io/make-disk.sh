#!/usr/bin/env bash
# tests/io/make-disk.sh — the block scenarios' disk image: a small raw disk
# with an MBR partition table made by the host's own sfdisk.
#
#   tests/io/make-disk.sh IMAGE [MIB]      (default 8 MiB)
#
# Where this sits in the story (course: split drivers, "each domU gets its
# own virtual disk"): dom0's IDE driver reads this table
# (minios-guest/drivers/ide.c) and gives partition k to domU k; the host
# made it with a standard tool, so the layout is not something the kit
# wrote for itself.  Three partitions of 2 MiB from sector 2048 on (sfdisk's
# usual 1 MiB alignment): d1's, d2's, and one nobody is given.  Every
# sector of the three is filled with bytes of its own (a SHA-256 stream of
# the sector number), so after the run tests/io/check-disk.py can tell a
# sector nobody wrote from one that was written, anywhere on the disk.
# A copy of the image as made is kept next to it (IMAGE.orig) for that check.
set -euo pipefail
img=$1
mib=${2:-8}
PATH=$PATH:/sbin:/usr/sbin                 # sfdisk lives there on Debian
command -v sfdisk >/dev/null || { echo "make-disk: sfdisk not found (apt-get install fdisk)" >&2; exit 2; }
mkdir -p "$(dirname "$img")"
rm -f "$img" "$img.orig"
python3 - "$img" "$mib" <<'PY'
import hashlib, sys
path, mib = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as f:
    for s in range(mib * 2048):
        block = b""
        n = 0
        while len(block) < 512:
            block += hashlib.sha256(b"hvkit disk sector %d.%d" % (s, n)).digest()
            n += 1
        f.write(block[:512])
PY
sfdisk --quiet "$img" <<'SFDISK'
label: dos
label-id: 0x6876686b
unit: sectors
start=2048, size=4096, type=83
start=6144, size=4096, type=83
start=10240, size=4096, type=83
SFDISK
cp "$img" "$img.orig"
