#!/usr/bin/env bash
# tests/run-all.sh — everything `make test` checks, with one verdict at the end.
#
#   tests/run-all.sh                    unit tests, every scenario, lab stubs
#   tests/run-all.sh --scenarios-only   only the scenarios (`make scenarios`)
#   environment: BUILD (default build), JOBS (default: nproc)
#
# Three layers, cheapest first:
#   1. the Criterion unit tests ($BUILD/tests/unit-tests): hypervisor logic
#      compiled for the host (command line, ELF loading, trace ring ...);
#   2. every tests/scenarios/*.scn booted under QEMU by run-scenario.sh, JOBS
#      at a time (each QEMU is single-threaded under -icount); each scenario's
#      report is printed whole, never interleaved with another's;
#   3. tests/check-lab-stubs.sh: the student stubs build and fail their lab's
#      scenarios (a stub that passes would give the lab away);
#   4. every tests/checks/*.sh: host-side checks that are not Criterion tests
#      (the tracer's terminal UI under tmux, a short fuzz run, the handout,
#      the grader ...).  Each is one test: exit status 0 passes.  Each may
#      run for 300 s, or for what a "# timeout: SECONDS" line near its top
#      says.
# One test = one Criterion test, one scenario, or one lab-stub check.  The
# last line is "N passed, M failed"; the exit status is 0 only when M is 0.

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export BUILD

PASSED=0 FAILED=0
LOGS=$BUILD/test-logs

section() { printf '\n== %s\n' "$*"; }

# --- 1. unit tests -------------------------------------------------------------
# Criterion's closing line: "Synthesis: Tested: X | Passing: Y | Failing: Z |
# Crashing: W", where Failing already includes the crashes; so the failures
# are X - Y.  No such line (the binary itself died) counts as one failure.
run_unit_tests() {
    local bin=$BUILD/tests/unit-tests out=$LOGS/unit-tests.out line tested passing
    section "unit tests ($bin)"
    if [ ! -x "$bin" ]; then
        local how="make BUILD=$BUILD unit-tests"
        case "$BUILD" in build) how="make unit-tests" ;; build/lab[0-9]*) how="make LAB=${BUILD#build/lab} unit-tests" ;; esac
        echo "  FAIL unit tests: $bin is not built ($how)"
        FAILED=$((FAILED + 1)); return
    fi
    timeout -k 5 300 "$bin" --color=never --timeout 60 -j"$JOBS" >"$out" 2>&1
    local rc=$?
    # Show what failed (Criterion prints passing tests only with --verbose).
    grep -v '^\[====\] Synthesis' "$out" | sed 's/^/  /'
    line=$(grep -a 'Synthesis: Tested:' "$out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "  FAIL unit tests: no Synthesis line (exit status $rc, see $out)"
        FAILED=$((FAILED + 1)); return
    fi
    echo "  $line"
    tested=$(sed -n 's/.*Tested: *\([0-9]*\).*/\1/p' <<<"$line")
    passing=$(sed -n 's/.*Passing: *\([0-9]*\).*/\1/p' <<<"$line")
    PASSED=$((PASSED + passing))
    FAILED=$((FAILED + tested - passing))
}

# --- 2. scenarios ---------------------------------------------------------------
# Each job writes its report to a file, then prints it whole while holding a
# lock, so the reports come out as the scenarios finish, each in one piece.
run_one_scenario() {
    local name=$1 out=$LOGS/scenario-$1.out
    tests/run-scenario.sh "$name" >"$out" 2>&1 </dev/null
    if command -v flock >/dev/null; then
        flock "$LOGS/.print-lock" cat "$out"
    else
        cat "$out"
    fi
}
export -f run_one_scenario
export LOGS

run_scenarios() {
    local names=() f name out last
    for f in tests/scenarios/*.scn; do
        [ -e "$f" ] || continue
        f=${f##*/}; names+=("${f%.scn}")
    done
    section "scenarios (${#names[@]}, $JOBS at a time, results in $BUILD/scenarios/)"
    [ ${#names[@]} -gt 0 ] || { echo "  (no scenarios in tests/scenarios/)"; return; }
    printf '%s\n' "${names[@]}" |
        xargs -P "$JOBS" -I{} bash -c 'run_one_scenario "$1"' _ {}
    # Count from the reports' last lines; no verdict (killed?) is a failure.
    for name in "${names[@]}"; do
        out=$LOGS/scenario-$name.out
        last=$(tail -n 1 "$out" 2>/dev/null)
        if [ "$last" = "scenario $name: PASS" ]; then PASSED=$((PASSED + 1))
        else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); fi
    done
}

# --- 3. lab stubs ---------------------------------------------------------------
# check-lab-stubs.sh ends with "lab-stub checks: N ok, M failing".  (The
# student distribution has no such check: there the stubs are the student's.)
run_lab_stubs() {
    local out=$LOGS/lab-stubs.out line ok bad
    [ -x tests/check-lab-stubs.sh ] || return 0
    section "lab stubs (each labs/labN/ builds and fails its scenarios)"
    tests/check-lab-stubs.sh 2>&1 </dev/null | tee "$out"
    line=$(grep '^lab-stub checks:' "$out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "  FAIL lab stubs: check-lab-stubs.sh gave no result (see $out)"
        FAILED=$((FAILED + 1)); return
    fi
    ok=$(sed -n 's/^lab-stub checks: \([0-9]*\) ok.*/\1/p' <<<"$line")
    bad=$(sed -n 's/.* \([0-9]*\) failing.*/\1/p' <<<"$line")
    PASSED=$((PASSED + ok)); FAILED=$((FAILED + bad))
}

# --- 4. other checks -----------------------------------------------------------
run_checks() {
    local f name out limit
    for f in tests/checks/*.sh; do
        [ -e "$f" ] || continue
        name=${f##*/}; name=${name%.sh}; out=$LOGS/check-$name.out
        section "check $name"
        limit=$(sed -n '1,10s/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
        if timeout -k 5 "${limit:-300}" bash "$f" >"$out" 2>&1 </dev/null; then
            tail -n 5 "$out" | sed 's/^/  /'
            echo "  PASS $name"; PASSED=$((PASSED + 1))
        else
            tail -n 25 "$out" | sed 's/^/  /'
            echo "  FAIL $name (see $out)"; FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
        fi
    done
}

main() {
    local scenarios_only=0 start
    case "${1-}" in
        --scenarios-only) scenarios_only=1 ;;
        "") ;;
        *) echo "usage: $0 [--scenarios-only]"; exit 2 ;;
    esac
    mkdir -p "$LOGS"
    start=$(date +%s)
    FAILED_NAMES=()
    [ "$scenarios_only" = 1 ] || run_unit_tests
    run_scenarios
    [ "$scenarios_only" = 1 ] || run_lab_stubs
    [ "$scenarios_only" = 1 ] || run_checks
    echo
    [ ${#FAILED_NAMES[@]} -eq 0 ] || echo "failed: ${FAILED_NAMES[*]}"
    echo "($(( $(date +%s) - start )) s; logs in $LOGS/)"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

main "$@"
