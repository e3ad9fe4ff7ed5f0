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
# the next; QEMU's user network takes them (and, restricted, drops them).
#
# QEMU's user network runs on its own thread, so the host path could vary
# with the host: bench/net-host.scn makes it drop the datagrams (restrict=on)
# so that nothing comes back at the host's pace, and each configuration
# still boots RUNS times (default 3); bench/collect.py keeps the median and
# the range, which shows whether it stayed repeatable (bench/lib-repeat.sh).
cd "$(dirname "$0")/../.." || exit 2
. bench/lib-repeat.sh
BUILD=${BUILD:-build}
OUT=$BUILD/bench/net
RUNS=${RUNS:-3}
CONFIGS="net-domu net-host"
# shellcheck disable=SC2086  # CONFIGS: one word per configuration
repeat_boots "$OUT" "$RUNS" $CONFIGS || exit 1
med() {  # med CONFIG ROW: the median over the runs of "bench: ROW N"
    for i in $(seq "$RUNS"); do
        grep -oE "bench: $2 [0-9.]+" "$OUT/$i/$1/serial.log" | head -n 1 | awk '{ print $3 }'
    done | median
}
echo "hvkit split network: packets per million guest instructions, everyone's (median of $RUNS runs)"
printf '  %-16s %26s %22s\n' "path" "packets per M instructions" "instructions/packet"
printf '  %-16s %26s %22s\n' "domU -> domU" "$(med net-domu net_domu_domu_pkts_per_minsn)" \
    "$(med net-domu net_domu_domu_insns_per_pkt)"
printf '  %-16s %26s %22s\n' "domU -> host" "$(med net-host net_domu_host_pkts_per_minsn)" \
    "$(med net-host net_domu_host_insns_per_pkt)"
