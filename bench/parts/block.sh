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
# (default 5) and the results keep the median and the range.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench/block
RUNS=${RUNS:-5}
CONFIGS="blk-seq blk-random blk-b1"
mkdir -p "$OUT"
rc=0
for i in $(seq "$RUNS"); do
    for c in $CONFIGS; do
        mkdir -p "$OUT/$i"
        BUILD=$BUILD SCENARIO_OUT=$OUT/$i tests/run-scenario.sh "bench/$c.scn" >"$OUT/$i/$c.report" 2>&1 </dev/null &
    done
    wait
done
for i in $(seq "$RUNS"); do
    for c in $CONFIGS; do
        if [ "$(tail -n 1 "$OUT/$i/$c.report")" != "scenario $c: PASS" ]; then
            echo "bench: the $c boot (run $i) failed:"; sed 's/^/  /' "$OUT/$i/$c.report"; rc=1
        fi
    done
done
[ $rc = 0 ] || exit $rc
# The table, medians of the runs (bench/collect.py reads the runs itself).
med() {  # med CONFIG SED-EXPRESSION: the median over the runs
    for i in $(seq "$RUNS"); do sed -nE "$2" "$OUT/$i/$1/serial.log" | head -n 1; done |
        sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
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
