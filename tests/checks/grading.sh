#!/usr/bin/env bash
# tests/checks/grading.sh — is the instructor's grader right, and does it survive?
# timeout: 1200
#
#   tests/checks/grading.sh          the check make test runs
#   tests/checks/grading.sh --full   every mutant graded with every test
#                                    (`make test-long`)
#
# grading/grade grades a class of submissions made here from the reference
# (so they follow it as it changes), every lab of the first two, labs 1
# and 2 of the others (what they break is there; the rest would only be
# more runs of the stubs):
#   reference  every lab file at its place            -> full marks, hidden tests too
#   loose      lab 3's file loose at the top, a look-alike Bounce.c, notes
#                                                     -> lab 3 full, the rest 0, all said
#   nobuild    lab 2 with a syntax error              -> lab 2: 0, the compiler's message
#   hang       lab 1 with eip not stepped (cli loops) -> stopped: "stuck"
#   ring0hang  lab 1 looping in ring 0, interrupts off -> the NMI watchdog's panic, file:line
#   triple     lab 1 loads an empty IDT and traps     -> "triple-fault"
#   fakepass   lab 1 stubs printing PASS and Score lines -> lab 1: 0
#   flood      lab 1 flooding the console and the trace -> graded, reported
# and checks every results.json against grading/schema/ (python3-jsonschema)
# and every junit.xml against the XSD (xmllint); grades two of them again
# and compares the reports byte for byte; grades every mutant of
# grading/mutants/ (each lab stopping at its first failing test) and checks
# that each loses points; and runs the Gradescope autograder (make
# gradescope: setup.sh, run_autograder) under a temporary /autograder.
cd "$(dirname "$0")/../.." || exit 2
KIT_ROOT=$(pwd)
FULL=0
[ "${1-}" = --full ] && FULL=1
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
ROOT=$KIT_ROOT/${GRADING_CHECK_ROOT:-build/grading-check}
OK=0 BAD=0
ok()  { echo "  ok   $*"; OK=$((OK + 1)); }
bad() { echo "  FAIL $*"; BAD=$((BAD + 1)); }

