#!/usr/bin/env bash
# tests/checks/tracer-cli.sh — the hvtrace commands as a script or a student
# uses them: every `hvtrace dot` kind through Graphviz's `dot`, `chrome`
# through a JSON parser, `stats`, and damaged input (not a trace, a
# truncated one, a missing file), which must give a message with the byte
# offset and exit status 1, never a crash.
#
# One test of `make test`: exit 0 = pass.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
HV=$BUILD/bin/hvtrace
FIX=tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# dot: each kind renders.
"$HV" dot -d d0 pagetable $FIX/synthetic-mm-evt.bin > "$tmp/pt.dot" || fail "dot pagetable"
"$HV" dot topology $FIX/synthetic-mm-evt.bin > "$tmp/topo.dot" || fail "dot topology"
"$HV" dot states $FIX/two-domains.bin > "$tmp/states.dot" || fail "dot states"
"$HV" dot -f 0 -n 20 sequence $FIX/privileged.bin > "$tmp/seq.dot" || fail "dot sequence"
for k in pt topo states seq; do
    dot -Tsvg "$tmp/$k.dot" -o "$tmp/$k.svg" || fail "dot rejected $k.dot"
    grep -q "<svg" "$tmp/$k.svg" || fail "$k.svg is not SVG"
done
echo "ok dot: 4 kinds rendered"

# dot topology of split devices: it renders and names them; seq charts a
# request of one of them, as text and as a graph.
"$HV" dot topology $FIX/grant-echo.bin > "$tmp/devs.dot" || fail "dot topology of grant-echo"
dot -Tsvg "$tmp/devs.dot" -o "$tmp/devs.svg" || fail "dot rejected devs.dot"
for d in "echo device 1" "echo device 2" "ring grant ref 1"; do
    grep -qF "$d" "$tmp/devs.svg" || fail "the topology does not show '$d'"
done
"$HV" seq --dev 2 --req 9 $FIX/grant-echo.bin > "$tmp/seq.txt" || fail "seq --dev 2 --req 9"
grep -q "request 9 on the ring of echo device 2 (front d2, back d0)" "$tmp/seq.txt" &&
    grep -q "ring_push requests: req_prod=9 (notify=sent)" "$tmp/seq.txt" &&
    grep -q "ring_push responses: rsp_prod=16 (notify=sent)" "$tmp/seq.txt" ||
    { cat "$tmp/seq.txt"; fail "seq: request 9 of device 2 (the second batch's first)"; }
"$HV" seq --dot --dev 1 --req 2 $FIX/grant-echo.bin > "$tmp/seq.dot" || fail "seq --dot"
dot -Tsvg "$tmp/seq.dot" -o /dev/null || fail "dot rejected the seq graph"
"$HV" seq --dev 1 --req 65 $FIX/grant-echo.bin >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no request 65" "$tmp/err" || fail "seq past the last request: exit $rc"
"$HV" seq --dev 1 $FIX/grant-echo.bin >/dev/null 2>&1; [ $? -eq 2 ] || fail "seq without --req: exit 2"
echo "ok devices: topology, seq"

# dot: an unknown kind is a usage error (2); a pagetable with no memory
# events a data error (1) with a reason.
"$HV" dot pie $FIX/two-domains.bin >/dev/null 2>&1; [ $? -eq 2 ] || fail "dot pie: exit 2"
"$HV" dot pagetable $FIX/two-domains.bin >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no page-table events" "$tmp/err" || fail "dot pagetable without events"
echo "ok dot errors"

# chrome: valid JSON with traceEvents.
"$HV" chrome $FIX/synthetic-mm-evt.bin > "$tmp/t.json" || fail "chrome"
python3 - "$tmp/t.json" <<'PY' || fail "chrome JSON"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
assert any(e["ph"] == "X" and e["name"] == "running" for e in ev)
assert any(e["ph"] == "s" for e in ev) and any(e["ph"] == "f" for e in ev)
ts = [e["ts"] for e in ev if e["ph"] != "M"]
assert ts == sorted(ts)
PY
echo "ok chrome JSON"

# stats on every fixture.
for f in $FIX/*.bin; do
    "$HV" stats "$f" > "$tmp/stats" || fail "stats $f"
    grep -q "^records " "$tmp/stats" || fail "stats $f: no summary"
done
echo "ok stats"

# Damaged input: a message with the offset, exit status 1, never a crash.
printf 'This is not a trace file at all, just text.\n%.0s' 1 2 > "$tmp/text.bin"
for cmd in dump stats chrome "dot states"; do
    $HV $cmd "$tmp/text.bin" >/dev/null 2>"$tmp/err"; rc=$?
    [ $rc -eq 1 ] || fail "$cmd on text: exit $rc"
    grep -q "offset 0: bad magic" "$tmp/err" || fail "$cmd on text: $(cat "$tmp/err")"
done
head -c $((64 + 5 * 48 + 7)) $FIX/two-domains.bin > "$tmp/trunc.bin"
"$HV" stats "$tmp/trunc.bin" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "stats on a truncated file: exit $rc"
grep -q "offset 304: truncated final record (7 of 48 bytes)" "$tmp/err" || fail "truncated: $(cat "$tmp/err")"
"$HV" chrome /nonexistent.bin >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] || fail "missing file: exit 1"
grep -q "cannot open" "$tmp/err" || fail "missing file: $(cat "$tmp/err")"
echo "ok damaged input"
echo "tracer-cli: all ok"
