#!/usr/bin/env bash
# tests/check-lab-stubs.sh — do the student stubs of every lab build, and fail?
#
#   tests/check-lab-stubs.sh
#   environment: STUB_BUILD_ROOT (default build/lab-stubs), JOBS (default nproc)
#
# A lab hands the student stub files (labs/labN/) in place of the reference
# solution (solutions/labN/).  Two things must hold for every lab:
#   - the kit builds with the stubs (`make LAB=N`): a student starts from code
#     that compiles, and only the behaviour is missing;
#   - every scenario listed in labs/labN/scenarios.txt FAILS with the stubs:
#     those are the lab's tests, and a stub that already passes one gives the
#     answer away (or the test checks nothing).  A failure may be a timeout
#     (the stub hangs); that counts as failing, and is said.
# Each build and each scenario is one check.  The last line is
# "lab-stub checks: N ok, M failing" (read by tests/run-all.sh).

cd "$(dirname "$0")/.." || exit 2
ROOT=${STUB_BUILD_ROOT:-build/lab-stubs}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
OK=0 BAD=0

ok()   { echo "  ok   $*"; OK=$((OK + 1)); }
bad()  { echo "  FAIL $*"; BAD=$((BAD + 1)); }

# build_lab N BUILDDIR — make the whole kit with lab N's stubs.
build_lab() {
    local n=$1 build=$2 log=$2/make.log
    mkdir -p "$build"
    # A make of its own, not a child of `make test`'s (whose job server it
    # could not use): hence the MAKEFLAGS it inherits are dropped.
    if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j"$JOBS" \
           BUILD="$build" LAB="$n" all >"$log" 2>&1 </dev/null; then
        ok "lab$n: the stubs build ($build)"
    else
        bad "lab$n: the stubs do not build: make BUILD=$build LAB=$n all (see $log)"
        tail -n 15 "$log" | sed 's/^/  | /'
        return 1
    fi
}

# The scenario names of a lab: one per line, blank lines and # comments skipped.
lab_scenarios() {
    sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -v '^$'
}

# One scenario against a stub build, run by xargs (hence exported); its
# report goes to a file, its exit status to another.
stub_run_one() {
    local build=$1 name=$2 out=$1/stub-checks/$2
    BUILD=$build SCENARIO_OUT=$build/scenarios \
        tests/run-scenario.sh "$name" >"$out.out" 2>&1 </dev/null
    echo $? >"$out.rc"
}
export -f stub_run_one

# check_lab_scenarios N BUILDDIR LIST — each listed scenario must fail.
check_lab_scenarios() {
    local n=$1 build=$2 list=$3 names name rc last reason
    mapfile -t names < <(lab_scenarios "$list")
    if [ ${#names[@]} -eq 0 ]; then
        echo "  (lab$n: $list lists no scenario)"; return
    fi
    rm -rf "$build/stub-checks"; mkdir -p "$build/stub-checks"
    printf '%s\n' "${names[@]}" |
        xargs -P "$JOBS" -I{} bash -c 'stub_run_one "$1" "$2"' _ "$build" {}
    for name in "${names[@]}"; do
        rc=$(cat "$build/stub-checks/$name.rc" 2>/dev/null || echo none)
        last=$(tail -n 1 "$build/stub-checks/$name.out" 2>/dev/null)
        reason=${last#"scenario $name: FAIL ("}; reason=${reason%)}
        case "$rc:$last" in
            0:*)
                bad "lab$n: the stub PASSES scenario $name: the stub gives the answer away, or the scenario checks too little" ;;
            2:*)
                bad "lab$n: $list names scenario $name, which is not in tests/scenarios/" ;;
            1:"scenario $name: FAIL (bad scenario file)"|1:"scenario $name: FAIL (not built)")
                bad "lab$n: scenario $name could not run: $reason (see $build/stub-checks/$name.out)" ;;
            1:"scenario $name: FAIL ("*)
                case "$reason" in
                    *timeout*) ok "lab$n: the stub fails $name by timeout ($reason)" ;;
                    *)         ok "lab$n: the stub fails $name ($reason)" ;;
                esac ;;
            *)
                bad "lab$n: scenario $name did not give a verdict (exit $rc; see $build/stub-checks/$name.out)"
                tail -n 5 "$build/stub-checks/$name.out" 2>/dev/null | sed 's/^/  | /' ;;
        esac
    done
}

main() {
    local d n build found=0
    for d in labs/lab*/; do
        [ -d "$d" ] || continue
        n=${d#labs/lab}; n=${n%/}
        case "$n" in ''|*[!0-9]*) continue ;; esac
        found=1
        build=$ROOT/lab$n
        build_lab "$n" "$build" || continue
        if [ -f "labs/lab$n/scenarios.txt" ]; then
            check_lab_scenarios "$n" "$build" "labs/lab$n/scenarios.txt"
        else
            echo "  (lab$n: no labs/lab$n/scenarios.txt, so only the build is checked)"
        fi
    done
    [ "$found" = 1 ] || echo "  (no labs/labN/ directories yet)"
    echo "lab-stub checks: $OK ok, $BAD failing"
    [ "$BAD" -eq 0 ]
}

main "$@"
