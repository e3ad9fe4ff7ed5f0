#!/usr/bin/env bash
# tests/checks/tracer-live-attach.sh — `hvtrace live` attached to a real run.
#
# Boots the evtchn-pingpong scenario under QEMU (-icount, as the scenario
# tests do) with `hvtrace live -b -o live.bin RAMFILE` as the ring's only
# reader, then checks:
#   - that it notices the run has ended by itself (nobody tells it QEMU's
#     pid: it finds the process with the RAM file mapped) and exits within
#     a second and a half of QEMU, with a line that says so;
#   - that the live view kept up: every record reached its file with no gap
#     in the sequence numbers (hvtrace dump: "0 lost"), the counters it
#     printed agree with the file, and the 201 sends are there;
# and then, without QEMU, on the RAM file the run left behind:
#   - attached to it again, live sees that no process has it mapped and
#     stops at once (no other process has it open);
#   - with --pid it waits for that process instead, and stops when it exits;
#   - a SIGINT still stops it while it waits for a file that never comes.
#
# One test of `make test`: exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-check.sh"       # check_start, fail
. "$(dirname "$0")/../lib-qemu.sh"        # cds to the repository root
check_start
# What fail shows: the end of what the last hvtrace live printed.
on_fail() { echo "--- live output:"; tail -n 30 "$CHECK_DIR/live.txt"; }

# wait_gone PID TENTHS — wait up to TENTHS tenths of a second for PID to
# exit; status 0 if it did.
wait_gone() {
    local i
    for i in $(seq "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    ! kill -0 "$1" 2>/dev/null
}
now_ms() { date +%s%3N; }

scn_reset
scn_load tests/scenarios/evtchn-pingpong.scn || exit 1
check_images || exit 1
qemu_build_cmd test "$CHECK_DIR"

# The live view first: it waits for the RAM file and the ring.
"$HVTRACE" live -b -o "$CHECK_DIR/live.bin" "$CHECK_DIR/ram.bin" >"$CHECK_DIR/live.txt" 2>&1 &
live=$!
timeout -k 5 "$SCN_LIMIT" "${QEMU_CMD[@]}" >"$CHECK_DIR/qemu.out" 2>&1 </dev/null
status=$?
qemu_end=$(now_ms)
echo "QEMU ended: $(exit_status_name "$status" "$CHECK_DIR/qemu.log")"

# It must stop by itself, promptly: no signal is sent.
if ! wait_gone "$live" 15; then
    kill -INT "$live" 2>/dev/null; wait_gone "$live" 20 || kill -KILL "$live" 2>/dev/null
    fail "hvtrace live still running 1.5 s after QEMU exited (it must notice the run ended)"
fi
wait "$live" || fail "hvtrace live exited with $?"
echo "live exited $(( $(now_ms) - qemu_end )) ms after QEMU"
grep -q "^hvtrace live: the run has ended: process [0-9]* (qemu-system-i38), which had .*ram.bin mapped, has exited" \
    "$CHECK_DIR/live.txt" || fail "no 'the run has ended' line naming QEMU"
grep "^hvtrace live: the run has ended" "$CHECK_DIR/live.txt"

"$HVTRACE" dump "$CHECK_DIR/live.bin" >"$CHECK_DIR/dump.txt" 2>"$CHECK_DIR/dump.err" || fail "dump: $(cat "$CHECK_DIR/dump.err")"
summary=$(tail -n 1 "$CHECK_DIR/dump.err")
echo "file: $summary"
n=$(sed -n 's/^\([0-9]*\) records, 0 lost$/\1/p' <<<"$summary")
[ -n "$n" ] && [ "$n" -gt 1000 ] || fail "the recorded file: '$summary'"
sends=$(grep -c "evtchn_send .*ret=0" "$CHECK_DIR/dump.txt")
[ "$sends" -eq 201 ] || fail "$sends successful sends in the file, expected 201"
grep -q "dom_shutdown domid=d0" "$CHECK_DIR/dump.txt" || fail "the run's last records (d0's shutdown) are missing"

# The last counters block printed by live -b agrees with the file.
last=$(grep "^records " "$CHECK_DIR/live.txt" | tail -n 1)
echo "live: $last"
[ "$last" = "records $n, lost 0, filter \"\"" ] || fail "live counted '$last', the file has $n"
evt=$(awk '/^class/ { blk = "" } { blk = blk "\n" $0 } END { print blk }' "$CHECK_DIR/live.txt" |
      awk '$1 == "evt" { v = $2 } END { print v }')
[ "$evt" = "$(grep -c ' evtchn_\| virq ' "$CHECK_DIR/dump.txt")" ] || fail "evt class: live $evt"

# The RAM file left behind: no process has it mapped any more.
"$HVTRACE" live -b "$CHECK_DIR/ram.bin" >"$CHECK_DIR/live.txt" 2>&1 &
stale=$!
wait_gone "$stale" 20 || { kill -KILL "$stale"; fail "live on a left-over RAM file did not stop"; }
grep -q "^hvtrace live: the run has ended: no other process has .*ram.bin open" "$CHECK_DIR/live.txt" ||
    fail "live on a left-over RAM file: no 'already over' line"

# --pid: the harness says which process is the run (here a sleep).
sleep 0.5 &
sleeper=$!
"$HVTRACE" live -b --pid "$sleeper" "$CHECK_DIR/ram.bin" >"$CHECK_DIR/live.txt" 2>&1 &
watcher=$!
sleep 0.3
kill -0 "$watcher" 2>/dev/null || fail "live --pid stopped before its process did"
wait "$sleeper"
wait_gone "$watcher" 15 || { kill -KILL "$watcher"; fail "live --pid did not stop after its process"; }
grep -q "^hvtrace live: the run has ended: process $sleeper (--pid) has exited" "$CHECK_DIR/live.txt" ||
    fail "live --pid: no 'process ... (--pid) has exited' line"

# Ctrl-C still works while it waits for a file that never comes.
"$HVTRACE" live -b "$CHECK_DIR/never.bin" >"$CHECK_DIR/live.txt" 2>&1 &
waiter=$!
sleep 0.2
kill -INT "$waiter"
wait_gone "$waiter" 20 || { kill -KILL "$waiter"; fail "hvtrace live did not stop on SIGINT"; }
wait "$waiter" || fail "hvtrace live exited with $? after SIGINT"

echo "tracer-live-attach: ok ($n records, $sends sends, nothing lost; live stopped by itself)"
