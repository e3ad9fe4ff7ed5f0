#!/usr/bin/env bash
# tests/checks/tracer-live.sh — the live tracer's screen, driven like a person
# would: `hvtrace live -r` replays a recorded fixture inside a detached tmux
# session of exactly 80x24; we send keys (switch views, filter, pause, help,
# quit) and read the screen back with capture-pane after each.
#
# One test of `make test` (tests/run-all.sh, run_checks): exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-check.sh"       # check_start, fail, the tmux helpers
check_start
FIXTURE=tests/fixtures/two-domains.bin
tmux_start "hvkit-live-$$"

# wait_until CMD... — until the command succeeds (at most 5 s; a loaded
# machine may take a while to redraw), else fail with what it checked.
wait_until() {
    local i
    for i in $(seq 50); do
        "$@" && return 0
        sleep 0.1
    done
    fail "never true: $*"
}
screen_lines_are() { [ "$(screen | wc -l)" -eq "$1" ]; }
footer_shown() { screen | tail -n 1 | grep -q "q quit"; }
header_shows() { screen | head -n 1 | grep -qF -- "$1"; }

# Replay at full speed (-s 0): the whole fixture is on screen at once.
tmux_session 80 24 "$HVTRACE live -s 0 -r $FIXTURE; sleep 30"

# The log view: the last records, and the header with total and LOST.
wait_for "total 62"
wait_for "LOST 0"
wait_for "dom_shutdown domid=d1 reason=poweroff"
[ "$(screen | wc -l)" -le 24 ] || fail "more than 24 lines"
screen | head -n 1 | grep -q "END" || fail "replay finished: header says END"
echo "ok log view"

# /: search; the matching lines are shown in reverse video (SGR 7).
keys /
wait_for "search (regex"
keys "dom_shutdown" Enter
tmux capture-pane -e -p -t "$SESSION" | grep "dom_shutdown domid=d1" | grep -qE $'\e\\[(7|[0-9;]*;7)m' ||
    fail "the search match is not highlighted"
tmux capture-pane -e -p -t "$SESSION" | grep "hypercall nr=sched_op" | grep -qE $'\e\\[(7|[0-9;]*;7)m' &&
    fail "a line that does not match is highlighted"
echo "ok search highlights"

# The terminal grows, then shrinks back: the screen follows.
tmux resize-window -t "$SESSION" -x 100 -y 30
wait_until screen_lines_are 30
wait_until footer_shown
tmux resize-window -t "$SESSION" -x 80 -y 24
wait_until screen_lines_are 24
wait_until footer_shown
wait_until header_shows "total 62"
echo "ok resize"

# Tab: the counters view, per class and per domain.
keys Tab
wait_for "| counters |"
screen | grep -E "^hcall +42 " >/dev/null || fail "counters: 42 hypercalls"
screen | grep -E "^d0 +30 .* 21 +0 +dead" >/dev/null || fail "counters: d0 row"
# s: sort by total (hcall, with the most, comes first).
keys s
wait_for "sorted by total"
first=$(screen | sed -n '3p' | awk '{ print $1 }')
[ "$first" = hcall ] || fail "sorted by total: first class is '$first', not hcall"
echo "ok counters view, sort"

# F3: the timeline, a strip per domain.
keys F3
wait_for "| timeline |"
screen | grep -E "^d0 +.*#" >/dev/null || fail "timeline: d0 ran"
screen | grep -E "^hv " >/dev/null || fail "timeline: the hypervisor's strip"
echo "ok timeline view"

# F1 then f: filter to the schedule events of d1 only.
keys F1
keys f
wait_for "filter (class"
keys "sched d1" Enter
wait_for "filter: sched d1"
screen | sed -n '2,23p' | grep -v "^ *$" > "$CHECK_DIR/filtered.txt"
grep -v " d1 *schedule " "$CHECK_DIR/filtered.txt" | grep -q . && fail "the filtered log shows other events"
n=$(wc -l < "$CHECK_DIR/filtered.txt")
[ "$n" -eq 0 ] && fail "the filtered log is empty"
echo "ok filter ($n lines, all d1 schedule)"

