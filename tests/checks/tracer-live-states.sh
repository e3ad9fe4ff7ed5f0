#!/usr/bin/env bash
# tests/checks/tracer-live-states.sh — VM states in the tracer, from a real
# run of the toolstack-lifecycle scenario (dom0's xl creates d1 paused,
# unpauses it, pauses it for 20 ms, unpauses it, destroys it, and reuses
# its id twice).
#
# The scenario is run first (under QEMU, its own checks included), into a
# directory of our own.  Then, on its trace:
#   - `hvtrace live -r` in a detached tmux session of 80x24, paused and
#     stepped record by record with n, exactly to xl's pause: the counters
#     view shows d1 "paused", in reverse video (the paused row stands out),
#     and the timeline marks it P; stepped on to the unpause, d1 is
#     "running" again and no longer highlighted; the whole run replayed, d1
#     is inactive (destroyed) with 3 lives;
#   - `hvtrace live -b` and `hvtrace stats` say the same in text, with the
#     time d1 spent paused (the `sleep 20` while paused: >= 20,000 us);
#   - `hvtrace dot vmstates` is accepted by Graphviz's dot and its picture
#     (SVG) shows d1's transitions with their counts: inactive -> paused x3,
#     paused -> running x3, (running|blocked) -> paused x1, dead ->
#     inactive x3.
#
# One test of `make test` (tests/run-all.sh, run_checks): exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-check.sh"       # check_start, fail, the tmux helpers
check_start
command -v dot >/dev/null || { echo "graphviz's dot is not installed (tools/ensure-deps.sh)"; exit 1; }
tmux_start "hvkit-states-$$"

# step N — n pressed N times (one record each, the replay stays paused).
step() {
    local args=() i
    for i in $(seq "$1"); do args+=(n); done
    tmux send-keys -t "$SESSION" "${args[@]}"
}

# --- the run ----------------------------------------------------------------
SCENARIO_OUT=$CHECK_DIR/scenarios tests/run-scenario.sh toolstack-lifecycle > "$CHECK_DIR/run.txt" 2>&1 ||
    { tail -n 30 "$CHECK_DIR/run.txt"; echo "FAIL: the toolstack-lifecycle scenario failed"; exit 1; }
run=$CHECK_DIR/scenarios/toolstack-lifecycle
TRACE=$run/trace.bin
echo "ok the toolstack-lifecycle scenario ran ($(wc -l < "$run/trace.txt") records)"

# Where xl paused and unpaused d1: the records' places (seq = index: the
# run lost nothing).
"$HVTRACE" dump "$TRACE" > "$CHECK_DIR/dump.txt" 2>"$CHECK_DIR/dump.err" || fail "dump: $(cat "$CHECK_DIR/dump.err")"
awk '$1 != NR - 1 { exit 1 }' "$CHECK_DIR/dump.txt" || fail "the trace's sequence numbers are not its record indices"
pause=$(awk '$3 == "d1" && $4 == "dom_state" && /old=(running|blocked) new=paused/ { print $1; exit }' "$CHECK_DIR/dump.txt")
unpause=$(awk -v p="$pause" '$1 > p && $3 == "d1" && $4 == "dom_state" && /old=paused new=running/ { print $1; exit }' "$CHECK_DIR/dump.txt")
[ -n "$pause" ] && [ -n "$unpause" ] || fail "no pause and unpause of d1 in the trace"
echo "ok xl paused d1 at record $pause, unpaused it at record $unpause"

# --- the live view, stepped to the pause -------------------------------------
tmux_session 80 24 "$HVTRACE live -s 0.000001 -r $TRACE; sleep 60"
wait_for "REPLAY"
keys p
wait_for "PAUSED"
keys F2
wait_for "| counters |"
before=$(screen | head -n 1 | sed -n 's/.*total \([0-9]*\).*/\1/p')
[ "$before" -le "$pause" ] || fail "the replay went past the pause before it was paused ($before)"
step $((pause + 1 - before))
wait_for "total $((pause + 1)) "
wait_for_re "^d1 .* paused +[0-9]+ +1$"
tmux capture-pane -e -p -t "$SESSION" | grep -E $'^(\e\\[[0-9;]*m)*d1 ' | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' ||
    fail "the paused domain's row is not in reverse video"
