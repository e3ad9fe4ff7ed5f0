#!/usr/bin/env bash
# tests/checks/handout.sh — does every lab of the student distribution stand alone?
# timeout: 900
#
#   tests/checks/handout.sh          the check make test runs (a subset)
#   tests/checks/handout.sh --full   every test of every lab in every handout,
#                                    and the all-labs handout too
#                                    (`make test-long`)
#
# For each lab N it writes the handout for lab N (grading/handout.sh --lab
# N) and checks, on that tree itself, as a student would use it:
#   - what is in it: no solutions/, no grading/, no instructor check, no
#     hidden test, nothing mentioning solutions/ or grading/; the prebuilt
#     reference of every other lab, and none of lab N, not even an object;
#   - lab N's stubs fail every test of lab N (make grade LAB=N: score 0),
#     while the other labs' unit tests pass on their prebuilt objects in
#     that same build (but for a lab that builds on lab N: LABM_BUILDS_ON);
#   - with lab N's reference files copied into labs/labN/, lab N scores
#     full marks, and the other labs' tests pass next to it (the first
#     scenario of each here; all of them with --full) — so every prebuilt
#     object is used and checked in three of the four handouts.
# Cost: one build from scratch (the first handout; the others start from
# its objects, as tests/grade.sh seeds a build) and about 45 runs.
cd "$(dirname "$0")/../.." || exit 2
KIT=$(pwd)
FULL=0
[ "${1-}" = --full ] && FULL=1
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
ROOT=${HANDOUT_CHECK_ROOT:-build/handout-check}
OK=0 BAD=0
ok()  { echo "  ok   $*"; OK=$((OK + 1)); }
bad() { echo "  FAIL $*"; BAD=$((BAD + 1)); }

