#!/usr/bin/env bash
# tests/checks/tracer-live-attach.sh — `hvtrace live` attached to a real run.
#
# Boots the evtchn-pingpong scenario under QEMU (-icount, as the scenario
# tests do) with `hvtrace live -b -o live.bin RAMFILE` as the ring's only
# reader, then checks that the live view kept up: every record reached its
# file with no gap in the sequence numbers (hvtrace dump: "0 lost"), the
# counters it printed agree with the file, and the 201 sends are there.
#
# One test of `make test`: exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-qemu.sh"        # cds to the repository root
HVTRACE=$BUILD/bin/hvtrace
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; echo "--- live output:"; tail -n 30 "$dir/live.txt"; exit 1; }

scn_reset
scn_load tests/scenarios/evtchn-pingpong.scn || exit 1
check_images || exit 1
qemu_build_cmd test "$dir"

# The live view first: it waits for the RAM file and the ring.
"$HVTRACE" live -b -o "$dir/live.bin" "$dir/ram.bin" >"$dir/live.txt" 2>&1 &
live=$!
timeout -k 5 "$SCN_LIMIT" "${QEMU_CMD[@]}" >"$dir/qemu.out" 2>&1 </dev/null
status=$?
echo "QEMU ended: $(exit_status_name "$status" "$dir/qemu.log")"
sleep 0.3                                 # a last drain
kill -INT "$live" 2>/dev/null
for i in $(seq 50); do kill -0 "$live" 2>/dev/null || break; sleep 0.1; done
kill -0 "$live" 2>/dev/null && { kill -KILL "$live"; fail "hvtrace live did not stop on SIGINT"; }
wait "$live" || fail "hvtrace live exited with $?"

"$HVTRACE" dump "$dir/live.bin" >"$dir/dump.txt" 2>"$dir/dump.err" || fail "dump: $(cat "$dir/dump.err")"
summary=$(tail -n 1 "$dir/dump.err")
echo "file: $summary"
n=$(sed -n 's/^\([0-9]*\) records, 0 lost$/\1/p' <<<"$summary")
[ -n "$n" ] && [ "$n" -gt 1000 ] || fail "the recorded file: '$summary'"
sends=$(grep -c "evtchn_send .*ret=0" "$dir/dump.txt")
[ "$sends" -eq 201 ] || fail "$sends successful sends in the file, expected 201"

# The last counters block printed by live -b agrees with the file.
last=$(grep "^records " "$dir/live.txt" | tail -n 1)
echo "live: $last"
[ "$last" = "records $n, lost 0, filter \"\"" ] || fail "live counted '$last', the file has $n"
evt=$(awk '/^class/ { blk = "" } { blk = blk "\n" $0 } END { print blk }' "$dir/live.txt" |
      awk '$1 == "evt" { v = $2 } END { print v }')
[ "$evt" = "$(grep -c ' evtchn_\| virq ' "$dir/dump.txt")" ] || fail "evt class: live $evt"
echo "tracer-live-attach: ok ($n records, $sends sends, nothing lost)"
