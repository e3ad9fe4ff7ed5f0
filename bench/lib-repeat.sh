# bench/lib-repeat.sh — booting a bench configuration several times and
# taking the median, written once for the parts whose figures depend on
# the host (bench/parts/block.sh, net.sh).
#
# Sourced (never run: bench/run.sh runs every bench/parts/*.sh, so this
# file lives outside that folder).  Why repeat at all: QEMU completes disk
# transfers and runs its user network on host threads, so whether an
# interrupt arrives before or after dom0 went to sleep depends on the host,
# and a sleep and a wake-up cost instructions.  A part boots each of its
# configurations RUNS times and reports the median; bench/collect.py reads
# the same runs and keeps the median and the range.
#
#   repeat_boots OUT RUNS CONFIG...
#       boot bench/CONFIG.scn RUNS times (all the configurations of one run
#       at once), into OUT/1/CONFIG/ .. OUT/RUNS/CONFIG/; 0 if every boot
#       passed its scenario's checks, else 1 and the failing reports.
#   median
#       the median of the numbers on stdin, one a line.

repeat_boots() {
    local out=$1 runs=$2 i c rc=0
    shift 2
    for i in $(seq "$runs"); do
        mkdir -p "$out/$i"
        for c in "$@"; do
            BUILD=$BUILD SCENARIO_OUT=$out/$i tests/run-scenario.sh "bench/$c.scn" \
                >"$out/$i/$c.report" 2>&1 </dev/null &
        done
        wait
    done
    for i in $(seq "$runs"); do
        for c in "$@"; do
            if [ "$(tail -n 1 "$out/$i/$c.report")" != "scenario $c: PASS" ]; then
                echo "bench: the $c boot (run $i) failed:"; sed 's/^/  /' "$out/$i/$c.report"; rc=1
            fi
        done
    done
    return $rc
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
