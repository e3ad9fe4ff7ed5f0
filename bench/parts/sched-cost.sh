#!/usr/bin/env bash
# bench/parts/sched-cost.sh — the scheduler's per-decision cost against the
# number of domains (bench/sched-cost.c, on the host).  Called by bench/run.sh.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
make --no-print-directory -s BUILD="$BUILD" "$BUILD/bin/sched-cost" || exit 1
"$BUILD/bin/sched-cost"
