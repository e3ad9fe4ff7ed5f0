#!/usr/bin/env bash
# bench/parts/rings.sh — the I/O ring: one echo request front end -> back
# end -> front end, and what notification suppression saves, in guest
# instructions (-icount shift=0, trace off).  Called by bench/run.sh.
#
# The echo front end (minios-guest/workloads/echo.c) sends 256 requests of
# 64 bytes to dom0's back end in batches of 1, 8 or 32, one push per
# request; the back end takes every request waiting, answers them, and
# pushes once.  Per request: all the instructions of both domains and the
# hypervisor between the first push and the last response checked (two
# GNTTABOP_copy hypercalls in the back end, the pushes, the events, the
# domain switches), and the events raised by both sides.  With batches of
# 1 every push finds the other side asleep: two events per request.  With
# larger batches only the first push of a batch wakes the back end and the
# back end's one push of responses wakes the front end: the rest are
# suppressed.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench
mkdir -p "$OUT"
rc=0
for b in 1 8 32; do
    BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh "bench/ring-b$b.scn" >"$OUT/ring-b$b.report" 2>&1 </dev/null &
done
wait
for b in 1 8 32; do
    if [ "$(tail -n 1 "$OUT/ring-b$b.report")" != "scenario ring-b$b: PASS" ]; then
        echo "bench: the ring-b$b boot failed:"; sed 's/^/  /' "$OUT/ring-b$b.report"; rc=1
    fi
done
val() { grep -oE "bench: $2 [0-9]+" "$OUT/$1/serial.log" 2>/dev/null | head -n 1 | awk '{ print $3 }'; }
echo "hvkit I/O ring: one echo request of 64 bytes, front -> back -> front (guest instructions)"
printf '  %-10s %22s %26s\n' "batch" "instructions/request" "events per 100 requests"
for b in 1 8 32; do
    printf '  %-10s %22s %26s\n' "$b" "$(val ring-b$b echo_request_batch$b)" \
        "$(val ring-b$b echo_events_per_100_batch$b)"
done
exit $rc
