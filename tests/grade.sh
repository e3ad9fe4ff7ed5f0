#!/usr/bin/env bash
# tests/grade.sh — grade labs: run every test a lab lists, with its points.
#
#   tests/grade.sh [options] [N...]        `make grade`, `make grade LAB=N`
#     N...           the labs to grade (default: every labs/labN/)
#     --student      grade lab N as the student's own (LAB=N: labs/labN/),
#                    even in a kit that has the reference (`make grade LAB=N`)
#     --hidden DIR   also run DIR/labN/tests.txt, whose scenarios are
#                    DIR/labN/NAME.scn (the instructor's hidden tests)
#     --out DIR      where the results go (default $BUILD/grade)
#     --first-fail   stop a lab at its first failing test
#     --only NAMES   only these tests (comma-separated; "first": each lab's
#                    first scenario)
#     --as-lab K     build with lab K the student's (LAB=K) whichever lab is
#                    graded: lab M's tests then show the prebuilt lab M
#                    working next to lab K (the handout's own check);
#                    K = none: no lab the student's (every lab prebuilt)
#     -j N           tests run at a time (default: the number of CPUs)
#     -q             no report on stdout (the result files only)
#
# A lab's tests are listed, with their points, in labs/labN/tests.txt: a
# scenario name (tests/scenarios/NAME.scn, booted and checked by
# tests/run-scenario.sh) or unit:SUITE (every Criterion test of that suite
# must pass).  A test scores all its points or none.
#
# What is graded.  Each lab stands alone: lab N is graded with lab N from
# labs/labN/ (make LAB=N, into build/labN/) and every other lab from the
# reference (the prebuilt objects, prebuilt/labN/), so a bug in lab 1
# costs no points in lab 3.  The one exception is a kit that has lab N's
# reference source, graded without --student: there the reference itself
# is graded (a check of the tests: full marks).
#
# The report is in the style of MIT's gradelib:
#     == sched-shares == OK (3.1 s)
#     == sched-warp == FAIL (4.0 s)
#         the first failing check (for a crash: how and where it ended)
#     Score: 55/80
#     2 passed, 1 failed
# (the seconds are wall time).  For programs (the instructor's grader), OUT/labN/
# holds results.tsv — one line per test: name, score, max_score, status
# (passed/failed), visibility (visible/hidden), guest_ms (the test's guest
# time, the same on every machine), wall_s, summary — and NAME.out, each
# test's whole report.  Exit status 0 only when every test passed.

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}          # the reference build (the instructor's kit)
GRADE_ROOT=${GRADE_ROOT:-build}   # lab N graded as the student's: $GRADE_ROOT/labN
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

STUDENT=0 HIDDEN="" OUT="" FIRST_FAIL=0 QUIET=0 LABS_WANTED=() ONLY="" AS_LAB=""
usage() { sed -n '3,16p' "$0" | sed 's/^# //'; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --student)    STUDENT=1 ;;
        --hidden)     HIDDEN=$2; shift ;;
        --out)        OUT=$2; shift ;;
        --first-fail) FIRST_FAIL=1 ;;
        --only)       ONLY=$2; shift ;;
        --as-lab)     AS_LAB=$2; shift ;;
        -j)           JOBS=$2; shift ;;
        -j*)          JOBS=${1#-j} ;;
        -q)           QUIET=1 ;;
        -h|--help)    usage ;;
        [0-9]*)       LABS_WANTED+=("$1") ;;
        *)            echo "grade: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done
OUT=${OUT:-$BUILD/grade}
[ -n "$HIDDEN" ] && HIDDEN=$(cd "$HIDDEN" && pwd)

say() { [ "$QUIET" = 1 ] || printf '%s\n' "$*"; }

# The tests of a list file: "NAME POINTS" per line, # comments and blank
# lines skipped.
list_tests() {
    sed -e 's/#.*//' "$1" | awk 'NF >= 2 { print $1, $2 }'
}

