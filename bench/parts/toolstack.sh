#!/usr/bin/env bash
# bench/parts/toolstack.sh — the toolstack (issue 14's "Measure"): how long
# `xl create` takes as a function of the new domain's memory, how fast the
# balloon gives pages back and takes them again, and how many domains fit
# on the host with and without ballooning.  Called by bench/run.sh.
#
#   bench/ts-create.scn   xl creates a VM of 1.5, 2, 4, 8 and 16 MiB, from
#                         dom0's disk and from a boot image, trace=on: from
#                         xl's stamp at `create` to the new domain's first
#                         dispatch (the trace's schedule record), and xl's
#                         split of it (reading the image off the disk; the
#                         domctls: create, load, setregs, unpause)
#   bench/ts-balloon.scn  1024 pages inflated and deflated by a 16 MiB domU
#   bench/ts-fill.scn     4 MiB VMs until a create is refused, then again
#                         with each ballooned down to 2 MiB
# ts-create boots RUNS times (default 3): the disk's part depends on when
# QEMU's host thread completes each transfer (bench/parts/block.sh says
# why), much more on a loaded host; the results keep the median and the
# range.  The other two
# read no disk and are exactly repeatable: one boot each.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench/toolstack
RUNS=${RUNS:-3}
mkdir -p "$OUT/once"
rc=0
boot() {  # boot SCENARIO DIR
    BUILD=$BUILD SCENARIO_OUT=$2 tests/run-scenario.sh "bench/$1.scn" >"$2/$1.report" 2>&1 </dev/null
    if [ "$(tail -n 1 "$2/$1.report")" != "scenario $1: PASS" ]; then
        echo "bench: the $1 boot ($2) failed:"; sed 's/^/  /' "$2/$1.report"; return 1
    fi
}
for i in $(seq "$RUNS"); do
    mkdir -p "$OUT/$i"
    boot ts-create "$OUT/$i" || rc=1
done
boot ts-balloon "$OUT/once" || rc=1
boot ts-fill "$OUT/once" || rc=1
[ $rc = 0 ] || exit $rc
echo "hvkit toolstack: xl create, from the command to the first instruction (run 1 of $RUNS; all in bench/results.json)"
grep -h "bench: create" "$OUT/1/ts-create/serial.log" | sed 's/^(d0) /  /'
grep -h "balloon: target" "$OUT/once/ts-balloon/serial.log" | sed 's/^/  /'
grep -h "bench: fill" "$OUT/once/ts-fill/serial.log" | sed 's/^(d0) /  /'