# A bad filter is refused with a message, the old one stays.
keys f
keys "(" Enter
wait_for "bad filter"
wait_for "filter: sched d1"
echo "ok bad filter refused"

# h: help; any key closes it.  p: pause.
keys h
wait_for "hvtrace live - keys"
keys x
screen | grep -qF "hvtrace live - keys" && fail "help did not close"
keys p
wait_for "PAUSED"
echo "ok help, pause"

# q: quit (the session's shell then sleeps; the screen is cleared).
keys q
for i in $(seq 30); do
    screen | grep -qF "| log |" || break
    sleep 0.1
done
screen | grep -qF "| log |" && fail "q did not quit"
echo "ok quit"

# Replay at a crawl: pause, then step one event at a time with n.
tmux_session 80 24 "$HVTRACE live -s 0.000001 -r $FIXTURE; sleep 30"
wait_for "REPLAY"
keys p
wait_for "PAUSED"
before=$(screen | head -n 1 | sed -n 's/.*total \([0-9]*\).*/\1/p')
keys n
wait_for "total $((before + 1)) "
keys n
wait_for "total $((before + 2)) "
echo "ok pause and step ($before -> $((before + 2)))"
keys q

# The memory view of a run with refused page-table updates: the rule first.
tmux_session 80 24 "$HVTRACE live -s 0 -r tests/fixtures/mm-attacks.bin; sleep 30"
wait_for "END"
keys F4
wait_for "| memory |"
wait_for "mmu_update REFUSED hv_frame (-EPERM)"
screen | grep -qE "^refused by rule: not_owner=2 hv_frame=3" || fail "memory view: rule counts"
# And the events view of the ping-pong: who sent to whom.
tmux_session 80 24 "$HVTRACE live -s 0 -r tests/fixtures/evtchn-pingpong.bin; sleep 30"
wait_for "END"
keys F5
wait_for "sends: d1->d2=100 d2->d1=101"
# And the rings view of the echo device: per device, the ring and the
# notifications each end sent and suppressed.
tmux_session 140 24 "$HVTRACE live -s 0 -r tests/fixtures/grant-echo.bin; sleep 30"
wait_for "END"
screen | tail -n 1 | grep -qF "i rings" || fail "the footer does not name the rings key"
keys i
wait_for "| rings |"
screen | grep -qE "^1 +echo +d1 +closed +d0 +closed +64 +64 +0 +8/56 +8/0" || fail "rings view: device 1"
screen | grep -qE "d0->d1=0\(1\),128 d0->d2=0\(1\),128" || fail "rings view: grants"
screen | grep -qE "^ +ring ref 1 unmapped, ports 4/6, events in 8/8; taken - answered -" ||
    fail "rings view: device 2's ring grant, ports and events"
# At 80 columns the rings view gives each device short lines instead.
tmux resize-window -t "$SESSION" -x 80 -y 24
wait_for "front -> back: ring;"
screen | grep -qE "^1 +echo +d1 closed -> d0 closed: requests 64 responses 64 in_flight 0$" ||
    fail "narrow rings view: device 1"
screen | grep -qE "^ +sent/supp 8/56 front, 8/0 back; ring 1 unmapped; ports 4/6 got 8/8$" ||
    fail "narrow rings view: device 2's notifications, ring, ports"
echo "ok memory, events and rings views"

# Batch mode prints the counters as text.
out=$("$HVTRACE" live -b -r "$FIXTURE")
grep -E "^hcall +42 " <<<"$out" >/dev/null || { echo "FAIL: batch counters:"; echo "$out"; exit 1; }
out=$("$HVTRACE" live -b -r tests/fixtures/grant-echo.bin)
grep -E "^2 +echo +d2 +closed +d0 +closed +64 +64 +0 +8/56" <<<"$out" >/dev/null ||
    { echo "FAIL: batch rings:"; echo "$out"; exit 1; }
echo "ok batch mode"
echo "tracer-live: all ok"