# A file name for a test name (unit:mm -> unit-mm).
key_of() { printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '-'; }

# seed_build FROM TO — start a new build folder from an existing one: the
# objects of everything outside the labs are the same in both, so only the
# lab files and the links are left to make.  The dependency files name
# their own build folder: they are rewritten for the new one.
seed_build() {
    local from=$1 to=$2 d
    mkdir -p "$to"
    for d in obj host guest bin; do
        [ -d "$from/$d" ] && cp -a "$from/$d" "$to/"
    done
    find "$to" -name '*.d' -exec sed -i "s#^$from/#$to/#; s# $from/# $to/#g" {} +
}

# build_lab N BUILD MAKEARGS... — make what the tests need; 0 on success.
build_lab() {
    local n=$1 build=$2 log=$3; shift 3
    local seed
    if [ ! -d "$build/obj" ]; then
        for seed in "$BUILD" "$GRADE_ROOT"/lab* build build/lab*; do
            [ "$seed" != "$build" ] && [ -d "$seed/obj" ] && { seed_build "$seed" "$build"; break; }
        done
    fi
    # A make of its own, not a child of `make grade`'s (whose job server
    # it could not use): hence the MAKEFLAGS it inherits are dropped.
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j"$JOBS" \
        BUILD="$build" "$@" hv guest "$build/bin/hvtrace" unit-tests >"$log" 2>&1 </dev/null
}

# The compiler's first complaints, for a lab that does not build.
build_errors() {
    local lines
    lines=$(grep -E ': (fatal )?error: |: undefined reference|No rule to make target|Error [0-9]' "$1" |
            head -n 3 | cut -c1-240 | tr -cd '[:print:]\n' | paste -sd '|' | sed 's/|/ | /g')
    printf '%s' "${lines:-see $1}"
}

# run_test LAB BUILD RUNDIR NAME SCN — one test; writes RUNDIR/KEY.res
# ("status guest_ms wall_s" then the summary line) and RUNDIR/KEY.out.
run_test() {
    local n=$1 build=$2 dir=$3 name=$4 scn=$5 key t0 t1 status=failed summary="" guest=0 rc
    key=$(key_of "$name")
    t0=$(date +%s.%N)
    case "$name" in
        unit:*)
            local suite=${name#unit:} json=$dir/$key.json
            rm -f "$json"
            ( ulimit -t 120 -f 65536
              timeout -k 5 120 "$build/tests/unit-tests" --filter "$suite/*" -j1 \
                  --color=never --timeout 20 --json="$json" ) >"$dir/$key.log" 2>&1 </dev/null
            rc=$?
            # The report comes from the JSON the runner writes, in the
            # order of the test names: unlike the console output it has no
            # timings, so it is the same every time.
            summary=$(python3 - "$json" "$suite" "$rc" "$dir/$key.out" "$dir/$key.log" <<'PY'
import json, sys
path, suite, rc, out, log = sys.argv[1:6]
def write(lines):
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
try:
    d = json.load(open(path))
except Exception:
    write(["the unit tests did not finish (exit status %s); their last words:" % rc] +
          open(log, errors="replace").read().splitlines()[-20:])
    print("FAIL the unit tests did not finish (exit status %s): see the output" % rc); sys.exit()
tests = sorted(((s["name"], t) for s in d.get("test_suites", []) if s["name"] == suite
                for t in s.get("tests", []) if t.get("status") != "SKIPPED"), key=lambda x: x[1]["name"])
bad = [(s, t) for s, t in tests if t.get("status") != "PASSED"]
lines = ["unit tests of suite %s (tests/unit/): %d of %d passed" % (suite, len(tests) - len(bad), len(tests))]
for s, t in tests:
    lines.append("  %s %s::%s" % ("ok  " if t.get("status") == "PASSED" else "FAIL", s, t["name"]))
    if t.get("status") != "PASSED":
        lines += ["         " + m.strip() for m in t.get("messages", []) if m.strip()]
write(lines)
if not tests:
    print("FAIL no unit test in suite %s" % suite)
elif bad:
    s, t = bad[0]
    msg = " ".join(m.strip() for m in t.get("messages", []) if m.strip())
    more = " (and %d more of %d)" % (len(bad) - 1, len(tests)) if len(bad) > 1 else ""
    print(("FAIL %s::%s: %s%s" % (s, t["name"], msg or t.get("status", "failed"), more))[:400])
else:
    print("PASS %d of %d passed" % (len(tests), len(tests)))
PY
)
            case "$summary" in PASS*) status=passed; summary="" ;; *) summary=${summary#FAIL } ;; esac ;;
        *)
            BUILD=$build SCENARIO_OUT=$dir/runs tests/run-scenario.sh "$scn" >"$dir/$key.out" 2>&1 </dev/null
            rc=$?
            local res=$dir/runs/$name/result.txt
            if [ "$rc" = 0 ] && [ -f "$res" ] && grep -qx 'verdict PASS' "$res"; then
                status=passed
            elif [ -f "$res" ]; then
                summary=$(sed -n 's/^first //p' "$res")
            else
                summary=$(tail -n 1 "$dir/$key.out" | tr -cd '[:print:]' | cut -c1-300)
            fi
            [ -f "$res" ] && guest=$(sed -n 's/^guest_ms //p' "$res") ;;
    esac
    t1=$(date +%s.%N)
    { printf '%s %s %s\n' "$status" "${guest:-0}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
      printf '%s\n' "$summary"; } >"$dir/$key.res"
}
export -f run_test key_of