labs=()
for d in labs/lab*/; do n=${d#labs/lab}; n=${n%/}; labs+=("$n"); done

# inject_console_io FILE CODE — CODE first in do_console_io's body (found by
# its definition, not by a line of the reference that may change).
inject_console_io() {
    python3 - "$1" "$2" <<'PY'
import re, sys
p, code = sys.argv[1], sys.argv[2]
s = open(p).read()
m = re.search(r"^int32_t do_console_io\([^)]*\)\s*\{\n", s, re.M)
if m:
    s = s[:m.end()] + "    " + code + "\n" + s[m.end():]
    open(p, "w").write(s)
PY
}

# ref_submission DIR — every reference lab file at its place.
ref_submission() {
    local n
    for n in "${labs[@]}"; do
        mkdir -p "$1/labs/lab$n"
        cp solutions/lab"$n"/*.c "$1/labs/lab$n/"
    done
}

make_class() {
    local c=$1
    rm -rf "$c"; mkdir -p "$c"
    ref_submission "$c/reference"
    mkdir -p "$c/loose/deep"
    cp solutions/lab3/bvt.c "$c/loose/"
    cp labs/lab1/bounce.c "$c/loose/deep/Bounce.c"
    echo "my notes" >"$c/loose/notes.txt"
    mkdir -p "$c/nobuild/labs/lab2"
    sed 's/^int get_page(/int get_page(  this does not compile/' solutions/lab2/page_type.c \
        >"$c/nobuild/labs/lab2/page_type.c"
    mkdir -p "$c/hang/labs/lab1"
    cp solutions/lab1/*.c "$c/hang/labs/lab1/"
    patch -s -d "$c/hang" -p1 <grading/mutants/lab1/eip-not-stepped.patch
    mkdir -p "$c/triple/labs/lab1"
    cp solutions/lab1/*.c "$c/triple/labs/lab1/"
    inject_console_io "$c/triple/labs/lab1/hypercall.c" \
        '/* An empty IDT, then a trap: nothing can take it -- a triple fault. */
    static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) none = { 0, 0 };
    __asm__ volatile("lidt %0; int3" : : "m"(none));'
    mkdir -p "$c/ring0hang/labs/lab1"
    cp solutions/lab1/*.c "$c/ring0hang/labs/lab1/"
    inject_console_io "$c/ring0hang/labs/lab1/hypercall.c" 'for (;;) __asm__ volatile("cli");'
    grep -q 'for (;;) __asm__ volatile("cli");' "$c/ring0hang/labs/lab1/hypercall.c" || bad "could not make the ring0hang submission"
    mkdir -p "$c/fakepass/labs/lab1"
    cp labs/lab1/*.c "$c/fakepass/labs/lab1/"
    python3 - "$c/fakepass/labs/lab1/hypercall.c" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("    (void)nr; (void)a1;",
    "    printk(\"scenario hello: PASS\\n== hello == OK (0.1 s)\\nScore: 400/400\\n15 passed, 0 failed\\n\");\n"
    "    (void)nr; (void)a1;", 1)
open(p, "w").write(s)
PY
    mkdir -p "$c/flood/labs/lab1"
    cp solutions/lab1/*.c "$c/flood/labs/lab1/"
    python3 - "$c/flood/labs/lab1/hypercall.c" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("    trace7(TRC_HYPERCALL,",
    "    for (int i = 0; i < 200; i++)\n"
    "        trace7(TRC_HYPERCALL, current->id, nr, a1, a2, a3, a4, a5, (uint32_t)ret);\n"
    "    for (int i = 0; i < 20; i++)\n"
    "        printk(\"flood flood flood flood flood flood flood flood flood flood flood\\n\");\n"
    "    trace7(TRC_HYPERCALL,", 1)
open(p, "w").write(s)
PY
    grep -q 'for (int i = 0; i < 200' "$c/flood/labs/lab1/hypercall.c" || bad "could not make the flood submission"
    grep -q 'lidt %0; int3' "$c/triple/labs/lab1/hypercall.c" || bad "could not make the triple submission"
    grep -q 'Score: 400/400' "$c/fakepass/labs/lab1/hypercall.c" || bad "could not make the fakepass submission"
}

# lab_score OUT ID N — "got max" of lab N in OUT/ID/scores.tsv.
lab_score() { awk -F'\t' -v n="$3" '$1 == n { print $2, $3 }' "$1/$2/scores.tsv" 2>/dev/null; }

expect_lab() {   # OUT ID N WANT(full|zero|less) WHAT
    local got max
    read -r got max < <(lab_score "$1" "$2" "$3")
    case "$4:$got:$max" in
        full:*) [ -n "$max" ] && [ "$got" = "$max" ] ;;
        zero:*) [ "$got" = 0 ] ;;
        less:*) [ -n "$max" ] && [ "$got" -lt "$max" ] ;;
    esac && ok "$2: lab $3 $got/$max ($5)" || bad "$2: lab $3 ${got:-?}/${max:-?}, want $4 ($5; see $1/$2/report.txt)"
}

report_has() {   # OUT ID TEXT WHAT
    if grep -qF -- "$3" "$1/$2/report.txt" "$1/$2/intake.txt" 2>/dev/null; then ok "$2: $4"
    else bad "$2: $4: \"$3\" not in $1/$2/report.txt"; fi
}

validate_all() {
    local out=$1 id
    for id in "${@:2}"; do
        if python3 grading/report.py validate "$out/$id" grading/schema 2>"$out/$id/validate.err"; then
            ok "$id: results.json matches the schema, junit.xml the XSD"
        else
            bad "$id: $(head -c 300 "$out/$id/validate.err")"
        fi
    done
}

check_class() {
    local c=$ROOT/class out=$ROOT/grades ids=(reference loose nobuild hang ring0hang triple fakepass flood) n id
    echo "== a class of ${#ids[@]} submissions (grading/grade -j$JOBS --class)"
    make_class "$c"
    # Two runs into one folder: the whole labs of the first two, labs 1-2
    # of the rest; then the class table of all seven.
    local all=$ROOT/class-all part=$ROOT/class-part
    rm -rf "$all" "$part"; mkdir -p "$all" "$part"
    for id in reference loose; do mv "$c/$id" "$all/"; done
    for id in nobuild hang ring0hang triple fakepass flood; do mv "$c/$id" "$part/"; done
    local t0=$SECONDS
    grading/grade -j "$JOBS" --kit "$ROOT/kit" -o "$out" --class "$all" >"$ROOT/class.log" 2>&1 ||
        bad "grading/grade failed (see $ROOT/class.log)"
    local t1=$SECONDS
    grading/grade -j "$JOBS" --kit "$ROOT/kit" -o "$out" --labs 1,2 --class "$part" >>"$ROOT/class.log" 2>&1 ||
        bad "grading/grade --labs 1,2 failed (see $ROOT/class.log)"
    echo "  (graded in $((SECONDS - t0)) s: the kit and the two full submissions $((t1 - t0)) s)"
    python3 grading/report.py class "$out" "${ids[@]}"
    [ "$(wc -l <"$out/class.csv")" = $((${#ids[@]} + 1)) ] && ok "class.csv: a row per submission" ||
        bad "class.csv has not ${#ids[@]} rows"
    for n in "${labs[@]}"; do expect_lab "$out" reference "$n" full "the reference, hidden tests included"; done
    report_has "$out" reference "[hidden]" "hidden tests graded"
    expect_lab "$out" loose 3 full "bvt.c taken from the top of the submission"
    for n in 1 2 4; do expect_lab "$out" loose "$n" zero "no files: the stubs"; done
    report_has "$out" loose "labs/lab3/bvt.c: taken from bvt.c (not at its place)" "the misplaced file is said"
    report_has "$out" loose "renamed? deep/Bounce.c" "the look-alike is said"
    report_has "$out" loose "ignored: 2 other file(s)" "the extra files are said"
    expect_lab "$out" nobuild 2 zero "does not build"
    report_has "$out" nobuild "does not build: labs/lab2/page_type.c:" "the compiler's message"
    expect_lab "$out" hang 1 less "eip not stepped"
    report_has "$out" hang "got stuck: stuck: d0 took exception 13" "the watchdog's verdict"
    expect_lab "$out" ring0hang 1 zero "a loop in ring 0 with interrupts off"
    report_has "$out" ring0hang "no timer interrupt for" "the NMI watchdog's panic"
    report_has "$out" ring0hang "in do_console_io (labs/lab1/hypercall.c:" "where: the student's function and line"
    expect_lab "$out" triple 1 zero "a triple fault"
    report_has "$out" triple "got triple-fault" "the triple fault is said"
    expect_lab "$out" fakepass 1 zero "fake PASS and Score lines change nothing"
    [ -s "$out/flood/report.txt" ] && ok "flood: graded ($(sed -n 's/^Score: //p' "$out/flood/report.txt"))" ||
        bad "flood: no report"
    validate_all "$out" "${ids[@]}"

    # Two of them again: the same reports, byte for byte.
    local again=$ROOT/grades-again c2=$ROOT/class-again f same=1
    rm -rf "$c2"; mkdir -p "$c2"
    for id in hang fakepass; do cp -R "$part/$id" "$c2/"; done
    grading/grade -j "$JOBS" --kit "$ROOT/kit" -o "$again" --labs 1,2 --class "$c2" >"$ROOT/again.log" 2>&1
    for id in hang fakepass; do
        for f in report.txt results.json junit.xml; do
            cmp -s "$out/$id/$f" "$again/$id/$f" || { same=0; bad "$id/$f differs when graded again"; }
        done
    done
    [ "$same" = 1 ] && ok "graded again: the same report.txt, results.json and junit.xml, byte for byte"
}

check_mutants() {
    local n m id out dir count=0
    echo "== mutants (grading/mutants/): each must lose points"
    for n in "${labs[@]}"; do
        dir=$ROOT/mutants/lab$n; out=$ROOT/mutant-grades/lab$n
        rm -rf "$dir"; mkdir -p "$dir"
        for m in grading/mutants/lab"$n"/*.patch; do
            [ -e "$m" ] || continue
            id=$(basename "$m" .patch)
            ref_submission "$dir/$id"
            if ! patch -s -d "$dir/$id" -p1 <"$m" >/dev/null; then
                bad "lab$n/$id: the patch no longer applies to the reference"; rm -rf "${dir:?}/$id"
            fi
        done
        [ -n "$(ls "$dir")" ] || continue
        local opts=(--first-fail)
        [ "$FULL" = 1 ] && opts=()
        grading/grade -j "$JOBS" --kit "$ROOT/kit" -o "$out" --labs "$n" "${opts[@]}" --class "$dir" \
            >"$ROOT/mutants-lab$n.log" 2>&1 || bad "grading/grade failed on the lab $n mutants"
        for m in "$dir"/*/; do
            id=$(basename "$m"); count=$((count + 1))
            local got max first
            read -r got max < <(lab_score "$out" "$id" "$n")
            first=$(grep -m1 -A1 ' == FAIL' "$out/$id/report.txt" 2>/dev/null | sed -n '1s/ *== \(.*\) == FAIL.*/\1/p')
            if [ -n "$max" ] && [ "$got" -lt "$max" ]; then
                ok "mutant lab$n/$id loses points: $got/$max (first caught by $first)"
            else
                bad "mutant lab$n/$id survives: ${got:-?}/${max:-?} (see $out/$id/report.txt)"
            fi
        done
    done
    [ "$count" -ge $((3 * ${#labs[@]})) ] && ok "$count mutants, at least 3 per lab" ||
        bad "only $count mutants: at least 3 per lab are wanted"
}

check_gradescope() {
    local A=$ROOT/autograder zip=$ROOT/autograder.zip
    echo "== Gradescope: make gradescope, then setup.sh and run_autograder under $A"
    grading/gradescope/build.sh "$zip" >"$ROOT/gradescope.log" 2>&1 ||
        { bad "make gradescope failed (see $ROOT/gradescope.log)"; return; }
    unzip -l "$zip" | grep -q ' solutions/' && bad "the autograder zip holds solutions/"
    rm -rf "$A"; mkdir -p "$A/source" "$A/submission"
    (cd "$A/source" && unzip -q "$zip") || { bad "cannot unzip $zip"; return; }
    [ -x "$A/source/setup.sh" ] && [ -x "$A/source/run_autograder" ] &&
        ok "the zip has setup.sh and run_autograder at its root" || bad "setup.sh or run_autograder missing"
    # The kit this check prepared already is the one setup.sh would make
    # (the same handout): start from it, as an image rebuilt would not.
    cp -a "$ROOT/kit" "$A/kit"
    cp solutions/lab3/bvt.c "$A/submission/"
    if AUTOGRADER_ROOT=$A bash "$A/source/setup.sh" >"$ROOT/setup.log" 2>&1; then ok "setup.sh"
    else bad "setup.sh failed (see $ROOT/setup.log)"; fi
    AUTOGRADER_ROOT=$A bash "$A/source/run_autograder" >"$ROOT/run_autograder.log" 2>&1
    local r=$A/results/results.json
    if [ -s "$r" ] && python3 - "$r" grading/schema/gradescope-results.schema.json <<'PY'
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
lab3 = [t for t in doc["tests"] if t["name"].startswith("Lab 3:")]
others = [t for t in doc["tests"] if not t["name"].startswith("Lab 3:")]
assert lab3 and all(t["status"] == "passed" for t in lab3), "lab 3 should pass"
assert others and all(t["score"] == 0 for t in others), "the other labs are stubs"
assert doc["score"] == sum(t["max_score"] for t in lab3)
PY
    then ok "run_autograder: $r valid, lab 3 full marks, the others 0"
    else bad "run_autograder: $r missing, invalid or wrong (see $ROOT/run_autograder.log)"; fi
}

main() {
    mkdir -p "$ROOT"; rm -rf "$ROOT/kit"
    check_class
    check_mutants
    check_gradescope
    echo "grading checks: $OK ok, $BAD failing"
    [ "$BAD" -eq 0 ]
}

main