labs=()
for d in labs/lab*/; do n=${d#labs/lab}; n=${n%/}; labs+=("$n"); done

# score OUTDIR LAB — "got max" of a tests/grade.sh run.
score() {
    awk -F'\t' '{ got += $2; max += $3 } END { printf "%d %d\n", got, max }' "$1/lab$2/results.tsv" 2>/dev/null
}

# grade TREE OUT ARGS... — tests/grade.sh inside a handout tree.
grade() {
    local tree=$1 out=$2; shift 2
    (cd "$tree" && tests/grade.sh -q -j"$JOBS" --out "$out" "$@")
}

# Lines of lab N's reference that are nowhere else in the kit: if one of
# them is in the handout, the reference leaked.
reference_lines() {
    local f line
    for f in solutions/lab"$1"/*.c; do
        sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$f" | awk 'length($0) >= 30' | sort -u |
        while IFS= read -r line; do
            grep -rqF --exclude-dir=build --exclude-dir=solutions --exclude-dir=.git -- "$line" . ||
                printf '%s\n' "$line"
        done
    done
}

check_contents() {
    local tree=$1 n=$2 m hits p before=$BAD
    for p in solutions grading tests/check-lab-stubs.sh; do
        [ -e "$tree/$p" ] && bad "handout lab$n: $p is in the tree"
    done
    ls "$tree"/tests/checks/grading* >/dev/null 2>&1 && bad "handout lab$n: instructor checks are in the tree"
    for m in "${labs[@]}"; do
        if [ "$m" = "$n" ]; then
            [ -e "$tree/prebuilt/lab$m" ] && bad "handout lab$n: lab $n's reference is in the tree (prebuilt/lab$m)"
        else
            [ -d "$tree/prebuilt/lab$m" ] || bad "handout lab$n: no prebuilt/lab$m"
        fi
    done
    # Not a line of lab N's reference sources, not a hidden test.
    local lines
    lines=$(reference_lines "$n")
    if [ -z "$lines" ]; then
        bad "handout lab$n: found no line unique to lab $n's reference (the leak check would check nothing)"
    elif hits=$(grep -rlF --exclude-dir=build -f <(printf '%s\n' "$lines") "$tree"); then
        bad "handout lab$n: lines of lab $n's reference are in: $hits"
    fi
    local f
    for f in grading/hidden/*/*.scn; do
        [ -e "$f" ] || continue
        [ -e "$tree/tests/scenarios/$(basename "$f")" ] && bad "handout lab$n: hidden test $(basename "$f") is in the tree"
    done
    hits=$(grep -rIl --exclude-dir=build -e 'solutions/' -e 'grading/' "$tree" 2>/dev/null | sed "s#^$tree/##")
    [ -n "$hits" ] && bad "handout lab$n: files mention solutions/ or grading/: $hits"
    [ "$BAD" -eq "$before" ] &&
        ok "handout lab$n: contents ($(wc -l <<<"$lines") lines unique to lab $n's reference: none in the tree; prebuilt objects of the other labs)"
}

check_lab() {
    local n=$1 tree=$ROOT/hvkit-lab$n out got max m f
    echo "== the handout for lab $n ($tree)"
    grading/handout.sh --lab "$n" --out "$tree" --no-tar >"$ROOT/handout-lab$n.log" 2>&1
    local hrc=$?            # 3: written, with mentions the contents check reports
    if [ "$hrc" != 0 ] && [ "$hrc" != 3 ]; then
        bad "handout lab$n: grading/handout.sh failed (see $ROOT/handout-lab$n.log)"
        tail -n 5 "$ROOT/handout-lab$n.log" | sed 's/^/  | /'
        return
    fi
    local before=$BAD
    check_contents "$tree" "$n"
    # Start from the first handout's objects (not lab files: those differ).
    if [ -n "$SEED" ] && [ ! -d "$tree/build" ]; then
        mkdir -p "$tree/build" && cp -a "$SEED" "$tree/build/"
    fi

    # 1. The stubs: lab N scores 0; the other labs' unit tests pass.
    out=$KIT/$ROOT/grade-lab$n-stubs
    grade "$tree" "$out" --student "$n"
    read -r got max < <(score "$out" "$n")
    if [ -z "$max" ] || [ "$max" = 0 ]; then
        bad "handout lab$n: no result from make grade LAB=$n (see $out/lab$n/)"
    elif [ "$got" = 0 ]; then
        ok "handout lab$n: the stubs score 0/$max"
    else
        bad "handout lab$n: the stubs score $got/$max (see $out/lab$n/results.tsv)"
    fi
    [ -z "$SEED" ] && SEED=$KIT/$tree/build/lab$n
    for m in "${labs[@]}"; do
        [ "$m" = "$n" ] && continue
        # A lab whose pure code calls another's (lab 5's grants take lab 2's
        # reference counts: LAB5_BUILDS_ON in its lab.mk) cannot pass its
        # unit tests on that lab's stubs.
        if grep -qE "^LAB${m}_BUILDS_ON[[:space:]]*:?=.*\b$n\b" "labs/lab$m/lab.mk"; then
            ok "handout lab$n: lab $m's unit tests not run on the lab $n stubs (lab $m builds on lab $n: labs/lab$m/lab.mk)"
            continue
        fi
        local units
        units=$(sed -e 's/#.*//' "labs/lab$m/tests.txt" | awk '$1 ~ /^unit:/ { printf "%s%s", s, $1; s = "," }')
        [ -n "$units" ] || continue
        grade "$tree" "$out" --as-lab "$n" --only "$units" "$m"
        read -r got max < <(score "$out" "$m")
        if [ -n "$max" ] && [ "$max" != 0 ] && [ "$got" = "$max" ]; then
            ok "handout lab$n: prebuilt lab $m passes its unit tests next to the lab $n stubs"
        else
            bad "handout lab$n: prebuilt lab $m fails its unit tests ($got/$max; see $out/lab$m/)"
        fi
    done

    # 2. The reference copied in: lab N full marks, the others pass.
    for f in solutions/lab"$n"/*; do cp "$f" "$tree/labs/lab$n/"; done
    out=$KIT/$ROOT/grade-lab$n-reference
    grade "$tree" "$out" --student "$n"
    read -r got max < <(score "$out" "$n")
    if [ -n "$max" ] && [ "$max" != 0 ] && [ "$got" = "$max" ]; then
        ok "handout lab$n: with the reference copied in, lab $n scores $got/$max"
    else
        bad "handout lab$n: with the reference copied in, lab $n scores $got/$max (see $out/lab$n/results.tsv)"
        grep -v $'\tpassed\t' "$out/lab$n/results.tsv" 2>/dev/null | cut -f1,8 | sed 's/^/  | /'
    fi
    local others=()
    for m in "${labs[@]}"; do [ "$m" = "$n" ] || others+=("$m"); done
    if [ "$FULL" = 1 ]; then grade "$tree" "$out" --as-lab "$n" "${others[@]}"
    else grade "$tree" "$out" --as-lab "$n" --only first "${others[@]}"; fi
    for m in "${others[@]}"; do
        read -r got max < <(score "$out" "$m")
        if [ -n "$max" ] && [ "$max" != 0 ] && [ "$got" = "$max" ]; then
            ok "handout lab$n: prebuilt lab $m passes $( [ "$FULL" = 1 ] && echo "all its tests" || echo "its first scenario") ($got/$max)"
        else
            bad "handout lab$n: prebuilt lab $m: $got/$max (see $out/lab$m/results.tsv)"
        fi
    done
    [ "$BAD" -eq "$before" ] || echo "  (handout lab$n had failures)"
}

# The all-labs handout: its contents always; built and graded with --full.
check_all_labs() {
    local tree=$ROOT/hvkit
    echo "== the handout of every lab ($tree)"
    grading/handout.sh --out "$tree" >"$ROOT/handout.log" 2>&1
    local hrc=$?
    if [ "$hrc" != 0 ] && [ "$hrc" != 3 ]; then
        bad "handout: grading/handout.sh failed (see $ROOT/handout.log)"; return
    fi
    [ -s "$tree.tar.gz" ] && ok "handout: $tree.tar.gz written" || bad "handout: no $tree.tar.gz"
    local m missing=0
    for m in "${labs[@]}"; do [ -d "$tree/prebuilt/lab$m" ] || missing=1; done
    [ "$missing" = 0 ] && ok "handout: the prebuilt reference of every lab" || bad "handout: a lab's prebuilt/ is missing"
    [ -e "$tree/solutions" ] || [ -e "$tree/grading" ] && bad "handout: solutions/ or grading/ in the tree"
    [ "$FULL" = 1 ] || return
    [ -n "$SEED" ] && mkdir -p "$tree/build" && cp -a "$SEED" "$tree/build/"
    # Without LAB: every lab prebuilt, everything passes.
    local out=$KIT/$ROOT/grade-all got max
    (cd "$tree" && env -u MAKEFLAGS make --no-print-directory -j"$JOBS" all unit-tests >"$out.make.log" 2>&1 &&
        for m in "${labs[@]}"; do GRADE_ROOT=build tests/grade.sh -q -j"$JOBS" --as-lab none --out "$out" "$m"; done)
    for m in "${labs[@]}"; do
        read -r got max < <(score "$out" "$m")
        [ -n "$max" ] && [ "$got" = "$max" ] && ok "handout: prebuilt lab $m scores $got/$max" ||
            bad "handout: prebuilt lab $m scores $got/$max"
    done
}

main() {
    rm -rf "$ROOT"; mkdir -p "$ROOT"
    SEED=""
    local n
    for n in "${labs[@]}"; do check_lab "$n"; done
    check_all_labs
    echo "handout checks: $OK ok, $BAD failing"
    [ "$BAD" -eq 0 ]
}

main