tmux capture-pane -e -p -t "$SESSION" | grep -E $'^(\e\\[[0-9;]*m)*d0 ' | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' &&
    fail "d0 (not paused) is highlighted too"
echo "ok counters view: d1 paused, highlighted"
keys F3
wait_for "| timeline |"
screen | grep -qE "^d1 .*P *$" || fail "timeline: d1's strip does not end paused (P)"
echo "ok timeline: d1 P"

keys F2
step $((unpause - pause))
wait_for "total $((unpause + 1)) "
wait_for_re "^d1 .* running +[0-9]+ +1$"
tmux capture-pane -e -p -t "$SESSION" | grep -E $'^(\e\\[[0-9;]*m)*d1 ' | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' &&
    fail "d1 is still highlighted after its unpause"
echo "ok unpaused: d1 running"

keys q

# The whole run (full speed): d1 destroyed (inactive), three lives in its slot.
tmux_session 80 24 "$HVTRACE live -s 0 -r $TRACE; sleep 60"
wait_for "END"
keys F2
wait_for "| counters |"
wait_for_re "^d1 .* inactive +[0-9]+ +3$"
wait_for_re "^d0 .* dead +[0-9]+ +1$"
keys q
echo "ok the end: d1 inactive, 3 lives"

# --- the same in text ----------------------------------------------------------
out=$("$HVTRACE" live -b -r "$TRACE")
grep -qE "^d1 .* inactive +[0-9]+ +3$" <<<"$out" || { echo "$out"; fail "batch: d1 inactive, 3 lives"; }
"$HVTRACE" stats "$TRACE" > "$CHECK_DIR/stats.txt" || fail "stats"
# dom inactive running blocked dead paused suspended lives destroys now
awk '$1 == "d1" && NF == 10 && $10 == "inactive" { found = 1; if ($6 < 20000 || $8 != 3 || $9 != 3) bad = 1 }
     END { exit !(found && !bad) }' "$CHECK_DIR/stats.txt" ||
    { sed -n '/^VM states/,/^$/p' "$CHECK_DIR/stats.txt"; fail "stats: d1 paused >= 20000 us, 3 lives, 3 destroys"; }
grep -qE "^ +transitions: .*inactive->paused=3 .*paused->running=3" "$CHECK_DIR/stats.txt" ||
    fail "stats: d1's transitions"
echo "ok stats: $(awk '$1 == "d1" && NF == 10 { print "d1 paused " $6 " us, " $8 " lives" }' "$CHECK_DIR/stats.txt")"

# --- the diagram ------------------------------------------------------------------
"$HVTRACE" dot vmstates "$TRACE" > "$CHECK_DIR/vm.dot" || fail "dot vmstates"
dot -Tsvg "$CHECK_DIR/vm.dot" -o "$CHECK_DIR/vm.svg" 2>"$CHECK_DIR/dot.err" || fail "Graphviz rejected it: $(cat "$CHECK_DIR/dot.err")"
# The SVG's edge titles name the transitions ("d1_inactive&#45;&gt;d1_paused"),
# their labels the counts.
edge() {   # edge FROM TO COUNT
    awk -v e="<title>d1_$1&#45;&gt;d1_$2</title>" -v c="×$3" '
        index($0, e) { inedge = 1; next }
        inedge && /<\/g>/ { inedge = 0 }
        inedge && index($0, c) { found = 1 }
        END { exit !found }' "$CHECK_DIR/vm.svg"
}
edge inactive paused 3 || fail "the diagram has no d1 inactive -> paused ×3"
edge paused running 3 || fail "the diagram has no d1 paused -> running ×3"
edge dead inactive 3 || fail "the diagram has no d1 dead -> inactive ×3"
edge blocked paused 1 || edge running paused 1 || fail "the diagram has no d1 -> paused ×1 (xl's pause)"
edge paused dead 1 || fail "the diagram has no d1 paused -> dead ×1 (the refused load)"
grep -qF "d1: 3 lives, 3 destroys; now inactive" "$CHECK_DIR/vm.svg" || fail "the diagram's d1 label"
echo "ok dot vmstates: rendered, with d1's transitions counted"
echo "tracer-live-states: all ok"
