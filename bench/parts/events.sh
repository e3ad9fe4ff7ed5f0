#!/usr/bin/env bash
# bench/parts/events.sh — event and domain-switch path lengths, in guest
# instructions (-icount shift=0).  Called by bench/run.sh, after the main
# table (it uses pv-trace-off's null hypercall for the switch estimate).
#
#   evtchn_roundtrip      d1 sends, d2's upcall runs, d2's task wakes and
#                         sends back, d1's upcall, d1's task wakes (guest)
#   send -> upcall        from the trace (events-on): each evtchn_send by a
#                         domU to the other, to the next evtchn_upcall in
#                         the receiver; includes the receiver's wake-up and
#                         the domain switch, and the trace records' own cost
#   yield_roundtrip       two sched_op yields and two domain switches
#   domain switch         (yield_roundtrip_min - 2 x null hypercall) / 2
#   BVT wake-up latency   tests/scenarios/sched-warp.scn: a domain sleeping
#                         3 ms against two hogs, deadline -> running, without
#                         and with warp (system time, us)
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench
mkdir -p "$OUT"
rc=0
for c in events-off events-on switch; do
    BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh "bench/$c.scn" >"$OUT/$c.report" 2>&1 </dev/null &
done
BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh tests/scenarios/sched-warp.scn >"$OUT/sched-warp.report" 2>&1 </dev/null &
wait
for c in events-off events-on switch sched-warp; do
    if [ "$(tail -n 1 "$OUT/$c.report")" != "scenario $c: PASS" ]; then
        echo "bench: the $c boot failed:"; sed 's/^/  /' "$OUT/$c.report"; rc=1
    fi
done

val() { grep -oE "bench: $2 [0-9]+" "$OUT/$1/serial.log" 2>/dev/null | head -n 1 | awk '{ print $3 }'; }

# send -> upcall from the trace: mean and minimum over every delivered send.
send_upcall() {
    awk '
        $4 == "evtchn_send" && / ret=0/ && match($0, /to=d[0-9]+/) {
            want[substr($0, RSTART + 3, RLENGTH - 3)] = $2
        }
        $4 == "evtchn_upcall" && ($3 in want) {
            d = $2 - want[$3]; delete want[$3]
            n++; sum += d; if (min == "" || d < min) min = d
        }
        END { if (n) printf "%d %d %d\n", sum / n, min, n }' "$1"
}

echo "hvkit events and domain switch (guest instructions, -icount shift=0)"
rt_off=$(val events-off evtchn_roundtrip); rt_on=$(val events-on evtchn_roundtrip)
printf '  %-52s %s\n' "event round trip d1 -> d2 -> d1, trace=off:" "${rt_off:-n/a}"
printf '  %-52s %s\n' "event round trip d1 -> d2 -> d1, trace=on:" "${rt_on:-n/a}"
if [ -s "$OUT/events-on/trace.txt" ] && su=$(send_upcall "$OUT/events-on/trace.txt") && [ -n "$su" ]; then
    set -- $su
    printf '  %-52s %s (min %s, %s sends)\n' "send -> upcall in the other domain (trace=on), mean:" "$1" "$2" "$3"
else
    printf '  %-52s %s\n' "send -> upcall in the other domain (trace=on):" "n/a (no trace)"; rc=1
fi
yr=$(val switch yield_roundtrip); yrm=$(val switch yield_roundtrip_min)
hc=$(grep -oE "bench: null_hypercall_min [0-9]+" "$OUT/pv-trace-off/serial.log" 2>/dev/null | awk '{ print $3 }')
printf '  %-52s %s (min %s)\n' "yield round trip (2 yields + 2 domain switches):" "${yr:-n/a}" "${yrm:-n/a}"
if [ -n "$yrm" ] && [ -n "$hc" ]; then
    printf '  %-52s %s\n' "domain switch path, (min - 2 x null hypercall) / 2:" "$(( (yrm - 2 * hc) / 2 ))"
else
    printf '  %-52s %s\n' "domain switch path:" "n/a (needs bench/pv-trace-off.scn's null_hypercall_min)"
fi
for phase in "without warp" "with warp"; do
    l=$(grep -oE "warp-sleeper: $phase: .*latency mean [0-9]+ us, max [0-9]+ us" "$OUT/sched-warp/serial.log" 2>/dev/null)
    printf '  %-52s %s\n' "BVT wake-up latency $phase (us):" "${l:+$(echo "$l" | grep -oE 'mean [0-9]+ us, max [0-9]+ us')}"
done
exit $rc
