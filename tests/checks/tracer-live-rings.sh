#!/usr/bin/env bash
# tests/checks/tracer-live-rings.sh — the live tracer's rings view on a real
# run of split devices, read off the screen as a person would.
#
# Boots the grant-echo scenario under QEMU (-icount, as the scenario tests
# do) with `hvtrace live -k -o live.bin RAMFILE` in a detached tmux session
# of 132x30, switches to the rings view with its key (i), and once the run
# has ended reads the screen back (capture-pane).  The scenario's facts
# (tests/scenarios/grant-echo.scn): two echo devices, d1 and d2 the front
# ends, d0 the back end of both; 64 requests each, in batches of 8 pushed
# one by one, so 8 pushes notify and 56 are suppressed; dom0 answers each
# batch in one push, each notifying: 64 responses, 0 in flight; the ring
# is one grant, mapped by dom0 and unmapped at the close; 8 events arrived
# at each end's port.  Then the recorded file must tell the same: the
# batch print of a replay has the same device lines, `hvtrace seq` charts
# a request end to end, and the topology graph names both devices.
#
# One test of `make test`: exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-check.sh"       # check_start, fail, the tmux helpers
. "$(dirname "$0")/../lib-qemu.sh"        # cds to the repository root
check_start
tmux_start "hvkit-rings-$$"

scn_reset
scn_load tests/scenarios/grant-echo.scn || exit 1
check_images || exit 1
qemu_build_cmd test "$CHECK_DIR"

# The live view, attached before QEMU starts: it waits for the ring.
tmux_session 132 30 "$HVTRACE live -k -o $CHECK_DIR/live.bin $CHECK_DIR/ram.bin; sleep 60"
wait_for "WAITING"
# The help says which key shows the rings; any key closes it.
keys h
wait_for "i              the rings view"
keys x
keys i
wait_for "| rings |"
wait_for "(no split device yet)"

timeout -k 5 "$SCN_LIMIT" "${QEMU_CMD[@]}" >"$CHECK_DIR/qemu.out" 2>&1 </dev/null
status=$?
echo "QEMU ended: $(exit_status_name "$status" "$CHECK_DIR/qemu.log")"
wait_for "ENDED" 10
wait_for "the run has ended" 5
sleep 0.3      # the last redraw

# Per device: type, ends and their states, requests, responses, in flight,
# notifications sent/suppressed by each end; then ring grant, ports, events.
for id in 1 2; do
    screen | grep -qE "^$id +echo +d$id +closed +d0 +closed +64 +64 +0 +8/56 +8/0" ||
        fail "rings view: device $id's line"
    screen | grep -A1 -E "^$id +echo " | tail -n 1 |
        grep -qE "^ +ring ref [0-9]+ unmapped, ports [0-9]+/[0-9]+, events in 8/8; taken - answered -" ||
        fail "rings view: device $id's ring, ports and events"
done
screen | grep -qE "grants mapped now \(ever\), copies, grantee->granter: d0->d1=0\(1\),128 d0->d2=0\(1\),128" ||
    fail "rings view: the grants dom0 mapped and copied"
screen | grep -qF "device interrupts (pirq)" || fail "rings view: the interrupts line"
echo "ok rings view of a live grant-echo run"
keys q

# The file it recorded says the same.
[ -s "$CHECK_DIR/live.bin" ] || fail "live -o wrote nothing"
"$HVTRACE" live -b -r "$CHECK_DIR/live.bin" >"$CHECK_DIR/batch.txt" || fail "live -b -r on the recording"
for id in 1 2; do
    grep -qE "^$id +echo +d$id +closed +d0 +closed +64 +64 +0 +8/56 +8/0" "$CHECK_DIR/batch.txt" ||
        { cat "$CHECK_DIR/batch.txt"; fail "batch replay: device $id"; }
done
"$HVTRACE" seq --dev 1 --req 1 "$CHECK_DIR/live.bin" >"$CHECK_DIR/seq.txt" || fail "hvtrace seq"
# In trace order (a driver sends its event, then reports the push): the
# front end's event and push, the upcall at the back end, the back end's
# event, its arrival at the front end, the push of the batch's responses.
awk '
    /evtchn_send port [0-9]+ -> d0 port/        && s == 0 { s = 1 }
    /ring_push requests: req_prod=1 \(notify=sent\)/ && s == 1 { s = 2 }
    /upcall \(the event handler runs\)/         && s == 2 { s = 3 }
    /evtchn_send port [0-9]+ -> d1 port/        && s == 3 { s = 4 }
    /event pending on port/                     && s == 4 { s = 5 }
    /ring_push responses: rsp_prod=8 \(notify=sent\)/ && s == 5 { s = 6 }
    END { exit s == 6 ? 0 : 1 }' "$CHECK_DIR/seq.txt" || { cat "$CHECK_DIR/seq.txt"; fail "seq: the steps in order"; }
"$HVTRACE" dot topology "$CHECK_DIR/live.bin" >"$CHECK_DIR/topo.dot" || fail "dot topology"
dot -Tsvg "$CHECK_DIR/topo.dot" -o "$CHECK_DIR/topo.svg" || fail "dot rejected the topology"
grep -q "echo device 1" "$CHECK_DIR/topo.svg" && grep -q "echo device 2" "$CHECK_DIR/topo.svg" ||
    fail "the topology does not name both devices"
echo "ok the recording: batch rings, seq of request 1, topology"
echo "tracer-live-rings: all ok"
