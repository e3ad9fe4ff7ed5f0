#!/usr/bin/env bash
# bench/run.sh — `make bench`: the kit's benchmarks, one run, one results file.
#
#   bench/run.sh                 measure; write bench/results.json (the committed
#                                results) and the documents' figures from it
#   SAVE=name bench/run.sh       measure; write bench/saved/name.json instead, and
#                                leave the documents alone (a researcher's variant)
#   environment: BUILD (default build), JOBS (QEMUs at a time, default 2)
#
# In the spirit of the Xen paper's lmbench table: the teaching OS runs the
# same benchmark programs (minios-guest/workloads/bench.c, programs/
# bench-programs.c) natively and paravirtualized, in every configuration
# below (the scenario files beside this script):
#   native.scn          on bare QEMU, no hypervisor (the baseline)
#   pv.scn              under hvkit, the defaults (isolation=paging, rr, batched)
#   pv-trace.scn        the same with tracing on
#   pv-classic.scn      isolation=classic
#   pv-unbatched.scn    mm=unbatched: every page-table store trapped
#   switch-{rr,bvt,classic}.scn   two domains yielding: the domain switch
#   events-{off,on}.scn, tests/scenarios/sched-warp.scn   events and BVT warp
# and the host-side benchmarks (bench/parts/*.sh: the trace decoder, the
# scheduler's cost per decision).  Everything runs under
# -icount shift=0,sleep=off, where the time stamp counter advances by one
# per guest instruction: the figures are instruction counts, the same on
# every machine and every run (not nanoseconds) -- except the host-side
# ones, which are wall clock.
#
# bench/collect.py reads the runs into the results file; bench/report.py
# prints the tables, writes them as CSV beside the results, and (without
# SAVE) rewrites every figure in the documents.  `make bench-compare A=x
# B=y` shows what changed between two results files.

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
OUT=$BUILD/bench
if [ -n "$SAVE" ]; then
    case $SAVE in
        *[!A-Za-z0-9._-]*|.*) echo "bench: SAVE=$SAVE: letters, digits, . _ - only"; exit 2 ;;
    esac
    mkdir -p bench/saved
    RESULTS=bench/saved/$SAVE.json
else
    RESULTS=bench/results.json
fi

SCENARIOS="bench/native.scn bench/pv.scn bench/pv-trace.scn bench/pv-classic.scn
           bench/pv-unbatched.scn bench/switch-rr.scn bench/switch-bvt.scn
           bench/switch-classic.scn bench/events-off.scn bench/events-on.scn
           tests/scenarios/sched-warp.scn"

# Boot every scenario, JOBS at a time (-icount makes each independent of
# the load), and keep run-scenario.sh's reports.
boot_all() {
    local s name failed=0
    mkdir -p "$OUT"
    for s in $SCENARIOS; do
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
        name=$(basename "$s" .scn)
        BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh "$s" \
            >"$OUT/$name.report" 2>&1 </dev/null &
    done
    wait
    for s in $SCENARIOS; do
        name=$(basename "$s" .scn)
        if [ "$(tail -n 1 "$OUT/$name.report")" != "scenario $name: PASS" ]; then
            echo "bench: the $name boot failed:"
            sed 's/^/  /' "$OUT/$name.report"
            failed=1
        fi
    done
    return $failed
}

main() {
    echo "bench: booting $(echo $SCENARIOS | wc -w) configurations under QEMU -icount, $JOBS at a time (runs in $OUT/)"
    boot_all || exit 1
    local f
    for f in bench/parts/*.sh; do
        BUILD=$BUILD bash "$f" || exit 1
    done >"$OUT/host.txt" 2>&1 || { echo "bench: a host-side part failed:"; sed 's/^/  /' "$OUT/host.txt"; exit 1; }
    HVTRACE=$BUILD/bin/hvtrace python3 bench/collect.py "$OUT" "$RESULTS" || exit 1
    python3 bench/report.py csv "$RESULTS" "${RESULTS%.json}.csv" || exit 1
    echo
    python3 bench/report.py table "$RESULTS" || exit 1
    echo
    echo "bench: results in $RESULTS (and ${RESULTS%.json}.csv)"
    if [ -z "$SAVE" ]; then
        python3 bench/report.py docs "$RESULTS" || exit 1
        echo "bench: commit $RESULTS with the documents: \`make test\` checks that they agree"
    fi
}

main "$@"