# selected NAME FIRST — is test NAME one of --only's (FIRST: the lab's first
# scenario, for --only first)?
selected() {
    [ -z "$ONLY" ] && return 0
    case ",$ONLY," in
        *",$1,"*) return 0 ;;
        *",first,"*) [ "$1" = "$2" ] && return 0 ;;
    esac
    return 1
}

# ref_source N — the folder of lab N's reference sources, if the kit has one
# (the Makefile's REF_SRC, in the instructor's kit only).
ref_source() {
    local d
    d=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s ref-src 2>/dev/null)
    [ -n "$d" ] && [ -d "$d/lab$1" ] && printf '%s' "$d/lab$1"
}

# grade_lab N — prints the lab's report; adds to the totals.
grade_lab() {
    local n=$1 build dir list makeargs=() entries=() e name pts scn vis key
    if [ "$AS_LAB" = none ]; then
        build=$BUILD
        makeargs=(LAB= MINE=)
    elif [ -n "$AS_LAB" ]; then
        build=$GRADE_ROOT/lab$AS_LAB
        makeargs=(LAB="$AS_LAB" MINE=)
    elif [ "$STUDENT" = 1 ] || [ -z "$(ref_source "$n")" ]; then
        build=$GRADE_ROOT/lab$n
        makeargs=(LAB="$n" MINE=)
    else
        build=$BUILD
        makeargs=(LAB= MINE=)
    fi
    dir=$OUT/lab$n
    rm -rf "$dir"; mkdir -p "$dir/runs"

    # The tests: the lab's own, then the hidden ones.
    local first=""
    while read -r name pts; do
        case "$name" in unit:*) ;; *) [ -n "$first" ] || first=$name ;; esac
        selected "$name" "$first" || continue
        entries+=("$name $pts visible tests/scenarios/$name.scn")
    done < <(list_tests "labs/lab$n/tests.txt")
    if [ -n "$HIDDEN" ] && [ -f "$HIDDEN/lab$n/tests.txt" ]; then
        while read -r name pts; do
            [ -n "$ONLY" ] && { selected "$name" "" || continue; }
            entries+=("$name $pts hidden $HIDDEN/lab$n/$name.scn")
        done < <(list_tests "$HIDDEN/lab$n/tests.txt")
    fi

    local title
    title=$(sed -n '1s/^# *//p' "labs/lab$n/README.md" 2>/dev/null)
    say ""
    local whose="the reference"
    [ "${makeargs[0]}" = "LAB=$n" ] && whose="yours: labs/lab$n/"
    [ -n "$AS_LAB" ] && [ "$AS_LAB" != "$n" ] && whose="the reference, next to your lab $AS_LAB"
    [ "$AS_LAB" = none ] && whose="the reference"
    say "${title:-Lab $n} ($whose, built in $build)"
    if [ ${#entries[@]} -eq 0 ]; then say "(no test selected)"; return; fi

    local built=1
    if ! build_lab "$n" "$build" "$dir/make.log" "${makeargs[@]}"; then
        built=0
        local why; why="does not build: $(build_errors "$dir/make.log")"
        for e in "${entries[@]}"; do
            read -r name pts vis scn <<<"$e"
            key=$(key_of "$name")
            printf 'failed 0 0.0\n%s\n' "$why" >"$dir/$key.res"
            cp "$dir/make.log" "$dir/$key.out"
        done
    elif [ "$FIRST_FAIL" = 1 ]; then
        for e in "${entries[@]}"; do
            read -r name pts vis scn <<<"$e"
            run_test "$n" "$build" "$dir" "$name" "$scn"
            head -n 1 "$dir/$(key_of "$name").res" | grep -q '^passed' || break
        done
    else
        for e in "${entries[@]}"; do
            read -r name pts vis scn <<<"$e"
            printf '%s\n%s\n' "$name" "$scn"
        done | xargs -d '\n' -n 2 -P "$JOBS" bash -c 'run_test "$0" "$1" "$2" "$3" "$4"' "$n" "$build" "$dir"
    fi

    local score=0 max=0 status guest wall summary
    : >"$dir/results.tsv"
    for e in "${entries[@]}"; do
        read -r name pts vis scn <<<"$e"
        key=$(key_of "$name")
        max=$((max + pts))
        if [ ! -f "$dir/$key.res" ]; then
            [ "$FIRST_FAIL" = 1 ] || { status=failed; summary="no result (the test did not run)"; }
            [ "$FIRST_FAIL" = 1 ] && { status=skipped; summary="not run (--first-fail)"; }
            guest=0 wall=0.0
        else
            read -r status guest wall <"$dir/$key.res"
            summary=$(sed -n 2p "$dir/$key.res")
        fi
        local got=0
        if [ "$status" = passed ]; then got=$pts; score=$((score + pts)); PASSED=$((PASSED + 1))
        else FAILED=$((FAILED + 1)); fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$got" "$pts" "$status" "$vis" \
            "$guest" "$wall" "$summary" >>"$dir/results.tsv"
        case "$status" in
            passed)  say "== $name == OK ($wall s)" ;;
            skipped) say "== $name == SKIPPED" ;;
            *)       say "== $name == FAIL ($wall s)"
                     say "    $summary"
                     [ "$built" = 1 ] && say "    (the whole report: $dir/$key.out)" ;;
        esac
    done
    say "Lab $n: $score/$max"
    TOTAL=$((TOTAL + score)); POSSIBLE=$((POSSIBLE + max))
}

main() {
    local d n labs=()
    if [ ${#LABS_WANTED[@]} -gt 0 ]; then
        labs=("${LABS_WANTED[@]}")
    else
        for d in labs/lab*/; do
            n=${d#labs/lab}; n=${n%/}
            case "$n" in ''|*[!0-9]*) continue ;; esac
            labs+=("$n")
        done
    fi
    for n in "${labs[@]}"; do
        [ -f "labs/lab$n/tests.txt" ] || { echo "grade: lab $n has no labs/lab$n/tests.txt" >&2; exit 2; }
    done
    export BUILD JOBS
    TOTAL=0 POSSIBLE=0 PASSED=0 FAILED=0
    for n in "${labs[@]}"; do grade_lab "$n"; done
    say ""
    say "Score: $TOTAL/$POSSIBLE"
    say "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

main
