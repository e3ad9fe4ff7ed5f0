#!/usr/bin/env bash
# tests/checks/tracer-block.sh — the tracer on the split block device: what
# the rings view, `hvtrace seq` and the topology say about a real run must
# agree with what the drivers themselves counted.
#
# Runs the block-split scenario (tests/run-scenario.sh), then on its trace:
# the rings view (live -b) has both block devices, every request answered,
# nothing in flight, and as many answers out of order as blk-back counted
# itself (its serial line); the disk's interrupts (irq 14) in dom0;
# `hvtrace seq` of a request goes push -> io_req -> pirq -> io_rsp -> push
# of the responses, in that order; the topology names both devices and the
# disk's line.
#
# One test of `make test`: exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-check.sh"       # check_start, fail, in_order
check_start

# ---- block-split -----------------------------------------------------------
tests/run-scenario.sh block-split >"$CHECK_DIR/blk.out" 2>&1 || { tail -20 "$CHECK_DIR/blk.out"; fail "block-split"; }
D=$BUILD/scenarios/block-split
"$HVTRACE" live -b -r "$D/trace.bin" >"$CHECK_DIR/rings.txt" || fail "live -b on block-split"
for id in 1 2; do
    ooo=$(sed -n "s/^(d0) blk-back: d$id: .* \([0-9]*\) answered out of order.*/\1/p" "$D/serial.log")
    [ -n "$ooo" ] && [ "$ooo" -gt 0 ] || fail "blk-back's own count for d$id"
    grep -qE "^$id +block +d$id +closed +d0 +closed +([0-9]+) +\1 +0 " "$CHECK_DIR/rings.txt" ||
        { cat "$CHECK_DIR/rings.txt"; fail "rings: block device $id, all answered"; }
    grep -A1 -E "^$id +block " "$CHECK_DIR/rings.txt" | tail -n 1 |
        grep -qE "taken ([0-9]+) answered \1 out_of_order $ooo failed 0 waiting 0" ||
        { cat "$CHECK_DIR/rings.txt"; fail "rings: device $id's requests, out of order = blk-back's $ooo"; }
done
grep -qE "irq14->d0:[0-9]+=[1-9]" "$CHECK_DIR/rings.txt" || fail "rings: the disk's interrupts"
req=$(grep -m1 -oE "io_req +dev=1 end=back id=[0-9]+" "$D/trace.txt" | sed 's/.*id=//')
"$HVTRACE" seq --dev 1 --req "$req" "$D/trace.bin" >"$CHECK_DIR/seq.txt" || fail "seq --dev 1 --req $req"
in_order "$CHECK_DIR/seq.txt" "ring_push requests: req_prod=" "io_req id=$req " \
    "pirq irq 14 -> port" "io_rsp id=$req .*status=0" "ring_push responses: rsp_prod=" ||
    fail "seq of block request $req"
"$HVTRACE" dot topology "$D/trace.bin" | dot -Tsvg -o "$CHECK_DIR/blk.svg" || fail "block topology"
for w in "block device 1" "block device 2" "irq 14"; do
    grep -qF "$w" "$CHECK_DIR/blk.svg" || fail "block topology: no '$w'"
done
echo "ok block-split: rings (out of order as blk-back counted), seq of request $req, topology"
echo "tracer-block: all ok"

