#!/usr/bin/env bash
# bench/parts/decode.sh — the host trace decoder's throughput (bench/decode.c),
# against the target of 20 million records a second on one core.  Called by
# bench/run.sh after the guest figures.  Wall clock on this machine, so it
# varies with the machine and its load (the guest figures do not).
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
echo "host trace decoder (wall clock, this machine; target >= 20 Mrec/s)"
if [ ! -x "$BUILD/bin/bench-decode" ]; then
    echo "  $BUILD/bin/bench-decode is not built (make tools)"
    exit 1
fi
"$BUILD/bin/bench-decode" | sed 's/^/  /'
