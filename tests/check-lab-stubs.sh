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
#   - every test listed in labs/labN/tests.txt FAILS with the stubs (the lab
#     scores 0): those are the lab's tests, and a stub that already passes
#     one gives the answer away (or the test checks nothing).
# The grading itself is tests/grade.sh's (`make grade LAB=N` on the stubs).
# Each build and each test is one check.  The last line is
# "lab-stub checks: N ok, M failing" (read by tests/run-all.sh).

cd "$(dirname "$0")/.." || exit 2
ROOT=${STUB_BUILD_ROOT:-build/lab-stubs}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
OK=0 BAD=0

ok()   { echo "  ok   $*"; OK=$((OK + 1)); }
bad()  { echo "  FAIL $*"; BAD=$((BAD + 1)); }

check_lab() {
    local n=$1 out=$ROOT/grade name got max status vis guest wall summary
    GRADE_ROOT=$ROOT tests/grade.sh --student -q -j"$JOBS" --out "$out" "$n"
    if [ ! -s "$out/lab$n/results.tsv" ]; then
        bad "lab$n: no results from tests/grade.sh (see $out/lab$n/)"; return
    fi
    if grep -q $'\tdoes not build: ' "$out/lab$n/results.tsv"; then
        bad "lab$n: the stubs do not build: make LAB=$n (see $out/lab$n/make.log)"
        tail -n 15 "$out/lab$n/make.log" | sed 's/^/  | /'
        return
    fi
    ok "lab$n: the stubs build ($ROOT/lab$n)"
    while IFS=$'\t' read -r name got max status vis guest wall summary; do
        if [ "$status" = passed ]; then
            bad "lab$n: the stub PASSES $name: the stub gives the answer away, or the test checks too little"
        else
            ok "lab$n: the stub fails $name (${summary:0:160})"
        fi
    done <"$out/lab$n/results.tsv"
}

main() {
    local d n found=0
    for d in labs/lab*/; do
        [ -d "$d" ] || continue
        n=${d#labs/lab}; n=${n%/}
        case "$n" in ''|*[!0-9]*) continue ;; esac
        found=1
        if [ -f "labs/lab$n/tests.txt" ]; then
            check_lab "$n"
        else
            bad "lab$n: no labs/lab$n/tests.txt (the lab's tests and points)"
        fi
    done
    [ "$found" = 1 ] || echo "  (no labs/labN/ directories yet)"
    echo "lab-stub checks: $OK ok, $BAD failing"
    [ "$BAD" -eq 0 ]
}

main "$@"
