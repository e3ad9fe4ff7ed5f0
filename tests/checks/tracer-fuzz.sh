#!/usr/bin/env bash
# tests/checks/tracer-fuzz.sh — a short fuzz run of everything that reads a
# trace file (fuzz/fuzz_reader.c: reader, loader, model, stats, dot, chrome)
# under AddressSanitizer and UBSan, seeded with the fixtures.  Any crash,
# out-of-bounds access, undefined behaviour or problem message without an
# offset fails the test.  (Leak checking is off: a short run is about
# memory safety; the exporters free what they allocate.)
#
# One test of `make test`: exit 0 = pass.  FUZZ_SECONDS (default 15) bounds it.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
FUZZ=$BUILD/fuzz/fuzz-reader
SECONDS_LIMIT=${FUZZ_SECONDS:-15}
[ -x "$FUZZ" ] || { echo "$FUZZ is not built (make tools)"; exit 1; }

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# The first directory is where libFuzzer writes new inputs: a scratch one,
# so the checked-in fixtures are only read.
ASAN_OPTIONS=detect_leaks=0 timeout -k 5 $((SECONDS_LIMIT + 30)) \
    "$FUZZ" -max_total_time="$SECONDS_LIMIT" -rss_limit_mb=2048 -print_final_stats=1 \
    "$corpus" tests/fixtures >"$corpus.log" 2>&1
rc=$?
grep -E "^(stat::number_of_executed_units|Done|driver:)" "$corpus.log"
if [ $rc -ne 0 ]; then
    tail -n 40 "$corpus.log"
    rm -f "$corpus.log"
    echo "tracer-fuzz: the fuzzer found a problem (exit $rc)"
    exit 1
fi
rm -f "$corpus.log"
echo "tracer-fuzz: no crash in ${SECONDS_LIMIT} s"
