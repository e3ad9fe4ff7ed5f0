#!/usr/bin/env bash
# tests/checks/bench-docs.sh — the documents quote the committed benchmark
# results, and nothing else.
#
# Every performance figure in README.md, docs/performance.md,
# docs/address-space.md and docs/trace-format.md sits between marker
# comments and is generated from bench/results.json by bench/report.py
# (`make bench` writes both).  This check does NOT run the benchmarks (too
# slow for `make test`); it regenerates every marked figure and table from
# the committed results and fails if a document says anything else, if a
# marker names a figure the results lack, or if a document carries a
# hand-typed figure (a number of instructions, or a ratio, outside the
# markers).  Then it makes sure the check itself can fail: a copy of the
# documents with one figure changed, and one with a hand-typed figure,
# must both be refused.
#
# One test of `make test`: exit 0 = pass.
set -u
cd "$(dirname "$0")/../.." || exit 2
fail() { echo "FAIL: $*"; exit 1; }

[ -s bench/results.json ] || fail "bench/results.json is missing (make bench writes it)"
python3 -c 'import json,sys; json.load(open("bench/results.json"))' ||
    fail "bench/results.json is not JSON"
python3 bench/report.py check || fail "the documents disagree with bench/results.json (above)"
echo "ok the documents' figures are bench/results.json's"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy() {
    rm -rf "$tmp/top"; mkdir -p "$tmp/top/docs"
    cp README.md "$tmp/top/"
    cp docs/performance.md docs/address-space.md docs/trace-format.md "$tmp/top/docs/"
}
copy
python3 bench/report.py check bench/results.json --top "$tmp/top" >/dev/null ||
    fail "an unchanged copy of the documents is refused"
# One generated figure changed by hand.
sed -i '0,/<!--fig:ratio.fork_exit.min-->[^<]*</s//<!--fig:ratio.fork_exit.min-->9.99×</' \
    "$tmp/top/docs/performance.md"
grep -q 'fork_exit.min-->9.99×' "$tmp/top/docs/performance.md" || fail "could not alter the copy"
python3 bench/report.py check bench/results.json --top "$tmp/top" >"$tmp/out" &&
    fail "a changed figure was not noticed"
grep -q "figure ratio.fork_exit.min says" "$tmp/out" || fail "no message for the changed figure"
# A figure typed outside the markers.
copy
echo "A fork costs 12,345 instructions." >>"$tmp/top/README.md"
python3 bench/report.py check bench/results.json --top "$tmp/top" >"$tmp/out" &&
    fail "a hand-typed figure was not noticed"
grep -q "hand-typed figure" "$tmp/out" || fail "no message for the hand-typed figure"
echo "ok a changed or hand-typed figure is refused"
echo "bench-docs: all ok"
