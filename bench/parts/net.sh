#!/usr/bin/env bash
# bench/parts/net.sh — the split network: packets per million guest
# instructions, domU to domU (through dom0's back end, never on the wire)
# and domU to the host (through dom0's NE2000 and QEMU's user network),
# under -icount shift=0 with the trace off.  Called by bench/run.sh.
#
# domU -> domU (bench/net-domu.scn): d1 sends a datagram ("bench N") to d2's
# echo port and waits for the answer, 200 times; each round trip is two
# packets, and every instruction of the three domains and the hypervisor
# in between is counted: d1's transmit request, dom0 copying the frame out
# (GNTTABOP_copy), routing it by IP, copying it into a buffer d2 posted,
# the events, d2's IP stack and answer, and the same way back.
# domU -> host (bench/net-host.scn): d1 sends 200 datagrams to 10.0.2.2,
# each taken by dom0 and written to the card one byte per `outb` before
# the next; QEMU's user network hands them to the host.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/bench
mkdir -p "$OUT"
rc=0
for b in net-domu net-host; do
    BUILD=$BUILD SCENARIO_OUT=$OUT tests/run-scenario.sh "bench/$b.scn" >"$OUT/$b.report" 2>&1 </dev/null &
done
wait
for b in net-domu net-host; do
    if [ "$(tail -n 1 "$OUT/$b.report")" != "scenario $b: PASS" ]; then
        echo "bench: the $b boot failed:"; sed 's/^/  /' "$OUT/$b.report"; rc=1
    fi
done
val() { grep -oE "bench: $2 [0-9.]+" "$OUT/$1/serial.log" 2>/dev/null | head -n 1 | awk '{ print $3 }'; }
echo "hvkit split network: packets per million guest instructions (everyone's)"
printf '  %-16s %26s %22s\n' "path" "packets per M instructions" "instructions/packet"
printf '  %-16s %26s %22s\n' "domU -> domU" "$(val net-domu net_domu_domu_pkts_per_minsn)" \
    "$(val net-domu net_domu_domu_insns_per_pkt)"
printf '  %-16s %26s %22s\n' "domU -> host" "$(val net-host net_domu_host_pkts_per_minsn)" \
    "$(val net-host net_domu_host_insns_per_pkt)"
exit $rc
