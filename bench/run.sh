#!/usr/bin/env bash
# bench/run.sh — `make bench`: path lengths of the kit, in guest instructions.
#
#   bench/run.sh          environment: BUILD (default build)
#
# In the spirit of the Xen paper's lmbench table: the teaching OS's `bench`
# program measures a few operations with rdtsc, and the kit runs it three
# ways (the scenario files beside this script):
#   native.scn        on bare QEMU, no hypervisor (the baseline)
#   pv-trace-off.scn  paravirtualized, under the hypervisor
#   pv-trace-on.scn   the same with tracing on
# All three run under -icount shift=0,sleep=off, where the time stamp counter
# advances by one per guest instruction: the figures are instruction counts,
# exactly the same on every machine and every run (not nanoseconds).
#
# The program prints "bench: <name> <value> <unit>" (under the hypervisor
# prefixed by the domain, "(d0) ").  This script collects those lines into a
# table, then derives: the null hypercall round trip, a null system call
# paravirtualized vs native (ratio), and the cost of one trace event (each
# null hypercall emits one record, so trace=on minus trace=off).
# Results in $BUILD/bench/<config>/ (serial.log, cmdline.txt ...).
# Then every bench/parts/*.sh adds its own figures (scheduler cost, ...).

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench
CONFIGS="native pv-trace-off pv-trace-on"
# Memory (issue 3): the bench-mm and bench-pf programs, natively, PV with
# batched page-table updates, PV with every entry a trapped store.
MM_CONFIGS="mm-native mm-pv mm-pv-unbatched"

# Boot the three configurations (in parallel: -icount makes them
# independent of the load) and keep run-scenario.sh's reports.
boot_all() {
    local c failed=0
    mkdir -p "$OUT"
    for c in $CONFIGS $MM_CONFIGS; do
        BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh "bench/$c.scn" \
            >"$OUT/$c.report" 2>&1 </dev/null &
    done
    wait
    for c in $CONFIGS $MM_CONFIGS; do
        if [ "$(tail -n 1 "$OUT/$c.report")" != "scenario $c: PASS" ]; then
            echo "bench: the $c boot failed:"
            sed 's/^/  /' "$OUT/$c.report"
            failed=1
        fi
    done
    return $failed
}

# value CONFIG NAME — the figure NAME printed in CONFIG's run ("" if none).
value() {
    grep -oE "bench: $2 [0-9]+" "$OUT/$1/serial.log" 2>/dev/null |
        tail -n 1 | awk '{ print $3 }'
}

# unit NAME — the unit printed with NAME (taken from any configuration).
unit() {
    local c
    for c in $CONFIGS; do
        grep -oE "bench: $1 [0-9]+ [^ ]+" "$OUT/$c/serial.log" 2>/dev/null
    done | head -n 1 | awk '{ print $4 }'
}

# Every benchmark name printed by any configuration, in first-seen order.
all_names() {
    local c
    for c in $CONFIGS; do
        grep -oE 'bench: [A-Za-z0-9_]+ [0-9]+' "$OUT/$c/serial.log" 2>/dev/null
    done | awk '!seen[$2]++ { print $2 }'
}

print_table() {
    local n nat off on
    printf '\n%-26s %12s %14s %14s  %s\n' "benchmark" "native" "PV trace=off" "PV trace=on" "unit"
    printf '%-26s %12s %14s %14s  %s\n' "---------" "------" "------------" "-----------" "----"
    for n in $(all_names); do
        nat=$(value native "$n"); off=$(value pv-trace-off "$n"); on=$(value pv-trace-on "$n")
        printf '%-26s %12s %14s %14s  %s\n' "$n" "${nat:--}" "${off:--}" "${on:--}" "$(unit "$n")"
    done
}

# show LABEL VALUE — one derived line; "n/a" when an input is missing.
show() { printf '  %-44s %s\n' "$1" "${2:-n/a (not printed by the bench program)}"; }

ratio() {   # ratio A B -> "A/B" to two decimals, empty if either is missing
    [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

print_summary() {
    local hc_on hc_off sc_pv sc_nat r
    hc_on=$(value pv-trace-on null_hypercall)
    hc_off=$(value pv-trace-off null_hypercall)
    sc_pv=$(value pv-trace-off null_syscall)
    sc_nat=$(value native null_syscall)
    echo
    echo "hvkit path lengths (guest instructions, -icount shift=0: exact and repeatable;"
    echo "PV is the default, isolation=paging: bench/parts/isolation.sh compares isolation=classic)"
    show "null hypercall round trip, trace=off:" "$hc_off"
    show "null hypercall round trip, trace=on:" "$hc_on"
    show "null system call, native:" "$sc_nat"
    show "null system call, paravirtualized:" "$sc_pv"
    r=$(ratio "$sc_pv" "$sc_nat")
    show "  ratio PV / native:" "${r:+${r}x}"
    if [ -n "$hc_on" ] && [ -n "$hc_off" ]; then
        show "trace event cost (trace=on - trace=off):" "$((hc_on - hc_off)) instructions per record"
    else
        show "trace event cost (trace=on - trace=off):" ""
    fi
}

# The memory figures: PV vs native for process create+exit and a page
# fault, and what batching saves in traps per process creation.
print_mm_summary() {
    local ce_n ce_b ce_u pf_n pf_b pf_u r
    ce_n=$(value mm-native proc_mm_create_exit); pf_n=$(value mm-native page_fault)
    ce_b=$(value mm-pv proc_mm_create_exit);     pf_b=$(value mm-pv page_fault)
    ce_u=$(value mm-pv-unbatched proc_mm_create_exit); pf_u=$(value mm-pv-unbatched page_fault)
    echo
    echo "memory (bench-mm: directory + page table + 16 pages, then exit; bench-pf: demand-zero fault)"
    show "process create+exit, native:" "$ce_n"
    show "process create+exit, PV batched:" "$ce_b"
    r=$(ratio "$ce_b" "$ce_n"); show "  ratio PV / native (Xen paper: 1.8x fork):" "${r:+${r}x}"
    show "process create+exit, PV unbatched:" "$ce_u"
    r=$(ratio "$ce_u" "$ce_n"); show "  ratio PV unbatched / native:" "${r:+${r}x}"
    show "page fault, native:" "$pf_n"
    show "page fault, PV batched:" "$pf_b"
    r=$(ratio "$pf_b" "$pf_n"); show "  ratio PV / native (Xen paper: 1.9x):" "${r:+${r}x}"
    show "page fault, PV unbatched:" "$pf_u"
    show "traps per process creation, batched:" "$(value mm-pv proc_mm_traps)"
    show "  of which hypercalls / trapped stores:" \
         "$(value mm-pv proc_mm_hypercalls) / $(value mm-pv proc_mm_pt_traps)"
    show "traps per process creation, unbatched:" "$(value mm-pv-unbatched proc_mm_traps)"
    show "  of which hypercalls / trapped stores:" \
         "$(value mm-pv-unbatched proc_mm_hypercalls) / $(value mm-pv-unbatched proc_mm_pt_traps)"
}

main() {
    echo "bench: booting $CONFIGS $MM_CONFIGS under QEMU -icount (results in $OUT/)"
    local rc=0
    boot_all || rc=1
    print_table
    print_summary
    print_mm_summary
    # Further figures, one script each (host-side benches, other subsystems).
    local f
    for f in bench/parts/*.sh; do
        [ -e "$f" ] || continue
        echo
        BUILD=$BUILD bash "$f" || rc=1
    done
    exit $rc
}

main "$@"
