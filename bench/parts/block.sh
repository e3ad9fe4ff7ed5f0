#!/usr/bin/env bash
# bench/parts/block.sh — the split block device: KiB moved per million
# guest instructions (writes and reads of 4 KiB requests, sequential and
# random), and what notification suppression saves, in events per request,
# with 8 requests in flight and with one.  Called by bench/run.sh.
#
# The front end (minios-guest/workloads/blkfront.c) writes 1 MiB of its
# virtual disk in requests of 8 sectors and reads it back; dom0's back end
# (blkback.c) drives the IDE disk in PIO, one interrupt per sector.  The
# back end counts the instructions of BOTH domains (their CPU time,
# DOMCTL_getinfo: under -icount shift=0 one per nanosecond), which leaves
# out the idle loop's waits for the disk.
#
# These are the kit's only figures that are not exactly repeatable: QEMU
# completes a disk transfer on a host thread, so whether IRQ 14 arrives
# before or after dom0 has gone to sleep depends on the host, and a sleep
# and a wake-up cost instructions.  So each configuration boots RUNS times
# (default 5) and the results keep the median and the range
# (bench/lib-repeat.sh).
cd "$(dirname "$0")/../.." || exit 2
. bench/lib-repeat.sh
BUILD=${BUILD:-build}
OUT=$BUILD/bench/block
RUNS=${RUNS:-5}
CONFIGS="blk-seq blk-random blk-b1"
# shellcheck disable=SC2086  # CONFIGS: one word per configuration
repeat_boots "$OUT" "$RUNS" $CONFIGS || exit 1
# The table, medians of the runs (bench/collect.py reads the runs itself).
med() {  # med CONFIG SED-EXPRESSION: the median over the runs
    for i in $(seq "$RUNS"); do sed -nE "$2" "$OUT/$i/$1/serial.log" | head -n 1; done | median
}
echo "hvkit block device: 1 MiB in 4 KiB requests, both domains' instructions (median of $RUNS runs)"
printf '  %-12s %18s %18s %20s %16s\n' config "write KiB/Minsn" "read KiB/Minsn" "insns/request (w)" "events/100 req"
for c in $CONFIGS; do
    printf '  %-12s %18s %18s %20s %16s\n' "$c" \
        "$(med "$c" 's/.*bench: blk_write .*: ([0-9]+) KiB per Minsn.*/\1/p')" \
        "$(med "$c" 's/.*bench: blk_read .*: ([0-9]+) KiB per Minsn.*/\1/p')" \
        "$(med "$c" 's/.*bench: blk_write .* ([0-9]+) insns per request.*/\1/p')" \
        "$(med "$c" 's/.*bench: blk_events_per_100_batch[0-9]+ ([0-9]+) events.*/\1/p')"
done
