#!/usr/bin/env bash
# bench/parts/isolation.sh — what the default protection of the memory split
# costs: isolation=paging (a running guest maps only the entry trampoline;
# every entry and exit loads CR3) against isolation=classic (the segment
# limits alone), in guest instructions (-icount shift=0) and in CR3 loads
# (counted by the hypervisor: xen_version(XENVER_hvkit_stats)).  Called by
# bench/run.sh after the main table (whose PV runs are the default,
# isolation=paging); this script boots the same benchmarks once with each
# isolation= given explicitly (bench/classic-*.scn, bench/paging-*.scn).
#
#   null hypercall        xen_version, ring 1 -> 0 -> 1 (bench.c)
#   domain switch         (yield round trip - 2 x null hypercall) / 2,
#                         minimums (bench-switch, workloads-sched.c)
#   page fault            a demand-zero fault from ring 3: the #PF, its
#                         bounce to the guest kernel, the kernel's
#                         page-table update (bench-pf, mm-programs.c)
#
# The table also goes to $BUILD/bench/isolation.txt, the file the figures
# in docs/address-space.md and docs/performance.md are taken from.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench
mkdir -p "$OUT"
rc=0
configs="classic-pv classic-mm classic-switch paging-pv paging-mm paging-switch"
for c in $configs; do
    BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh "bench/$c.scn" >"$OUT/$c.report" 2>&1 </dev/null &
done
wait
for c in $configs; do
    if [ "$(tail -n 1 "$OUT/$c.report")" != "scenario $c: PASS" ]; then
        echo "bench: the $c boot failed:"; sed 's/^/  /' "$OUT/$c.report"; rc=1
    fi
done

val() { grep -oE "bench: $2 [0-9]+" "$OUT/$1/serial.log" 2>/dev/null | head -n 1 | awk '{ print $3 }'; }

# switch_of CONFIG FIELD_SUFFIX HC_CONFIG — (round trip - 2 x null hypercall) / 2
switch_of() {
    local rt hc
    rt=$(val "$1" "yield_roundtrip$2"); hc=$(val "$3" "null_hypercall$2")
    [ -n "$rt" ] && [ -n "$hc" ] && echo $(( (rt - 2 * hc) / 2 ))
}

row() {   # row LABEL CLASSIC_INSNS CLASSIC_CR3 PAGING_INSNS PAGING_CR3
    local extra=""
    [ -n "$2" ] && [ -n "$4" ] && extra="+$(( $4 - $2 ))"
    printf '  %-34s %7s %4s   %7s %4s   %s\n' "$1" "${2:-n/a}" "${3:-n/a}" "${4:-n/a}" "${5:-n/a}" "$extra"
}

{
    echo "hvkit isolation: the cost of isolation=paging (default) over isolation=classic"
    echo "(guest instructions under -icount shift=0, minimums; CR3 loads counted by the hypervisor)"
    printf '  %-34s %12s   %12s   %s\n' "" "classic" "paging" "paging"
    printf '  %-34s %7s %4s   %7s %4s   %s\n' "path" "insns" "CR3" "insns" "CR3" "- classic"
    row "null hypercall" \
        "$(val classic-pv null_hypercall_min)" "$(val classic-pv null_hypercall_cr3)" \
        "$(val paging-pv null_hypercall_min)" "$(val paging-pv null_hypercall_cr3)"
    sc=$(switch_of classic-switch _min classic-pv); sp=$(switch_of paging-switch _min paging-pv)
    scc=$(switch_of classic-switch _cr3 classic-pv); spc=$(switch_of paging-switch _cr3 paging-pv)
    row "domain switch" "$sc" "$scc" "$sp" "$spc"
    row "yield round trip (2 + 2 switches)" \
        "$(val classic-switch yield_roundtrip_min)" "$(val classic-switch yield_roundtrip_cr3)" \
        "$(val paging-switch yield_roundtrip_min)" "$(val paging-switch yield_roundtrip_cr3)"
    row "page fault (ring 3, demand-zero)" \
        "$(val classic-mm page_fault_min)" "$(val classic-mm page_fault_cr3)" \
        "$(val paging-mm page_fault_min)" "$(val paging-mm page_fault_cr3)"
    echo "  (Instruction counts do not show what a CR3 load costs a real CPU: without"
    echo "  PCID every load flushes the TLB, and the guest then refills it with page walks.)"
} | tee "$OUT/isolation.txt"
exit $rc
