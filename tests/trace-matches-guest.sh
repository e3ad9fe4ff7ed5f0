#!/usr/bin/env bash
# tests/trace-matches-guest.sh — does the trace say what the guest was told?
#
#   tests/trace-matches-guest.sh DIR     DIR = a scenario's results
#                                        (build/scenarios/NAME: serial.log, trace.txt)
#
# The scenario primitive expect_trace_matches_guest runs this (tests/lib-qemu.sh).
# A trace is evidence only if every result in it is the result the guest
# received.  Two checks, over the decoded trace and the serial log:
#
#   1. The guest's own account.  A workload that ends with refusals_print()
#      (minios-guest/arch/pv/refusals.c) prints every negative result its
#      kernel got, in order: "refusal K: NAME RET", then "refusals: N in all".
#      For each such domain, its first N refused `hypercall` records in the
#      trace (ret < 0, multicall entries included) must be exactly those
#      calls with exactly those results, in the same order.
#
#   2. The record that refused.  When a hypercall is refused, the record its
#      handler left about the refusal -- the last refused mmu_update, mmuext,
#      m2p_update, mem_release, evtchn_op or evtchn_send record of that
#      domain since its previous hypercall record -- must carry the same
#      result as the call.  (ptwr and "mmu_update via=ptwr" records belong to
#      a trapped store, whose answer is a page fault, not a result: skipped.)
#      This holds for every domain of the trace.
#
# Prints one line per domain checked; exit status 0 only if everything
# agrees and at least one domain printed its log (a check that compared
# nothing would prove nothing).

cd "$(dirname "$0")/.." || exit 2
dir=${1:?usage: $0 SCENARIO_RESULTS_DIR}
[ -f "$dir/serial.log" ] || { echo "no $dir/serial.log"; exit 2; }
[ -f "$dir/trace.txt" ] || { echo "no $dir/trace.txt (no decoded trace)"; exit 2; }

awk '
    # Error names -> numbers, from the ABI itself (the tracer prints -EFAULT).
    FILENAME ~ /hvkit\.h$/ {
        if ($1 == "#define" && $2 ~ /^HV_E[A-Z0-9]+$/ && $3 ~ /^[0-9]+$/)
            errno[substr($2, 4)] = $3
        next
    }
    # The guest: "(d1) refusal 3: mmu_update -1", "(d1) refusals: 57 in all".
    FILENAME ~ /serial\.log$/ {
        if (match($0, /^\(d[0-9]+\) refusal [0-9]+: /)) {
            d = substr($1, 2, length($1) - 2); k = $3; sub(/:$/, "", k)
            guest[d, k + 0] = $4 " " $5
        } else if (match($0, /^\(d[0-9]+\) refusals: [0-9]+ in all/)) {
            d = substr($1, 2, length($1) - 2)
            total[d] = $3 + 0; logged[d] = 1
            if ($0 ~ /overflowed/) overflow[d] = 1
        }
        next
    }
    # The trace: "INDEX TSC dN EVENT key=value ...".
    function field(key,   i) {
        for (i = 5; i <= NF; i++)
            if (index($i, key "=") == 1) return substr($i, length(key) + 2)
        return ""
    }
    function number(v) {                 # "-EFAULT" -> -14, "33" -> 33
        if (v ~ /^-E[A-Z0-9]+$/) return (substr(v, 2) in errno) ? -errno[substr(v, 2)] : v
        return v + 0
    }
    {
        d = $3; ev = $4; r = field("ret")
        if (ev == "hypercall") {
            ret = number(r)
            if (ret < 0) {
                n[d]++; calls[d, n[d]] = field("nr") " " ret; where[d, n[d]] = $1
                if (((d, "detail") in last) && last[d, "detail"] != ret) {
                    bad++
                    if (bad <= 5)
                        printf "%s: record %s says ret=%s, but its hypercall (record %s, nr=%s) returned %s\n",
                               d, last[d, "at"], last[d, "said"], $1, field("nr"), r
                }
                if ((d, "detail") in last) checked++
            }
            delete last[d, "detail"]
        } else if (r != "" && ev != "ptwr" && field("via") != "ptwr") {
            ret = number(r)
            if (ret < 0) { last[d, "detail"] = ret; last[d, "said"] = r; last[d, "at"] = $1 " (" ev ")" }
        }
    }
    END {
        for (d in logged) {
            domains++
            if (overflow[d]) { printf "%s: the refusal log overflowed\n", d; bad++; continue }
            if (total[d] > n[d]) {
                printf "%s: the guest was refused %d times, the trace has only %d refused hypercalls\n",
                       d, total[d], n[d]; bad++
            }
            for (k = 1; k <= total[d]; k++) {
                if (guest[d, k] != calls[d, k]) {
                    printf "%s: refusal %d: the guest got \"%s\", the trace (record %s) says \"%s\"\n",
                           d, k, guest[d, k], where[d, k], calls[d, k]
                    bad++; break
                }
            }
            if (k > total[d])
                printf "%s: all %d refusals the guest received are in the trace, in order, with the same results\n",
                       d, total[d]
        }
        printf "%d refusing records compared with their hypercall'"'"'s result\n", checked
        if (!domains) { print "no domain printed its refusal log (refusals_print): nothing compared"; exit 1 }
        exit bad ? 1 : 0
    }
' hv/include/public/hvkit.h "$dir/serial.log" "$dir/trace.txt"
